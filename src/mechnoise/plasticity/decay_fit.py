"""Decay times of correlation curves: the fits behind τ_p and their pooling over runs.

Two fits, one per estimator of :mod:`mechnoise.plasticity.event_duration`:

- :func:`fit_decay_time`: ``C_p(t) = exp(−t / τ)`` of the paper's literal D²min
  autocorrelation (``tau_p_window``);
- :func:`fit_event_duration`: ``C(t) = A exp(−t / τ_p) + c`` of the time-resolved
  correlation over lags ``t ≥ δs`` (``tau_p``).

:func:`decay_times_by_density` and :func:`event_durations_by_density` fit the seed-pooled
curves of each density (Fig. 5a); :func:`pool_autocorrelations` pools them.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import curve_fit

from mechnoise._typing import FloatArray
from mechnoise.stats import pool_curves

__all__ = [
    "EventDurationFit",
    "decay_times_by_density",
    "event_durations_by_density",
    "fit_decay_time",
    "fit_event_duration",
    "pool_autocorrelations",
]

log = logging.getLogger(__name__)

#: A fitted tau_p beyond this many times the largest lag is reported as unresolved.
_UNRESOLVED = 5.0


def fit_decay_time(lag: npt.ArrayLike, c_p: npt.ArrayLike) -> tuple[float, float]:
    """Decay time ``τ_p`` of ``C_p(t) = exp(−t / τ_p)`` by least squares (paper Fig. 5a).

    Parameters
    ----------
    lag : array_like, shape (L,)
        Lags ``t`` (tau0).
    c_p : array_like, shape (L,)
        ``C_p(t)``.

    Returns
    -------
    tau_p, tau_p_err : float
        Fitted decay time (tau0) and its standard error from the covariance of
        :func:`scipy.optimize.curve_fit` (scaled by the residuals); NaN if fewer than two
        finite points. A ``τ_p`` beyond 5 times the largest lag (no visible decay) is
        returned as fitted, with its large error, and logged as a warning.

    Examples
    --------
    >>> t = np.linspace(0.0, 6.0, 31)
    >>> tau, err = fit_decay_time(t, np.exp(-t / 1.3))
    >>> round(tau, 8), err < 1e-8
    (1.3, True)
    """
    t = np.asarray(lag, dtype=np.float64)
    c = np.asarray(c_p, dtype=np.float64)
    if t.shape != c.shape or t.ndim != 1:
        raise ValueError(f"lag {t.shape} and c_p {c.shape} must be 1-D of equal length")
    ok = np.isfinite(t) & np.isfinite(c)
    if ok.sum() < 2:
        return math.nan, math.nan
    t, c = t[ok], c[ok]
    below = np.flatnonzero(c < math.exp(-1.0))
    guess = float(t[below[0]]) if below.size else float(t.max())

    def model(x: FloatArray, tau: float) -> FloatArray:
        return np.exp(-x / tau)

    popt, pcov = curve_fit(model, t, c, p0=[max(guess, 1e-3)], bounds=(1e-9, np.inf))
    tau, tau_err = float(popt[0]), float(np.sqrt(pcov[0, 0]))
    if tau > _UNRESOLVED * t.max():
        log.warning(
            "C_p hardly decays over %.3g tau0: tau_p = %.3g +- %.3g is not resolved",
            t.max(),
            tau,
            tau_err,
        )
    return tau, tau_err


def pool_autocorrelations(curves: pd.DataFrame, column: str = "C_p") -> pd.DataFrame:
    """Average a correlation (``column``) of several runs at equal lags, weighted by n
    (:func:`mechnoise.stats.pool_curves`).

    Examples
    --------
    >>> c = pd.DataFrame({"lag": [0.0, 1.0, 0.0, 1.0], "C_p": [1.0, 0.4, 1.0, 0.6],
    ...                   "n": [10, 10, 30, 30]})
    >>> pool_autocorrelations(c)["C_p"].round(12).tolist()
    [1.0, 0.55]
    """
    return pool_curves(curves, column)


def decay_times_by_density(curves: pd.DataFrame) -> pd.DataFrame:
    """τ_p of the seed-pooled C_p(t) of each density (what Fig. 5a shows).

    Parameters
    ----------
    curves : DataFrame
        ``d2min_autocorr.parquet`` rows (columns lag, C_p, n) with an extra column density.

    Returns
    -------
    DataFrame
        Columns density, tau_p, tau_p_err (tau0), one row per density, sorted.

    Examples
    --------
    >>> lag = np.arange(0.0, 3.01, 0.5)
    >>> c = pd.DataFrame({"lag": lag, "C_p": np.exp(-lag / 1.5), "n": 5, "density": 1.2})
    >>> round(float(decay_times_by_density(c)["tau_p"].iloc[0]), 6)
    1.5
    """
    rows = []
    for rho in sorted(curves["density"].unique()):
        pooled = pool_autocorrelations(curves[curves["density"] == rho])
        tau, tau_err = fit_decay_time(pooled["lag"], pooled["C_p"])
        rows.append({"density": float(rho), "tau_p": tau, "tau_p_err": tau_err})
    return pd.DataFrame(rows, columns=["density", "tau_p", "tau_p_err"])


@dataclass(frozen=True)
class EventDurationFit:
    """Fit ``C(t) = A exp(−t/τ_p) + c`` of the time-resolved correlation.

    Attributes
    ----------
    tau_p, tau_p_err : float
        Decay time (tau0) and its error from the fit covariance (scaled by the residuals).
    amplitude, plateau : float
        ``A`` and ``c``.
    t_min, t_max : float
        Lags fitted (tau0).
    """

    tau_p: float
    tau_p_err: float
    amplitude: float
    plateau: float
    t_min: float
    t_max: float


def fit_event_duration(lag: npt.ArrayLike, c: npt.ArrayLike, t_min: float) -> EventDurationFit:
    """Fit ``A exp(−t/τ_p) + c`` to a correlation over lags ``t ≥ t_min``.

    Parameters
    ----------
    lag, c : array_like, shape (L,)
        Lags (tau0) and correlation values.
    t_min : float
        Smallest lag fitted (tau0), the short lag ``δs``: below it the two short intervals
        overlap.

    Returns
    -------
    EventDurationFit
        NaN fields if fewer than four finite lags lie in the fit range or the fit fails.

    Examples
    --------
    >>> t = np.arange(0.0, 8.01, 0.2)
    >>> fit = fit_event_duration(t, 0.8 * np.exp(-t / 1.2) + 0.1, 0.2)
    >>> round(fit.tau_p, 6), round(fit.plateau, 6)
    (1.2, 0.1)
    """
    t = np.asarray(lag, dtype=np.float64)
    y = np.asarray(c, dtype=np.float64)
    if t.shape != y.shape or t.ndim != 1:
        raise ValueError(f"lag {t.shape} and c {y.shape} must be 1-D of equal length")
    ok = np.isfinite(t) & np.isfinite(y) & (t >= t_min - 1e-9 * max(1.0, abs(t_min)))
    t, y = t[ok], y[ok]
    nan = EventDurationFit(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    if t.size < 4:
        return nan
    below = np.flatnonzero(y < y[0] * math.exp(-1.0))
    guess = float(t[below[0]] - t[0]) if below.size else float(t.max())

    def model(x: FloatArray, a: float, tau: float, plateau: float) -> FloatArray:
        return a * np.exp(-x / tau) + plateau

    try:
        popt, pcov = curve_fit(
            model,
            t,
            y,
            p0=[max(float(y[0]), 1e-3), max(guess, 1e-2), float(np.clip(y[-1], -0.5, 0.9))],
            bounds=([0.0, 1e-4, -1.0], [np.inf, 1e4, 1.0]),
        )
    except (RuntimeError, ValueError) as exc:
        log.warning("event-duration fit failed: %s", exc)
        return nan
    err = float(np.sqrt(pcov[1, 1])) if np.isfinite(pcov[1, 1]) else math.nan
    if popt[1] > _UNRESOLVED * t.max():
        log.warning("C(t) hardly decays over %.3g tau0: tau_p = %.3g unresolved", t.max(), popt[1])
    return EventDurationFit(
        float(popt[1]), err, float(popt[0]), float(popt[2]), float(t[0]), float(t[-1])
    )


def event_durations_by_density(curves: pd.DataFrame) -> pd.DataFrame:
    """Time-resolved ``τ_p`` of the seed-pooled ``C(t)`` of each density (Fig. 5a, right).

    Parameters
    ----------
    curves : DataFrame
        ``event_autocorr.parquet`` rows (columns short_lag, lag, C, n) with an extra column
        density; only the smallest short lag is used.

    Returns
    -------
    DataFrame
        Columns density, short_lag, tau_p, tau_p_err, amplitude, plateau; one row per density.

    Examples
    --------
    >>> lag = np.arange(0.0, 6.01, 0.2)
    >>> c = pd.DataFrame({"short_lag": 0.2, "lag": lag, "C": 0.9 * np.exp(-lag / 1.5) + 0.1,
    ...                   "n": 5, "density": 1.2})
    >>> round(float(event_durations_by_density(c)["tau_p"].iloc[0]), 6)
    1.5
    """
    rows = []
    short = float(curves["short_lag"].min()) if len(curves) else math.nan
    first = curves[np.isclose(curves["short_lag"], short)]
    for rho in sorted(first["density"].unique()):
        pooled = pool_autocorrelations(first[first["density"] == rho], column="C")
        fit = fit_event_duration(pooled["lag"], pooled["C"], short)
        rows.append(
            {
                "density": float(rho),
                "short_lag": short,
                "tau_p": fit.tau_p,
                "tau_p_err": fit.tau_p_err,
                "amplitude": fit.amplitude,
                "plateau": fit.plateau,
            }
        )
    return pd.DataFrame(
        rows, columns=["density", "short_lag", "tau_p", "tau_p_err", "amplitude", "plateau"]
    )
