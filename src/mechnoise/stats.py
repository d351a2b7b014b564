"""Standard errors, block averages, the combination of independent runs (seeds), bootstrap
over blocks and Kaplan–Meier estimates of censored data.

One home for every error estimate of the package, so that each table states its errors by
the same rules (issue 12):

* **time series** (stresses, MSDs, activities of one run): the between-window spread, i.e.
  the series is cut into contiguous windows and the error is the standard deviation of the
  window means over sqrt(number of windows) (:func:`block_average`); with several seeds the
  between-seed spread of the per-seed values replaces it (:func:`combine_runs`);
* **frozen-matrix statistics** (means, ratios and censored estimates over blocks): bootstrap
  over blocks (:func:`bootstrap`), resampling whole blocks with replacement;
* event-duration fits over windows: the jackknife over windows (:func:`jackknife_error`);
* fitted parameters: the fit covariance, scaled by sqrt(chi2_red) when chi2_red > 1
  (:func:`mechnoise.rheology.fit_herschel_bulkley`, :func:`~mechnoise.rheology.fit_hl_flow_curve`).

:func:`standard_error` (independent samples) is for samples that are independent by
construction; :func:`pool_curves` averages curves of several seeds at equal lags.
``tests/test_stats_coverage.py`` checks on synthetic correlated data (AR(1) series, Gaussian
blocks, censored thresholds) that each error covers the known truth at its stated one-sigma
rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from mechnoise._typing import FloatArray

__all__ = [
    "BOOTSTRAP_SEED",
    "N_BOOTSTRAP",
    "block_average",
    "bootstrap",
    "combine_runs",
    "jackknife_error",
    "kaplan_meier",
    "kaplan_meier_moments",
    "pool_curves",
    "standard_error",
]


def standard_error(values: npt.ArrayLike) -> float:
    """Standard error of the mean of the finite ``values`` (NaN for fewer than two).

    Examples
    --------
    >>> standard_error([1.0, 3.0])
    1.0
    >>> standard_error([2.0, float("nan")])
    nan
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size < 2:
        return math.nan
    return float(np.std(v, ddof=1) / math.sqrt(v.size))


def block_average(values: npt.ArrayLike, n_blocks: int) -> tuple[float, float]:
    """Mean and standard error of a correlated series by block averaging.

    The series is cut into ``n_blocks`` contiguous blocks; the error is the standard
    deviation of the block means over sqrt(n_blocks).

    Raises
    ------
    ValueError
        If ``n_blocks < 2`` or the series is shorter than ``n_blocks``.

    Examples
    --------
    >>> block_average([1.0, 1.0, 3.0, 3.0], 2)
    (2.0, 1.0)
    """
    x = np.asarray(values, dtype=np.float64)
    if n_blocks < 2:
        raise ValueError(f"n_blocks must be >= 2, got {n_blocks}")
    if x.size < n_blocks:
        raise ValueError(f"need at least {n_blocks} values for {n_blocks} blocks, got {x.size}")
    means = np.array([b.mean() for b in np.array_split(x, n_blocks)])
    return float(means.mean()), float(means.std(ddof=1) / np.sqrt(n_blocks))


