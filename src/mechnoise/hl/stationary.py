"""Hébraud–Lequeux (HL) mean-field model: the exact stationary solver.

The HL equation (paper Eq. 1) for the density P(σ, t) of local shear stresses, in units
σ_c = G0 = τ = 1, reads

    ∂_t P = −γ̇ ∂_σ P − θ(|σ| − 1) P + Γ δ(σ) + D ∂²_σ P,
    Γ(t) = ∫_{|σ|>1} P dσ,        D = α Γ                       (Eqs. 1–3)

with ⟨σ⟩ = ∫ σ P dσ (Eq. 4). ``D`` is the HL diffusion coefficient (MSD = 2 D t).

This module holds the closed-form piecewise-exponential solution for fixed D plus a 1D root
find of the self-consistency in log D. Asymptotics are in :mod:`mechnoise.hl.asymptotics`,
couplings in :mod:`mechnoise.hl.couplings`, the transient solver in
:mod:`mechnoise.hl.transient` and the modified model in :mod:`mechnoise.hl.modified`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import brentq

from mechnoise._typing import FloatArray

logger = logging.getLogger(__name__)

#: Relative tolerance on log D (and log u) in the root finds of this subpackage.
ROOT_RTOL = 4 * np.finfo(float).eps
#: Below this argument the integrals of the inner basis functions use their Taylor series.
_SERIES_CUTOFF = 1.0
#: Number of Taylor terms (error < x**_SERIES_TERMS / _SERIES_TERMS! < 1e-25 for x < 1).
_SERIES_TERMS = 25
#: Largest number of bracket expansions (by e^4 each) in the self-consistency root find.
_MAX_BRACKET_STEPS = 100
#: Below this u the asymptotic formulas use their Taylor series (cancellation otherwise).


# --------------------------------------------------------------------------------------
# Closed-form stationary state for fixed D
# --------------------------------------------------------------------------------------


def _inner_integrals(x: float) -> tuple[float, float]:
    """Return F0 = ∫₀¹ (e^{−xt} − 1)/x dt and F1 = ∫₀¹ t (e^{−xt} − 1)/x dt, stably."""
    if x < _SERIES_CUTOFF:
        f0 = 0.0
        f1 = 0.0
        term = -1.0  # (-1)^n x^{n-1} / n! at n = 1
        for n in range(1, _SERIES_TERMS + 1):
            f0 += term / (n + 1)
            f1 += term / (n + 2)
            term *= -x / (n + 1)
        return f0, f1
    g0 = -math.expm1(-x) / x
    g1 = (1.0 - (1.0 + x) * math.exp(-x)) / (x * x)
    return (g0 - 1.0) / x, (g1 - 0.5) / x


@dataclass(frozen=True)
class _FixedDiffusionState:
    """Unnormalised stationary solution of Eq. 1 for a unit source and fixed D."""

    shear_rate: float
    diffusion: float
    a: float  # P(σ) = a exp(r_minus (σ − 1)) for σ > 1
    b: float  # P(σ) = b exp(r_plus (σ + 1)) for σ < −1
    c1: float  # P(σ) = c1 + c2 expm1(k (σ − 1))/k on (0, 1)
    c2: float
    e1: float  # P(σ) = e1 + e2 expm1(k σ)/k on (−1, 0)
    e2: float
    r_plus: float
    r_minus: float
    k: float
    mass: float  # ∫ P dσ (the source has unit strength, so Γ = 1/mass after normalising)
    first_moment: float  # ∫ σ P dσ
    outer_mass: float  # ∫_{|σ|>1} P dσ, equals 1 analytically


def _solve_fixed_diffusion(shear_rate: float, diffusion: float) -> _FixedDiffusionState:
    """Closed-form solution of D P'' − γ̇ P' − θ(|σ|−1) P + δ(σ) = 0, P → 0 at ±∞.

    Continuity of P at −1, 0, 1, of P' at ±1 and the jump P'(0⁺) − P'(0⁻) = −1/D give six
    linear equations for six coefficients; they are eliminated by hand so that every
    quantity is a sum of terms of one sign (no cancellation, no overflow: the exponentials
    are anchored where they are ≤ 1).
    """
    g = shear_rate
    d = diffusion
    lam = math.sqrt(g * g + 4.0 * d)
    r_plus = (g + lam) / (2.0 * d)
    r_minus = -2.0 / (g + lam)
    k = g / d
    e_k = math.exp(-k)
    m = math.expm1(-k) / k if k > 0 else -1.0  # φ(0) = ψ(−1)
    d_r_plus = 0.5 * (g + lam)
    d_r_minus = -2.0 * d / (g + lam)
    a = (e_k - r_plus * m) / (d_r_plus - d_r_minus * e_k * e_k - m * (1.0 + e_k))
    c1 = a
    c2 = a * r_minus
    e1 = a * (1.0 + r_minus * m)
    e2 = a * r_minus * e_k + 1.0 / d
    b = e1 + e2 * m
    f0, f1 = _inner_integrals(k)
    mass_right_out = a * 0.5 * (g + lam)
    mass_left_out = b / r_plus
    mass = mass_right_out + mass_left_out + (c1 + c2 * f0) + (e1 + e2 * f0)
    inv_rm = 0.5 * (g + lam)  # 1/|r_minus|
    moment = (
        a * (inv_rm + inv_rm * inv_rm)
        - b * (1.0 / r_plus + 1.0 / (r_plus * r_plus))
        + (0.5 * c1 + c2 * (f0 - f1))
        + (-0.5 * e1 - e2 * f1)
    )
    return _FixedDiffusionState(
        shear_rate=g,
        diffusion=d,
        a=a,
        b=b,
        c1=c1,
        c2=c2,
        e1=e1,
        e2=e2,
        r_plus=r_plus,
        r_minus=r_minus,
        k=k,
        mass=mass,
        first_moment=moment,
        outer_mass=mass_right_out + mass_left_out,
    )


def _self_consistent_state(alpha: float, shear_rate: float) -> _FixedDiffusionState:
    """Solve D = α Γ(D) = α / mass(D) for D with Brent's method in log D."""
    log_alpha = math.log(alpha)

    def residual(log_d: float) -> float:
        state = _solve_fixed_diffusion(shear_rate, math.exp(log_d))
        return log_d + math.log(state.mass) - log_alpha

    # D·mass(D) increases monotonically from 0 (D → 0) to ∞; start near the small-rate
    # estimate D ≈ α γ̇ and expand the bracket geometrically.
    lo = math.log(alpha * min(shear_rate, 1.0)) - 1.0
    hi = lo + 2.0
    f_lo = residual(lo)
    for _ in range(_MAX_BRACKET_STEPS):
        if not f_lo > 0.0:
            break
        hi, lo = lo, lo - 4.0
        f_lo = residual(lo)
    f_hi = residual(hi)
    for _ in range(_MAX_BRACKET_STEPS):
        if not f_hi < 0.0:
            break
        lo, hi = hi, hi + 4.0
        f_hi = residual(hi)
    if not (f_lo <= 0.0 <= f_hi):
        raise ValueError(
            f"could not bracket the self-consistent D for alpha={alpha!r}, "
            f"shear_rate={shear_rate!r} (residuals {f_lo!r}, {f_hi!r})"
        )
    log_d = brentq(residual, lo, hi, xtol=1e-300, rtol=ROOT_RTOL, maxiter=200)
    return _solve_fixed_diffusion(shear_rate, math.exp(log_d))


