"""Hébraud–Lequeux (HL) mean-field model: stationary solver, asymptotics and couplings.

The HL equation (paper Eq. 1) for the density P(σ, t) of local shear stresses, in units
σ_c = G0 = τ = 1, reads

    ∂_t P = −γ̇ ∂_σ P − θ(|σ| − 1) P + Γ δ(σ) + D ∂²_σ P,
    Γ(t) = ∫_{|σ|>1} P dσ,        D = α Γ                       (Eqs. 1–3)

with ⟨σ⟩ = ∫ σ P dσ (Eq. 4). ``D`` is the HL diffusion coefficient (MSD = 2 D t).

This module holds the exact stationary solver (closed-form piecewise-exponential solution
plus a 1D root find of the self-consistency in log D), the corrected small-rate asymptotics
(DESIGN §4), the couplings α_flow and α_micro and the parametric curve of Fig. 3.
The transient solver lives in :mod:`mechnoise.hl_transient` and the modified model
(threshold distribution, partial relaxation) in :mod:`mechnoise.hl_modified`; both are
re-exported here.
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

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Relative tolerance on log D in the self-consistency root find.
_ROOT_RTOL = 4 * np.finfo(float).eps
#: Below this argument the integrals of the inner basis functions use their Taylor series.
_SERIES_CUTOFF = 1.0
#: Number of Taylor terms (error < x**_SERIES_TERMS / _SERIES_TERMS! < 1e-25 for x < 1).
_SERIES_TERMS = 25
#: Largest number of bracket expansions (by e^4 each) in the self-consistency root find.
_MAX_BRACKET_STEPS = 100
#: Below this u the asymptotic formulas use their Taylor series (cancellation otherwise).
_SMALL_U = 0.05


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
    log_d = brentq(residual, lo, hi, xtol=1e-300, rtol=_ROOT_RTOL, maxiter=200)
    return _solve_fixed_diffusion(shear_rate, math.exp(log_d))


def _validate_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha <= 0.0:
        raise ValueError(f"alpha must be a finite positive number, got {alpha!r}")
    return alpha


def _validate_rates(shear_rates: npt.ArrayLike) -> FloatArray:
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
    alpha = _validate_alpha(alpha)
    rate = float(_validate_rates(shear_rate)[0])
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
    alpha = _validate_alpha(alpha)
    rates = _validate_rates(shear_rates)
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


# --------------------------------------------------------------------------------------
# Small-rate asymptotics (DESIGN §4, corrected Appendix A)
# --------------------------------------------------------------------------------------

# Taylor coefficients (in u) for small u, from coth(u/2) = Σ 2 B_2n u^{2n−1}/(2n)!.
_BERNOULLI = (1.0, 1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0, 5.0 / 66.0, -691.0 / 2730.0)


def _u_from_alpha(alpha: float) -> float:
    """Solve α = tanh(u/2)/u for u > 0 (0 < α < ½)."""
    if alpha >= 0.5 or alpha <= 0.0:
        raise ValueError(
            f"the HL model has a yield stress only for 0 < alpha < 1/2, got alpha={alpha!r}"
        )

    def f(log_u: float) -> float:
        u = math.exp(log_u)
        return math.log(math.tanh(0.5 * u) / u) - math.log(alpha)

    # α(u) decreases from ½ (u → 0) to ~1/u: bracket in log u.
    hi = math.log(2.0 / alpha)
    lo = -10.0
    while f(lo) < 0.0:
        lo -= 10.0
    return math.exp(brentq(f, lo, hi, xtol=1e-300, rtol=_ROOT_RTOL))


def _yield_stress_of_u(u: float) -> float:
    if u < _SMALL_U:
        return u / 12.0 - u**3 / 720.0 + u**5 / 30240.0
    return 0.5 / math.tanh(0.5 * u) - 1.0 / u


def _prefactor_of_u(u: float) -> float:
    if u < _SMALL_U:
        num = 0.0
        den = 0.0
        for n in range(1, len(_BERNOULLI)):
            f2n = math.factorial(2 * n)
            num += (1.0 / f2n + 2.0 / (2 * n + 1) / f2n - 6.0 * _BERNOULLI[n] / f2n) * u ** (
                2 * n - 2
            )
            den += 1.0 / math.factorial(2 * n + 1) * u ** (2 * n - 2)
        return num / (2.0 * u * math.sqrt(u) * den)
    # numerator and denominator multiplied by 2 e^{-u} (no overflow for large u)
    em = math.exp(-u)
    e2 = em * em
    num = u * (1.0 + e2) + 2.0 * (1.0 - e2) + (6.0 * u - 6.0 * u * u / math.tanh(0.5 * u)) * em
    den = 2.0 * u * math.sqrt(u) * (-math.expm1(-2.0 * u) - 2.0 * u * em)
    return num / den


def small_rate_asymptotics(alpha: float) -> tuple[float, float]:
    """Herschel–Bulkley constants of the HL model, ⟨σ⟩ ≈ σ_Y + A γ̇^{1/2} as γ̇ → 0.

    Parameters
    ----------
    alpha : float
        Coupling α with 0 < α < ½.

    Returns
    -------
    yield_stress : float
        σ_Y / σ_c.
    hb_prefactor : float
        A / (σ_c G0 τ)^{1/2}.

    Raises
    ------
    ValueError
        If α ≤ 0 or α ≥ ½ (no yield stress: Newtonian at small γ̇).

    Notes
    -----
    With u the root of α = tanh(u/2)/u (Eq. 14, u = σ_c G0 τ/d),

        σ_Y = ½ coth(u/2) − 1/u                                          (Eq. 15)
        A = [u cosh u + 2 sinh u + 3u − 3u² coth(u/2)] / [2 u^{3/2} (sinh u − u)]

    The latter replaces the misprinted Eq. 24 (DESIGN §4). Limits: α → 0 gives
    σ_Y → ½ − α, A → √α/2; α → ½ gives σ_Y → 0.

    Examples
    --------
    >>> sy, a = small_rate_asymptotics(0.26)
    >>> round(sy, 5), round(a, 5)
    (0.25279, 0.35699)
    """
    alpha = _validate_alpha(alpha)
    u = _u_from_alpha(alpha)
    return _yield_stress_of_u(u), _prefactor_of_u(u)


@overload
def alpha_from_yield_stress(ratio: float, ratio_err: None = ...) -> float: ...


@overload
def alpha_from_yield_stress(ratio: float, ratio_err: float) -> tuple[float, float]: ...


def alpha_from_yield_stress(
    ratio: float, ratio_err: float | None = None
) -> float | tuple[float, float]:
    """Invert Eq. 15: the coupling α whose HL yield stress is σ_Y/σ_c = ``ratio``.

    Parameters
    ----------
    ratio : float
        σ_Y/σ_c, with 0 < ratio < ½.
    ratio_err : float, optional
        One-standard-deviation error of ``ratio`` (≥ 0).

    Returns
    -------
    float
        α if ``ratio_err`` is None.
    tuple of (float, float)
        (α, α_err) if ``ratio_err`` is given, with first-order propagation
        α_err = |dα/dσ_Y| · ratio_err.

    Raises
    ------
    ValueError
        If ratio is not in (0, ½) or ratio_err < 0.

    Notes
    -----
    σ_Y(u) = ½ coth(u/2) − 1/u increases monotonically from 0 to ½ on u ∈ (0, ∞); it is
    inverted with Brent's method in log u and α = tanh(u/2)/u (Eq. 14). The derivative is
    dα/dσ_Y = (dα/du)/(dσ_Y/du), dσ_Y/du = 1/u² − 1/(4 sinh²(u/2)),
    dα/du = [u/(2 cosh²(u/2)) − tanh(u/2)]/u².

    Examples
    --------
    >>> round(alpha_from_yield_stress(0.25278778), 6)
    0.26
    >>> a, err = alpha_from_yield_stress(0.2, 0.01)
    >>> bool(0.3 < a < 0.34 and err > 0)
    True
    """
    ratio = float(ratio)
    if not math.isfinite(ratio) or not 0.0 < ratio < 0.5:
        raise ValueError(f"yield stress ratio sigma_Y/sigma_c must be in (0, 1/2), got {ratio!r}")

    def f(log_u: float) -> float:
        return _yield_stress_of_u(math.exp(log_u)) - ratio

    lo, hi = math.log(ratio), math.log(4.0 / (0.5 - ratio)) + 1.0
    while f(lo) > 0.0:
        lo -= 5.0
    u = math.exp(brentq(f, lo, hi, xtol=1e-300, rtol=_ROOT_RTOL))
    alpha = math.tanh(0.5 * u) / u
    if ratio_err is None:
        return alpha
    ratio_err = float(ratio_err)
    if not math.isfinite(ratio_err) or ratio_err < 0.0:
        raise ValueError(f"ratio_err must be finite and >= 0, got {ratio_err!r}")
    dsy_du = (
        1.0 / 12.0 - u * u / 240.0 if u < _SMALL_U else 1.0 / u**2 - 0.25 / math.sinh(0.5 * u) ** 2
    )
    dalpha_du = (0.5 * u / math.cosh(0.5 * u) ** 2 - math.tanh(0.5 * u)) / (u * u)
    return alpha, abs(dalpha_du / dsy_du) * ratio_err


def parametric_curve(alphas: npt.ArrayLike) -> pd.DataFrame:
    """HL prediction A(σ_Y) parametrised by α (the line of Fig. 3).

    Parameters
    ----------
    alphas : array_like
        Couplings, each in (0, ½).

    Returns
    -------
    pandas.DataFrame
        Columns ``alpha``, ``yield_stress`` (σ_Y/σ_c), ``hb_prefactor`` (A/(σ_c G0 τ)^{1/2}).

    Raises
    ------
    ValueError
        If any α is outside (0, ½).

    Examples
    --------
    >>> parametric_curve([0.26, 0.33]).round(5).values.tolist()
    [[0.26, 0.25279, 0.35699], [0.33, 0.19674, 0.4421]]
    """
    a = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    values = [small_rate_asymptotics(float(x)) for x in a]
    return pd.DataFrame(
        {
            "alpha": a,
            "yield_stress": [v[0] for v in values],
            "hb_prefactor": [v[1] for v in values],
        }
    )


# --------------------------------------------------------------------------------------
# Couplings measured from simulations
# --------------------------------------------------------------------------------------

DiffusionConvention = Literal["msd_over_t", "hl"]


def _diffusions(
    diffusion: float, diffusion_err: float, convention: DiffusionConvention
) -> tuple[float, float]:
    """Return the paper's D_σ = MSD/t and its error from a diffusion in ``convention``."""
    if convention == "msd_over_t":
        return diffusion, diffusion_err
    if convention == "hl":
        return 2.0 * diffusion, 2.0 * diffusion_err
    raise ValueError(f"diffusion_convention must be 'msd_over_t' or 'hl', got {convention!r}")


