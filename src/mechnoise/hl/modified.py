"""Modified Hébraud–Lequeux model: threshold distribution and partial stress relaxation.

Units: stresses in the mean local threshold scale σ̄_c (location of the threshold
distribution), time in τ, shear rate in σ̄_c/(G0 τ), G0 = 1.

Model (proposed in the paper's §4 and Conclusion; built here). Local thresholds σ_c follow
g(σ_c), a Gaussian of mean 1 and standard deviation ``threshold_width`` truncated to σ_c > 0.
P(σ; σ_c, t) is the density of sites with threshold σ_c and stress σ (∫∫ P dσ dσ_c = 1):

    ∂_t P = −γ̇ ∂_σ P + D ∂²_σ P − θ(|σ| − σ_c) P / τ + G(σ; σ_c, t),
    Γ_±(σ_c, t) = ∫_{±σ > σ_c} P dσ / τ      (yield fluxes on the two sides),

i.e. a site yields at rate 1/τ once |σ| > σ_c and its stress drops by Δσ = f σ_c from the
threshold, landing at sign(σ)(σ_c − Δσ) (the overshoot beyond σ_c relaxes too); f ∈ (0, 1]
is the relaxation fraction, fixed (``relaxation_width`` = 0) or drawn at each event from
h(f), a Gaussian of mean ``relaxation_fraction`` and width ``relaxation_width`` truncated to
(0, 1]. The gain G depends on what happens to the threshold:

- ``thresholds="renewed"`` (default; annealed disorder as in the paper's ref. 6): the
  site draws a new threshold from g,
  G(σ; σ_c) = g(σ_c) Σ_± ∫ dσ_c' ∫ h(f) df Γ_±(σ_c') δ(σ ∓ (1 − f) σ_c');
- ``thresholds="quenched"``: the site keeps its threshold (each class keeps weight g),
  G(σ; σ_c) = Σ_± ∫ h(f) df Γ_±(σ_c) δ(σ ∓ (1 − f) σ_c).

The mechanical noise is

    D = α ⟨Δσ⟩² Γ,   Γ = ∫ [Γ_+(σ_c) + Γ_−(σ_c)] dσ_c,   ⟨Δσ⟩ = ⟨f⟩_h ⟨σ_c⟩_g,

D in the HL convention (MSD = 2 D t) and ⟨σ⟩ = ∫∫ σ P dσ dσ_c. With ``threshold_width`` = 0
and ``relaxation_fraction`` = 1 both variants are exactly Eqs. 1–3 of the paper.

Method: Gauss–Legendre quadrature in the probability variable of g (and of h); per threshold
class a vertex-centred finite-volume grid (refined at ±σ_c and 0, landing points inserted as
nodes; Scharfetter–Gummel fluxes; the discrete generator conserves mass exactly); for fixed
D the stationary state follows from one banded solve per class (response to unit yield
fluxes) and a small linear system for the fluxes Γ_± of all classes; Brent's method on
log D gives the self-consistency.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.linalg import solve_banded
from scipy.optimize import brentq
from scipy.special import roots_legendre
from scipy.stats import truncnorm

from mechnoise._typing import FloatArray
from mechnoise.hl.kernel import (
    Operator,
    control_volumes,
    loss_fractions,
    stress_grid,
    tridiagonal_generator,
)

logger = logging.getLogger(__name__)


#: Relative tolerance on log D in the self-consistency root find.
_ROOT_RTOL = 1e-12


@dataclass(frozen=True)
class Quadrature:
    """Nodes and weights (summing to 1) of a one-dimensional distribution."""

    nodes: FloatArray
    weights: FloatArray


def truncated_gaussian_quadrature(
    mean: float, width: float, lower: float, upper: float, n: int
) -> Quadrature:
    """Gauss–Legendre quadrature of a truncated Gaussian in its probability variable.

    Parameters
    ----------
    mean, width : float
        Location and standard deviation of the parent Gaussian (width ≥ 0).
    lower, upper : float
        Truncation bounds (lower < upper; may be infinite).
    n : int
        Number of nodes (ignored, 1 node at ``mean``, if width = 0).

    Returns
    -------
    Quadrature
        x_j = F⁻¹(u_j) at Gauss–Legendre points u_j of (0, 1), weights w_j (Σ w_j = 1).

    Raises
    ------
    ValueError
        If width < 0, n < 1, or mean is outside the bounds when width = 0.

    Examples
    --------
    >>> q = truncated_gaussian_quadrature(1.0, 0.2, 0.0, np.inf, 8)
    >>> round(float(q.weights @ q.nodes), 6)
    1.0
    """
    if width < 0.0 or n < 1:
        raise ValueError(f"need width >= 0 and n >= 1, got width={width!r}, n={n!r}")
    if width == 0.0:
        if not lower < mean <= upper:
            raise ValueError(f"mean {mean!r} outside ({lower!r}, {upper!r}]")
        return Quadrature(np.array([float(mean)]), np.array([1.0]))
    u, w = roots_legendre(n)
    u = 0.5 * (u + 1.0)
    dist = truncnorm((lower - mean) / width, (upper - mean) / width, loc=mean, scale=width)
    return Quadrature(np.asarray(dist.ppf(u), dtype=np.float64), np.asarray(0.5 * w))


@dataclass(frozen=True)
class _ClassProblem:
    """Finite-volume stationary problem of one threshold class.

    ``landing_plus[s, j]`` is the node where a site of source class s yielding at σ > 0
    lands, +(1 − f_j) σ_c(s); ``landing_minus`` the mirror. With quenched thresholds the only
    source is the class itself; with renewed thresholds every class is a source.
    """

    op: Operator
    threshold: float
    landing_plus: npt.NDArray[np.intp]
    landing_minus: npt.NDArray[np.intp]
    landing_weights: FloatArray
    loss_plus: FloatArray  # κ restricted to σ > 0
    loss_minus: FloatArray


def _insert_nodes(nodes: FloatArray, points: FloatArray, keep: FloatArray) -> FloatArray:
    """Make ``points`` nodes: move the nearest free node onto a point if it lies within a
    third of the local spacing, else insert the point (no refinement is needed at a landing
    point, where P only has a kink). Symmetric input gives a symmetric grid."""
    out = nodes.copy()
    fixed = set(keep.tolist())
    for p in np.unique(points):
        if np.any(out == p):
            fixed.add(float(p))
            continue
        i = int(np.searchsorted(out, p))
        left, right = out[i - 1], out[i]
        j = i - 1 if p - left <= right - p else i
        if abs(out[j] - p) < (right - left) / 3.0 and float(out[j]) not in fixed:
            out[j] = p
        else:
            out = np.insert(out, i, p)
        fixed.add(float(p))
    return out


def _class_problem(
    threshold: float,
    source_thresholds: FloatArray,
    fractions: Quadrature,
    stress_max: float,
    min_spacing: float,
    max_spacing: float,
    outer_max_spacing: float,
) -> _ClassProblem:
    landings = np.outer(source_thresholds, 1.0 - fractions.nodes)  # (n_sources, n_fractions)
    refine = np.array([-threshold, 0.0, threshold])
    base = stress_grid(
        stress_max,
        min_spacing=min_spacing,
        max_spacing=max_spacing,
        outer_max_spacing=outer_max_spacing,
        refine_at=refine,
    )
    keep = np.concatenate((refine, [base[0], base[-1]]))
    nodes = _insert_nodes(base, np.concatenate((landings.ravel(), -landings.ravel())), keep)
    widths, spacing = control_volumes(nodes)
    loss = loss_fractions(nodes, widths, threshold)
    op = Operator(nodes, widths, spacing, loss, int(np.flatnonzero(nodes == 0.0)[0]))
    plus = np.searchsorted(nodes, landings)
    minus = np.searchsorted(nodes, -landings)
    if not (np.array_equal(nodes[plus], landings) and np.array_equal(nodes[minus], -landings)):
        raise RuntimeError("landing stresses are not grid nodes")  # pragma: no cover
    return _ClassProblem(
        op,
        threshold,
        plus.astype(np.intp),
        minus.astype(np.intp),
        fractions.weights,
        np.where(nodes > 0.0, loss, 0.0),
        np.where(nodes < 0.0, loss, 0.0),
    )


def _class_response(
    prob: _ClassProblem, shear_rate: float, diffusion: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Response of one class to unit yield fluxes of each source (class s, sign ±).

    With T the tridiagonal transport-and-loss part (an M-matrix, invertible), a unit flux
    of source (s, ±) landing on u = Σ_j q_j e(±(1 − f_j)σ_c(s)) gives the stationary mass
    z = −T⁻¹u. Returns, per source column (s₀+, s₀−, s₁+, …), the outflows κ₊·z and κ₋·z,
    the mass Σz and the stress moment Σ c_i z_i. One banded solve with 2 n_sources columns.
    """
    op = prob.op
    n = op.nodes.size
    n_sources = prob.landing_plus.shape[0]
    band = tridiagonal_generator(op, shear_rate, diffusion)
    sources = np.zeros((n, 2 * n_sources))
    for s in range(n_sources):
        np.add.at(sources[:, 2 * s], prob.landing_plus[s], prob.landing_weights)
        np.add.at(sources[:, 2 * s + 1], prob.landing_minus[s], prob.landing_weights)
    z = solve_banded((1, 1), -band, sources, check_finite=False)
    return (
        np.asarray(prob.loss_plus @ z, dtype=np.float64),
        np.asarray(prob.loss_minus @ z, dtype=np.float64),
        np.asarray(z.sum(axis=0), dtype=np.float64),
        np.asarray(op.centroids @ z, dtype=np.float64),
    )


