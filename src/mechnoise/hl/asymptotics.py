"""Small-rate asymptotics of the HL model (docs/design.md §4, corrected Appendix A of the paper).

Units σ_c = G0 = τ = 1; u = 1/d with α = tanh(u/2)/u (α < ½). σ_Y = ½ coth(u/2) − 1/u
(Eqs. 14, 15, 22); the Herschel–Bulkley prefactor A is the corrected Eq. (24).
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import brentq

from mechnoise.hl.stationary import ROOT_RTOL, validate_alpha

#: Below this u the asymptotic formulas use their Taylor series (cancellation otherwise).
_SMALL_U = 0.05


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
    return math.exp(brentq(f, lo, hi, xtol=1e-300, rtol=ROOT_RTOL))


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

    The latter replaces the misprinted Eq. 24 (docs/design.md §4). Limits: α → 0 gives
    σ_Y → ½ − α, A → √α/2; α → ½ gives σ_Y → 0.

    Examples
    --------
    >>> sy, a = small_rate_asymptotics(0.26)
    >>> round(sy, 5), round(a, 5)
    (0.25279, 0.35699)
    """
    alpha = validate_alpha(alpha)
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
    u = math.exp(brentq(f, lo, hi, xtol=1e-300, rtol=ROOT_RTOL))
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
