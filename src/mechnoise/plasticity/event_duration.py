"""Duration of plastic events, τ_p (paper §3.3, Fig. 5a): two estimators, named apart.

**The paper's literal estimator** (``tau_p_window``): ``C_p(t) = <D²(t0) D²(t0 + t)> /
<D²(t0)²>`` of the lag-``δt`` D²min over particles active at ``t0`` and time origins ``t0``
inside one frame window, fitted by ``exp(−t / τ)`` (:func:`d2min_autocorrelation`,
:func:`fit_decay_time`). Two D²min intervals ``[t0, t0 + δt]`` overlap for ``t < δt``, so even
an instantaneous event gives the triangle ``1 − t/δt``: this τ measures the analysis window
(measured on a demo run: 1.48 / 2.75 / 4.10 tau0 at ``δt`` = 2 / 4 / 6).

**The time-resolved estimator** (``tau_p``, the one that enters Γ, the rescalings and Table 1):
the signal is the short-lag non-affine amplitude ``a_i(t) = sqrt(D²min(i, t, δs))`` with
``δs`` a few frame intervals (``analysis.event_duration.short_lag``); D²min is quadratic in the
non-affine displacement, so its square root is linear in it and, over a short lag, proportional
to the non-affine speed. Background: the median of ``a`` over all particles of the same frame
pair (the matrix's elastic non-affine motion) is subtracted. The correlation

    C(t) = Σ â_i(t0) â_i(t0 + t) / Σ â_i(t0)²,   â = a − median_t(a),

runs over particles active at ``t0`` — flagged by the paper's criterion ``D²min(i, t', δt) >
threshold`` for a reference time ``t'`` whose interval ``[t', t' + δt]`` holds
``[t0, t0 + δs]`` — and origins ``t0`` with ``t0 + t + δs`` in the same window. It is fitted with
``A exp(−t/τ_p) + c`` over lags ``δs ≤ t ≤ max_lag`` (from ``δs`` on, the two short intervals no
longer overlap; the plateau ``c`` takes up later, uncorrelated events at the same place). For a
rearrangement whose particles relax as ``1 − exp(−(t − t_s)/τ_e)`` the amplitude decays exactly
as ``exp(−(t − t_s)/τ_e)`` for every ``δs``: ``τ_p = τ_e`` (tested on synthetic events, see
:mod:`mechnoise.plasticity.synthetic`). :func:`event_duration_tables` computes it at
``δs, 2δs, … `` so a reader sees it converge as ``δs`` shrinks.

The fits of both curves and their pooling over runs live in
:mod:`mechnoise.plasticity.decay_fit` (re-exported here).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from mechnoise import columns, stats
from mechnoise._typing import BoolArray, FloatArray
from mechnoise.io import Frame
from mechnoise.plasticity.d2min import d2min_frames, window_spacings, windows_resolving
from mechnoise.plasticity.decay_fit import EventDurationFit as EventDurationFit
from mechnoise.plasticity.decay_fit import decay_times_by_density as decay_times_by_density
from mechnoise.plasticity.decay_fit import event_durations_by_density as event_durations_by_density
from mechnoise.plasticity.decay_fit import fit_decay_time as fit_decay_time
from mechnoise.plasticity.decay_fit import fit_event_duration
from mechnoise.plasticity.decay_fit import pool_autocorrelations as pool_autocorrelations

__all__ = [
    "AUTOCORR_COLUMNS",
    "EVENT_AUTOCORR_COLUMNS",
    "EVENT_DURATION_COLUMNS",
    "d2min_autocorrelation",
    "event_autocorrelation",
    "event_duration_tables",
]

log = logging.getLogger(__name__)


#: column -> (dtype, unit, description) of ``d2min_autocorr.parquet``.
AUTOCORR_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.autocorr")


def d2min_autocorrelation(
    d2min_table: pd.DataFrame, threshold: float, max_lag: float
) -> pd.DataFrame:
    """Two-time D²min autocorrelation of active particles, C_p(t) (paper §3.3, Fig. 5a).

    Parameters
    ----------
    d2min_table : DataFrame
        Columns frame, window, time, id, d2min (:data:`D2MIN_COLUMNS`); within a window the
        reference times must be equally spaced, each window with its own spacing (dense and
        survey windows): a lag pools every window that holds it.
    threshold : float
        A particle is active at ``t0`` if ``D²(i, t0) > threshold`` (sigma²).
    max_lag : float
        Largest lag ``t`` (tau0), ``analysis.autocorr.max_lag``.

    Returns
    -------
    DataFrame
        Columns of :data:`AUTOCORR_COLUMNS`, lags ``0, Δ, 2Δ, … ≤ max_lag`` (``Δ`` each
        window's frame interval); lags no window can hold are left out.

    Raises
    ------
    ValueError
        If frames of a window are not equally spaced or a frame lacks some atom ids.

    Notes
    -----
    ``C_p(t) = Σ D²(i,t0) D²(i,t0+t) / Σ D²(i,t0)²``: both sums run over the same set of
    (particle ``i``, origin ``t0``) pairs, namely every reference frame ``t0`` that has a
    frame ``t0 + t`` in its window and every particle active at ``t0`` whose
    ``D²(i, t0 + t)`` is defined. So ``C_p(0) = 1`` and the ratio is of the averages, not
    the average of per-particle ratios. Each ``D²(t0)`` spans ``[t0, t0 + δt]``: for
    ``t < δt`` the two intervals overlap, which contributes to the decay.
    """
    if not (np.isfinite(max_lag) and max_lag >= 0):
        raise ValueError(f"max_lag must be a non-negative time (tau0), got {max_lag!r}")
    num: dict[float, float] = {}
    den: dict[float, float] = {}
    cnt: dict[float, int] = {}
    spacings = window_spacings(d2min_table)  # each window its own (dense or survey)
    for window, group in d2min_table.groupby("window", sort=True):
        times, _, values = _wide(group, int(window))
        spacing = spacings.get(int(window), math.inf)
        if times.size > 1 and not np.allclose(np.diff(times), spacing, rtol=1e-6):
            raise ValueError(f"window {window}: reference times are not equally spaced")
        n_lags = min(times.size, int(max_lag / spacing + 1e-6) + 1)
        active = values > threshold
        for m in range(n_lags):
            a, b = values[: times.size - m], values[m:]
            use = active[: times.size - m] & np.isfinite(b)
            t = round(m * spacing, 9) if m else 0.0  # lags pooled by time across windows
            num[t] = num.get(t, 0.0) + float(np.sum(a[use] * b[use]))
            den[t] = den.get(t, 0.0) + float(np.sum(a[use] ** 2))
            cnt[t] = cnt.get(t, 0) + int(use.sum())
    lags = sorted(t for t in cnt if cnt[t] > 0)
    return pd.DataFrame(
        {
            "lag": lags,
            "C_p": [num[m] / den[m] for m in lags],
            "n": np.array([cnt[m] for m in lags], dtype=np.int64),
        }
    )


#: column -> (dtype, unit, description) of ``event_autocorr.parquet`` (time-resolved C(t)).
EVENT_AUTOCORR_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.event_autocorr")

#: column -> (dtype, unit, description) of ``event_duration.parquet`` (one row per short lag).
EVENT_DURATION_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.event_duration")


def _wide(table: pd.DataFrame, window: int) -> tuple[FloatArray, npt.NDArray[np.int64], FloatArray]:
    """(reference times, ids, values[time, particle]) of one window of a D²min table."""
    g = table.sort_values(["time", "id"])
    times = g["time"].drop_duplicates().to_numpy(np.float64)
    n_atoms = len(g) // times.size
    ids = g["id"].to_numpy()
    if len(g) != times.size * n_atoms or not np.all(
        ids.reshape(times.size, n_atoms) == ids[:n_atoms]
    ):
        raise ValueError(f"window {window}: every frame must hold the same atom ids")
    values = g["d2min"].to_numpy(np.float64).reshape(times.size, n_atoms)
    return times, ids[:n_atoms], values


def _active_at(
    times: FloatArray,
    short_lag: float,
    ref_times: FloatArray,
    ref_values: FloatArray,
    threshold: float,
    lag: float,
) -> BoolArray:
    """Particles flagged active (D²(t', δt) > threshold) by a reference time ``t'`` whose
    interval ``[t', t' + δt]`` holds ``[t0, t0 + δs]``, for each short-lag origin ``t0``."""
    active = ref_values > threshold
    tol = 1e-6 * max(lag, short_lag)
    out = np.zeros((times.size, ref_values.shape[1]), dtype=bool)
    for k, t0 in enumerate(times):
        use = (ref_times <= t0 + tol) & (t0 + short_lag <= ref_times + lag + tol)
        if use.any():
            out[k] = active[use].any(axis=0)
    return out


def event_autocorrelation(
    short_table: pd.DataFrame,
    d2min_table: pd.DataFrame,
    *,
    threshold: float,
    lag: float,
    short_lag: float,
    max_lag: float,
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Time-resolved correlation ``C(t)`` of the short-lag non-affine amplitude (module notes).

    Parameters
    ----------
    short_table : DataFrame
        D²min over the short lag ``δs`` (columns window, time, id, d2min; every frame pair
        ``δs`` apart), from :func:`mechnoise.plasticity.d2min.d2min_frames`.
    d2min_table : DataFrame
        D²min over the analysis lag ``δt`` (same columns), which flags active particles.
    threshold : float
        Activity threshold on the lag-``δt`` D²min (sigma²), ``analysis.d2min.threshold``.
    lag : float
        Analysis lag ``δt`` (tau0), ``analysis.d2min.lag``.
    short_lag : float
        ``δs`` (tau0).
    max_lag : float
        Largest correlation lag ``t`` (tau0).

    Returns
    -------
    curve : DataFrame
        Columns short_lag, lag, C, n (:data:`EVENT_AUTOCORR_COLUMNS`), pooled over windows.
    leave_one_out : list of DataFrame
        The same curve without each window in turn (jackknife; empty with one window).

    Raises
    ------
    ValueError
        If a window's origins are not equally spaced or frames lack atom ids.
    """
    if not (np.isfinite(max_lag) and max_lag >= 0):
        raise ValueError(f"max_lag must be a non-negative time (tau0), got {max_lag!r}")
    sums: dict[int, dict[int, tuple[float, float, int]]] = {}
    spacing: float | None = None
    for window, group in short_table.groupby("window", sort=True):
        times, ids, d2 = _wide(group, int(window))
        ref = d2min_table[d2min_table["window"] == window]
        if ref.empty or times.size < 2:
            continue
        ref_times, ref_ids, ref_d2 = _wide(ref, int(window))
        if not np.array_equal(ids, ref_ids):
            raise ValueError(f"window {window}: short-lag and lag D2min tables hold other ids")
        steps = np.diff(times)
        if not np.allclose(steps, steps[0], rtol=1e-6):
            raise ValueError(f"window {window}: short-lag origins are not equally spaced")
        spacing = float(steps[0]) if spacing is None else spacing
        amp = np.sqrt(np.clip(d2, 0.0, None))
        amp = amp - np.nanmedian(amp, axis=1, keepdims=True)
        sel = _active_at(times, short_lag, ref_times, ref_d2, threshold, lag) & np.isfinite(amp)
        n_lags = min(times.size, int(max_lag / spacing + 1e-6) + 1)
        per_lag = {}
        for m in range(n_lags):
            a, b = amp[: times.size - m], amp[m:]
            use = sel[: times.size - m] & np.isfinite(b)
            per_lag[m] = (
                float(np.sum(a[use] * b[use])),
                float(np.sum(a[use] ** 2)),
                int(use.sum()),
            )
        sums[int(window)] = per_lag

    def curve(windows: Sequence[int]) -> pd.DataFrame:
        lags = sorted({m for w in windows for m in sums[w]})
        rows = []
        for m in lags:
            num = sum(sums[w][m][0] for w in windows if m in sums[w])
            den = sum(sums[w][m][1] for w in windows if m in sums[w])
            cnt = sum(sums[w][m][2] for w in windows if m in sums[w])
            if cnt > 0 and den > 0:
                rows.append(
                    {"short_lag": short_lag, "lag": m * (spacing or 0.0), "C": num / den, "n": cnt}
                )
        return pd.DataFrame(rows, columns=list(EVENT_AUTOCORR_COLUMNS)).astype({"n": "int64"})

    windows = sorted(sums)
    full = curve(windows)
    jack = [curve([w for w in windows if w != out]) for out in windows] if len(windows) > 2 else []
    return full, jack


def event_duration_tables(
    frames: Sequence[Frame],
    d2min_table: pd.DataFrame,
    *,
    threshold: float,
    lag: float,
    short_lag: float,
    n_short_lags: int,
    max_lag: float,
    r_max: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time-resolved ``C(t)`` and ``τ_p`` at the short lags ``δs, 2δs, …, n δs``.

    Only the windows whose frame spacing divides ``short_lag`` enter (the dense windows;
    survey windows, ``shear.frames.survey_interval`` apart, cannot resolve ``δs``), so adding
    survey frames leaves ``τ_p`` unchanged.

    Parameters
    ----------
    frames : sequence of Frame
        Frames of one run.
    d2min_table : DataFrame
        The run's lag-``δt`` D²min (``d2min.parquet``), which flags active particles.
    threshold, lag : float
        ``analysis.d2min.threshold`` (sigma²) and ``analysis.d2min.lag`` (tau0).
    short_lag : float
        Smallest short lag ``δs`` (tau0), ``analysis.event_duration.short_lag``: a multiple of
        the frame interval.
    n_short_lags : int
        Short lags computed, ``analysis.event_duration.n_short_lags`` (convergence check).
    max_lag : float
        Largest correlation lag (tau0), ``analysis.autocorr.max_lag``.
    r_max : float
        D²min neighbour cutoff (sigma).

    Returns
    -------
    curves : DataFrame
        :data:`EVENT_AUTOCORR_COLUMNS`, one block of rows per short lag.
    durations : DataFrame
        :data:`EVENT_DURATION_COLUMNS`, one row per short lag (first row: ``δs``, the
        ``tau_p`` of the run). The error is the larger of the fit error and the jackknife
        error over windows (:func:`mechnoise.stats.jackknife_error`; three windows or more).

    Raises
    ------
    ValueError
        If ``short_lag`` is not positive or no frame pair is ``short_lag`` apart.
    """
    if not (np.isfinite(short_lag) and short_lag > 0) or n_short_lags < 1:
        raise ValueError(
            f"analysis.event_duration: short_lag must be > 0 and n_short_lags >= 1, got "
            f"{short_lag!r}, {n_short_lags!r}"
        )
    table = pd.DataFrame({"window": [f.window for f in frames], "time": [f.time for f in frames]})
    dense = set(windows_resolving(table, short_lag))
    frames = [f for f in frames if f.window in dense]
    d2min_table = d2min_table[d2min_table["window"].isin(dense)]
    curves, rows = [], []
    for k in range(1, n_short_lags + 1):
        ds = k * short_lag
        short = d2min_frames(frames, ds, r_max)
        curve, jack = event_autocorrelation(
            short, d2min_table, threshold=threshold, lag=lag, short_lag=ds, max_lag=max_lag
        )
        fit = fit_event_duration(curve["lag"], curve["C"], ds)
        jack_err = stats.jackknife_error(
            [fit_event_duration(c["lag"], c["C"], ds).tau_p for c in jack]
        )
        err = float(np.nanmax([fit.tau_p_err, jack_err]))
        curves.append(curve)
        rows.append(
            {
                "short_lag": ds,
                "tau_p": fit.tau_p,
                "tau_p_err": err,
                "amplitude": fit.amplitude,
                "plateau": fit.plateau,
                "fit_t_min": fit.t_min,
                "fit_t_max": fit.t_max,
                "n_pairs": int(curve["n"].iloc[0]) if len(curve) else 0,
            }
        )
        log.info("short lag %.3g: tau_p = %.4g +- %.2g tau0", ds, fit.tau_p, err)
    return (
        pd.concat(curves, ignore_index=True),
        pd.DataFrame(rows, columns=list(EVENT_DURATION_COLUMNS)),
    )
