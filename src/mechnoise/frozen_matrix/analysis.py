"""Local yield stresses from frozen-matrix stress–strain curves (paper §3.4, Fig. 5b).

A frozen-matrix test (:mod:`mechnoise.frozen_matrix.protocol`) gives each block's
quasi-static curve ``stress(strain)``: the block stress ``τ_θ`` resolved on the loading
direction θ (``σ_xy^m`` at θ = 0, the flow;
:mod:`mechnoise.frozen_matrix.loading`), against the strain along it; point 0 is the relaxed,
unstrained snapshot and point 1 the probe step of the local modulus. The loading runs past
the first plastic drop to the second one (or to the strain cap ``yield_test.max_strain``),
and the drop rule is applied here, to the stored curves: changing it never reruns LAMMPS.
The rule (docs/design.md §3: the curve softens smoothly before an instability, step
decreases of order ``G δγ``):

* local modulus ``G_local = (stress[1] - stress[0]) / (strain[1] - strain[0])``;
* a decrease between consecutive points larger than
  ``drop_factor * max(G_local, modulus_floor) * strain_step`` is a plastic drop (``strain_step``
  is the coarse step, so the rule does not depend on how finely a drop was bisected);
  ``drop_factor = 0`` is the literal "first maximum" of the paper: any decrease is a drop;
* ``σ_c^m`` = the largest stress up to the first plastic drop (the "first maximum");
  ``strain_at_yield`` its strain; ``Δσ^m`` = the stress decrease across that drop (from the
  point before it, which is below ``σ_c^m`` when the curve softened first);
  ``stress_after_drop`` = ``σ_a`` the stress just after it;
* the second maximum ``σ_c^(2)`` = the largest stress after the first drop up to the second
  plastic drop, and the renewed distance to threshold ``x_post = σ_c^(2) − σ_a``. This is
  issue 12's ``σ_c^(2) − (σ_c^(1) − Δσ^(1))`` with the drop counted from the maximum
  (``σ_c^(1) − σ_a``); with ``Δσ^m`` counted across the drop alone the formula would go
  negative for blocks that soften before yielding (measured: most blocks soften);
* the starting distance to threshold ``x = σ_c^m − σ^m`` with ``σ^m`` = ``initial_stress``,
  the block stress of the snapshot (point 0);
* a curve without a plastic drop up to its end never yielded: ``yielded`` is False, the
  quantities above are NaN (never a bogus maximum) and ``stress_max`` (the largest stress
  reached, a lower bound of its unknown ``σ_c^m``) makes it a right-censored observation for
  the Kaplan–Meier estimate of ``<σ_c^m>`` (:func:`mechnoise.stats.kaplan_meier_moments`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mechnoise import columns, stats
from mechnoise._typing import FloatArray
from mechnoise.frozen_matrix.curves import CURVE_COLUMNS, CURVE_KEYS, curves_table, with_angles
from mechnoise.frozen_matrix.loading import direction_label

log = logging.getLogger(__name__)

__all__ = ["CURVE_COLUMNS", "curves_table"]  # re-exported: scripts import them from here


#: Lower bound of the modulus entering the drop threshold (eps/sigma²), for the rare block whose
#: probe slope is not positive; local moduli of the model glass are ~10-40.
MODULUS_FLOOR = 1.0


#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/local_yield.parquet``.
LOCAL_YIELD_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("frozen_matrix.local_yield")

#: Columns of :data:`CURVE_COLUMNS` an analysed curve table must hold (tables without the
#: convergence columns are analysed as converged, with a warning; tables without ``angle``,
#: written before loading angles, take it from ``direction``: 1 -> 0°, -1 -> 90°).
_CURVE_REQUIRED = ("config", "bx", "by", "direction", "strain", "stress")

#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/yield_summary.parquet``.
#: Errors are bootstrap standard errors over blocks (:func:`mechnoise.stats.bootstrap`).
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("frozen_matrix.summary")

#: column -> (dtype, unit, description) of
#: ``results/yield/rho{rho}/drop_rule_sensitivity.parquet``: the stored curves re-analysed
#: with other drop rules (no LAMMPS rerun); errors are bootstrap errors over blocks.
SENSITIVITY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("frozen_matrix.sensitivity")


@dataclass(frozen=True)
class CurveResult:
    """Local yield quantities of one curve (see the module docstring for the rule)."""

    sigma_c: float
    sigma_drop: float
    strain_at_yield: float
    local_modulus: float
    initial_stress: float
    yielded: bool
    stress_max: float
    strain_end: float
    x: float
    stress_after_drop: float
    sigma_c2: float
    sigma_drop2: float
    x_post: float
    yielded_twice: bool


def analyze_curve(
    strain: FloatArray,
    stress: FloatArray,
    strain_step: float,
    drop_factor: float,
    modulus_floor: float = MODULUS_FLOOR,
) -> CurveResult:
    """Local yield stress, stress drop, modulus and second event of one frozen-matrix curve.

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
        drop, with ``G = max(G_local, modulus_floor)``; 0: any decrease (first maximum).
    modulus_floor : float
        Lower bound of ``G`` in the threshold (eps/sigma²).

    Returns
    -------
    CurveResult

    Raises
    ------
    ValueError
        If the arrays differ in shape, hold fewer than 2 points, strains do not increase or
        ``drop_factor < 0``.

    Notes
    -----
    ``σ_c^m = max_{j <= i} stress[j]`` and ``Δσ^m = stress[i] - stress[i+1]`` for the first
    drop ``i``; the paper (§3.4) defines ``σ_c^m`` as the stress at the first maximum. The
    second maximum is ``σ_c^(2) = max_{i < j <= k} stress[j]`` for the second drop ``k``, and
    ``x_post = σ_c^(2) - stress[i+1]``, the renewed distance from the stress just after the
    first drop (issue 12's ``σ_c^(2) - (σ_c^m - Δσ^m)`` when ``Δσ^m`` is counted from the
    maximum; see the module docstring).

    Examples
    --------
    A saw tooth of slope 10 with coarse step 0.01: the threshold is 3 * 10 * 0.01 = 0.3, so
    the decreases of 0.5 and 0.4 are plastic drops and the softening of 0.05 is not:

    >>> g = np.array([0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07])
    >>> s = np.array([0.0, 0.10, 0.05, 0.15, -0.35, -0.25, -0.15, -0.55])
    >>> r = analyze_curve(g, s, strain_step=0.01, drop_factor=3.0)
    >>> [round(v, 12) for v in (r.sigma_c, r.sigma_drop, r.x, r.sigma_c2, r.x_post)]
    [0.15, 0.5, 0.15, -0.15, 0.2]
    >>> r.strain_at_yield, r.yielded, r.yielded_twice, round(r.local_modulus, 12)
    (0.03, True, True, 10.0)
    """
    g = np.asarray(strain, dtype=np.float64)
    s = np.asarray(stress, dtype=np.float64)
    if g.shape != s.shape or g.ndim != 1 or len(g) < 2:
        raise ValueError(f"strain and stress must be 1D of equal length >= 2, got {g.shape}")
    if not np.all(np.diff(g) > 0):
        raise ValueError("strains of a curve must increase strictly")
    if not drop_factor >= 0:
        raise ValueError(f"drop_factor must be >= 0 (yield_test.drop_factor), got {drop_factor!r}")
    modulus = float((s[1] - s[0]) / (g[1] - g[0]))
    threshold = drop_factor * max(modulus, modulus_floor) * strain_step
    drops = np.flatnonzero(s[:-1] - s[1:] > threshold)
    nan = math.nan
    if len(drops) == 0:
        return CurveResult(
            *(nan, nan, nan, modulus, float(s[0]), False, float(s.max()), float(g[-1])),
            *(nan, nan, nan, nan, nan, False),
        )
    i = int(drops[0])
    peak = int(np.argmax(s[: i + 1]))
    sigma_c = float(s[peak])
    sigma_drop = float(s[i] - s[i + 1])
    c2 = d2 = xp = nan
    twice = len(drops) > 1
    if twice:
        k = int(drops[1])
        c2 = float(s[i + 1 : k + 1].max())
        d2 = float(s[k] - s[k + 1])
        xp = c2 - float(s[i + 1])
    return CurveResult(
        sigma_c=sigma_c,
        sigma_drop=sigma_drop,
        strain_at_yield=float(g[peak]),
        local_modulus=modulus,
        initial_stress=float(s[0]),
        yielded=True,
        stress_max=sigma_c,
        strain_end=float(g[-1]),
        x=sigma_c - float(s[0]),
        stress_after_drop=float(s[i + 1]),
        sigma_c2=c2,
        sigma_drop2=d2,
        x_post=xp,
        yielded_twice=twice,
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
        One row per ``(config, bx, by, angle)`` with :data:`LOCAL_YIELD_COLUMNS`
        (``direction``: 1 at 0°, -1 at 90°, 0 at other angles).

    Raises
    ------
    ValueError
        If the table lacks a column of :data:`CURVE_COLUMNS`.

    Examples
    --------
    >>> curves = pd.DataFrame({"config": 0, "bx": 0, "by": [0] * 3, "direction": 1,
    ...                        "strain": [0.0, 0.1, 0.2], "stress": [0.0, 1.0, 2.0]})
    >>> local_yield_table(curves, 0.1, 3.0)[["angle", "sigma_c", "stress_max", "yielded"]]
       angle  sigma_c  stress_max  yielded
    0    0.0      NaN         2.0    False
    """
    missing = [c for c in _CURVE_REQUIRED if c not in curves.columns]
    if missing:
        raise ValueError(f"curves table lacks columns {missing}")
    if "converged" not in curves.columns:
        log.warning("curves table without a 'converged' column: points taken as converged")
        curves = curves.assign(converged=True)
    curves = with_angles(curves)
    rows = []
    keys = CURVE_KEYS
    for key, df in curves.sort_values([*keys, "strain"]).groupby(keys, sort=True):
        g = df["strain"].to_numpy()
        stress = df["stress"].to_numpy()
        r = analyze_curve(g, stress, strain_step, drop_factor, modulus_floor)
        ok = df["converged"].to_numpy(dtype=bool)
        end = len(g)
        if r.yielded:  # the point just after the first drop: first later point at sigma_a
            after = (g > r.strain_at_yield) & (stress == r.stress_after_drop)
            end = int(np.flatnonzero(after)[0]) + 1
        row = dict(zip(keys, key, strict=True), **r.__dict__)
        row["direction"] = direction_label(float(row["angle"]))
        row["n_unconverged"] = int(np.count_nonzero(~ok))
        row["converged_to_drop"] = bool(ok[:end].all())
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(LOCAL_YIELD_COLUMNS))
    bad = table[~table["converged_to_drop"].astype(bool)]
    for _, b in bad.iterrows():
        log.warning(
            "config %d block (%d, %d) angle %g: %d unconverged minimizations up to its "
            "first drop; left out of the summary statistics",
            b["config"], b["bx"], b["by"], b["angle"], b["n_unconverged"],
        )  # fmt: skip
    return table


