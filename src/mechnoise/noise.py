"""Mechanical noise of the block stresses, separated from each block's own plastic drops.

HL's stress diffusion is the noise a block receives from *other* blocks' events; a block's
own drops belong to HL's reset term. From the LAMMPS block series
(:mod:`mechnoise.block_series`) this module measures

- ``D_noise``: the variance of block-stress increments ``σ^m(t + τ) − σ^m(t)`` over pairs in
  which block ``m`` has **no onset of its own** (an onset at ``t_o`` of an event in the block,
  from ``events.parquet``, spoils every pair with ``t − margin < t_o < t + τ``, ``margin`` =
  the D²min lag over which the onset's rearrangement happens), only where onsets are known
  (inside the frame windows, ``coverage``);
- ``D_all``: the same over all pairs, for comparison (noise plus own drops).

Convention: ``Var[Δσ](τ) = c + 2 D τ`` (the HL equation's ``D``; the paper's
``D_σ = ⟨Δσ²⟩/t`` is ``2 D`` at ``c = 0``). The variance, not the raw MSD, is used: it
removes the drift ``⟨Δσ⟩²`` — for onset-free pairs the mean increment is the elastic loading
``G0 γ̇ τ`` (reported as ``drift_rate`` to check against ``G0 γ̇``); for all pairs it is the
loading minus the mean own drop. :func:`quiet_drift` gives the drift of the mean block
stress while no event is under way anywhere: a diagnostic of where the mean of the noise goes
(``benchmarks/noise_mean.py``), not an input of the HL test. The intercept ``c`` absorbs the
fast decorrelation of a kick (bias ~ τ_e/(3t) of a fit through 0). Lags never span a box flip
(:func:`mechnoise.block_series.same_epoch`).

Errors: a delete-one jackknife over ``n_segments`` (≥ 20) contiguous time segments; a pair
belongs to the segment of its start time. The fitted D, intercept and drift are recomputed
from the per-segment sums without the segment, so correlations between lags and blocks are
accounted for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mechnoise import columns
from mechnoise._typing import FloatArray
from mechnoise.stats import jackknife_error

#: column -> (dtype, unit, description) of ``block_noise.parquet`` (one row per run and
#: block width).
BLOCK_NOISE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("noise.block_noise")


@dataclass(frozen=True)
class NoiseFit:
    """Fitted ``Var(τ) = c + 2 D τ`` with jackknife errors, and per-segment estimates.

    ``jackknife`` and ``drift_jackknife`` hold the delete-one values of ``D`` and of the drift
    rate (length ``n_segments``), for joint jackknife errors of quantities built from them and
    other per-segment estimates.
    """

    D: float
    D_err: float
    intercept: float
    drift_rate: float
    drift_rate_err: float
    pairs: int
    jackknife: FloatArray
    drift_jackknife: FloatArray


def _fit(
    lag_times: FloatArray, n: FloatArray, s1: FloatArray, s2: FloatArray
) -> tuple[float, float, float]:
    """(D, intercept, drift rate) from per-lag pair counts and sums of Δσ and Δσ²."""
    ok = n > 1
    if ok.sum() < 2:
        return math.nan, math.nan, math.nan
    mean = s1[ok] / n[ok]
    var = s2[ok] / n[ok] - mean**2
    t = lag_times[ok]
    slope, intercept = np.polyfit(t, var, 1)
    drift = float(np.sum(mean * t) / np.sum(t * t))
    return float(slope / 2.0), float(intercept), drift


def _fit_lags(time: FloatArray, fit_window: tuple[float, float]) -> tuple[float, np.ndarray]:
    """(row spacing dt, lags in rows) of ``fit_window`` on equally spaced ``time``."""
    dt = float(np.median(np.diff(time)))
    if not np.allclose(np.diff(time), dt, rtol=1e-6, atol=1e-9):
        raise ValueError("block series times are not equally spaced")
    lo, hi = fit_window
    lags = np.arange(max(1, math.ceil(lo / dt - 1e-9)), math.floor(hi / dt + 1e-9) + 1)
    if lags.size < 2:
        raise ValueError(f"fit window {fit_window} tau0 holds fewer than 2 lags of {dt} tau0")
    return dt, lags


def _covered(
    t0: FloatArray, tau: float, margin: float, coverage: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Pairs (t0, t0 + tau) with ``start <= t0 − margin`` and ``t0 + tau <= stop`` in a range."""
    inside = np.zeros(t0.size, bool)
    for lo_t, hi_t in coverage:
        inside |= (t0 - margin >= lo_t - 1e-9) & (t0 + tau <= hi_t + 1e-9)
    return inside


