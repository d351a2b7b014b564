"""Thresholds and stress drops measured in the flow: onset-triggered block stresses.

The frozen-matrix test (:mod:`mechnoise.frozen_matrix`) measures a block's threshold
``σ_c^m`` and drop ``Δσ^m`` with the rest of the glass frozen. This module measures the same
two quantities in the flowing glass, on the frame-based coarse block stresses
(``block_stress.parquet``, :func:`mechnoise.blocks.block_stress_table`) around every event
onset (``events.parquet``, :func:`mechnoise.plasticity.rate.event_onsets`). The onsets' coarse
blocks and the block stresses use the same grid across box flips
(:func:`mechnoise.blocks.window_boxes`).

For an onset at reference frame ``t0`` in coarse block ``b`` (the block of its centroid):

- the *neighbours* are the 4 nearest coarse blocks of ``b`` (periodic);
- the *background* ``B(t)`` is the mean stress of every other block (neither ``b`` nor a
  neighbour): the far field, which carries the elastic loading ``G0 γ̇ t`` and the global
  stress fluctuations (for ``M < 3`` there is no far field and the global stress is used);
- the *excess* of a block is ``E(t) = σ_block(t) − B(t)``.

Then, per onset,

    σ_onset  = σ_b(t0)                                    (absolute: beside σ_c^m)
    Δσ       = <E_b>[t0 − w, t0] − <E_b>[t0 + δ, t0 + δ + w]   (beside Δσ^m)

with ``δ`` (``drop_delay``) the time after which the event has happened (the onset is seen in
``D²min(t0, t0 + lag)``, so the rearrangement lies in ``[t0, t0 + lag]``: default ``δ = lag``)
and ``w`` (``level_width``) the averaging width of both levels. The triggered profile is
``<E(t0 + τ) − E(t0)>`` over onsets for ``τ ∈ [−pre, post]``, for the centroid block and the mean
of its neighbours.

**Errors** of the run means ``sigma_c_flow = <σ_onset>``, ``stress_drop_flow = <Δσ>`` and
``stress_drop_sq_flow = <Δσ²>``: delete-one-segment jackknife over contiguous time segments of
the run (:func:`segment_of_times`). Onsets close in time share the stress field (cascades,
a common global stress), so they are not independent and a bootstrap over onsets would
understate the error. These segments cut the run's frame times (``analysis.inflow.n_segments``).
For the joint jackknife of the α's, :func:`inflow_jackknife` gives the same means delete-one
over the segments of the LAMMPS block series instead (:func:`mechnoise.noise.segment_index`,
those of ``D_noise`` and Γ in ``block_noise_jackknife.parquet``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mechnoise import columns, stats
from mechnoise.stats import combine_runs

__all__ = [
    "COLLECTED_INFLOW_COLUMNS",
    "INFLOW_COLUMNS",
    "INFLOW_SUMMARY_COLUMNS",
    "ONSET_PROFILE_COLUMNS",
    "ONSET_STRESS_COLUMNS",
    "inflow_jackknife",
    "onset_profile",
    "onset_stress",
    "segment_of_times",
    "inflow_thresholds",
    "summarize_onset_stress",
]


#: column -> (dtype, unit, description) of ``onset_stress.parquet`` (one row per onset).
ONSET_STRESS_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.triggered.onset_stress"
)

#: column -> (dtype, unit, description) of ``onset_profile.parquet`` (one row per lag τ).
ONSET_PROFILE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.triggered.onset_profile"
)

#: column -> (dtype, unit, description) of ``inflow_summary.parquet`` (one row per run).
INFLOW_SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.triggered.inflow_summary"
)


def segment_of_times(times: np.ndarray, all_times: np.ndarray, n_segments: int) -> np.ndarray:
    """Contiguous time segment of each time: the run's sorted frame times cut in equal parts.

    Parameters
    ----------
    times : ndarray of float64
        Times to assign (tau0), each one of ``all_times``.
    all_times : ndarray of float64
        Every frame time of the run (tau0), any order, repeats allowed.
    n_segments : int
        Number of segments (fewer if the run has fewer frames).

    Returns
    -------
    ndarray of int
        Segment ``0 .. n − 1`` of every entry of ``times``.

    Raises
    ------
    ValueError
        If ``n_segments < 1`` or there are no frame times.

    Examples
    --------
    >>> segment_of_times(np.array([0.0, 5.0, 9.0]), np.arange(10.0), 2).tolist()
    [0, 1, 1]
    """
    grid = np.unique(np.asarray(all_times, dtype=np.float64))
    if n_segments < 1 or grid.size == 0:
        raise ValueError(f"need n_segments >= 1 and frame times, got {n_segments!r}, {grid.size}")
    n = min(int(n_segments), grid.size)
    starts = np.array([c[0] for c in np.array_split(grid, n)])
    return np.searchsorted(starts, np.asarray(times, dtype=np.float64), side="right") - 1


def _typed(rows: list[dict[str, object]], columns: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """Rows as a DataFrame with the documented dtypes (also when there are no rows)."""
    return pd.DataFrame(rows, columns=list(columns)).astype({k: v[0] for k, v in columns.items()})


def _neighbours(bx: int, by: int, m: int) -> list[tuple[int, int]]:
    return [((bx + 1) % m, by), ((bx - 1) % m, by), (bx, (by + 1) % m), (bx, (by - 1) % m)]


def _window_arrays(
    block_stress: pd.DataFrame,
) -> tuple[int, dict[int, tuple[np.ndarray, np.ndarray]], dict[int, tuple[int, int]]]:
    """``M``, per window (times, stresses[t, bx, by]) and frame -> (window, time index)."""
    m = int(block_stress["bx"].max()) + 1
    per_window: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    where: dict[int, tuple[int, int]] = {}
    for window, g in block_stress.groupby("window", sort=True):
        g = g.sort_values(["time", "bx", "by"])
        frames = g["frame"].to_numpy()[:: m * m]
        times = g["time"].to_numpy(np.float64)[:: m * m]
        if len(g) != frames.size * m * m:
            raise ValueError(
                f"window {window}: block_stress does not hold M^2 = {m * m} rows per frame"
            )
        per_window[int(window)] = (times, g["stress"].to_numpy(np.float64).reshape(-1, m, m))
        for i, f in enumerate(frames):
            where[int(f)] = (int(window), i)
    return m, per_window, where


def _excess(
    sigma: np.ndarray, bx: int, by: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centroid excess, neighbours' mean excess and background over all frames of a window."""
    near = _neighbours(bx, by, m)
    far = np.ones((m, m), dtype=bool)
    far[bx, by] = False
    for i, j in near:
        far[i, j] = False
    if not far.any():  # M < 3: no far field, the global stress is the background
        far[:] = True
    background = sigma[:, far].mean(axis=1)
    centroid = sigma[:, bx, by] - background
    neighbours = np.mean([sigma[:, i, j] for i, j in near], axis=0) - background
    return centroid, neighbours, background