def combine_runs(means: npt.ArrayLike, errors: npt.ArrayLike) -> tuple[float, float]:
    """Mean over independent runs (seeds) and its error by the one rule for time series.

    One run: its own (between-window) error. Several runs: the between-seed spread,
    ``std(means, ddof=1) / sqrt(n)``, which measures the error with every correlation
    included, but never less than the runs' own errors combined, ``sqrt(mean(errors²) / n)``.
    The floor matters for 2-3 seeds: their spread has 1-2 degrees of freedom and comes out
    near zero by chance (measured: three seeds of the medium preset at rho = 1.322 whose
    stresses at 3e-2 agree to 0.004 against within-run errors of 0.014), and a fit
    weighted by such an error treats one point as exact.

    Raises
    ------
    ValueError
        Without runs, or with a different number of means and errors.

    Examples
    --------
    >>> combine_runs([1.0, 3.0], [0.1, 0.1])
    (2.0, 1.0)
    >>> combine_runs([2.0], [0.5])
    (2.0, 0.5)
    >>> combine_runs([2.0, 2.0], [0.4, 0.4])  # identical seeds: the runs' own errors remain
    (2.0, 0.28284271247461906)
    """
    m = np.asarray(means, dtype=np.float64).ravel()
    e = np.asarray(errors, dtype=np.float64).ravel()
    if m.size == 0 or m.shape != e.shape:
        raise ValueError("combine_runs needs at least one run and one error per run")
    if m.size == 1:
        return float(m[0]), float(e[0])
    between = float(m.std(ddof=1) / np.sqrt(m.size))
    within = float(np.sqrt(np.mean(e**2) / m.size))
    return float(m.mean()), max(between, within)


#: Bootstrap resamples used for every frozen-matrix error (fixed seed: reproducible tables).
N_BOOTSTRAP = 1000
BOOTSTRAP_SEED = 12345