def increment_variance_fit(
    time: FloatArray,
    stress: FloatArray,
    epoch: FloatArray,
    *,
    fit_window: tuple[float, float],
    onsets: Sequence[tuple[float, int]] | None = None,
    margin: float = 0.0,
    coverage: Sequence[tuple[float, float]] | None = None,
    n_segments: int = 20,
) -> NoiseFit:
    """Fit ``Var[σ(t+τ) − σ(t)] = c + 2 D τ`` over lags ``τ`` in ``fit_window``.

    Parameters
    ----------
    time : (T,) array
        Equally spaced sample times (tau0).
    stress : (T, B) array
        Block stresses (one column per block).
    epoch : (T,) array
        Box-flip epoch of every row; pairs across epochs are skipped.
    fit_window : (float, float)
        Smallest and largest lag of the fit (tau0); at least two sampled lags must fall in it.
    onsets : sequence of (time, block column) or None
        Own onsets. None: all pairs (``D_all``). Given: a pair of block ``b`` is dropped if an
        onset of ``b`` has ``t − margin < t_o < t + τ``.
    margin : float
        How long before a pair's start an onset still spoils it (tau0; the D²min lag).
    coverage : sequence of (start, stop) or None
        Time ranges in which onsets are known (first and last reference frame of each frame
        window). With ``onsets``, only pairs with ``start <= t − margin`` and
        ``t + τ <= stop`` inside one range are used. None: everywhere.
    n_segments : int
        Contiguous time segments of the jackknife (>= 20 for a decisive error).

    Raises
    ------
    ValueError
        If the times are not equally spaced, the window holds fewer than two lags, or there
        are fewer than 2 segments.
    """
    time = np.asarray(time, dtype=float)
    stress = np.asarray(stress, dtype=float)
    epoch = np.asarray(epoch)
    if stress.ndim != 2 or stress.shape[0] != time.size:
        raise ValueError("stress must be (T, B) with T = len(time)")
    if n_segments < 2:
        raise ValueError(f"n_segments must be >= 2, got {n_segments}")
    dt, lags = _fit_lags(time, fit_window)
    n_t, n_b = stress.shape
    seg_of_row = segment_index(time, time, n_segments)
    shape = (n_segments, lags.size)
    cnt, s1, s2 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    lists: dict[int, list[float]] = {}
    for t_o, b in onsets or ():
        if not 0 <= int(b) < n_b:
            raise ValueError(f"onset block {b} is not a column of stress (B = {n_b})")
        lists.setdefault(int(b), []).append(float(t_o))
    by_block = {b: np.sort(np.asarray(v)) for b, v in lists.items()}
    for j, lag in enumerate(lags):
        tau = lag * dt
        inc = stress[lag:] - stress[:-lag]
        keep = np.broadcast_to((epoch[lag:] == epoch[:-lag])[:, None], inc.shape).copy()
        t0 = time[:-lag]
        if onsets is not None:
            if coverage is not None:
                keep &= _covered(t0, tau, margin, coverage)[:, None]
            for b, times in by_block.items():
                # onsets with t - margin < t_o < t + tau, i.e. t in (t_o - tau, t_o + margin)
                first = np.searchsorted(times, t0 - margin, side="right")
                last = np.searchsorted(times, t0 + tau, side="left")
                keep[last > first, b] = False
        seg = seg_of_row[: t0.size]
        x = np.where(keep, inc, 0.0)
        cnt[:, j] = np.bincount(seg, weights=keep.sum(axis=1), minlength=n_segments)
        s1[:, j] = np.bincount(seg, weights=x.sum(axis=1), minlength=n_segments)
        s2[:, j] = np.bincount(seg, weights=(x * x).sum(axis=1), minlength=n_segments)
    lag_times = np.asarray(lags * dt, dtype=np.float64)
    tot = cnt.sum(0), s1.sum(0), s2.sum(0)
    d, c, drift = _fit(lag_times, *tot)
    jack_d = np.empty(n_segments)
    jack_drift = np.empty(n_segments)
    for s in range(n_segments):
        jack_d[s], _, jack_drift[s] = _fit(
            lag_times, tot[0] - cnt[s], tot[1] - s1[s], tot[2] - s2[s]
        )
    return NoiseFit(
        D=d,
        D_err=jackknife_error(jack_d),
        intercept=c,
        drift_rate=drift,
        drift_rate_err=jackknife_error(jack_drift),
        pairs=int(tot[0].sum()),
        jackknife=jack_d,
        drift_jackknife=jack_drift,
    )