def validate_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha <= 0.0:
        raise ValueError(f"alpha must be a finite positive number, got {alpha!r}")
    return alpha


def validate_rates(shear_rates: npt.ArrayLike) -> FloatArray:
    rates = np.atleast_1d(np.asarray(shear_rates, dtype=np.float64))
    if rates.ndim != 1:
        raise ValueError(f"shear_rates must be a scalar or a 1D array, got shape {rates.shape}")
    if rates.size == 0:
        raise ValueError("shear_rates must not be empty")
    if not np.all(np.isfinite(rates)) or np.any(rates <= 0.0):
        raise ValueError(f"shear rates must be finite and > 0 (units 1/τ), got {rates!r}")
    return rates


def stationary_density(alpha: float, shear_rate: float, local_stress: npt.ArrayLike) -> FloatArray:
    """Evaluate the exact stationary density P(σ) of the HL model.

    Parameters
    ----------
    alpha : float
        Coupling α > 0 of Eq. 3.
    shear_rate : float
        Shear rate γ̇ > 0 in units of σ_c/(G0 τ).
    local_stress : array_like
        Local stresses σ (units σ_c) where P is evaluated.

    Returns
    -------
    numpy.ndarray
        P(σ) (units 1/σ_c), same shape as ``local_stress``, normalised to ∫ P dσ = 1.

    Raises
    ------
    ValueError
        If α ≤ 0 or γ̇ ≤ 0.

    Notes
    -----
    For σ > 1, P = a e^{r₋(σ−1)}; for σ < −1, P = b e^{r₊(σ+1)} with
    r± = [γ̇ ± (γ̇² + 4D)^{1/2}]/(2D); on (0, 1) and (−1, 0) P is a constant plus a multiple of
    e^{γ̇σ/D}. See :func:`stationary_flow_curve`.

    Examples
    --------
    >>> import numpy as np
    >>> p = stationary_density(0.26, 1e-2, np.array([-2.0, 0.0, 0.5, 2.0]))
    >>> bool(p[1] > p[2] > p[3] > 0.0)
    True
    """
    alpha = validate_alpha(alpha)
    rate = float(validate_rates(shear_rate)[0])
    s = _self_consistent_state(alpha, rate)
    x = np.asarray(local_stress, dtype=np.float64)
    out = np.empty_like(x)
    right = x > 1.0
    left = x < -1.0
    mid_r = (x >= 0.0) & ~right
    mid_l = (x < 0.0) & ~left
    k = s.k
    out[right] = s.a * np.exp(s.r_minus * (x[right] - 1.0))
    out[left] = s.b * np.exp(s.r_plus * (x[left] + 1.0))
    out[mid_r] = s.c1 + s.c2 * np.expm1(k * (x[mid_r] - 1.0)) / k
    out[mid_l] = s.e1 + s.e2 * np.expm1(k * x[mid_l]) / k
    return out / s.mass


