"""Plan of a shear run: strain segments, thermo interval and frame windows, in MD steps.

A shear run at rate ``gamma_dot`` with time step ``dt`` reaches strain ``gamma`` at step
``gamma / (gamma_dot dt)``. The run is cut into segments of ``segment_strain`` (one restartable
LAMMPS job each). Frames are written only inside ``n_windows`` dense windows spread evenly over
the steady state (strain > ``steady_strain``): inside a window, one frame every
``frame_interval`` tau0 for ``window_duration`` tau0. Window starts are multiples of the frame
interval in steps, so every frame step is a multiple of ``frame_every`` and a window cut by a
segment boundary continues seamlessly in the next segment.

Survey frames (``survey_interval`` > 0): besides the dense windows, one frame every
``survey_interval`` tau0 over the steady state (all of it, or its first ``survey_strain``),
cut into survey windows around the dense windows. Every frame belongs to exactly one
window, windows never share a step, and each window has its own spacing ``every``: the dense
windows keep ``frame_interval`` (for ``tau_p``), the survey windows sample onsets, in-flow
thresholds and the onset coverage of ``D_noise`` over the whole run at a fraction of the
cost. Windows are numbered in time order.

Rate cascade: a run may start from the end state of the run at the next higher rate instead
of the quenched glass (:func:`run_strains`). It then discards only a short re-equilibration
strain and samples the same steady span as a run from the glass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """A frame window: frames at ``start, start + every, …, stop`` (steps, inclusive).

    ``survey`` marks a window of survey frames (``survey_interval`` apart); the others are the
    dense windows (``frame_interval`` apart).
    """

    index: int
    start: int
    stop: int
    every: int
    survey: bool = False

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
        Frame windows (dense and survey), in time order, numbered 0, 1, … in that order.
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

    @property
    def dense_windows(self) -> tuple[Window, ...]:
        """The dense windows (``frame_interval`` apart), in time order."""
        return tuple(w for w in self.windows if not w.survey)


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
    survey_interval: float = 0.0,
    survey_strain: float | None = None,
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
    survey_interval : float, optional
        Spacing of the survey frames (tau0), a multiple of ``dt`` and at least
        ``frame_interval``; 0 (default): no survey frames.
    survey_strain : float or None, optional
        Survey frames cover the first ``survey_strain`` of the steady state (None: all of it).

    Returns
    -------
    ShearPlan

    Raises
    ------
    ValueError
        For non-positive rates or steps, a steady state too short for two frames, or a survey
        interval that is negative, not a multiple of ``dt`` or below ``frame_interval``.

    Examples
    --------
    >>> p = plan_shear(0.01, 0.005, 0.6, 0.3, 0.2, 0.001, 2, 20.0, 0.2)
    >>> p.segment_ends, p.thermo_every
    ((6000, 12000), 20)
    >>> [(w.start, w.stop, w.every) for w in p.windows]
    [(4000, 7960, 40), (8000, 11960, 40)]

    With survey frames every 1 tau0 (200 steps) around the dense windows:

    >>> p = plan_shear(0.01, 0.005, 0.6, 0.3, 0.2, 0.001, 2, 10.0, 0.2, survey_interval=1.0)
    >>> [(w.start, w.stop, w.every, w.survey) for w in p.windows]  # doctest: +NORMALIZE_WHITESPACE
    [(4000, 6000, 40, False), (6200, 7800, 200, True), (8000, 10000, 40, False),
     (10200, 12000, 200, True)]
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
    if survey_interval:
        survey_every = _survey_every(survey_interval, dt, frame_interval)
        if survey_strain is not None and not survey_strain > 0:
            raise ValueError(f"survey_strain must be > 0 or None, got {survey_strain}")
        end = total_steps
        if survey_strain is not None:
            end = min(total_steps, steady_step + math.floor(survey_strain / step_strain + 1e-9))
        windows += survey_windows(windows, steady_step, end, survey_every)
    elif survey_interval != 0:
        raise ValueError(f"survey_interval must be >= 0, got {survey_interval}")
    ordered = sorted(windows, key=lambda w: w.start)
    windows = [Window(i, w.start, w.stop, w.every, w.survey) for i, w in enumerate(ordered)]
    return ShearPlan(rate, dt, tuple(ends), thermo_every, tuple(windows), steady_step)


def _survey_every(survey_interval: float, dt: float, frame_interval: float) -> int:
    """Steps between survey frames; ValueError unless a multiple of ``dt`` >= frame_interval."""
    if not survey_interval > 0:
        raise ValueError(f"survey_interval must be >= 0, got {survey_interval}")
    every = round(survey_interval / dt)
    if every < 1 or abs(every * dt - survey_interval) > 1e-9 * max(survey_interval, 1.0):
        raise ValueError(
            f"survey_interval {survey_interval} is not a multiple of the time step {dt}"
        )
    if survey_interval < frame_interval * (1 - 1e-9):
        raise ValueError(
            f"survey_interval {survey_interval} is below the dense frame_interval {frame_interval}"
        )
    return every


def survey_windows(dense: list[Window], first: int, last: int, every: int) -> list[Window]:
    """Survey windows: frames at multiples of ``every`` in ``[first, last]``, cut around ``dense``.

    A survey frame never lies inside a dense window ``[start, stop]`` (so no step holds two
    frames), and a piece with fewer than two frames is dropped. Indices are provisional
    (:func:`plan_shear` renumbers all windows in time order).

    Examples
    --------
    >>> [(w.start, w.stop, w.every) for w in survey_windows([Window(0, 100, 140, 10)], 0, 300, 50)]
    [(0, 50, 50), (150, 300, 50)]
    """
    if every < 1:
        raise ValueError(f"survey frame spacing must be >= 1 step, got {every}")
    steps = list(range(math.ceil(first / every) * every, last + 1, every))
    blocked = sorted((w.start, w.stop) for w in dense)
    pieces: list[list[int]] = [[]]
    for s in steps:
        if any(a <= s <= b for a, b in blocked):
            if pieces[-1]:
                pieces.append([])
            continue
        # a dense window between two survey frames also cuts the survey window
        if pieces[-1] and any(pieces[-1][-1] < a and b < s for a, b in blocked):
            pieces.append([])
        pieces[-1].append(s)
    kept = [p for p in pieces if len(p) >= 2]
    return [Window(i, p[0], p[-1], every, survey=True) for i, p in enumerate(kept)]


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