@dataclass(frozen=True)
class QuietDrift:
    """Mean loading rate of the global stress while no event is under way anywhere."""

    rate: float
    rate_err: float
    pairs: int


def quiet_drift(
    time: FloatArray,
    stress: FloatArray,
    epoch: FloatArray,
    *,
    fit_window: tuple[float, float],
    events: Sequence[tuple[float, float]],
    margin: float,
    coverage: Sequence[tuple[float, float]] | None = None,
    n_segments: int = 20,
) -> QuietDrift:
    """Drift of the mean block stress over pairs ``(t, t + τ)`` with no event under way
    anywhere in the system.

    ``drift_rate`` of :func:`block_noise` (onset-free pairs of one block) mixes the elastic
    loading with the mean unloading by other blocks' events; this one removes every counted
    event: an event ``(t_o, lifetime)`` of any block spoils the pairs with
    ``t_o < t + τ`` and ``t_o + lifetime + margin > t`` (its rearrangement lasts from the onset
    to the D²min lag after its last active frame). What is left is the loading between
    counted events: ``G γ̇`` of an elastic solid, less if stress relaxes below the event
    detection. Same lags, coverage and jackknife segments as :func:`increment_variance_fit`;
    the drift is ``Σ ⟨Δσ⟩_τ τ / Σ τ²`` over the lags.

    Examples
    --------
    A global stress loading at 0.5 per tau0 with one event at t = 10 (drop 3):

    >>> t = np.arange(40.0)
    >>> s = 0.5 * t - 3.0 * (t > 11)
    >>> fit = quiet_drift(t, s[:, None], np.zeros(40), fit_window=(1, 3),
    ...                   events=[(10.0, 1.0)], margin=2.0, n_segments=4)
    >>> round(fit.rate, 12), fit.pairs
    (0.5, 102)
    """
    time = np.asarray(time, dtype=float)
    glob = np.asarray(stress, dtype=float).mean(axis=1)
    epoch = np.asarray(epoch)
    dt, lags = _fit_lags(time, fit_window)
    starts = np.sort(np.asarray([e[0] for e in events], dtype=float))
    ends = np.sort(np.asarray([e[0] + e[1] + margin for e in events], dtype=float))
    seg_of_row = segment_index(time, time, n_segments)
    shape = (n_segments, lags.size)
    cnt, s1 = np.zeros(shape), np.zeros(shape)
    for j, lag in enumerate(lags):
        tau = lag * dt
        t0 = time[:-lag]
        inc = glob[lag:] - glob[:-lag]
        keep = epoch[lag:] == epoch[:-lag]
        if coverage is not None:
            keep &= _covered(t0, tau, margin, coverage)
        # events under way: started before t + tau and not ended by t (an event's end is
        # never before its start, so the count is a difference of two counts)
        under_way = np.searchsorted(starts, t0 + tau, side="left") - np.searchsorted(
            ends, t0, side="right"
        )
        keep &= under_way == 0
        seg = seg_of_row[: t0.size]
        cnt[:, j] = np.bincount(seg, weights=keep.astype(float), minlength=n_segments)
        s1[:, j] = np.bincount(seg, weights=np.where(keep, inc, 0.0), minlength=n_segments)
    tau_lags = lags * dt

    def rate(n: FloatArray, s: FloatArray) -> float:
        ok = n > 0
        if not ok.any():
            return math.nan
        return float(np.sum(s[ok] / n[ok] * tau_lags[ok]) / np.sum(tau_lags[ok] ** 2))

    n_tot, s_tot = cnt.sum(0), s1.sum(0)
    jack = np.array([rate(n_tot - cnt[k], s_tot - s1[k]) for k in range(n_segments)])
    return QuietDrift(rate(n_tot, s_tot), jackknife_error(jack), int(n_tot.sum()))