def _ratio_with_error(
    d_sigma: float,
    d_err: float,
    scale: float,
    scale_err: float,
    activity_rate: float,
    activity_err: float,
) -> tuple[float, float]:
    for name, value in (("diffusion", d_sigma), ("stress", scale), ("activity", activity_rate)):
        if not math.isfinite(value) or value <= 0.0:
            raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    for name, value in (("d_err", d_err), ("stress_err", scale_err), ("activity", activity_err)):
        if not math.isfinite(value) or value < 0.0:
            raise ValueError(f"error {name} must be finite and >= 0, got {value!r}")
    alpha = d_sigma / (scale * scale * activity_rate)
    rel = math.sqrt(
        (d_err / d_sigma) ** 2
        + (2.0 * scale_err / scale) ** 2
        + (activity_err / activity_rate) ** 2
    )
    return alpha, alpha * rel


def alpha_micro(
    d_sigma: float,
    stress_drop: float,
    activity_rate: float,
    *,
    d_sigma_err: float = 0.0,
    stress_drop_err: float = 0.0,
    activity_rate_err: float = 0.0,
    diffusion_convention: DiffusionConvention = "msd_over_t",
    alpha_convention: Literal["paper", "hl"] = "paper",
) -> tuple[float, float]:
    """Microscopic coupling α_micro = D_σ / (⟨Δσ^m⟩² Γ) (paper Eq. 8), with its error.

    Parameters
    ----------
    d_sigma : float
        Stress diffusion coefficient (stress²/time), in the convention given by
        ``diffusion_convention``.
    stress_drop : float
        Mean local stress drop ⟨Δσ^m⟩ (stress units).
    activity_rate : float
        Plastic activity rate Γ (1/time).
    d_sigma_err, stress_drop_err, activity_rate_err : float, optional
        One-standard-deviation errors (independent), default 0.
    diffusion_convention : {"msd_over_t", "hl"}
        ``"msd_over_t"``: ``d_sigma`` is the paper's D_σ = ⟨Δσ²⟩(t)/t. ``"hl"``: it is the HL
        D with ⟨Δσ²⟩ = 2 D t (D_σ = 2 D).
    alpha_convention : {"paper", "hl"}
        Which diffusion enters the numerator: ``"paper"`` uses D_σ = MSD/t exactly as Eq. 8
        and Table 1 of the paper; ``"hl"`` uses the HL D = MSD/(2t), the α that enters Eq. 3
        and hence :func:`stationary_flow_curve` (half the ``"paper"`` value).

    Returns
    -------
    tuple of (float, float)
        (α_micro, error) with first-order propagation
        (δα/α)² = (δD/D)² + (2 δΔσ/Δσ)² + (δΓ/Γ)².

    Raises
    ------
    ValueError
        On non-positive values, negative errors or an unknown convention.

    Examples
    --------
    >>> alpha_micro(2.0, 1.0, 4.0, d_sigma_err=0.2)
    (0.5, 0.05)
    >>> alpha_micro(1.0, 1.0, 4.0, diffusion_convention="hl")[0]
    0.5
    """
    d, d_err = _diffusions(float(d_sigma), float(d_sigma_err), diffusion_convention)
    if alpha_convention == "hl":
        d, d_err = 0.5 * d, 0.5 * d_err
    elif alpha_convention != "paper":
        raise ValueError(f"alpha_convention must be 'paper' or 'hl', got {alpha_convention!r}")
    return _ratio_with_error(
        d,
        d_err,
        float(stress_drop),
        float(stress_drop_err),
        float(activity_rate),
        float(activity_rate_err),
    )


