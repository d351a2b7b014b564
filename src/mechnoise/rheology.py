"""Flow curves: steady-state stress with errors, Herschel–Bulkley fits and the shear modulus G0.

Stresses are sigma_xy = -p_xy (eps/sigma^2); rates in 1/tau0; strain dimensionless.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import curve_fit

from mechnoise import columns
from mechnoise._typing import FloatArray
from mechnoise.stats import block_average

log = logging.getLogger(__name__)


#: Columns of ``results/flow_curve.parquet``.
FLOW_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("rheology.flow_curve")

#: Columns of ``results/hb_fit.parquet``.
HB_FIT_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("rheology.hb_fit")

#: Columns of ``results/modulus.parquet``.
MODULUS_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("rheology.modulus")


def steady_state_stress(thermo: pd.DataFrame, n_blocks: int) -> tuple[float, float, float]:
    """Steady-state mean stress of one run: ``(mean, error, strain span)``.

    Only rows flagged ``steady`` (``thermo.parquet``: strain beyond the run's discarded
    transient) count; the error comes from :func:`mechnoise.stats.block_average`.
    """
    steady = thermo[thermo["steady"]]
    if steady.empty:
        raise ValueError("no thermo rows in the steady state")
    mean, err = block_average(steady["stress"].to_numpy(), n_blocks)
    span = float(steady["strain"].max() - steady["strain"].min())
    return mean, err, span


@dataclass(frozen=True)
class HBFit:
    """Herschel–Bulkley parameters sigma = sigma_y + A gamma_dot^n with one-sigma errors."""

    sigma_y: float
    sigma_y_err: float
    prefactor: float
    prefactor_err: float
    exponent: float
    exponent_err: float
    chi2_red: float
    n_rates: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _hb(rate: FloatArray, sigma_y: float, a: float, n: float) -> FloatArray:
    return sigma_y + a * rate**n


def fit_herschel_bulkley(
    shear_rate: npt.ArrayLike,
    stress: npt.ArrayLike,
    stress_err: npt.ArrayLike | None = None,
    n: float | None = None,
) -> HBFit:
    """Fit sigma = sigma_y + A gamma_dot^n.

    Parameters
    ----------
    shear_rate : array_like, shape (k,)
        Shear rates (1/tau0), > 0.
    stress : array_like, shape (k,)
        Mean stresses (eps/sigma^2).
    stress_err : array_like, shape (k,), optional
        One-sigma errors used as weights (absolute). Without them the fit is unweighted and
        the parameter errors are scaled by the residuals.
    n : float, optional
        Fixed exponent (the HL value is 1/2); None fits n too.

    Notes
    -----
    With ``stress_err`` the parameter errors come from the covariance of the weighted fit
    and are multiplied by ``sqrt(chi2_red)`` when ``chi2_red > 1`` (the residuals exceed the
    stated errors: a poor fit or underestimated errors); without it they are scaled by the
    residuals.

    Returns
    -------
    HBFit

    Raises
    ------
    ValueError
        With fewer rates than free parameters, non-positive rates or non-finite input.

    Examples
    --------
    >>> rate = np.array([1e-4, 1e-3, 1e-2, 1e-1])
    >>> fit = fit_herschel_bulkley(rate, 0.5 + 2.0 * rate**0.5, n=0.5)
    >>> round(fit.sigma_y, 10), round(fit.prefactor, 10)
    (0.5, 2.0)
    """
    x = np.asarray(shear_rate, dtype=np.float64)
    y = np.asarray(stress, dtype=np.float64)
    n_free = 3 if n is None else 2
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("shear_rate and stress must be 1D arrays of equal length")
    if x.size < n_free:
        raise ValueError(f"need at least {n_free} shear rates to fit, got {x.size}")
    if np.any(x <= 0) or not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        raise ValueError("shear rates must be > 0 and all values finite")
    sigma = None
    absolute = False
    if stress_err is not None:
        sigma = np.asarray(stress_err, dtype=np.float64)
        if sigma.shape != y.shape or np.any(sigma <= 0) or not np.all(np.isfinite(sigma)):
            raise ValueError("stress_err must be positive, finite and shaped like stress")
        absolute = True
    if n is None:
        p0 = [max(float(y.min()) * 0.8, 0.0), 1.0, 0.5]

        def model(r: FloatArray, sy: float, a: float, nn: float) -> FloatArray:
            return _hb(r, sy, a, nn)

        # Physical bounds keep a badly conditioned fit (few rates) from running away:
        # sigma_y >= 0, A >= 0, 0.05 <= n <= 2.
        popt, pcov = curve_fit(
            model,
            x,
            y,
            p0=p0,
            sigma=sigma,
            absolute_sigma=absolute,
            bounds=([0.0, 0.0, 0.05], [np.inf, np.inf, 2.0]),
            maxfev=20000,
        )
        sy, a, nn = popt
        perr = np.sqrt(np.diag(pcov)) if x.size > n_free or absolute else np.full(3, np.nan)
        sy_e, a_e, n_e = perr
    else:
        design = np.column_stack([np.ones_like(x), x**n])
        w = 1.0 / sigma if sigma is not None else np.ones_like(y)
        coef, *_ = np.linalg.lstsq(design * w[:, None], y * w, rcond=None)
        sy, a = coef
        cov = np.linalg.inv((design * w[:, None]).T @ (design * w[:, None]))
        resid = (y - design @ coef) * w
        dof = x.size - 2
        if not absolute:
            cov = cov * (resid @ resid / dof if dof > 0 else np.nan)
        sy_e, a_e = np.sqrt(np.diag(cov))
        nn, n_e = float(n), 0.0
    resid = (y - _hb(x, sy, a, nn)) / (sigma if sigma is not None else 1.0)
    dof = x.size - n_free
    chi2 = float(resid @ resid / dof) if dof > 0 else float("nan")
    if absolute and chi2 > 1.0:
        # a poor fit: the scatter exceeds the stated errors, so the parameter errors grow
        # with it (Birge ratio sqrt(chi2_red)); a fit better than its errors keeps them
        scale = math.sqrt(chi2)
        sy_e, a_e, n_e = sy_e * scale, a_e * scale, n_e * scale
    return HBFit(
        float(sy), float(sy_e), float(a), float(a_e), float(nn), float(n_e), chi2, int(x.size)
    )


def elastic_branch_modulus(
    strain: npt.ArrayLike,
    stress: npt.ArrayLike,
    *,
    min_points: int = 5,
    drop_tolerance: float = 0.0,
) -> tuple[float, float, int]:
    """Shear modulus from the elastic (loading) branches of a stress–strain trace.

    A branch is a maximal run of consecutive points whose stress increases (a decrease
    larger than ``drop_tolerance`` ends it). Each branch with at least ``min_points`` points
    gets a least-squares slope; G0 is the mean of the branch slopes weighted by the strain
    each branch spans, and its error the weighted standard deviation over sqrt(branches)
    (paper Fig. 4a: "the average slope of the elastic parts").

    Returns
    -------
    (G0, G0_err, n_branches)

    Raises
    ------
    ValueError
        If no branch has ``min_points`` points.

    Examples
    --------
    >>> g = np.linspace(0, 0.1, 101)
    >>> s = 20.0 * (g % 0.02)  # saw-tooth of slope 20
    >>> G, err, n = elastic_branch_modulus(g, s)
    >>> round(G, 8), n
    (20.0, 5)
    """
    x = np.asarray(strain, dtype=np.float64)
    y = np.asarray(stress, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("strain and stress must be 1D arrays of equal length")
    dy = np.diff(y)
    slopes, weights = [], []
    start = 0
    for i in range(1, x.size + 1):
        if i == x.size or dy[i - 1] < -drop_tolerance:
            if i - start >= min_points:
                xs, ys = x[start:i], y[start:i]
                slopes.append(np.polyfit(xs, ys, 1)[0])
                weights.append(xs[-1] - xs[0])
            start = i
    if not slopes:
        raise ValueError(f"no elastic branch with at least {min_points} points")
    s = np.asarray(slopes)
    w = np.asarray(weights)
    mean = float(np.average(s, weights=w))
    if s.size == 1:
        return mean, float("nan"), 1
    var = float(np.average((s - mean) ** 2, weights=w))
    return mean, float(np.sqrt(var / s.size)), int(s.size)


def initial_modulus(
    strain: npt.ArrayLike, stress: npt.ArrayLike, strain_max: float
) -> tuple[float, float]:
    """Slope (and its error) of the initial loading, a linear fit for strain <= strain_max."""
    x = np.asarray(strain, dtype=np.float64)
    y = np.asarray(stress, dtype=np.float64)
    sel = x <= strain_max
    if sel.sum() < 4:
        raise ValueError(f"fewer than 4 points below strain {strain_max} for the initial slope")
    coef, cov = np.polyfit(x[sel], y[sel], 1, cov=True)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))


#: Columns of ``results/hl_fit.parquet``: the flow curve fitted with the HL stationary curve.
HL_FIT_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("rheology.hl_fit")


@dataclass(frozen=True)
class HLFit:
    """The HL stationary flow curve ``sigma = sigma_c F_alpha(gamma_dot G0 tau / sigma_c)``
    fitted to a measured flow curve, with one-sigma errors."""

    alpha: float
    alpha_err: float
    sigma_c: float
    sigma_c_err: float
    G0_tau: float
    G0_tau_err: float
    chi2_red: float
    n_rates: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def fit_hl_flow_curve(
    shear_rate: npt.ArrayLike,
    stress: npt.ArrayLike,
    stress_err: npt.ArrayLike,
    alpha_bounds: tuple[float, float] = (0.01, 0.499),
) -> HLFit:
    """Fit a flow curve with the HL stationary curve: α, σ_c and G0 τ free.

    The model is ``σ(γ̇) = σ_c F_α(γ̇ G0τ / σ_c)`` with ``F_α`` the exact stationary HL flow
    curve in its units (:func:`mechnoise.hl.stationary_flow_curve`); it curves away from
    Herschel–Bulkley at larger rates exactly as HL does, so α here is a second α_flow that
    needs neither a HB fit nor ``<σ_c^m>``. The start comes from the n = 1/2 HB fit and the
    HL small-rate asymptotics. Errors from the weighted fit's covariance, multiplied by
    ``sqrt(chi2_red)`` when it exceeds 1.

    Parameters
    ----------
    shear_rate, stress, stress_err : array_like, shape (k,)
        Rates (1/tau0, > 0), mean stresses and their one-sigma errors (eps/sigma²), k >= 3.
    alpha_bounds : (float, float)
        Range of α searched (HL has a yield stress for α < 1/2).

    Returns
    -------
    HLFit

    Raises
    ------
    ValueError
        With fewer than 3 rates, non-positive rates or errors, or non-finite input.

    Examples
    --------
    A flow curve that is HL at α = 0.3, σ_c = 2, G0 τ = 50 is recovered:

    >>> from mechnoise import hl
    >>> rate = np.array([6e-4, 1.6e-3, 4e-3, 1e-2])
    >>> sigma = 2.0 * hl.stationary_flow_curve(0.3, rate * 50 / 2.0)["stress"].to_numpy()
    >>> fit = fit_hl_flow_curve(rate, sigma, np.full(4, 1e-3))
    >>> round(fit.alpha, 4), round(fit.sigma_c, 4), round(fit.G0_tau, 2)
    (0.3, 2.0, 50.0)
    """
    from mechnoise import hl

    x = np.asarray(shear_rate, dtype=np.float64)
    y = np.asarray(stress, dtype=np.float64)
    e = np.asarray(stress_err, dtype=np.float64)
    if x.shape != y.shape or x.shape != e.shape or x.ndim != 1:
        raise ValueError("shear_rate, stress and stress_err must be 1D of equal length")
    if x.size < 3:
        raise ValueError(f"need at least 3 shear rates for the HL fit, got {x.size}")
    if np.any(x <= 0) or np.any(e <= 0) or not np.all(np.isfinite(np.r_[x, y, e])):
        raise ValueError("shear rates and errors must be > 0 and all values finite")

    def model(r: FloatArray, alpha: float, sigma_c: float, log_t: float) -> FloatArray:
        rates = r * math.exp(log_t) / sigma_c
        return sigma_c * hl.stationary_flow_curve(alpha, rates)["stress"].to_numpy()

    hb = fit_herschel_bulkley(x, y, e, n=0.5)
    best = None
    for alpha0 in (0.15, 0.3, 0.45):
        ys, pref = hl.small_rate_asymptotics(alpha0)
        sc0 = max(hb.sigma_y, 0.1 * float(y.min())) / ys
        t0 = (max(hb.prefactor, 1e-6) / (sc0 * pref)) ** 2 * sc0
        try:
            popt, pcov = curve_fit(
                model,
                x,
                y,
                p0=[alpha0, sc0, math.log(t0)],
                sigma=e,
                absolute_sigma=True,
                bounds=([alpha_bounds[0], 1e-6, -30.0], [alpha_bounds[1], np.inf, 30.0]),
                maxfev=2000,
            )
        except (RuntimeError, ValueError):
            continue
        chi2 = float(np.sum(((y - model(x, *popt)) / e) ** 2))
        if best is None or chi2 < best[2]:
            best = (popt, pcov, chi2)
    if best is None:
        raise ValueError("the HL fit of the flow curve did not converge")
    popt, pcov, chi2 = best
    dof = x.size - 3
    chi2_red = chi2 / dof if dof > 0 else math.nan
    perr = np.sqrt(np.abs(np.diag(pcov)))
    if chi2_red > 1.0:
        perr = perr * math.sqrt(chi2_red)
    alpha, sigma_c, log_t = (float(v) for v in popt)
    t = math.exp(log_t)
    return HLFit(
        alpha, float(perr[0]), sigma_c, float(perr[1]), t, t * float(perr[2]), chi2_red, x.size
    )
