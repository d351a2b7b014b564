"""Local yield stresses from frozen-matrix stress–strain curves (paper §3.4, Fig. 5b).

A frozen-matrix test (:mod:`mechnoise.frozen_matrix.protocol`) gives each block's quasi-static curve
``stress(strain)``: the block shear stress along the loading direction, ``direction *
σ_xy^m``, against the strain along that direction; point 0 is the unstrained snapshot and
point 1 the probe step of the local modulus. This module turns curves into the paper's
quantities with one stated rule (DESIGN §3: the curve softens smoothly before an instability,
step decreases of order ``G δγ``):

* local modulus ``G_local = (stress[1] - stress[0]) / (strain[1] - strain[0])``;
* a decrease between consecutive points larger than
  ``drop_factor * max(G_local, modulus_floor) * strain_step`` is a plastic drop (``strain_step``
  is the coarse step, so the rule does not depend on how finely a drop was bisected);
* ``σ_c^m`` = the largest stress up to the first plastic drop (the "first maximum");
  ``strain_at_yield`` its strain; ``Δσ^m`` = the stress decrease across that drop;
* a curve without a plastic drop up to ``max_strain`` never yielded: ``yielded`` is False and
  ``sigma_c``, ``sigma_drop``, ``strain_at_yield`` are NaN (never a bogus maximum).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mechnoise._typing import FloatArray
from mechnoise.stats import standard_error

log = logging.getLogger(__name__)


#: Lower bound of the modulus entering the drop threshold (eps/sigma²), for the rare block whose
#: probe slope is not positive; local moduli of the model glass are ~10-40.
MODULUS_FLOOR = 1.0

#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/local_yield.parquet``.
LOCAL_YIELD_COLUMNS: dict[str, tuple[str, str, str]] = {
    "config": ("int32", "-", "snapshot index (0 .. n_configs-1) at this density"),
    "bx": ("int32", "-", "block index along the first lattice vector (0 .. M-1)"),
    "by": ("int32", "-", "block index along y (0 .. M-1)"),
    "direction": ("int8", "-", "loading direction: 1 = +xy (along the flow), -1 = -xy"),
    "sigma_c": (
        "float64",
        "eps/sigma^2",
        "local yield stress sigma_c^m: largest block stress (along the loading direction) "
        "before the first plastic drop; NaN if the block never yielded",
    ),
    "sigma_drop": (
        "float64",
        "eps/sigma^2",
        "local stress drop Delta sigma^m across the first plastic drop; NaN if never yielded",
    ),
    "strain_at_yield": ("float64", "-", "applied strain at sigma_c; NaN if never yielded"),
    "local_modulus": (
        "float64",
        "eps/sigma^2",
        "initial slope of the block stress-strain curve (frozen-matrix local shear modulus)",
    ),
    "initial_stress": (
        "float64",
        "eps/sigma^2",
        "block stress of the relaxed unstrained snapshot, along the loading direction "
        "(direction * sigma_xy^m)",
    ),
    "yielded": ("bool", "-", "False if no plastic drop occurred up to yield_test.max_strain"),
}

#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/curves.parquet``.
CURVE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "config": ("int32", "-", "snapshot index"),
    "bx": ("int32", "-", "block index along the first lattice vector"),
    "by": ("int32", "-", "block index along y"),
    "direction": ("int8", "-", "loading direction (1 = +xy, -1 = -xy)"),
    "strain": ("float64", "-", "applied strain along the loading direction (0 = snapshot)"),
    "stress": (
        "float64",
        "eps/sigma^2",
        "block shear stress along the loading direction, direction * sigma_xy^m",
    ),
}

#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/yield_summary.parquet``.
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = {
    "density": ("float64", "sigma^-2", "number density rho"),
    "direction": ("int8", "-", "loading direction (1 = +xy, -1 = -xy)"),
    "n_blocks": ("int32", "-", "blocks tested (all configs)"),
    "n_yielded": ("int32", "-", "blocks with a plastic drop before max_strain"),
    "fraction_never_yielded": ("float64", "-", "1 - n_yielded / n_blocks"),
    "sigma_c_mean": ("float64", "eps/sigma^2", "<sigma_c^m> over yielded blocks"),
    "sigma_c_mean_err": ("float64", "eps/sigma^2", "standard error of <sigma_c^m>"),
    "sigma_c_std": ("float64", "eps/sigma^2", "standard deviation delta sigma_c^m"),
    "gauss_mu": ("float64", "eps/sigma^2", "mean of a Gaussian fitted to the histogram"),
    "gauss_mu_err": ("float64", "eps/sigma^2", "1-sigma error of gauss_mu (fit covariance)"),
    "gauss_sigma": ("float64", "eps/sigma^2", "width of the fitted Gaussian"),
    "gauss_sigma_err": ("float64", "eps/sigma^2", "1-sigma error of gauss_sigma"),
    "sigma_drop_mean": ("float64", "eps/sigma^2", "<Delta sigma^m> over yielded blocks"),
    "sigma_drop_mean_err": ("float64", "eps/sigma^2", "standard error of <Delta sigma^m>"),
    "drop_ratio": ("float64", "-", "<Delta sigma^m> / <sigma_c^m> (paper: ~0.2)"),
    "drop_ratio_err": ("float64", "-", "error of drop_ratio (delta method, paired blocks)"),
    "drop_factor": ("float64", "-", "drop rule used: decrease > drop_factor G_local strain_step"),
    "drop_ratio_half_factor": ("float64", "-", "drop_ratio re-analysed at drop_factor / 2"),
    "drop_ratio_double_factor": ("float64", "-", "drop_ratio re-analysed at 2 drop_factor"),
    "sigma_c_mean_half_factor": ("float64", "eps/sigma^2", "<sigma_c^m> at drop_factor / 2"),
    "sigma_c_mean_double_factor": ("float64", "eps/sigma^2", "<sigma_c^m> at 2 drop_factor"),
    "local_modulus_mean": ("float64", "eps/sigma^2", "mean local (frozen-matrix) modulus"),
    "local_modulus_err": ("float64", "eps/sigma^2", "standard error of the mean modulus"),
    "initial_stress_mean": ("float64", "eps/sigma^2", "mean block stress of the snapshots"),
}


@dataclass(frozen=True)
class CurveResult:
    """Local yield quantities of one curve (see the module docstring for the rule)."""

    sigma_c: float
    sigma_drop: float
    strain_at_yield: float
    local_modulus: float
    initial_stress: float
    yielded: bool


def analyze_curve(
    strain: FloatArray,
    stress: FloatArray,
    strain_step: float,
    drop_factor: float,
    modulus_floor: float = MODULUS_FLOOR,
) -> CurveResult:
    """Local yield stress, stress drop and modulus of one frozen-matrix curve.

    Parameters
    ----------
    strain : ndarray of float64, shape (n,)
        Increasing strains along the loading direction; ``strain[0]`` is the snapshot.
    stress : ndarray of float64, shape (n,)
        Block stress along the loading direction (eps/sigma²).
    strain_step : float
        Coarse strain step ``δγ`` of the protocol (sets the drop threshold).
    drop_factor : float
        A decrease ``stress[i] - stress[i+1] > drop_factor * G * strain_step`` is a plastic
        drop, with ``G = max(G_local, modulus_floor)``.
    modulus_floor : float
        Lower bound of ``G`` in the threshold (eps/sigma²).

    Returns
    -------
    CurveResult

    Raises
    ------
    ValueError
        If the arrays differ in shape, hold fewer than 2 points, or strains do not increase.

    Notes
    -----
    ``σ_c^m = max_{j <= i} stress[j]`` and ``Δσ^m = stress[i] - stress[i+1]`` for the first
    drop ``i``; the paper (§3.4) defines ``σ_c^m`` as the stress at the first maximum.

    Examples
    --------
    A saw tooth of slope 10 with coarse step 0.01: the threshold is 3 * 10 * 0.01 = 0.3, so
    the decrease of 0.5 is a plastic drop and the softening of 0.05 is not:

    >>> g = np.array([0.0, 0.01, 0.02, 0.03, 0.04])
    >>> s = np.array([0.0, 0.10, 0.05, 0.15, -0.35])
    >>> r = analyze_curve(g, s, strain_step=0.01, drop_factor=3.0)
    >>> round(r.sigma_c, 12), round(r.sigma_drop, 12), r.strain_at_yield, r.yielded
    (0.15, 0.5, 0.03, True)
    >>> round(r.local_modulus, 12)
    10.0
    """
    g = np.asarray(strain, dtype=np.float64)
    s = np.asarray(stress, dtype=np.float64)
    if g.shape != s.shape or g.ndim != 1 or len(g) < 2:
        raise ValueError(f"strain and stress must be 1D of equal length >= 2, got {g.shape}")
    if not np.all(np.diff(g) > 0):
        raise ValueError("strains of a curve must increase strictly")
    modulus = float((s[1] - s[0]) / (g[1] - g[0]))
    threshold = drop_factor * max(modulus, modulus_floor) * strain_step
    drops = np.flatnonzero(s[:-1] - s[1:] > threshold)
    if len(drops) == 0:
        return CurveResult(math.nan, math.nan, math.nan, modulus, float(s[0]), False)
    i = int(drops[0])
    peak = int(np.argmax(s[: i + 1]))
    return CurveResult(
        sigma_c=float(s[peak]),
        sigma_drop=float(s[i] - s[i + 1]),
        strain_at_yield=float(g[peak]),
        local_modulus=modulus,
        initial_stress=float(s[0]),
        yielded=True,
    )


def local_yield_table(
    curves: pd.DataFrame,
    strain_step: float,
    drop_factor: float,
    modulus_floor: float = MODULUS_FLOOR,
) -> pd.DataFrame:
    """Analyse every curve of a ``curves.parquet`` table (columns of :data:`CURVE_COLUMNS`).

    Returns
    -------
    DataFrame
        One row per ``(config, bx, by, direction)`` with :data:`LOCAL_YIELD_COLUMNS`.

    Examples
    --------
    >>> curves = pd.DataFrame({"config": 0, "bx": 0, "by": [0] * 3, "direction": 1,
    ...                        "strain": [0.0, 0.1, 0.2], "stress": [0.0, 1.0, 2.0]})
    >>> local_yield_table(curves, 0.1, 3.0)[["sigma_c", "local_modulus", "yielded"]]
       sigma_c  local_modulus  yielded
    0      NaN           10.0    False
    """
    missing = [c for c in CURVE_COLUMNS if c not in curves.columns]
    if missing:
        raise ValueError(f"curves table lacks columns {missing}")
    rows = []
    keys = ["config", "bx", "by", "direction"]
    for key, df in curves.sort_values([*keys, "strain"]).groupby(keys, sort=True):
        r = analyze_curve(
            df["strain"].to_numpy(),
            df["stress"].to_numpy(),
            strain_step,
            drop_factor,
            modulus_floor,
        )
        rows.append(dict(zip(keys, key, strict=True), **r.__dict__))
    return pd.DataFrame(rows, columns=list(LOCAL_YIELD_COLUMNS))


def fit_gaussian(values: FloatArray, bins: int | str = "auto") -> tuple[float, float, float, float]:
    """Least-squares Gaussian fit to the normalized histogram of ``values``.

    Returns
    -------
    mu, mu_err, sigma, sigma_err : float
        Fitted mean and width with their 1-sigma errors from the fit covariance (histogram
        counts weighted by Poisson errors). NaN when fewer than 4 values or the fit fails.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> mu, mu_err, sigma, sigma_err = fit_gaussian(rng.normal(2.0, 0.5, 20000))
    >>> abs(mu - 2.0) < 0.02, abs(sigma - 0.5) < 0.02
    (True, True)
    """
    from scipy.optimize import curve_fit

    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if len(x) < 4 or np.std(x) == 0:
        return (math.nan,) * 4
    counts, edges = np.histogram(x, bins=bins)
    width = np.diff(edges)
    centres = 0.5 * (edges[1:] + edges[:-1])
    density = counts / (len(x) * width)
    err = np.sqrt(np.maximum(counts, 1)) / (len(x) * width)

    def gauss(z: FloatArray, mu: float, sigma: float) -> FloatArray:
        return np.exp(-0.5 * ((z - mu) / sigma) ** 2) / (np.sqrt(2 * np.pi) * abs(sigma))

    try:
        p, cov = curve_fit(gauss, centres, density, p0=(x.mean(), x.std()), sigma=err)
    except (RuntimeError, ValueError):
        return (math.nan,) * 4
    perr = np.sqrt(np.diag(cov)) if np.all(np.isfinite(cov)) else (math.nan, math.nan)
    return float(p[0]), float(perr[0]), float(abs(p[1])), float(perr[1])


def _ratio(table: pd.DataFrame) -> tuple[float, float, float]:
    """<Δσ>/<σ_c> with a paired delta-method error, and <σ_c>, over yielded rows."""
    y = table[table["yielded"]]
    n = len(y)
    if n == 0:
        return math.nan, math.nan, math.nan
    c = y["sigma_c"].to_numpy()
    d = y["sigma_drop"].to_numpy()
    mc, md = c.mean(), d.mean()
    ratio = md / mc
    if n < 2:
        return float(ratio), math.nan, float(mc)
    cov = np.cov(np.vstack([d, c])) / n
    var = ratio**2 * (cov[0, 0] / md**2 + cov[1, 1] / mc**2 - 2 * cov[0, 1] / (md * mc))
    return float(ratio), float(np.sqrt(max(var, 0.0))), float(mc)


def summarize_local_yield(
    curves: pd.DataFrame,
    density: float,
    strain_step: float,
    drop_factor: float,
    modulus_floor: float = MODULUS_FLOOR,
) -> pd.DataFrame:
    """Per-direction summary of one density (columns of :data:`SUMMARY_COLUMNS`).

    The drop rule is re-applied to the stored curves at ``drop_factor``, ``drop_factor / 2``
    and ``2 drop_factor`` (the sensitivity DESIGN §3 asks for). Errors are standard errors over
    blocks, treating blocks as independent.
    """
    tables = {
        f: local_yield_table(curves, strain_step, f, modulus_floor)
        for f in (drop_factor, drop_factor / 2, 2 * drop_factor)
    }
    rows = []
    for direction in sorted(tables[drop_factor]["direction"].unique(), reverse=True):
        t = tables[drop_factor]
        t = t[t["direction"] == direction]
        y = t[t["yielded"]]
        n, ny = len(t), len(y)
        ratio, ratio_err, _ = _ratio(t)
        mu, mu_err, sig, sig_err = fit_gaussian(y["sigma_c"].to_numpy())
        half = tables[drop_factor / 2]
        double = tables[2 * drop_factor]
        r_half, _, c_half = _ratio(half[half["direction"] == direction])
        r_double, _, c_double = _ratio(double[double["direction"] == direction])
        rows.append(
            {
                "density": density,
                "direction": direction,
                "n_blocks": n,
                "n_yielded": ny,
                "fraction_never_yielded": 1 - ny / n if n else math.nan,
                "sigma_c_mean": y["sigma_c"].mean() if ny else math.nan,
                "sigma_c_mean_err": standard_error(y["sigma_c"]),
                "sigma_c_std": y["sigma_c"].std(ddof=1) if ny > 1 else math.nan,
                "gauss_mu": mu,
                "gauss_mu_err": mu_err,
                "gauss_sigma": sig,
                "gauss_sigma_err": sig_err,
                "sigma_drop_mean": y["sigma_drop"].mean() if ny else math.nan,
                "sigma_drop_mean_err": standard_error(y["sigma_drop"]),
                "drop_ratio": ratio,
                "drop_ratio_err": ratio_err,
                "drop_factor": drop_factor,
                "drop_ratio_half_factor": r_half,
                "drop_ratio_double_factor": r_double,
                "sigma_c_mean_half_factor": c_half,
                "sigma_c_mean_double_factor": c_double,
                "local_modulus_mean": t["local_modulus"].mean(),
                "local_modulus_err": standard_error(t["local_modulus"]),
                "initial_stress_mean": t["initial_stress"].mean(),
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def curves_table(curves: Iterable[tuple[int, object]]) -> pd.DataFrame:
    """Long table (:data:`CURVE_COLUMNS`) from ``(config, BlockCurve)`` pairs."""
    parts = []
    for config, c in curves:
        n = len(c.strain)  # type: ignore[attr-defined]
        parts.append(
            pd.DataFrame(
                {
                    "config": np.full(n, config),
                    "bx": np.full(n, c.bx),  # type: ignore[attr-defined]
                    "by": np.full(n, c.by),  # type: ignore[attr-defined]
                    "direction": np.full(n, c.direction),  # type: ignore[attr-defined]
                    "strain": c.strain,  # type: ignore[attr-defined]
                    "stress": c.stress,  # type: ignore[attr-defined]
                }
            )
        )
    if not parts:
        return pd.DataFrame({k: pd.Series(dtype=v[0]) for k, v in CURVE_COLUMNS.items()})
    return pd.concat(parts, ignore_index=True)