def alpha_micro_hl(
    d_sigma: float,
    yield_stress_local: float,
    activity_rate: float,
    *,
    d_sigma_err: float = 0.0,
    yield_stress_local_err: float = 0.0,
    activity_rate_err: float = 0.0,
    diffusion_convention: DiffusionConvention = "msd_over_t",
    alpha_convention: Literal["paper", "hl"] = "paper",
) -> tuple[float, float]:
    """HL-style microscopic coupling α_micro^HL = D_σ / (⟨σ_c^m⟩² Γ) (paper §4 (b)).

    Same as :func:`alpha_micro` with the mean local yield stress ⟨σ_c^m⟩ in place of the
    stress drop (the HL assumption of full relaxation, Δσ = σ_c).

    Parameters
    ----------
    d_sigma : float
        Stress diffusion coefficient, see ``diffusion_convention``.
    yield_stress_local : float
        Mean local yield stress ⟨σ_c^m⟩ (stress units).
    activity_rate : float
        Plastic activity rate Γ (1/time).
    d_sigma_err, yield_stress_local_err, activity_rate_err : float, optional
        One-standard-deviation errors.
    diffusion_convention, alpha_convention : str
        As in :func:`alpha_micro`.

    Returns
    -------
    tuple of (float, float)
        (α_micro^HL, error).

    Raises
    ------
    ValueError
        On non-positive values, negative errors or an unknown convention.

    Examples
    --------
    >>> alpha_micro_hl(0.02, 1.0, 1.0)
    (0.02, 0.0)
    """
    return alpha_micro(
        d_sigma,
        yield_stress_local,
        activity_rate,
        d_sigma_err=d_sigma_err,
        stress_drop_err=yield_stress_local_err,
        activity_rate_err=activity_rate_err,
        diffusion_convention=diffusion_convention,
        alpha_convention=alpha_convention,
    )


