"""Duration of plastic events: the D²min two-time autocorrelation C_p(t) and τ_p (paper §3.3).

``C_p(t) = <D²(t0) D²(t0 + t)> / <D²(t0)²>`` over particles active at ``t0`` and time origins
``t0`` inside one frame window (Fig. 5a); ``τ_p`` from a fit of ``exp(−t / τ_p)``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import curve_fit

from mechnoise._typing import FloatArray

__all__ = ["AUTOCORR_COLUMNS", "d2min_autocorrelation", "fit_decay_time"]

log = logging.getLogger(__name__)


#: A fitted tau_p beyond this many times the largest lag is reported as unresolved.
_UNRESOLVED = 5.0

#: column -> (dtype, unit, description) of ``d2min_autocorr.parquet``.
AUTOCORR_COLUMNS: dict[str, tuple[str, str, str]] = {
    "lag": ("float64", "tau0", "time lag t between the two D2min reference times"),
    "C_p": (
        "float64",
        "-",
        "C_p(t) = sum D2(i,t0) D2(i,t0+t) / sum D2(i,t0)^2 over particles i active at t0 "
        "(D2 > threshold) and origins t0 with t0 + t in the same window",
    ),
    "n": ("int64", "-", "number of (particle, origin) pairs in the sums"),
}


def d2min_autocorrelation(
    d2min_table: pd.DataFrame, threshold: float, max_lag: float
) -> pd.DataFrame:
    """Two-time D²min autocorrelation of active particles, C_p(t) (paper §3.3, Fig. 5a).

    Parameters
    ----------
    d2min_table : DataFrame
        Columns frame, window, time, id, d2min (:data:`D2MIN_COLUMNS`); within a window the
        reference times must be equally spaced.
    threshold : float
        A particle is active at ``t0`` if ``D²(i, t0) > threshold`` (sigma²).
    max_lag : float
        Largest lag ``t`` (tau0), ``analysis.autocorr.max_lag``.

    Returns
    -------
    DataFrame
        Columns of :data:`AUTOCORR_COLUMNS`, lags ``0, Δ, 2Δ, … ≤ max_lag`` (``Δ`` the
        frame interval); lags no window can hold are left out.

    Raises
    ------
    ValueError
        If frames of a window are not equally spaced, windows have different spacings, or a
        frame lacks some atom ids.

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
    num: dict[int, float] = {}
    den: dict[int, float] = {}
    cnt: dict[int, int] = {}
    spacing: float | None = None
    for window, group in d2min_table.groupby("window", sort=True):
        g = group.sort_values(["time", "id"])
        times = g["time"].drop_duplicates().to_numpy(np.float64)
        n_atoms = len(g) // times.size
        ids = g["id"].to_numpy()
        if len(g) != times.size * n_atoms or not np.all(
            ids.reshape(times.size, n_atoms) == ids[:n_atoms]
        ):
            raise ValueError(f"window {window}: every frame must hold the same atom ids")
        values = g["d2min"].to_numpy(np.float64).reshape(times.size, n_atoms)
        if times.size > 1:
            steps = np.diff(times)
            if not np.allclose(steps, steps[0], rtol=1e-6):
                raise ValueError(f"window {window}: reference times are not equally spaced")
            if spacing is not None and not math.isclose(steps[0], spacing, rel_tol=1e-6):
                raise ValueError(f"frame spacing {steps[0]} of window {window} != {spacing}")
            spacing = float(steps[0])
        n_lags = (
            times.size if spacing is None else min(times.size, int(max_lag / spacing + 1e-6) + 1)
        )
        active = values > threshold
        for m in range(n_lags):
            a, b = values[: times.size - m], values[m:]
            use = active[: times.size - m] & np.isfinite(b)
            num[m] = num.get(m, 0.0) + float(np.sum(a[use] * b[use]))
            den[m] = den.get(m, 0.0) + float(np.sum(a[use] ** 2))
            cnt[m] = cnt.get(m, 0) + int(use.sum())
    lags = sorted(m for m in cnt if cnt[m] > 0)
    return pd.DataFrame(
        {
            "lag": [m * (spacing or 0.0) for m in lags],
            "C_p": [num[m] / den[m] for m in lags],
            "n": np.array([cnt[m] for m in lags], dtype=np.int64),
        }
    )


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


def pool_autocorrelations(curves: pd.DataFrame) -> pd.DataFrame:
    """Average C_p(t) of several runs at equal lags, weighted by their number of pairs n.

    Examples
    --------
    >>> c = pd.DataFrame({"lag": [0.0, 1.0, 0.0, 1.0], "C_p": [1.0, 0.4, 1.0, 0.6],
    ...                   "n": [10, 10, 30, 30]})
    >>> pool_autocorrelations(c)["C_p"].round(12).tolist()
    [1.0, 0.55]
    """
    rows = []
    for lag, g in curves.groupby(np.round(curves["lag"], 9), sort=True):
        if g["n"].sum() > 0:
            rows.append(
                {"lag": lag, "C_p": float(np.average(g["C_p"], weights=g["n"])), "n": g["n"].sum()}
            )
    return pd.DataFrame(rows, columns=["lag", "C_p", "n"])


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