def _null_vector(transfer: FloatArray, mass: FloatArray) -> FloatArray:
    """Solve (K − I) Γ = 0 with mass·Γ = 1 (K has unit column sums: conservation)."""
    n = transfer.shape[0]
    system = np.vstack((transfer - np.eye(n), mass[None, :]))
    rhs = np.zeros(n + 1)
    rhs[-1] = 1.0
    solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    return np.asarray(solution, dtype=np.float64)


def _stationary_totals(
    problems: list[_ClassProblem],
    weights: FloatArray,
    renewal: bool,
    shear_rate: float,
    diffusion: float,
) -> tuple[float, float]:
    """Total activity Γ and mean stress ⟨σ⟩ of the stationary state for fixed D."""
    if not renewal:
        # each class keeps its weight g_c: a 2×2 problem per class
        activity = stress = 0.0
        for prob, g in zip(problems, weights, strict=True):
            out_p, out_m, mass, moment = _class_response(prob, shear_rate, diffusion)
            fluxes = float(g) * _null_vector(np.vstack((out_p, out_m)), mass)
            activity += float(fluxes.sum())
            stress += float(moment @ fluxes)
        return activity, stress
    # renewal: a site of any class lands in class c' with probability g_c'
    n = len(problems)
    transfer = np.zeros((2 * n, 2 * n))
    mass = np.zeros(2 * n)
    moment = np.zeros(2 * n)
    for c, (prob, g) in enumerate(zip(problems, weights, strict=True)):
        out_p, out_m, mass_c, moment_c = _class_response(prob, shear_rate, diffusion)
        transfer[2 * c] = g * out_p
        transfer[2 * c + 1] = g * out_m
        mass += g * mass_c
        moment += g * moment_c
    fluxes = _null_vector(transfer, mass)
    return float(fluxes.sum()), float(moment @ fluxes)