@overload
def stationary_flow_curve(
    alpha: float,
    shear_rates: npt.ArrayLike,
    *,
    return_distribution: Literal[False] = ...,
    local_stress: npt.ArrayLike | None = ...,
) -> pd.DataFrame: ...


@overload
def stationary_flow_curve(
    alpha: float,
    shear_rates: npt.ArrayLike,
    *,
    return_distribution: Literal[True],
    local_stress: npt.ArrayLike | None = ...,
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def stationary_flow_curve(
    alpha: float,
    shear_rates: npt.ArrayLike,
    *,
    return_distribution: bool = False,
    local_stress: npt.ArrayLike | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Exact steady state of the HL equation at coupling α and given shear rates.

    Parameters
    ----------
    alpha : float
        Coupling α > 0 of Eq. 3 (D = α σ_c² Γ). For α ≥ ½ there is no yield stress and the
        flow is Newtonian at small γ̇.
    shear_rates : array_like
        Shear rates γ̇ > 0 in units of σ_c/(G0 τ), shape (n,).
    return_distribution : bool, optional
        If True also return P(σ) on ``local_stress`` for every rate.
    local_stress : array_like, optional
        Grid of local stresses σ (units σ_c) for the distribution; default 801 points on
        [−3, 3].

    Returns
    -------
    pandas.DataFrame
        One row per rate, columns ``shear_rate`` (units σ_c/(G0 τ)), ``stress`` (⟨σ⟩,
        units σ_c), ``activity`` (Γ, units 1/τ), ``diffusion`` (D = αΓ, HL convention
        MSD = 2 D t, units σ_c²/τ).
    tuple of (pandas.DataFrame, pandas.DataFrame)
        If ``return_distribution``: the table above and a long table with columns
        ``shear_rate``, ``local_stress`` (σ) and ``probability_density`` (P(σ), 1/σ_c).

    Raises
    ------
    ValueError
        If α ≤ 0 or a rate is not finite and positive.

    Notes
    -----
    For fixed D the stationary Eq. 1, D P'' − γ̇ P' − θ(|σ|−1) P + Γ δ(σ) = 0, is linear with
    constant coefficients on (−∞, −1), (−1, 0), (0, 1), (1, ∞). Its solution decaying at
    ±∞ is piecewise exponential; continuity of P and of the flux γ̇P − DP' at ±1 and the
    flux jump Γ at 0 fix the six coefficients. Conservation gives ∫_{|σ|>1} P = Γ, so with a
    unit source Γ = 1/∫P. The self-consistency D = αΓ(D) is solved with Brent's method in
    log D (D·∫P increases monotonically with D). Exponentials are written in scaled form
    (expm1, anchored where they are ≤ 1) so nothing overflows; the results are accurate to
    ~1e-10 relative (the identity ∫_{|σ|>1} P = Γ holds to ~1e-10 over
    1e-12 ≤ γ̇ ≤ 100 and 1e-4 ≤ α ≤ 100).

    Examples
    --------
    >>> df = stationary_flow_curve(0.26, [1e-8, 1e-4])
    >>> list(df.columns)
    ['shear_rate', 'stress', 'activity', 'diffusion']
    >>> round(float(df.stress.iloc[0]), 4)  # close to σ_Y = 0.25279 at γ̇ = 1e-8
    0.2528
    """
    alpha = validate_alpha(alpha)
    rates = validate_rates(shear_rates)
    stress = np.empty_like(rates)
    activity = np.empty_like(rates)
    diffusion = np.empty_like(rates)
    for i, rate in enumerate(rates):
        s = _self_consistent_state(alpha, float(rate))
        stress[i] = s.first_moment / s.mass
        activity[i] = 1.0 / s.mass
        diffusion[i] = s.diffusion
    table = pd.DataFrame(
        {"shear_rate": rates, "stress": stress, "activity": activity, "diffusion": diffusion}
    )
    if not return_distribution:
        return table
    grid = (
        np.linspace(-3.0, 3.0, 801)
        if local_stress is None
        else np.asarray(local_stress, dtype=np.float64).ravel()
    )
    parts = [
        pd.DataFrame(
            {
                "shear_rate": np.full(grid.size, rate),
                "local_stress": grid,
                "probability_density": stationary_density(alpha, float(rate), grid),
            }
        )
        for rate in rates
    ]
    return table, pd.concat(parts, ignore_index=True)