def alpha_flow(
    yield_stress: float,
    yield_stress_err: float,
    sigma_c: float,
    sigma_c_err: float,
) -> tuple[float, float]:
    """Macroscopic coupling α_flow from σ_Y/σ_c by inverting Eq. 15, with its error.

    Parameters
    ----------
    yield_stress : float
        Dynamical yield stress σ_Y from a Herschel–Bulkley fit (stress units).
    yield_stress_err : float
        Its one-standard-deviation error.
    sigma_c : float
        Local yield stress scale σ_c = ⟨σ_c^m⟩ (same units).
    sigma_c_err : float
        Its error.

    Returns
    -------
    tuple of (float, float)
        (α_flow, error); the ratio error is (δr/r)² = (δσ_Y/σ_Y)² + (δσ_c/σ_c)², propagated
        through dα/dr (see :func:`alpha_from_yield_stress`).

    Raises
    ------
    ValueError
        If σ_Y/σ_c is not in (0, ½), σ_c ≤ 0 or an error is negative.

    Examples
    --------
    >>> a, err = alpha_flow(0.25278778, 0.0, 1.0, 0.0)
    >>> round(a, 6), err
    (0.26, 0.0)
    """
    ys, ys_err, sc, sc_err = map(float, (yield_stress, yield_stress_err, sigma_c, sigma_c_err))
    if not math.isfinite(sc) or sc <= 0.0:
        raise ValueError(f"sigma_c must be finite and > 0, got {sc!r}")
    if ys_err < 0.0 or sc_err < 0.0:
        raise ValueError(f"errors must be >= 0, got {ys_err!r}, {sc_err!r}")
    ratio = ys / sc
    ratio_err = abs(ratio) * math.hypot(ys_err / ys, sc_err / sc) if ys != 0.0 else 0.0
    return alpha_from_yield_stress(ratio, ratio_err)