def _mean(x: FloatArray) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _ratio_of_means(d: FloatArray, c: FloatArray) -> float:
    return float(np.mean(d) / np.mean(c)) if len(c) else math.nan


def _km_mean(value: FloatArray, observed: FloatArray) -> float:
    return stats.kaplan_meier_moments(value, observed)[0]


def _km_std(value: FloatArray, observed: FloatArray) -> float:
    return stats.kaplan_meier_moments(value, observed)[1]


def yield_statistics(table: pd.DataFrame) -> dict[str, float]:
    """Means over blocks of one ``local_yield`` table with their bootstrap errors.

    Yielded-only means (``sigma_c_mean``, ``sigma_drop_mean``, ``drop_ratio``, ``x_mean``),
    the Kaplan–Meier mean and spread of ``σ_c^m`` with never-yielded blocks censored at their
    largest stress (``sigma_c_km``, ``sigma_c_km_std``), and the second-event means over the
    blocks that yielded twice. Every error is :func:`mechnoise.stats.bootstrap` over blocks.
    Blocks with ``converged_to_drop`` False (when the column is present) are left out and
    counted in ``n_unconverged_blocks``.

    Examples
    --------
    Three blocks yielded at 1, 2, 3 and one censored above them at 5: the yielded-only mean
    is 2, the censored estimate puts the remaining quarter of the mass at 5.

    >>> nan = np.nan
    >>> t = pd.DataFrame({"sigma_c": [1.0, 2.0, 3.0, nan], "stress_max": [1.0, 2.0, 3.0, 5.0],
    ...                   "yielded": [True, True, True, False],
    ...                   "sigma_drop": [0.2, 0.4, 0.6, nan], "x": [0.5, 1.0, 1.5, nan],
    ...                   "x_post": nan, "sigma_c2": nan, "stress_after_drop": [0.8, 1.6, 2.4, nan],
    ...                   "local_modulus": 20.0, "initial_stress": 0.5})
    >>> s = yield_statistics(t)
    >>> s["sigma_c_mean"], s["sigma_c_km"], round(s["drop_ratio"], 12), s["fraction_yielded"]
    (2.0, 2.75, 0.2, 0.75)
    """
    n_bad = 0
    if "converged_to_drop" in table.columns:
        keep = table["converged_to_drop"].astype(bool)
        n_bad = int(np.count_nonzero(~keep))
        table = table[keep]
    y = table[table["yielded"].astype(bool)]
    twice = table[np.isfinite(table["x_post"].to_numpy(dtype=np.float64))]
    n, ny = len(table), len(y)
    c = y["sigma_c"].to_numpy(dtype=np.float64)
    d = y["sigma_drop"].to_numpy(dtype=np.float64)
    value = np.where(table["yielded"].astype(bool), table["sigma_c"], table["stress_max"]).astype(
        np.float64
    )
    observed = table["yielded"].to_numpy(dtype=bool)
    out: dict[str, float] = {"n_blocks": n, "n_yielded": ny, "n_unconverged_blocks": n_bad}
    out["fraction_yielded"] = ny / n if n else math.nan
    out["sigma_c_mean"], out["sigma_c_mean_err"] = stats.bootstrap(_mean, c)
    out["sigma_c_std"] = float(np.std(c, ddof=1)) if ny > 1 else math.nan
    if ny:
        out["sigma_c_km"], out["sigma_c_km_err"] = stats.bootstrap(_km_mean, value, observed)
        out["sigma_c_km_std"], out["sigma_c_km_std_err"] = stats.bootstrap(_km_std, value, observed)
    else:
        out.update(sigma_c_km=math.nan, sigma_c_km_err=math.nan)
        out.update(sigma_c_km_std=math.nan, sigma_c_km_std_err=math.nan)
    out["sigma_drop_mean"], out["sigma_drop_mean_err"] = stats.bootstrap(_mean, d)
    out["drop_ratio"], out["drop_ratio_err"] = stats.bootstrap(_ratio_of_means, d, c)
    out["x_mean"], out["x_mean_err"] = stats.bootstrap(_mean, y["x"].to_numpy(dtype=np.float64))
    out["stress_after_drop_mean"] = _mean(y["stress_after_drop"].to_numpy(dtype=np.float64))
    out["n_yielded_twice"] = len(twice)
    out["sigma_c2_mean"], out["sigma_c2_mean_err"] = stats.bootstrap(
        _mean, twice["sigma_c2"].to_numpy(dtype=np.float64)
    )
    out["x_post_mean"], out["x_post_mean_err"] = stats.bootstrap(
        _mean, twice["x_post"].to_numpy(dtype=np.float64)
    )
    out["local_modulus_mean"], out["local_modulus_err"] = stats.bootstrap(
        _mean, table["local_modulus"].to_numpy(dtype=np.float64)
    )
    out["initial_stress_mean"] = _mean(table["initial_stress"].to_numpy(dtype=np.float64))
    return out