def onset_stress(
    block_stress: pd.DataFrame,
    events: pd.DataFrame,
    persistent: np.ndarray,
    *,
    coarse_blocks: int,
    drop_delay: float,
    level_width: float,
    n_segments: int,
) -> pd.DataFrame:
    """Stress of the centroid block at every onset and its drop across the event.

    Parameters
    ----------
    block_stress : DataFrame
        ``block_stress.parquet`` of the run (frame, window, time, bx, by, stress; ``M × M``
        rows per frame).
    events : DataFrame
        ``events.parquet`` of the run (frame, window, time, bx, by), on the same ``M``.
    persistent : ndarray of bool, shape (len(events),)
        Which onsets are events (:func:`mechnoise.plasticity.rate.persistent_onsets`).
    coarse_blocks : int
        ``M`` of the onsets' grid (the activity table's ``m``); must be that of
        ``block_stress``.
    drop_delay : float
        ``δ`` (tau0): the level after the event is averaged from ``t0 + δ``.
    level_width : float
        ``w`` (tau0): width of the two averaging intervals.
    n_segments : int
        Time segments of the jackknife (:func:`segment_of_times`).

    Returns
    -------
    DataFrame
        Columns of :data:`ONSET_STRESS_COLUMNS`, one row per onset (module notes).

    Raises
    ------
    ValueError
        If the grids differ, an onset's frame is not in ``block_stress``, or a width is not
        positive.
    """
    if not (drop_delay >= 0 and level_width > 0):
        raise ValueError(
            f"analysis.inflow: drop_delay must be >= 0 and level_width > 0, got "
            f"{drop_delay!r}, {level_width!r}"
        )
    m, per_window, where = _window_arrays(block_stress)
    if m != coarse_blocks:
        raise ValueError(
            f"block_stress has M = {m} blocks per side but the onsets M = {coarse_blocks}: "
            "grids differ (analysis.blocks)"
        )
    if len(events) and (events["bx"].max() >= m or events["by"].max() >= m):
        raise ValueError(f"onset blocks outside the {m} x {m} grid of block_stress: grids differ")
    segments = segment_of_times(
        events["time"].to_numpy(np.float64), block_stress["time"].to_numpy(), n_segments
    ) if len(events) else np.zeros(0, dtype=int)  # fmt: skip
    rows: list[dict[str, object]] = []
    eps = 1e-9
    for k, ev in enumerate(events.itertuples(index=False)):
        if int(ev.frame) not in where:
            raise ValueError(f"onset frame {ev.frame} is not in block_stress")
        window, i0 = where[int(ev.frame)]
        times, sigma = per_window[window]
        bx, by = int(ev.bx), int(ev.by)
        centroid, neighbours, background = _excess(sigma, bx, by, m)
        t0 = times[i0]
        before = (times >= t0 - level_width - eps) & (times <= t0 + eps)
        after = (times >= t0 + drop_delay - eps) & (times <= t0 + drop_delay + level_width + eps)
        complete = bool(after.any()) and times[-1] >= t0 + drop_delay + level_width - eps
        drop = float(centroid[before].mean() - centroid[after].mean()) if complete else math.nan
        change = (
            float(neighbours[after].mean() - neighbours[before].mean()) if complete else math.nan
        )
        rows.append(
            {
                "frame": int(ev.frame),
                "window": window,
                "time": float(t0),
                "bx": bx,
                "by": by,
                "persistent": bool(persistent[k]),
                "segment": int(segments[k]),
                "sigma_onset": float(sigma[i0, bx, by]),
                "background_onset": float(background[i0]),
                "stress_drop": drop,
                "neighbour_change": change,
            }
        )
    return _typed(rows, ONSET_STRESS_COLUMNS)