# --------------------------------------------------------------------------------------
# Tables written by the workflow (dtype, unit, description) for mechnoise.io.write_table
# --------------------------------------------------------------------------------------

#: Couplings spanning the whole yield-stress range 0 < α < ½ for the line of Fig. 3.
PARAMETRIC_ALPHAS: FloatArray = np.linspace(0.005, 0.495, 99)

#: Columns of ``results/hl/parametric_curve.parquet``.
PARAMETRIC_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "alpha": ("float64", "1", "HL coupling alpha (D = alpha sigma_c^2 Gamma, MSD = 2 D t)"),
    "yield_stress": ("float64", "sigma_c", "small-rate yield stress sigma_Y (Eq. 15)"),
    "hb_prefactor": (
        "float64",
        "(sigma_c G0 tau)^(1/2)",
        "Herschel-Bulkley prefactor A (corrected Eq. 24, DESIGN 4)",
    ),
}

#: Columns of ``results/hl/flow_curves.parquet``.
FLOW_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "alpha": ("float64", "1", "HL coupling alpha"),
    "shear_rate": ("float64", "sigma_c/(G0 tau)", "dimensionless shear rate"),
    "stress": ("float64", "sigma_c", "stationary mean stress <sigma> (Eq. 4)"),
    "activity": ("float64", "1/tau", "plastic activity rate Gamma (Eq. 2)"),
    "diffusion": ("float64", "sigma_c^2/tau", "HL diffusion D = alpha Gamma (MSD = 2 D t)"),
}

#: Columns of ``results/hl/modified_flow_curves.parquet``.
MODIFIED_FLOW_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "alpha": ("float64", "1", "coupling alpha in D = alpha <Delta sigma>^2 Gamma"),
    "threshold_width": ("float64", "sigma_c", "std of the Gaussian local thresholds"),
    "relaxation_fraction": ("float64", "1", "mean stress drop / threshold at yield"),
    "relaxation_width": ("float64", "1", "std of the relaxation fraction"),
    "thresholds": ("str", "", "'renewed' (new threshold at each yield) or 'quenched'"),
    "shear_rate": ("float64", "sigma_c/(G0 tau)", "dimensionless shear rate"),
    "stress": ("float64", "sigma_c", "stationary mean stress"),
    "activity": ("float64", "1/tau", "plastic activity rate Gamma"),
    "diffusion": ("float64", "sigma_c^2/tau", "noise D (HL convention, MSD = 2 D t)"),
    "stress_drop": ("float64", "sigma_c", "mean stress drop <Delta sigma> entering D"),
}


def flow_curve_table(alphas: npt.ArrayLike, shear_rates: npt.ArrayLike) -> pd.DataFrame:
    """Exact HL flow curves for several couplings, stacked (columns FLOW_CURVE_COLUMNS).

    Parameters
    ----------
    alphas : array_like
        Couplings α > 0.
    shear_rates : array_like
        Shear rates γ̇ > 0 (units σ_c/(G0 τ)).

    Returns
    -------
    pandas.DataFrame
        Columns ``alpha``, ``shear_rate``, ``stress``, ``activity``, ``diffusion``.

    Raises
    ------
    ValueError
        As :func:`stationary_flow_curve`.

    Examples
    --------
    >>> flow_curve_table([0.26, 0.7], [1e-3, 1e-2]).shape
    (4, 5)
    """
    parts = []
    for alpha in np.atleast_1d(np.asarray(alphas, dtype=np.float64)):
        curve = stationary_flow_curve(float(alpha), shear_rates)
        curve.insert(0, "alpha", float(alpha))
        parts.append(curve)
    return pd.concat(parts, ignore_index=True)


# Re-exports: the transient solver and the modified model live in their own modules.
from mechnoise.hl_modified import modified_flow_curve  # noqa: E402
from mechnoise.hl_transient import stress_grid, transient_response  # noqa: E402

__all__ = [
    "FLOW_CURVE_COLUMNS",
    "MODIFIED_FLOW_CURVE_COLUMNS",
    "PARAMETRIC_ALPHAS",
    "PARAMETRIC_CURVE_COLUMNS",
    "alpha_flow",
    "alpha_from_yield_stress",
    "alpha_micro",
    "alpha_micro_hl",
    "flow_curve_table",
    "modified_flow_curve",
    "parametric_curve",
    "small_rate_asymptotics",
    "stationary_density",
    "stationary_flow_curve",
    "stress_grid",
    "transient_response",
]