#: Drop rules of the sensitivity table: name -> factor relative to ``yield_test.drop_factor``
#: (``"first maximum"`` is the absolute factor 0: any decrease).
SENSITIVITY_RULES: dict[str, float] = {
    "first maximum": 0.0,
    "half": 0.5,
    "config": 1.0,
    "double": 2.0,
}


def drop_rule_sensitivity(
    curves: pd.DataFrame,
    density: float,
    strain_step: float,
    drop_factor: float,
    modulus_floor: float = MODULUS_FLOOR,
) -> pd.DataFrame:
    """The stored curves re-analysed with the drop rules of :data:`SENSITIVITY_RULES`.

    Returns
    -------
    DataFrame
        One row per loading angle and rule (:data:`SENSITIVITY_COLUMNS`); the relative
        changes are taken against the ``"config"`` rule.
    """
    rows = []
    for rule, mult in SENSITIVITY_RULES.items():
        table = local_yield_table(curves, strain_step, mult * drop_factor, modulus_floor)
        for angle in sorted(table["angle"].unique()):
            st = yield_statistics(table[table["angle"] == angle])
            rows.append(
                {
                    "density": density,
                    "angle": angle,
                    "direction": direction_label(float(angle)),
                    "rule": rule,
                    "drop_factor": mult * drop_factor,
                    **{k: st[k] for k in SENSITIVITY_COLUMNS if k in st},
                }
            )
    out = pd.DataFrame(rows)
    means = {"sigma_c": "sigma_c_mean", "sigma_drop": "sigma_drop_mean", "drop_ratio": "drop_ratio"}
    for _, group in out.groupby("angle"):
        ref = group[group["rule"] == "config"].iloc[0]
        for col, mean in means.items():
            out.loc[group.index, f"{col}_rel_change"] = group[mean] / ref[mean] - 1
    return out[list(SENSITIVITY_COLUMNS)]