def onset_profile(
    block_stress: pd.DataFrame, events: pd.DataFrame, *, pre: float, post: float
) -> pd.DataFrame:
    """Onset-triggered average of the excess stress of the centroid block and its neighbours.

    Parameters
    ----------
    block_stress, events : DataFrame
        As in :func:`onset_stress`; pass only the onsets to average (persistent ones).
    pre, post : float
        The profile covers ``τ = t − t0 ∈ [−pre, post]`` (tau0), on the frame grid.

    Returns
    -------
    DataFrame
        Columns of :data:`ONSET_PROFILE_COLUMNS`, one row per lag with at least one onset.
        With windows of different spacings (dense and survey frames) the lags are those of the
        coarsest spacing, so every onset contributes to every lag it reaches.
    """
    m, per_window, where = _window_arrays(block_stress)
    coarse = max((float(np.median(np.diff(t))) for t, _ in per_window.values() if t.size > 1),
                 default=math.inf)  # fmt: skip
    sums: dict[float, list[tuple[float, float]]] = {}
    for ev in events.itertuples(index=False):
        window, i0 = where[int(ev.frame)]
        times, sigma = per_window[window]
        centroid, neighbours, _ = _excess(sigma, int(ev.bx), int(ev.by), m)
        tau = times - times[i0]
        keep = (tau >= -pre - 1e-9) & (tau <= post + 1e-9)
        if math.isfinite(coarse):
            keep &= np.abs(tau / coarse - np.round(tau / coarse)) < 1e-6
        for t, c, n in zip(tau[keep], centroid[keep], neighbours[keep], strict=True):
            sums.setdefault(round(float(t), 6), []).append((c - centroid[i0], n - neighbours[i0]))
    rows: list[dict[str, object]] = []
    for t in sorted(sums):
        v = np.asarray(sums[t])
        rows.append(
            {
                "tau": t,
                "centroid": float(v[:, 0].mean()),
                "centroid_err": stats.standard_error(v[:, 0]) if len(v) > 1 else math.nan,
                "neighbours": float(v[:, 1].mean()),
                "neighbours_err": stats.standard_error(v[:, 1]) if len(v) > 1 else math.nan,
                "n_onsets": len(v),
            }
        )
    return _typed(rows, ONSET_PROFILE_COLUMNS)


