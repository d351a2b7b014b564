"""The watchdog: wall-clock and stall limits, progress lines, the supervising Snakemake."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mechnoise.lammps.logcheck import _FLOAT_RE

#: One logger for the whole engine (its progress lines are what a job log shows).
log = logging.getLogger("mechnoise.lammps.engine")


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