def summarize_local_yield(
    curves: pd.DataFrame,
    density: float,
    strain_step: float,
    drop_factor: float,
    modulus_floor: float = MODULUS_FLOOR,
) -> pd.DataFrame:
    """Per-angle summary of one density (columns of :data:`SUMMARY_COLUMNS`).

    The drop rule is re-applied to the stored curves at ``drop_factor``, ``drop_factor / 2``
    and ``2 drop_factor`` (the sensitivity docs/design.md §3 asks for). Errors are bootstrap errors
    over blocks (:func:`yield_statistics`).
    """
    tables = {
        f: local_yield_table(curves, strain_step, f, modulus_floor)
        for f in (drop_factor, drop_factor / 2, 2 * drop_factor)
    }
    last = with_angles(curves).groupby(CURVE_KEYS)["strain"].max()
    rows = []
    for angle in sorted(tables[drop_factor]["angle"].unique()):
        t = tables[drop_factor]
        t = t[t["angle"] == angle]
        st = yield_statistics(t)
        y = t[t["yielded"]]
        mu, mu_err, sig, sig_err = fit_gaussian(y["sigma_c"].to_numpy())
        half = tables[drop_factor / 2]
        double = tables[2 * drop_factor]
        half = yield_statistics(half[half["angle"] == angle])
        double = yield_statistics(double[double["angle"] == angle])
        rows.append(
            {
                **st,
                "density": density,
                "angle": angle,
                "direction": direction_label(float(angle)),
                "fraction_never_yielded": 1 - st["fraction_yielded"],
                "strain_cap": float(last.max()),
                "gauss_mu": mu,
                "gauss_mu_err": mu_err,
                "gauss_sigma": sig,
                "gauss_sigma_err": sig_err,
                "drop_factor": drop_factor,
                "drop_ratio_half_factor": half["drop_ratio"],
                "drop_ratio_double_factor": double["drop_ratio"],
                "sigma_c_mean_half_factor": half["sigma_c_mean"],
                "sigma_c_mean_double_factor": double["sigma_c_mean"],
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


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