def _solve_self_consistency(
    problems: list[_ClassProblem],
    weights: FloatArray,
    renewal: bool,
    rate: float,
    noise: float,
) -> tuple[float, float, float]:
    """Solve log D = log(noise · Γ(D)) by Brent's method; return (D, Γ, ⟨σ⟩)."""

    def residual(log_d: float) -> float:
        activity = _stationary_totals(problems, weights, renewal, rate, math.exp(log_d))[0]
        return log_d - math.log(noise * activity)

    d = _self_consistent_noise(residual, noise * rate)
    activity, stress = _stationary_totals(problems, weights, renewal, rate, d)
    return d, activity, stress


def _self_consistent_noise(residual: Callable[[float], float], guess: float) -> float:
    """The noise ``D`` with ``residual(log D) = 0``, ``residual = log D − log(coupling Γ(D))``.

    ``D`` spans decades, so the root is sought in ``log D`` (docs/design.md §4): a bracket
    around ``log(guess)`` (e.g. coupling × rate) is widened in steps of 3 until the residual
    changes sign, then Brent's method.
    """
    lo = math.log(guess) - 1.0
    hi = lo + 2.0
    for _ in range(100):
        if residual(lo) <= 0.0:
            break
        hi, lo = lo, lo - 3.0
    for _ in range(100):
        if residual(hi) >= 0.0:
            break
        lo, hi = hi, hi + 3.0
    return math.exp(brentq(residual, lo, hi, rtol=_ROOT_RTOL, xtol=1e-14))


