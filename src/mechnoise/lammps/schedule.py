"""Plan of a shear run: strain segments, thermo interval and dense frame windows, in MD steps.

A shear run at rate ``gamma_dot`` with time step ``dt`` reaches strain ``gamma`` at step
``gamma / (gamma_dot dt)``. The run is cut into segments of ``segment_strain`` (one restartable
LAMMPS job each). Frames are written only inside ``n_windows`` dense windows spread evenly over
the steady state (strain > ``steady_strain``): inside a window, one frame every
``frame_interval`` tau0 for ``window_duration`` tau0. Window starts are multiples of the frame
interval in steps, so every frame step is a multiple of ``frame_every`` and a window cut by a
segment boundary continues seamlessly in the next segment.

Rate cascade: a run may start from the end state of the run at the next higher rate instead
of the quenched glass (:func:`run_strains`). It then discards only a short re-equilibration
strain and samples the same steady span as a run from the glass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """A dense frame window: frames at ``start, start + every, …, stop`` (steps, inclusive)."""

    index: int
    start: int
    stop: int
    every: int

    @property
    def steps(self) -> list[int]:
        """Frame steps of the window."""
        return list(range(self.start, self.stop + 1, self.every))


@dataclass(frozen=True)
class ShearPlan:
    """Steps of one shear run.

    Attributes
    ----------
    rate, dt : float
        Shear rate (1/tau0) and time step (tau0).
    segment_ends : tuple of int
        Absolute end step of each segment (the last equals ``total_steps``).
    thermo_every : int
        Steps between thermo rows.
    windows : tuple of Window
        Dense frame windows, in time order.
    steady_step : int
        First step of the steady state (strain below it is discarded as transient).
    """

    rate: float
    dt: float
    segment_ends: tuple[int, ...]
    thermo_every: int
    windows: tuple[Window, ...]
    steady_step: int = 0

    @property
    def total_steps(self) -> int:
        return self.segment_ends[-1]

    def segment_start(self, k: int) -> int:
        """First step of segment ``k``."""
        return 0 if k == 0 else self.segment_ends[k - 1]

    def window_of_step(self, step: int) -> int:
        """Index of the window containing frame step ``step`` (ValueError if none)."""
        for w in self.windows:
            if w.start <= step <= w.stop:
                return w.index
        raise ValueError(f"step {step} lies in no frame window")


def plan_shear(
    rate: float,
    dt: float,
    total_strain: float,
    segment_strain: float,
    steady_strain: float,
    thermo_strain_interval: float,
    n_windows: int,
    window_duration: float,
    frame_interval: float,
) -> ShearPlan:
    """Plan the segments and frame windows of a shear run.

    Parameters
    ----------
    rate : float
        Shear rate gamma_dot (1/tau0), > 0.
    dt : float
        Time step (tau0), > 0.
    total_strain, segment_strain, steady_strain : float
        Total strain, strain per segment, strain discarded as transient.
    thermo_strain_interval : float
        Strain between thermo rows.
    n_windows : int
        Number of dense frame windows (0: no frames).
    window_duration, frame_interval : float
        Window length and frame spacing (tau0). The window is shortened to fit the steady
        state when needed (at high rates the steady state lasts less than one window).

    Returns
    -------
    ShearPlan

    Raises
    ------
    ValueError
        For non-positive rates or steps, or a steady state too short for two frames.

    Examples
    --------
    >>> p = plan_shear(0.01, 0.005, 0.6, 0.3, 0.2, 0.001, 2, 20.0, 0.2)
    >>> p.segment_ends, p.thermo_every
    ((6000, 12000), 20)
    >>> [(w.start, w.stop, w.every) for w in p.windows]
    [(4000, 7960, 40), (8000, 11960, 40)]
    """
    for name, value in [
        ("rate", rate),
        ("dt", dt),
        ("total_strain", total_strain),
        ("segment_strain", segment_strain),
        ("thermo_strain_interval", thermo_strain_interval),
        ("frame_interval", frame_interval),
        ("window_duration", window_duration),
    ]:
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value}")
    if not 0 <= steady_strain < total_strain:
        raise ValueError(
            f"steady_strain must be in [0, total_strain={total_strain}), got {steady_strain}"
        )
    step_strain = rate * dt
    total_steps = round(total_strain / step_strain)
    n_seg = max(1, math.ceil(total_strain / segment_strain - 1e-9))
    ends = [min(round((k + 1) * segment_strain / step_strain), total_steps) for k in range(n_seg)]
    ends[-1] = total_steps
    thermo_every = max(1, round(thermo_strain_interval / step_strain))
    every = max(1, round(frame_interval / dt))
    windows: list[Window] = []
    if n_windows > 0:
        first = math.ceil(steady_strain / step_strain / every) * every
        last = (total_steps // every) * every
        span = last - first
        gap = (span // n_windows // every) * every
        # Windows never touch: a frame belongs to exactly one window.
        length = min(round(window_duration / dt / every) * every, gap - every)
        if length < every:
            raise ValueError(
                f"the steady state (strain {steady_strain} to {total_strain}) at rate {rate} "
                f"is too short for {n_windows} windows of frames every {frame_interval} tau0"
            )
        for w in range(n_windows):
            start = first + w * gap
            windows.append(Window(w, start, start + length, every))
    steady_step = math.ceil(steady_strain / step_strain - 1e-9)
    return ShearPlan(rate, dt, tuple(ends), thermo_every, tuple(windows), steady_step)


def run_strains(
    total_strain: float,
    steady_strain: float,
    cascade_strain: float | None = None,
    sampled_strain: float | None = None,
    min_sampled_strain: float = 0.0,
) -> tuple[float, float]:
    """Total and discarded strain of one run: ``(total, discarded)``.

    A run from the quenched glass is sheared to ``total_strain`` and discards
    ``steady_strain``. A cascaded run (``cascade_strain`` given) starts from the end state of
    the next higher rate, discards only ``cascade_strain`` (the re-equilibration after the
    rate switch) and samples ``sampled_strain``, by default the same steady span
    ``total_strain - steady_strain`` as a run from the glass.

    Either way the run samples at least ``min_sampled_strain`` after the discarded part
    (``shear.min_sampled_time`` times the rate: more strain where a strain is cheap).

    Raises
    ------
    ValueError
        If ``steady_strain`` is not in [0, total_strain), ``cascade_strain`` is negative or
        ``sampled_strain`` is not positive.

    Examples
    --------
    >>> run_strains(1.0, 0.2)
    (1.0, 0.2)
    >>> run_strains(1.0, 0.2, cascade_strain=0.05)
    (0.85, 0.05)
    >>> run_strains(1.0, 0.2, cascade_strain=0.05, sampled_strain=0.3)
    (0.35, 0.05)
    >>> run_strains(1.0, 0.2, min_sampled_strain=3.0)
    (3.2, 0.2)
    """
    if not 0 <= steady_strain < total_strain:
        raise ValueError(
            f"steady_strain must be in [0, total_strain={total_strain}), got {steady_strain}"
        )
    if not min_sampled_strain >= 0:
        raise ValueError(f"min_sampled_strain must be >= 0, got {min_sampled_strain}")
    if cascade_strain is None:
        if min_sampled_strain <= total_strain - steady_strain:
            return total_strain, steady_strain
        return round(steady_strain + min_sampled_strain, 12), steady_strain
    if not cascade_strain >= 0:
        raise ValueError(f"cascade_strain must be >= 0, got {cascade_strain}")
    sampled = total_strain - steady_strain if sampled_strain is None else sampled_strain
    if not sampled > 0:
        raise ValueError(f"sampled_strain must be > 0, got {sampled_strain}")
    sampled = max(sampled, min_sampled_strain)
    return round(cascade_strain + sampled, 12), cascade_strain


def render_segment_schedule(plan: ShearPlan, k: int) -> str:
    """LAMMPS commands of segment ``k`` (included by ``in.shear`` as ``${schedule}``).

    Frames go to ``${dump_out}``: columns id, type, xu, yu, c_satom[4] (per-atom stress×area,
    xy), 15 significant digits.
    """
    a, b = plan.segment_start(k), plan.segment_ends[k]
    lines = [f"# segment {k}: steps {a} to {b} at rate {plan.rate!r}, dt {plan.dt!r}"]
    current = a
    for w in plan.windows:
        lo, hi = max(a, w.start), min(b, w.stop)
        if lo > hi or (lo == hi and lo == a and k > 0):
            continue
        # `delay` starts the dump inside a running run: a frame written at the setup of a
        # new run sees forces after the last box increment, one written inside a run sees
        # them before it (LAMMPS's fix deform remaps at end_of_step), and all frames of a
        # window must share one convention.
        lines += [
            f"dump frames all custom {w.every} ${{dump_out}} id type xu yu c_satom[4]",
            f"dump_modify frames format float %.15g sort id append yes delay {lo}",
            f"run {hi} upto",
            "undump frames",
        ]
        current = hi
    if current < b or current == a:
        lines.append(f"run {b} upto")
    return "\n".join(lines) + "\n"
