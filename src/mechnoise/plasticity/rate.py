"""Rate of plastic activity per coarse block, Γ (the one place it is computed).

**Γ, the rate of events** (``Gamma``; the Γ of the HL comparison): the onsets of plastic
events counted per unit time and per coarse block. Active particles (``D²min(i, t, δt) >
threshold``) are grouped in periodic 4-connected clusters of active small ``w0`` blocks
(:func:`mechnoise.plasticity.clusters.label_periodic`). A cluster of reference frame ``t_k``
is an *onset* if none of its small blocks held a particle active at the previous reference
frame ``t_{k−1}`` of the same window (previous activity is mapped with the current
positions and the tilt continued from the window's first frame, as in
:mod:`mechnoise.blocks`, so a box flip re-tiles neither the grid nor the coarse blocks):
inactive → active. Each onset is
assigned to the one coarse block (``M × M``) holding the periodic centroid of its active
particles, so an event that straddles several coarse blocks is counted once. Then

    Γ = n_onsets / (M² T_obs),   T_obs = Σ_windows (n_reference_frames − 1) Δt_frame.

**Onsets that are events.** Most onsets are flickers of one or a few particles. Each onset
is followed through the later frames (:func:`event_onsets`: peak size, lifetime) and counts
as an event if it grows to ``min_particles`` or lasts ``min_duration``
(:func:`persistent_onsets`). Γ is reported with and without this filter. Once activity
percolates (φ above ``percolation_limit``) onsets measure cluster merging, not events, and
Γ is NaN with the reason given (:func:`percolation_note`).

The HL strain balance checks it: in steady state the plastic events relax what shear loads,
``Γ <Δσ^m> ≈ G0 γ̇`` (:func:`strain_balance`, ratio ``R``), and in the HL convention (stress
reset to zero from ``σ_c``) ``Γ σ_c ≈ G0 γ̇``.

**The occupancy rate** ``φ / τ_p_window`` (``Gamma_phi``, docs/design.md §3's former Γ) with φ
the mean fraction of coarse blocks holding at least one active particle: φ counts one event in
every coarse block it touches, for as long as the lag-``δt`` window sees it, so it grows with
the lag (:func:`occupancy_rate`). Kept under its own name for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mechnoise import columns, stats
from mechnoise.blocks import block_indices, n_blocks_per_side, window_boxes
from mechnoise.io import Frame, fractional_coordinates
from mechnoise.plasticity.clusters import active_blocks, label_periodic

__all__ = [
    "EVENT_COLUMNS",
    "event_onsets",
    "event_rate",
    "occupancy_rate",
    "percolation_note",
    "persistent_onsets",
    "strain_balance",
]

#: column -> (dtype, unit, description) of ``events.parquet`` (one row per event onset).
EVENT_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.event")


def _periodic_centroid(frac: np.ndarray) -> np.ndarray:
    """Centroid of fractional coordinates on the unit torus (circular mean per axis)."""
    angle = 2.0 * math.pi * frac
    mean = np.arctan2(np.sin(angle).mean(axis=0), np.cos(angle).mean(axis=0))
    return np.mod(mean / (2.0 * math.pi), 1.0)


def event_onsets(
    frames: Sequence[Frame],
    d2min_table: pd.DataFrame,
    *,
    threshold: float,
    activity_block: float,
    coarse_blocks: int,
) -> pd.DataFrame:
    """Onsets of plastic events: clusters of active particles that were inactive before.

    Every onset is then followed through the later reference frames of its window (the
    clusters that overlap its small blocks, then those that overlap theirs, ...) to give its
    peak size and lifetime, the inputs of the persistence filter
    (:func:`persistent_onsets`).

    Parameters
    ----------
    frames : sequence of Frame
        Frames of the run; those named in ``d2min_table.frame`` are reference frames. Each
        window's first frame starts the continued tilt (:func:`mechnoise.blocks.window_boxes`),
        so the block indices are those of ``block_stress.parquet`` across box flips.
    d2min_table : DataFrame
        Columns frame, window, id, d2min (lag ``δt``).
    threshold : float
        Activity threshold on D²min (sigma²), ``analysis.d2min.threshold``.
    activity_block : float
        Small block side ``w0`` (sigma), ``analysis.activity_block``.
    coarse_blocks : int
        Coarse blocks per side ``M`` (the activity table's ``m``).

    Returns
    -------
    DataFrame
        Columns of :data:`EVENT_COLUMNS`, one row per onset (see the module notes).

    Raises
    ------
    ValueError
        If a reference frame is missing from ``frames`` or its ids differ from the table's.

    Examples
    --------
    >>> from mechnoise.plasticity.synthetic import synthetic_rearrangements
    >>> from mechnoise.plasticity.d2min import d2min_frames
    >>> run = synthetic_rearrangements(0.5, n_side=20, n_windows=1, window_duration=10.0,
    ...                                event_rate=0.0, seed=1)
    >>> len(event_onsets(run.frames, d2min_frames(run.frames, 2.0), threshold=0.1,
    ...                  activity_block=2.0, coarse_blocks=3))
    0
    """
    by_index = {f.frame: f for f in frames}
    boxes = window_boxes(frames)
    rows: list[dict[str, object]] = []
    for window, group in d2min_table.groupby("window", sort=True):
        previous: np.ndarray | None = None
        states: list[tuple[np.ndarray, np.ndarray]] = []  # (labels, particles per label)
        times: list[float] = []
        found: list[tuple[int, np.ndarray, dict[str, object]]] = []
        for frame_index, g in group.groupby("frame", sort=True):
            if frame_index not in by_index:
                raise ValueError(
                    f"reference frame {frame_index} of the D2min table is not in frames"
                )
            fr = by_index[frame_index]
            box = boxes[fr.frame]
            g = g.sort_values("id")
            if not np.array_equal(g["id"].to_numpy(), fr.ids):
                raise ValueError(f"frame {frame_index}: D2min ids differ from the frame's ids")
            active = g["d2min"].to_numpy(np.float64) > threshold
            k = n_blocks_per_side(box, activity_block)
            labels = label_periodic(active_blocks(fr.positions, box, active, k))
            small = block_indices(fr.positions, box, k)
            particle_label = np.where(active, labels[small[:, 0], small[:, 1]], 0)
            sizes = np.bincount(particle_label, minlength=int(labels.max()) + 1)
            sizes[0] = 0
            states.append((labels, sizes))
            times.append(fr.time)
            if previous is not None and active.any():
                before = active_blocks(fr.positions, box, previous, k)
                frac = np.mod(fractional_coordinates(fr.positions, box), 1.0)
                for c in range(1, int(labels.max()) + 1):
                    blocks = labels == c
                    if before[blocks].any():
                        continue
                    members = particle_label == c
                    centre = _periodic_centroid(frac[members])
                    bx, by = np.minimum((centre * coarse_blocks).astype(int), coarse_blocks - 1)
                    row: dict[str, object] = {
                        "frame": int(frame_index),
                        "window": int(window),
                        "time": fr.time,
                        "bx": int(bx),
                        "by": int(by),
                        "centroid_x": float(centre[0]),
                        "centroid_y": float(centre[1]),
                        "n_particles": int(members.sum()),
                        "n_blocks": int(blocks.sum()),
                    }
                    found.append((len(states) - 1, blocks, row))
            previous = active
        dt = float(np.median(np.diff(times))) if len(times) > 1 else math.nan
        for index, blocks, row in found:
            peak, last = _follow_event(states, index, blocks)
            row["peak_particles"] = peak
            row["lifetime"] = times[last] - times[index] + dt
            row["censored"] = last == len(states) - 1
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return table.astype({k: v[0] for k, v in EVENT_COLUMNS.items()})


def _follow_event(
    states: Sequence[tuple[np.ndarray, np.ndarray]], start: int, region: np.ndarray
) -> tuple[int, int]:
    """Follow an onset through later reference frames: ``(peak particles, last index)``.

    At each later frame the event is the set of clusters that overlap the small blocks it
    held at the frame before; it ends at the first frame where none does. Clusters it
    merges with count towards its size.
    """
    labels, sizes = states[start]
    peak = int(sizes[np.unique(labels[region])].sum())
    last = start
    for j in range(start + 1, len(states)):
        labels, sizes = states[j]
        hit = np.unique(labels[region])
        hit = hit[hit > 0]
        if hit.size == 0:
            break
        region = np.isin(labels, hit)
        peak = max(peak, int(sizes[hit].sum()))
        last = j
    return peak, last


def persistent_onsets(
    events: pd.DataFrame, *, min_particles: int, min_duration: float
) -> np.ndarray:
    """Which onsets are events: their cluster grows to ``min_particles`` or lasts ``min_duration``.

    Parameters
    ----------
    events : DataFrame
        :data:`EVENT_COLUMNS` rows (:func:`event_onsets`).
    min_particles : int
        Smallest peak size (active particles, merged clusters included) of an event,
        ``analysis.events.min_particles``.
    min_duration : float
        Smallest lifetime (tau0) of an event, ``analysis.events.min_duration``. An onset
        still active at its window's end (``censored``) passes if it lasted that long.

    Returns
    -------
    ndarray of bool, shape (len(events),)
        ``peak_particles >= min_particles or lifetime >= min_duration``.

    Raises
    ------
    ValueError
        If a threshold is negative or not finite.

    Examples
    --------
    >>> ev = pd.DataFrame({"peak_particles": [1, 2, 9], "lifetime": [0.2, 6.0, 0.2]})
    >>> persistent_onsets(ev, min_particles=5, min_duration=5.0)
    array([False,  True,  True])
    """
    if not (min_particles >= 0 and math.isfinite(min_duration) and min_duration >= 0):
        raise ValueError(
            "analysis.events.min_particles and min_duration must be >= 0, got "
            f"{min_particles!r}, {min_duration!r}"
        )
    peak = events["peak_particles"].to_numpy()
    lifetime = events["lifetime"].to_numpy(np.float64)
    return np.asarray((peak >= min_particles) | (lifetime >= min_duration), dtype=bool)


def percolation_note(phi: float, limit: float) -> str:
    """Why Γ is not reported: ``""`` below the percolation limit, else the reason.

    Once the active fraction φ of coarse blocks is large, clusters merge and onsets
    (inactive → active) become rare although activity is high: the counted Γ collapses
    and measures the merging, not the event rate.

    Parameters
    ----------
    phi : float
        Mean fraction of active coarse blocks.
    limit : float
        ``analysis.events.percolation_limit``.

    Returns
    -------
    str
        Empty if ``phi <= limit``, else the reason Γ is NaN.

    Examples
    --------
    >>> percolation_note(0.1, 0.3)
    ''
    >>> percolation_note(0.45, 0.3)
    'percolated: phi = 0.45 > 0.3 (analysis.events.percolation_limit)'
    """
    if math.isfinite(phi) and phi <= limit:
        return ""
    return f"percolated: phi = {phi:.3g} > {limit:.3g} (analysis.events.percolation_limit)"


def event_rate(
    events: pd.DataFrame, activity: pd.DataFrame, n_error_blocks: int = 10
) -> tuple[float, float, int, float]:
    """Γ = onsets per coarse block and unit time, with a block-averaged error.

    Parameters
    ----------
    events : DataFrame
        :data:`EVENT_COLUMNS` rows of one run (:func:`event_onsets`).
    activity : DataFrame
        ``activity.parquet`` of the run (columns frame, window, time, m): the reference
        frames observed and the coarse grid ``M``.
    n_error_blocks : int
        Contiguous blocks of reference frames for the error (:func:`mechnoise.stats.block_average`
        of the onsets per frame, a frame of a sparser window counted once per finest interval
        it spans, so blocks hold equal times); fewer if the run has fewer frames.

    Returns
    -------
    tuple
        ``(Γ (1/tau0), error, n_onsets, T_obs (tau0))``; ``T_obs`` counts the
        ``n − 1`` frame intervals of each window (an onset needs a previous frame).

    Raises
    ------
    ValueError
        If the activity table is empty or its coarse grid changes between frames.

    Examples
    --------
    >>> act = pd.DataFrame({"frame": range(6), "window": 0, "time": np.arange(6) * 0.5, "m": 2})
    >>> ev = pd.DataFrame({"frame": [1, 3, 3, 5]})
    >>> gamma, err, n, t_obs = event_rate(ev, act, n_error_blocks=5)
    >>> gamma, n, t_obs
    (0.4, 4, 2.5)
    """
    if activity.empty:
        raise ValueError("empty activity table: no reference frames observed")
    m = activity["m"].unique()
    if m.size != 1:
        raise ValueError(f"the coarse grid changes between frames (M = {sorted(m)})")
    n_cells = int(m[0]) ** 2
    counts = events.groupby("frame").size()
    per_frame: list[float] = []
    t_obs = 0.0
    windows = [g for _, g in activity.sort_values("time").groupby("window", sort=True)]
    spacings = [float(np.median(np.diff(g["time"]))) for g in windows if len(g) > 1]
    finest = min(spacings, default=1.0)
    for g in windows:
        times = g["time"].to_numpy(np.float64)
        if times.size < 2:
            continue
        dt = float(np.median(np.diff(times)))
        t_obs += (times.size - 1) * dt
        later = g["frame"].to_numpy()[1:]
        rates = counts.reindex(later, fill_value=0).to_numpy(np.float64) / (n_cells * dt)
        # a frame of a sparser (survey) window stands for dt / finest intervals: the error
        # blocks then hold equal times whatever the windows' spacings
        per_frame.extend(np.repeat(rates, max(1, round(dt / finest))))
    n_onsets = len(events)
    if t_obs <= 0:
        return math.nan, math.nan, n_onsets, 0.0
    gamma = n_onsets / (n_cells * t_obs)
    n_blocks = min(n_error_blocks, len(per_frame))
    err = stats.block_average(per_frame, n_blocks)[1] if n_blocks >= 2 else math.nan
    if n_onsets > 0:  # never below the counting (Poisson) error
        err = float(np.nanmax([err, gamma / math.sqrt(n_onsets)]))
    return float(gamma), float(err), int(n_onsets), float(t_obs)


def occupancy_rate(
    phi: float, phi_err: float, tau_p: float, tau_p_err: float
) -> tuple[float, float]:
    """Occupancy rate ``φ / τ_p`` and its error (the former Γ recipe; module notes).

    Parameters
    ----------
    phi, phi_err : float
        Mean fraction of coarse blocks holding at least one active particle, and its error.
    tau_p, tau_p_err : float
        Event duration (tau0) and its error (``tau_p_window``, the literal estimator, for the
        former recipe).

    Returns
    -------
    tuple of float
        ``(φ/τ_p, error)`` (1/tau0) with ``δΓ/Γ = sqrt((δφ/φ)² + (δτ_p/τ_p)²)``; NaN errors
        propagate.

    Raises
    ------
    ValueError
        If ``phi`` is outside [0, 1] or ``tau_p`` is not positive and finite.

    Examples
    --------
    >>> gamma, gamma_err = occupancy_rate(0.3, 0.03, 1.5, 0.15)
    >>> round(gamma, 12), round(gamma_err, 12)
    (0.2, 0.028284271247)
    """
    if not (0.0 <= phi <= 1.0):
        raise ValueError(f"phi must be a fraction in [0, 1], got {phi!r}")
    if not (np.isfinite(tau_p) and tau_p > 0):
        raise ValueError(f"tau_p must be a positive finite time (tau0), got {tau_p!r}")
    gamma = phi / tau_p
    if phi == 0:
        return 0.0, float(phi_err / tau_p)
    rel = math.hypot(phi_err / phi, tau_p_err / tau_p)
    return float(gamma), float(gamma * rel)


def strain_balance(
    gamma: float,
    gamma_err: float,
    stress_jump: float,
    stress_jump_err: float,
    shear_modulus: float,
    shear_rate: float,
) -> tuple[float, float]:
    """Strain-balance ratio ``R = Γ Δσ / (G0 γ̇)`` and its error.

    In steady state the stress that shear loads into a block, ``G0 γ̇`` per unit time, is
    relaxed by its plastic events, ``Γ Δσ``: ``R`` is of order one when Γ counts events.
    With ``Δσ = <Δσ^m>`` (frozen-matrix stress drop) this is the paper's picture; with
    ``Δσ = <σ_c^m>`` it is the HL one (a yielding block resets from ``σ_c`` to zero).

    Parameters
    ----------
    gamma, gamma_err : float
        Event rate per block (1/tau0) and error.
    stress_jump, stress_jump_err : float
        Stress relaxed per event (eps/sigma²) and error.
    shear_modulus : float
        ``G0`` (eps/sigma²).
    shear_rate : float
        ``γ̇`` (1/tau0).

    Returns
    -------
    tuple of float
        ``(R, error)``, NaN if an input is not finite or ``G0 γ̇ <= 0``; the error combines
        the relative errors of Γ and Δσ.

    Examples
    --------
    >>> strain_balance(0.02, 0.002, 0.5, 0.0, 20.0, 5e-4)
    (1.0, 0.1)
    """
    load = shear_modulus * shear_rate
    values = (gamma, stress_jump, load)
    if not all(math.isfinite(v) for v in values) or load <= 0:
        return math.nan, math.nan
    r = gamma * stress_jump / load
    rel = math.hypot(
        gamma_err / gamma if gamma else math.inf,
        stress_jump_err / stress_jump if stress_jump else math.inf,
    )
    return float(r), float(abs(r) * rel)
