"""MPI: the wheel's MPI library, the launcher, the argv and environment of a run."""

from __future__ import annotations

import ctypes
import importlib.metadata
import logging
import os
import shutil
import stat
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from mechnoise.lammps.inputs import lammps_arguments
from mechnoise.lammps.spec import EngineSpec

#: One logger for the whole engine (its progress lines are what a job log shows).
log = logging.getLogger("mechnoise.lammps.engine")


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
