"""Modified HL model driven by measured ingredients (issue 20, item 1).

Units σ̄_c = G0 = τ = 1: stresses in the mean steady-state local threshold, time in the HL
yield time τ, shear rate γ̇ in σ̄_c/(G0 τ), D in σ̄_c²/τ with the HL convention MSD = 2 D t.

P(σ, s, t) is the density of sites with stress σ and threshold s (∫∫ P dσ ds = 1). A site of
threshold s yields at rate 1/τ when σ > s (along the flow) or σ < −s⁻ (against it), with
s⁻ = r s (``reverse_ratio`` r, measured, fallback r = 1: symmetric thresholds). After a
yield the site takes a new threshold drawn from the *renewal* distribution g_r(s) and its
stress drops by Δ = f s′ from its old threshold s′, f drawn from the measured drop
distribution p(f) (conditional on s′ through Δ = f s′)::

    ∂_t P = −γ̇ ∂_σ P + D(γ̇) ∂²_σ P − τ⁻¹[θ(σ − s) + θ(−σ − s⁻)] P
            + g_r(s) ∫ds′ ∫df p(f) [Γ₊(s′) δ(σ − (1 − f) s′) + Γ₋(s′) δ(σ + (1 − f) s′⁻)],
    Γ₊(s′) = τ⁻¹ ∫_{σ>s′} P(σ, s′) dσ,     Γ₋(s′) = τ⁻¹ ∫_{σ<−s′⁻} P(σ, s′) dσ,
    Γ = ∫ [Γ₊ + Γ₋] ds′,     ⟨σ⟩ = ∫∫ σ P dσ ds.

**Convention for a stress above threshold at yield**: the drop is taken from the threshold,
not from the current stress: a site that yields at σ′ > s′ lands at (1 − f) s′, so the
overshoot σ′ − s′ (of order √(Dτ) + γ̇τ) relaxes with it. In the issue's notation
p_Δ(σ′ − σ | s′) is evaluated with σ′ = s′. f = 1 resets to σ = 0 (plain HL); f < 1 is
partial relaxation; 1 < f < 2 overshoots to the other side.

**Noise**: D(γ̇) is an input at each rate (the measured in-flow noise), so the activity Γ is
an output. For the reduction to plain HL the self-consistent closure D = c Γ (c = α⟨Δσ⟩²,
or α σ_c² for HL) is also available (``noise_coupling``).

**Renewal distribution**: in a steady state the threshold population π(s) (what snapshots
measure) is the renewal distribution weighted by the lifetime of a threshold, so g_r ≠ π.
With ``renewal="fitted"`` g_r is iterated, g_r ← g_r π_target/π_model (normalised), until the
model's stationary population matches the measured one (to ``population_tol``);
``renewal="independent"`` uses g_r = π_target (the old assumption that a new threshold is
drawn from the steady-state distribution).

Method: the thresholds are a discrete set of classes s_k (the measured population is given
on them); per class a vertex-centred finite-volume grid (:mod:`mechnoise.hl.kernel`, nodes
and refinement at −s⁻_k, 0, s_k, landing points inserted as nodes, Scharfetter–Gummel
fluxes), so the discrete generator conserves probability to round-off; for fixed D one
banded solve per class gives its response to unit yield fluxes of every source, and a small
linear system the fluxes. Cost: one banded solve of ~2·10³ nodes × 2K columns per class and
rate (K classes): ~30 ms CPU for K = 8 classes, 5 drops and one rate (measured).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.linalg import solve_banded

from mechnoise._typing import FloatArray
from mechnoise.hl.kernel import Operator, control_volumes, stress_grid, tridiagonal_generator
from mechnoise.hl.modified import _insert_nodes, _null_vector, _self_consistent_noise

logger = logging.getLogger(__name__)

#: Largest number of g_r fixed-point iterations.
_MAX_RENEWAL_ITERATIONS = 500
#: Stresses closer than this (units σ̄_c) are merged into one grid node.
_SNAP = 1e-9


@dataclass(frozen=True)
class Ingredients:
    """Measured ingredients of the modified HL model, in units σ̄_c = G0 = τ = 1.

    Attributes
    ----------
    thresholds : numpy.ndarray
        Threshold classes s_k > 0 along the flow, shape (K,), increasing.
    population : numpy.ndarray
        Measured steady-state population π_k of the classes (K,), ≥ 0, summing to 1.
    drop_fractions : numpy.ndarray
        Relative drops f_j = Δσ/s (J,), 0 < f < 2 (f = 1: reset to σ = 0).
    drop_weights : numpy.ndarray
        Probabilities of the drops (J,), ≥ 0, summing to 1.
    reverse_ratio : float
        s⁻/s, threshold against the flow over threshold along it (> 0); 1 is the fallback
        when it is not measured.
    """

    thresholds: FloatArray
    population: FloatArray
    drop_fractions: FloatArray
    drop_weights: FloatArray
    reverse_ratio: float = 1.0

    def __post_init__(self) -> None:
        s = np.asarray(self.thresholds, dtype=np.float64)
        p = np.asarray(self.population, dtype=np.float64)
        f = np.asarray(self.drop_fractions, dtype=np.float64)
        w = np.asarray(self.drop_weights, dtype=np.float64)
        if s.ndim != 1 or s.size == 0 or np.any(~np.isfinite(s)) or np.any(s <= 0):
            raise ValueError(f"thresholds must be a non-empty 1D array of values > 0: {s!r}")
        if np.any(np.diff(s) <= 0):
            raise ValueError("thresholds must be strictly increasing")
        if p.shape != s.shape or np.any(p < 0) or not math.isclose(p.sum(), 1.0, rel_tol=1e-9):
            raise ValueError("population must match thresholds, be >= 0 and sum to 1")
        if f.ndim != 1 or f.size == 0 or np.any(~(f > 0)) or np.any(~(f < 2)):
            raise ValueError(f"drop_fractions must lie in (0, 2): {f!r}")
        if w.shape != f.shape or np.any(w < 0) or not math.isclose(w.sum(), 1.0, rel_tol=1e-9):
            raise ValueError("drop_weights must match drop_fractions, be >= 0 and sum to 1")
        if not (math.isfinite(self.reverse_ratio) and self.reverse_ratio > 0):
            raise ValueError(f"reverse_ratio must be > 0, got {self.reverse_ratio!r}")
        for name, arr in (("thresholds", s), ("population", p), ("drop_fractions", f)):
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "drop_weights", w)

    @property
    def mean_drop(self) -> float:
        """⟨Δσ⟩ = ⟨f⟩ ⟨s⟩_π (units σ̄_c)."""
        return float(self.drop_weights @ self.drop_fractions) * float(
            self.population @ self.thresholds
        )


@dataclass(frozen=True)
class _Class:
    op: Operator
    loss_plus: FloatArray
    loss_minus: FloatArray
    landing_plus: npt.NDArray[np.intp]  # (K sources, J drops)
    landing_minus: npt.NDArray[np.intp]


@dataclass(frozen=True)
class StationaryState:
    """Stationary solution for one rate.

    Attributes
    ----------
    shear_rate, diffusion, activity, stress : float
        γ̇, D (MSD = 2 D t), Γ (all classes, both sides) and ⟨σ⟩.
    renewal : numpy.ndarray
        g_r on the classes (K,).
    population : numpy.ndarray
        Model steady population π_k (K,).
    nodes, masses : list of numpy.ndarray
        Per class the grid and the probability mass of each control volume (Σ all = 1).
    thresholds, reverse_thresholds : numpy.ndarray
        s_k and s⁻_k.
    iterations : int
        g_r iterations used.
    """

    shear_rate: float
    diffusion: float
    activity: float
    stress: float
    renewal: FloatArray
    population: FloatArray
    nodes: list[FloatArray]
    masses: list[FloatArray]
    thresholds: FloatArray
    reverse_thresholds: FloatArray
    iterations: int

    def stress_density(self, edges: npt.ArrayLike) -> FloatArray:
        """P(σ) histogram (density, 1/σ̄_c) on bins ``edges`` (mass outside is dropped)."""
        e = np.asarray(edges, dtype=np.float64)
        hist = sum(
            np.histogram(x, bins=e, weights=m)[0]
            for x, m in zip(self.nodes, self.masses, strict=True)
        )
        return np.asarray(hist / np.diff(e), dtype=np.float64)

    def distance_density(self, edges: npt.ArrayLike) -> FloatArray:
        """P(x) histogram of the distance to threshold along the flow, x = s − σ."""
        e = np.asarray(edges, dtype=np.float64)
        hist = sum(
            np.histogram(s - x, bins=e, weights=m)[0]
            for s, x, m in zip(self.thresholds, self.nodes, self.masses, strict=True)
        )
        return np.asarray(hist / np.diff(e), dtype=np.float64)


def _asymmetric_loss(
    nodes: FloatArray, widths: FloatArray, upper: float, lower: float
) -> FloatArray:
    mids = 0.5 * (nodes[:-1] + nodes[1:])
    left = np.concatenate(([nodes[0]], mids))
    right = np.concatenate((mids, [nodes[-1]]))
    beyond_right = np.clip(right - np.maximum(left, upper), 0.0, None)
    beyond_left = np.clip(np.minimum(right, -lower) - left, 0.0, None)
    return np.asarray((beyond_right + beyond_left) / widths, dtype=np.float64)


def _snap(points: FloatArray, anchors: FloatArray) -> FloatArray:
    """Merge points closer than ``_SNAP`` to an anchor or to each other (a node pair that
    close would make a control volume of width ~1e-16 and a generator of norm ~1e16)."""
    flat = points.ravel()
    pool = np.sort(np.concatenate((anchors, flat)))
    keep = [float(pool[0])]
    for x in pool[1:]:
        if x - keep[-1] > _SNAP:
            keep.append(float(x))
    reps = np.asarray(keep)
    # an anchor is the representative of its cluster (anchors are far apart)
    for a in anchors:
        reps[np.argmin(np.abs(reps - a))] = a
    idx = np.argmin(np.abs(flat[:, None] - reps[None, :]), axis=1)
    return np.asarray(reps[idx].reshape(points.shape), dtype=np.float64)


def _build_class(
    upper: float,
    lower: float,
    land_plus: FloatArray,
    land_minus: FloatArray,
    stress_max: float,
    min_spacing: float,
    max_spacing: float,
) -> _Class:
    refine = np.array([-lower, 0.0, upper])
    land_plus = _snap(land_plus, refine)
    land_minus = _snap(land_minus, refine)
    base = stress_grid(
        stress_max,
        min_spacing=min_spacing,
        max_spacing=max_spacing,
        outer_max_spacing=max_spacing,
        refine_at=refine,
    )
    keep = np.concatenate((refine, [base[0], base[-1]]))
    nodes = _insert_nodes(base, np.concatenate((land_plus.ravel(), land_minus.ravel())), keep)
    widths, spacing = control_volumes(nodes)
    loss = _asymmetric_loss(nodes, widths, upper, lower)
    op = Operator(nodes, widths, spacing, loss, int(np.flatnonzero(nodes == 0.0)[0]))
    plus = np.searchsorted(nodes, land_plus)
    minus = np.searchsorted(nodes, land_minus)
    if not (np.array_equal(nodes[plus], land_plus) and np.array_equal(nodes[minus], land_minus)):
        raise RuntimeError("landing stresses are not grid nodes")  # pragma: no cover
    return _Class(
        op,
        np.where(nodes > 0.0, loss, 0.0),
        np.where(nodes < 0.0, loss, 0.0),
        plus.astype(np.intp),
        minus.astype(np.intp),
    )


def _build_classes(
    ing: Ingredients, stress_max: float, min_spacing: float, max_spacing: float
) -> list[_Class]:
    s = ing.thresholds
    s_rev = ing.reverse_ratio * s
    land_plus = np.outer(s, 1.0 - ing.drop_fractions)  # (K, J)
    land_minus = -np.outer(s_rev, 1.0 - ing.drop_fractions)
    return [
        _build_class(
            float(u), float(lo), land_plus, land_minus, stress_max, min_spacing, max_spacing
        )
        for u, lo in zip(s, s_rev, strict=True)
    ]


def _responses(
    classes: list[_Class], weights: FloatArray, rate: float, diffusion: float
) -> tuple[FloatArray, FloatArray, FloatArray, list[FloatArray]]:
    """Per target class c and source column (k, ±): outflows, mass, moment and profiles."""
    k_src = classes[0].landing_plus.shape[0]
    n_cls = len(classes)
    out = np.zeros((2 * n_cls, 2 * k_src))
    mass = np.zeros((n_cls, 2 * k_src))
    moment = np.zeros((n_cls, 2 * k_src))
    profiles = []
    for c, cl in enumerate(classes):
        n = cl.op.nodes.size
        band = tridiagonal_generator(cl.op, rate, diffusion)
        src = np.zeros((n, 2 * k_src))
        for k in range(k_src):
            np.add.at(src[:, 2 * k], cl.landing_plus[k], weights)
            np.add.at(src[:, 2 * k + 1], cl.landing_minus[k], weights)
        z = solve_banded((1, 1), -band, src, check_finite=False)
        out[2 * c] = cl.loss_plus @ z
        out[2 * c + 1] = cl.loss_minus @ z
        mass[c] = z.sum(axis=0)
        moment[c] = cl.op.centroids @ z
        profiles.append(z)
    return out, mass, moment, profiles


def _fluxes(out: FloatArray, mass: FloatArray, g: FloatArray) -> FloatArray:
    """Stationary source fluxes (k, ±) for renewal g: Γ = K Γ with Σ mass = 1."""
    transfer = out * np.repeat(g, 2)[:, None]
    return _null_vector(transfer, g @ mass)


def _solve_fixed_noise(
    classes: list[_Class],
    ing: Ingredients,
    rate: float,
    diffusion: float,
    renewal: Literal["fitted", "independent"],
    population_tol: float,
) -> StationaryState:
    out, mass, moment, profiles = _responses(classes, ing.drop_weights, rate, diffusion)
    target = ing.population
    g = target.copy()
    iterations = 0
    while True:
        fluxes = _fluxes(out, mass, g)
        population = g * (mass @ fluxes)
        if renewal == "independent" or np.max(np.abs(population - target)) < population_tol:
            break
        iterations += 1
        if iterations > _MAX_RENEWAL_ITERATIONS:
            raise RuntimeError(
                f"renewal distribution did not converge (rate {rate!r}): population error "
                f"{np.max(np.abs(population - target))!r}"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(target > 0, g * target / population, 0.0)
        g /= g.sum()
    masses = [g[c] * (profiles[c] @ fluxes) for c in range(len(classes))]
    return StationaryState(
        shear_rate=rate,
        diffusion=diffusion,
        activity=float(fluxes.sum()),
        stress=float(g @ (moment @ fluxes)),
        renewal=g,
        population=population,
        nodes=[cl.op.nodes for cl in classes],
        masses=masses,
        thresholds=ing.thresholds,
        reverse_thresholds=ing.reverse_ratio * ing.thresholds,
        iterations=iterations,
    )


def stationary_state(
    ingredients: Ingredients,
    shear_rate: float,
    diffusion: float | None = None,
    *,
    noise_coupling: float | None = None,
    renewal: Literal["fitted", "independent"] = "fitted",
    population_tol: float = 1e-10,
    stress_max: float | None = None,
    min_spacing: float | None = None,
    max_spacing: float = 0.005,
) -> StationaryState:
    """Stationary state of the modified HL model at one rate (see the module docstring).

    Parameters
    ----------
    ingredients : Ingredients
        Thresholds, their measured steady population, drop distribution and s⁻/s.
    shear_rate : float
        γ̇ > 0 (units σ̄_c/(G0 τ)).
    diffusion : float, optional
        Measured noise D(γ̇) > 0 (units σ̄_c²/τ, MSD = 2 D t); Γ is then an output.
    noise_coupling : float, optional
        Instead of ``diffusion``: c in the closure D = c Γ (c = α σ_c² gives plain HL).
    renewal : {"fitted", "independent"}
        Iterate g_r to match the measured population, or take g_r = population.
    population_tol : float
        Largest |π_model − π_target| accepted by the g_r iteration.
    stress_max, min_spacing, max_spacing : float, optional
        Domain half-width (default 2 max(s, s⁻) + 2 + 30 max(γ̇, 0.1)), spacing at the
        thresholds and at 0 (default min(1e-3, 0.1 √D), ≥ 1e-6) and elsewhere.

    Returns
    -------
    StationaryState

    Raises
    ------
    ValueError
        If not exactly one of ``diffusion`` and ``noise_coupling`` is given, or a value is
        out of range.
    RuntimeError
        If the g_r iteration does not converge.

    Examples
    --------
    One threshold, reset to zero, D = α Γ: the plain HL model.

    >>> from mechnoise.hl import stationary_flow_curve
    >>> ing = Ingredients(np.array([1.0]), np.array([1.0]), np.array([1.0]), np.array([1.0]))
    >>> st = stationary_state(ing, 1e-2, noise_coupling=0.26)
    >>> exact = stationary_flow_curve(0.26, [1e-2]).stress.iloc[0]
    >>> bool(abs(st.stress / exact - 1) < 1e-4)
    True
    """
    rate = float(shear_rate)
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"shear_rate must be finite and > 0, got {shear_rate!r}")
    if (diffusion is None) == (noise_coupling is None):
        raise ValueError("give exactly one of diffusion and noise_coupling")
    if renewal not in ("fitted", "independent"):
        raise ValueError(f"renewal must be 'fitted' or 'independent', got {renewal!r}")
    scale = diffusion if diffusion is not None else noise_coupling
    if scale is None or not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"diffusion / noise_coupling must be finite and > 0, got {scale!r}")
    s_top = float(
        max(ingredients.thresholds.max(), ingredients.reverse_ratio * ingredients.thresholds.max())
    )
    smax = stress_max if stress_max is not None else 2.0 * s_top + 2.0 + 30.0 * max(rate, 0.1)
    d_guess = float(diffusion) if diffusion is not None else float(noise_coupling) * rate  # type: ignore[arg-type]
    h_min = (
        min_spacing if min_spacing is not None else min(1e-3, max(0.1 * math.sqrt(d_guess), 1e-6))
    )
    h_min = min(h_min, max_spacing)
    classes = _build_classes(ingredients, smax, h_min, max_spacing)
    if diffusion is not None:
        return _solve_fixed_noise(
            classes, ingredients, rate, float(diffusion), renewal, population_tol
        )
    coupling = float(noise_coupling)  # type: ignore[arg-type]

    def residual(log_d: float) -> float:
        st = _solve_fixed_noise(
            classes, ingredients, rate, math.exp(log_d), renewal, population_tol
        )
        return log_d - math.log(coupling * st.activity)

    d = _self_consistent_noise(residual, coupling * rate)
    return _solve_fixed_noise(classes, ingredients, rate, d, renewal, population_tol)


def measured_flow_curve(
    ingredients: Ingredients,
    shear_rates: npt.ArrayLike,
    diffusion: npt.ArrayLike | None = None,
    *,
    noise_coupling: float | None = None,
    renewal: Literal["fitted", "independent"] = "fitted",
    min_spacing: float | None = None,
    max_spacing: float = 0.005,
) -> pd.DataFrame:
    """Stationary flow curve with the measured noise D(γ̇) at each rate.

    Parameters
    ----------
    ingredients : Ingredients
        See :class:`Ingredients`.
    shear_rates : array_like
        γ̇ > 0 (units σ̄_c/(G0 τ)), shape (n,).
    diffusion : array_like, optional
        D(γ̇) at each rate (units σ̄_c²/τ, MSD = 2 D t), shape (n,).
    noise_coupling : float, optional
        Instead: the closure D = c Γ.
    renewal : {"fitted", "independent"}
        See :func:`stationary_state`.
    min_spacing, max_spacing : float, optional
        Grid spacings, see :func:`stationary_state`.

    Returns
    -------
    pandas.DataFrame
        Columns ``shear_rate``, ``stress`` (⟨σ⟩, σ̄_c), ``activity`` (Γ, 1/τ), ``diffusion``
        (D, σ̄_c²/τ), ``renewal_iterations``.

    Raises
    ------
    ValueError
        On inconsistent inputs.
    """
    rates = np.atleast_1d(np.asarray(shear_rates, dtype=np.float64))
    if diffusion is not None:
        noise = np.atleast_1d(np.asarray(diffusion, dtype=np.float64))
        if noise.shape != rates.shape:
            raise ValueError(f"diffusion has shape {noise.shape}, shear_rates {rates.shape}")
    rows = []
    for i, rate in enumerate(rates):
        st = stationary_state(
            ingredients,
            float(rate),
            None if diffusion is None else float(noise[i]),
            noise_coupling=noise_coupling,
            renewal=renewal,
            min_spacing=min_spacing,
            max_spacing=max_spacing,
        )
        rows.append((st.shear_rate, st.stress, st.activity, st.diffusion, st.iterations))
    return pd.DataFrame(
        rows, columns=["shear_rate", "stress", "activity", "diffusion", "renewal_iterations"]
    )