def block_noise(
    series: pd.DataFrame,
    events: pd.DataFrame | None,
    *,
    width: float,
    fit_window: tuple[float, float],
    margin: float,
    coverage: Sequence[tuple[float, float]] | None,
    n_segments: int = 20,
    inflow: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``D_noise`` and ``D_all`` of one run's block series for grid ``width``.

    ``events`` holds onsets (columns ``time``, ``bx``, ``by`` of ``events.parquet``) in the
    coarse blocks of this grid's ``M``. Returns the one-row table of
    :data:`BLOCK_NOISE_COLUMNS` (without density, rate, seed) and the delete-one table of
    :data:`NOISE_JACKKNIFE_COLUMNS` (D_noise, D_all, Gamma and the onset-free drift per
    left-out segment; the same segments for all, for joint errors).

    ``inflow`` (optional) is the run's ``onset_stress.parquet``
    (:func:`mechnoise.plasticity.triggered.onset_stress`): its run means ``sigma_c_flow``,
    ``stress_drop_flow`` and ``stress_drop_sq_flow`` go into the row and their delete-one
    values over the same segments into the jackknife table
    (:func:`mechnoise.plasticity.triggered.inflow_jackknife`); NaN without it.
    """
    from mechnoise.block_series import block_matrix

    time, stress, epoch = block_matrix(series, width)
    m = int(round(math.sqrt(stress.shape[1])))
    onsets: list[tuple[float, int]] = []
    if events is not None and len(events):
        if int(events["bx"].max()) >= m or int(events["by"].max()) >= m:
            raise ValueError(f"events hold block indices beyond the grid M = {m} of width {width}")
        onsets = list(
            zip(
                events["time"].astype(float),
                (events["bx"] * m + events["by"]).astype(int),
                strict=True,
            )
        )
    time_edges = time
    onset_times = np.array([t for t, _ in onsets])
    gamma, gamma_jack = onset_rate_jackknife(
        onset_times, m * m, time_edges, coverage or [(time[0], time[-1])], n_segments
    )
    noise = increment_variance_fit(
        time,
        stress,
        epoch,
        fit_window=fit_window,
        onsets=onsets,
        margin=margin,
        coverage=coverage,
        n_segments=n_segments,
    )
    every = increment_variance_fit(
        time, stress, epoch, fit_window=fit_window, n_segments=n_segments
    )
    row = {
        "width": float(width),
        "m": m,
        "D_noise": noise.D,
        "D_noise_err": noise.D_err,
        "D_all": every.D,
        "D_all_err": every.D_err,
        "intercept_noise": noise.intercept,
        "intercept_all": every.intercept,
        "drift_rate": noise.drift_rate,
        "drift_rate_err": noise.drift_rate_err,
        "pairs_noise": noise.pairs,
        "pairs_all": every.pairs,
        "fit_start": float(fit_window[0]),
        "fit_stop": float(fit_window[1]),
        "interval": float(np.median(np.diff(time))),
        "n_segments": int(n_segments),
        "n_onsets": len(onsets),
        "Gamma": gamma,
        "Gamma_err": jackknife_error(gamma_jack),
    }
    flow = inflow_means(inflow, time, n_segments)
    row.update({k: full for k, (full, _) in flow.items()})
    jack = pd.DataFrame(
        {
            "segment": np.arange(n_segments, dtype=np.int32),
            "D_noise": noise.jackknife,
            "D_all": every.jackknife,
            "Gamma": gamma_jack,
            "drift_rate": noise.drift_jackknife,
            **{k: loo for k, (_, loo) in flow.items()},
        }
    )
    return pd.DataFrame([row]), jack


def inflow_means(
    inflow: pd.DataFrame | None, time: FloatArray, n_segments: int
) -> dict[str, tuple[float, FloatArray]]:
    """Run means of the in-flow threshold and drops with their delete-one values over the
    segments of the series times ``time`` (NaN without ``inflow``).

    ``inflow`` is an ``onset_stress`` table (:func:`mechnoise.plasticity.triggered.onset_stress`);
    the means are those of :func:`mechnoise.plasticity.triggered.summarize_onset_stress`.
    """
    from mechnoise.plasticity.triggered import (
        INFLOW_MEANS,
        inflow_jackknife,
        summarize_onset_stress,
    )

    if inflow is None:
        return {k: (math.nan, np.full(n_segments, math.nan)) for k in INFLOW_MEANS}
    full = summarize_onset_stress(inflow).iloc[0]
    loo = inflow_jackknife(inflow, time, n_segments)
    return {k: (float(full[k]), loo[k]) for k in INFLOW_MEANS}


def series_width_for_m(series: pd.DataFrame, m: int) -> float:
    """Width of the block-series grid with ``m`` blocks per side (the grid of the onsets).

    Raises
    ------
    ValueError
        If no grid has ``m`` blocks per side: the analysis grid (``analysis.blocks.width`` or
        the measured cluster size) is not among ``shear.block_series.widths``.
    """
    grids = series.drop_duplicates("width")[["width", "m"]]
    match = grids[grids["m"] == m]
    if match.empty:
        raise ValueError(
            f"the onsets use M = {m} blocks per side but the block series has grids "
            f"{dict(zip(grids['width'], grids['m'], strict=True))} (width: M): add a width "
            "with this M to shear.block_series.widths"
        )
    return float(match["width"].iloc[0])


#: column -> (dtype, unit, description) of ``block_noise_jackknife.parquet``: delete-one
#: estimates over the time segments of the block series (one row per run and segment), for
#: joint jackknife errors of the alphas (D and Gamma from the same segments).
NOISE_JACKKNIFE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("noise.noise_jackknife")


def segment_starts(time: FloatArray, n_segments: int) -> FloatArray:
    """Start times of the ``n_segments`` contiguous time segments of a block series.

    The one definition of the jackknife segments of the mean-field test: segment ``s`` holds
    the rows ``s T // n`` to ``(s + 1) T // n − 1`` of the ``T`` equally spaced times
    ``time``; a pair of :func:`increment_variance_fit`, an onset of
    :func:`onset_rate_jackknife` and an in-flow onset
    (:func:`mechnoise.plasticity.triggered.inflow_jackknife`) belong to the segment of
    their (start) time (:func:`segment_index`).

    Examples
    --------
    >>> segment_starts(np.arange(10.0), 3).tolist()
    [0.0, 3.0, 6.0]
    """
    time = np.asarray(time, dtype=float)
    if n_segments < 1 or time.size == 0:
        raise ValueError(f"need n_segments >= 1 and times, got {n_segments!r}, {time.size}")
    return time[(np.arange(n_segments) * time.size) // n_segments]


def segment_index(times: FloatArray, time: FloatArray, n_segments: int) -> np.ndarray:
    """Segment (:func:`segment_starts` of the series times ``time``) of every entry of ``times``.

    Times before the series' first time count in segment 0, after its last in the last one.

    Examples
    --------
    >>> segment_index(np.array([-1.0, 2.9, 3.0, 9.0, 12.0]), np.arange(10.0), 3).tolist()
    [0, 0, 1, 2, 2]
    """
    starts = segment_starts(time, n_segments)
    seg = np.searchsorted(starts, np.asarray(times, dtype=float), side="right") - 1
    return np.clip(seg, 0, n_segments - 1)


def onset_rate_jackknife(
    onset_times: FloatArray,
    n_blocks: int,
    time: FloatArray,
    coverage: Sequence[tuple[float, float]],
    n_segments: int,
) -> tuple[float, FloatArray]:
    """Γ = onsets / (blocks × covered time), full and delete-one over the time segments of
    :func:`increment_variance_fit` (segment ``s`` holds rows ``s T / n`` to ``(s+1) T / n``).

    Examples
    --------
    >>> g, jack = onset_rate_jackknife(np.array([1.0, 3.0]), 2, np.arange(5.0), [(0, 4)], 2)
    >>> g, jack.tolist()
    (0.25, [0.25, 0.25])
    """
    time = np.asarray(time, dtype=float)
    bounds = [*segment_starts(time, n_segments), time[-1]]
    counts, covered = np.zeros(n_segments), np.zeros(n_segments)
    onset_times = np.asarray(onset_times, dtype=float)
    for s in range(n_segments):
        a, b = bounds[s], bounds[s + 1]
        last = s == n_segments - 1
        inside = (onset_times >= a) & ((onset_times <= b) if last else (onset_times < b))
        for lo, hi in coverage:
            covered[s] += max(0.0, min(b, hi) - max(a, lo))
            counts[s] += np.sum(inside & (onset_times >= lo) & (onset_times <= hi))
    total = covered.sum()
    if total <= 0:
        return math.nan, np.full(n_segments, math.nan)
    full = counts.sum() / (n_blocks * total)
    with np.errstate(invalid="ignore", divide="ignore"):
        jack = (counts.sum() - counts) / (n_blocks * (total - covered))
    return float(full), jack