def modified_flow_curve(
    alpha: float,
    shear_rates: npt.ArrayLike,
    *,
    threshold_width: float = 0.0,
    relaxation_fraction: float = 1.0,
    relaxation_width: float = 0.0,
    threshold_nodes: int = 12,
    relaxation_nodes: int = 6,
    thresholds: Literal["renewed", "quenched"] = "renewed",
    stress_max: float | None = None,
    min_spacing: float | None = None,
    max_spacing: float = 0.005,
    outer_max_spacing: float = 0.005,
) -> pd.DataFrame:
    """Stationary flow curve of the modified HL model (see the module docstring).

    Parameters
    ----------
    alpha : float
        Coupling α > 0 in D = α ⟨Δσ⟩² Γ.
    shear_rates : array_like
        Shear rates γ̇ > 0 (units σ̄_c/(G0 τ)), shape (n,).
    threshold_width : float
        Standard deviation of the threshold Gaussian (units σ̄_c), ≥ 0; 0 is the HL single
        threshold.
    relaxation_fraction : float
        Mean relaxation fraction f = Δσ/σ_c, in (0, 1]; 1 is the HL full relaxation.
    relaxation_width : float
        Standard deviation of f (≥ 0; truncated to (0, 1]).
    threshold_nodes, relaxation_nodes : int
        Quadrature nodes for g(σ_c) and h(f) (used only when the widths are > 0).
    thresholds : {"renewed", "quenched"}
        ``"renewed"``: a yielding site draws a new threshold from g (annealed disorder, as
        in the HL model with a yield-stress distribution of Agoritsas et al. 2015, the
        paper's ref. 6); ``"quenched"``: every site keeps its threshold for ever.
    stress_max : float, optional
        Half-width of the stress domain; default 2 + max threshold + 30 max(γ̇, 0.1).
    min_spacing, max_spacing, outer_max_spacing : float
        Grid spacings at the refinement points, between them and in the tails beyond the
        largest threshold (units σ̄_c); see :func:`mechnoise.hl.kernel.stress_grid`.
        Default min_spacing: min(1e-3, 0.1 (α⟨Δσ⟩²γ̇)^{1/2}), a tenth of the boundary-layer
        width √D at the thresholds.

    Returns
    -------
    pandas.DataFrame
        Columns ``shear_rate``, ``stress`` (⟨σ⟩), ``activity`` (Γ, 1/τ), ``diffusion``
        (D, HL convention), ``stress_drop`` (⟨Δσ⟩ used in D).

    Raises
    ------
    ValueError
        On α ≤ 0, non-positive rates or parameters out of range.

    Notes
    -----
    For fixed D and each class c, z = −T_c⁻¹u is the stationary response to a unit yield
    flux of source (s, ±) landing at ±(1 − f_j)σ_c(s) (T_c: transport and loss beyond
    ±σ_c). The fluxes Γ of all sources solve (K − I)Γ = 0 with K the outflows κ±·z (times
    g_c under renewal) and the normalisation Σ mass = 1. Then
    log D − log(α⟨Δσ⟩²Γ(D)) = 0 is solved with Brent's method. The discretisation error is
    ~1e-4 relative at the default spacings (tested against closed forms and brute force).

    Examples
    --------
    With a single threshold and full relaxation it is the HL model:

    >>> from mechnoise.hl import stationary_flow_curve
    >>> exact = stationary_flow_curve(0.26, [1e-2]).stress.iloc[0]
    >>> df = modified_flow_curve(0.26, [1e-2], min_spacing=2e-3, max_spacing=0.02)
    >>> bool(abs(df.stress.iloc[0] / exact - 1.0) < 1e-3)
    True
    >>> df = modified_flow_curve(0.26, [1e-2], relaxation_fraction=0.5, min_spacing=2e-3,
    ...                          max_spacing=0.02, outer_max_spacing=0.02)
    >>> bool(df.stress.iloc[0] > exact)
    True
    """
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha <= 0.0:
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    rates = np.atleast_1d(np.asarray(shear_rates, dtype=np.float64))
    if rates.ndim != 1 or rates.size == 0 or np.any(~np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"shear_rates must be a non-empty 1D array of positive rates: {rates!r}")
    if not 0.0 < relaxation_fraction <= 1.0:
        raise ValueError(f"relaxation_fraction must be in (0, 1], got {relaxation_fraction!r}")
    if threshold_width < 0.0 or relaxation_width < 0.0:
        raise ValueError("threshold_width and relaxation_width must be >= 0")
    if thresholds not in ("renewed", "quenched"):
        raise ValueError(f"thresholds must be 'renewed' or 'quenched', got {thresholds!r}")
    renewal = thresholds == "renewed" and threshold_width > 0.0
    classes = truncated_gaussian_quadrature(1.0, threshold_width, 0.0, np.inf, threshold_nodes)
    fractions = truncated_gaussian_quadrature(
        relaxation_fraction, relaxation_width, 0.0, 1.0, relaxation_nodes
    )
    stress_drop = float(fractions.weights @ fractions.nodes) * float(
        classes.weights @ classes.nodes
    )
    noise = alpha * stress_drop**2
    rows = []
    for rate in rates:
        smax = (
            stress_max
            if stress_max is not None
            else 2.0 + float(classes.nodes.max()) + 30.0 * max(float(rate), 0.1)
        )
        h_min = (
            min(1e-3, max(0.1 * math.sqrt(noise * float(rate)), 1e-6))
            if min_spacing is None
            else min_spacing
        )
        problems = [
            _class_problem(
                float(c),
                classes.nodes if renewal else np.array([c]),
                fractions,
                smax,
                h_min,
                max_spacing,
                outer_max_spacing,
            )
            for c in classes.nodes
        ]
        d, activity, stress = _solve_self_consistency(
            problems, classes.weights, renewal, float(rate), noise
        )
        rows.append((float(rate), stress, activity, d, stress_drop))
    return pd.DataFrame(
        rows, columns=["shear_rate", "stress", "activity", "diffusion", "stress_drop"]
    )