def _jackknife_mean(values: np.ndarray, segments: np.ndarray) -> tuple[float, float]:
    """Mean and its delete-one-segment jackknife error (segments holding values only)."""
    if values.size == 0:
        return math.nan, math.nan
    labels = np.unique(segments)
    if labels.size < 2:
        return float(values.mean()), math.nan
    loo = [values[segments != s].mean() for s in labels]
    return float(values.mean()), stats.jackknife_error(loo)


def _used_onsets(onsets: pd.DataFrame) -> pd.DataFrame:
    """The onsets the run means are over: persistent ones with a measured drop."""
    return onsets[onsets["persistent"].astype(bool) & np.isfinite(onsets["stress_drop"])]


#: The in-flow run means of :func:`inflow_jackknife`: name -> (onset column, power).
INFLOW_MEANS = {
    "sigma_c_flow": ("sigma_onset", 1),
    "stress_drop_flow": ("stress_drop", 1),
    "stress_drop_sq_flow": ("stress_drop", 2),
}


def inflow_jackknife(
    onsets: pd.DataFrame, series_time: np.ndarray, n_segments: int
) -> dict[str, np.ndarray]:
    """Delete-one values of the in-flow means over the time segments of the block series.

    The segments are those of ``block_noise_jackknife.parquet``
    (:func:`mechnoise.noise.segment_index` on the LAMMPS block-series times), so
    ``sigma_c_flow``, ``stress_drop_flow`` and ``stress_drop_sq_flow`` enter the joint
    jackknife of the α's beside ``D_noise`` and Γ of the same segments. The means are over the
    onsets of :func:`summarize_onset_stress` (persistent, with a measured drop): with every
    segment kept they are its ``sigma_c_flow``, ``stress_drop_flow``, ``stress_drop_sq_flow``.

    Parameters
    ----------
    onsets : DataFrame
        Table of :func:`onset_stress` (time, persistent, sigma_onset, stress_drop).
    series_time : ndarray of float64
        Times of the block series of the noise (``mechnoise.block_series.block_matrix``).
    n_segments : int
        Segments of the noise jackknife (``analysis.noise.n_segments``).

    Returns
    -------
    dict
        name of :data:`INFLOW_MEANS` -> delete-one means (length ``n_segments``); NaN where no
        onset is left (and everywhere without onsets).

    Examples
    --------
    >>> on = pd.DataFrame({"time": [0.5, 1.5, 2.5], "persistent": True,
    ...                    "sigma_onset": [1.0, 2.0, 6.0], "stress_drop": [0.1, 0.2, 0.3]})
    >>> inflow_jackknife(on, np.arange(3.0), 3)["sigma_c_flow"].tolist()
    [4.0, 3.5, 1.5]
    """
    from mechnoise.noise import segment_index

    use = _used_onsets(onsets)
    seg = segment_index(use["time"].to_numpy(np.float64), series_time, n_segments)
    count = np.bincount(seg, minlength=n_segments).astype(np.float64)
    out = {}
    for name, (col, power) in INFLOW_MEANS.items():
        v = use[col].to_numpy(np.float64) ** power
        per = np.bincount(seg, weights=v, minlength=n_segments)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = (per.sum() - per) / (count.sum() - count)
    return out