def bootstrap(
    statistic: Callable[..., float],
    *samples: npt.ArrayLike,
    n_resamples: int = N_BOOTSTRAP,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """A statistic over blocks and its bootstrap standard error.

    The ``samples`` are paired per block (equal length ``n``); each resample draws ``n``
    block indices with replacement and evaluates ``statistic`` on the resampled arrays.
    The error is the standard deviation of the finite resampled values (NaN when fewer
    than 2 blocks or fewer than half of the resamples are finite).

    Parameters
    ----------
    statistic : callable
        ``statistic(*arrays) -> float``.
    *samples : array_like, shape (n,) or (n, ...)
        Per-block data, resampled together.
    n_resamples : int
        Number of bootstrap resamples.
    seed : int
        Seed of the resampling generator.

    Returns
    -------
    value, error : float
        ``statistic`` of the data and its bootstrap standard error.

    Examples
    --------
    >>> x = np.arange(100.0)
    >>> value, err = bootstrap(np.mean, x)
    >>> value, bool(abs(err - x.std() / 10) < 0.3)
    (49.5, True)
    """
    arrays = [np.asarray(s) for s in samples]
    if not arrays:
        raise ValueError("bootstrap needs at least one sample")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("bootstrap samples must have equal lengths (one entry per block)")
    value = float(statistic(*arrays)) if n else math.nan
    if n < 2:
        return value, math.nan
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    vals = np.array([statistic(*(a[i] for a in arrays)) for i in idx], dtype=np.float64)
    vals = vals[np.isfinite(vals)]
    if vals.size < max(2, n_resamples // 2):
        return value, math.nan
    return value, float(vals.std(ddof=1))


def kaplan_meier(values: npt.ArrayLike, observed: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Kaplan–Meier survival function of right-censored data.

    Parameters
    ----------
    values : array_like, shape (n,)
        Event value of an observed entry, censoring value (a lower bound of the unknown
        event value) of a censored one.
    observed : array_like of bool, shape (n,)
        True for an event, False for a censored entry.

    Returns
    -------
    support, survival : ndarray
        Distinct event values ``v_k`` (increasing) and ``S(v_k) = P(value > v_k)``.
        At ties a censored entry counts as still at risk at the event value.

    Examples
    --------
    No censoring: the empirical survival function.

    >>> kaplan_meier([1.0, 2.0, 3.0, 4.0], [True] * 4)[1]
    array([0.75, 0.5 , 0.25, 0.  ])

    One censored entry at 2.5: the three entries beyond it share its mass.

    >>> kaplan_meier([1.0, 2.0, 2.5, 3.0], [True, True, False, True])[1]
    array([0.75, 0.5 , 0.  ])
    """
    v = np.asarray(values, dtype=np.float64)
    obs = np.asarray(observed, dtype=bool)
    if v.shape != obs.shape or v.ndim != 1:
        raise ValueError("values and observed must be 1D of equal length")
    if not np.all(np.isfinite(v)):
        raise ValueError("Kaplan-Meier values must be finite")
    support, events = np.unique(v[obs], return_counts=True)
    at_risk = v.size - np.searchsorted(np.sort(v), support, side="left")
    survival = np.cumprod(1.0 - events / at_risk)
    return support.astype(np.float64), survival.astype(np.float64)


def kaplan_meier_moments(values: npt.ArrayLike, observed: npt.ArrayLike) -> tuple[float, float]:
    """Mean and standard deviation of the Kaplan–Meier distribution of censored data.

    The distribution puts mass ``S(v_{k-1}) - S(v_k)`` on each event value. When the largest
    entries are censored the survival does not reach 0; the remaining mass is put at the
    largest censoring value (a lower bound: the estimate is then biased low, by less than
    the censored fraction beyond the last event times the spread of the tail). With no
    censoring this is the sample mean and the ``ddof = 0`` standard deviation.

    Returns
    -------
    mean, std : float
        NaN without any observed event.

    Examples
    --------
    >>> kaplan_meier_moments([1.0, 2.0, 3.0], [True, True, True])
    (2.0, 0.816496580927726)
    >>> [round(v, 6) for v in kaplan_meier_moments([1.0, 2.0, 5.0], [True, True, False])]
    [2.666667, 1.699673]
    """
    v = np.asarray(values, dtype=np.float64)
    obs = np.asarray(observed, dtype=bool)
    support, survival = kaplan_meier(v, obs)
    if support.size == 0:
        return math.nan, math.nan
    mass = -np.diff(np.concatenate([[1.0], survival]))
    tail = float(survival[-1])
    points = support
    if tail > 1e-12:
        points = np.append(support, v[~obs].max())
        mass = np.append(mass, tail)
    mean = float(np.sum(mass * points))
    std = float(np.sqrt(max(np.sum(mass * (points - mean) ** 2), 0.0)))
    return mean, std


def jackknife_error(leave_one_out: npt.ArrayLike) -> float:
    """Jackknife standard error from the ``n`` leave-one-out estimates of a statistic.

    ``sqrt((n − 1)/n · Σ (θ_(i) − θ̄)²)``; NaN for fewer than two finite estimates.

    Examples
    --------
    >>> round(jackknife_error([1.0, 2.0, 3.0]), 12)
    1.154700538379
    """
    v = np.asarray(leave_one_out, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size < 2:
        return math.nan
    return float(np.sqrt((v.size - 1) / v.size * np.sum((v - v.mean()) ** 2)))


def pool_curves(curves: pd.DataFrame, column: str) -> pd.DataFrame:
    """Average curves of several runs (seeds) at equal ``lag``, weighted by their counts n.

    Lags are matched to 1e-9; a lag whose counts sum to zero is left out.

    Parameters
    ----------
    curves : DataFrame
        Columns ``lag``, ``column`` and ``n`` (samples behind each value), stacked runs.
    column : str
        The curve to average (e.g. ``C_p`` or ``msd``).

    Returns
    -------
    DataFrame
        Columns ``lag``, ``column``, ``n`` (summed), sorted by lag.

    Examples
    --------
    >>> c = pd.DataFrame({"lag": [0.0, 1.0, 1.0], "msd": [0.0, 1.0, 4.0], "n": [5, 3, 1]})
    >>> pool_curves(c, "msd")["msd"].tolist()
    [0.0, 1.75]
    """
    rows = []
    for lag, g in curves.groupby(np.round(curves["lag"], 9), sort=True):
        if g["n"].sum() > 0:
            rows.append(
                {
                    "lag": lag,
                    column: float(np.average(g[column], weights=g["n"])),
                    "n": g["n"].sum(),
                }
            )
    return pd.DataFrame(rows, columns=["lag", column, "n"])