def summarize_onset_stress(onsets: pd.DataFrame) -> pd.DataFrame:
    """Run means of the in-flow threshold and drops over persistent onsets, with errors.

    Parameters
    ----------
    onsets : DataFrame
        Table of :func:`onset_stress`.

    Returns
    -------
    DataFrame
        One row, columns of :data:`INFLOW_SUMMARY_COLUMNS`; the errors are delete-one-segment
        jackknife errors over the time segments (module notes). Only onsets with a measured
        drop enter, so the three means are over the same onsets.
    """
    use = _used_onsets(onsets)
    seg = use["segment"].to_numpy()
    sc = _jackknife_mean(use["sigma_onset"].to_numpy(np.float64), seg)
    drop = use["stress_drop"].to_numpy(np.float64)
    ds = _jackknife_mean(drop, seg)
    ds2 = _jackknife_mean(drop**2, seg)
    row = {
        "sigma_c_flow": sc[0],
        "sigma_c_flow_err": sc[1],
        "stress_drop_flow": ds[0],
        "stress_drop_flow_err": ds[1],
        "stress_drop_sq_flow": ds2[0],
        "stress_drop_sq_flow_err": ds2[1],
        "background_flow": float(use["background_onset"].mean()) if len(use) else math.nan,
        "n_onsets_flow": len(use),
        "n_segments": int(np.unique(seg).size),
    }
    return pd.DataFrame([row], columns=list(INFLOW_SUMMARY_COLUMNS))


#: column -> (dtype, unit, description) of ``results/inflow_summary.parquet`` (every run).
COLLECTED_INFLOW_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.triggered.collected_inflow"
)


#: column -> (dtype, unit, description) of ``results/inflow_thresholds.parquet`` (per density).
INFLOW_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.triggered.inflow")


def _bootstrap_mean(values: np.ndarray) -> tuple[float, float]:
    if values.size == 0:
        return math.nan, math.nan
    return stats.bootstrap(lambda v: float(np.mean(v)), values)


def inflow_thresholds(
    inflow: pd.DataFrame, local_yield: pd.DataFrame, shear_rate: float
) -> pd.DataFrame:
    """Per density: in-flow threshold and drops beside the frozen-matrix ones.

    Parameters
    ----------
    inflow : DataFrame
        Collected :data:`INFLOW_SUMMARY_COLUMNS` rows with density, shear_rate, seed.
    local_yield : DataFrame
        Every density's ``local_yield.parquet`` with a ``density`` column.
    shear_rate : float
        Rate of the in-flow values (1/tau0); seeds are combined by
        :func:`mechnoise.stats.combine_runs`.

    Returns
    -------
    DataFrame
        Columns of :data:`INFLOW_COLUMNS`, one row per density of ``inflow``. The frozen
        values are plain means over yielded blocks along the flow with bootstrap errors
        over blocks (Table 1's ``sigma_c`` is the censored Kaplan-Meier mean instead).
    """
    rows = []
    runs = inflow[np.isclose(inflow["shear_rate"], shear_rate)]
    for density, g in runs.groupby("density", sort=True):
        row: dict[str, float] = {"density": float(density), "shear_rate": float(shear_rate)}
        for key in ("sigma_c_flow", "stress_drop_flow", "stress_drop_sq_flow"):
            ok = g[np.isfinite(g[key])]
            if ok.empty:
                row[key], row[f"{key}_err"] = math.nan, math.nan
            else:
                row[key], row[f"{key}_err"] = combine_runs(ok[key], ok[f"{key}_err"])
        row["background_flow"] = float(g["background_flow"].mean())
        row["n_onsets_flow"] = int(g["n_onsets_flow"].sum())
        ly = local_yield[
            np.isclose(local_yield["density"], density)
            & (local_yield["direction"] == 1)
            & np.isfinite(local_yield["sigma_c"])
        ]
        drop = ly["sigma_drop"].to_numpy(np.float64)
        drop = drop[np.isfinite(drop)]
        row["sigma_c_frozen"], row["sigma_c_frozen_err"] = _bootstrap_mean(
            ly["sigma_c"].to_numpy(np.float64)
        )
        row["stress_drop_frozen"], row["stress_drop_frozen_err"] = _bootstrap_mean(drop)
        row["stress_drop_sq_frozen"], row["stress_drop_sq_frozen_err"] = _bootstrap_mean(drop**2)
        row["n_blocks_frozen"] = len(ly)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(INFLOW_COLUMNS))
