"""Finite-volume kernel shared by the HL solvers (transient and modified model).

Units σ_c = G0 = τ = 1. The grid is vertex centred: every node x_i carries the probability
mass m_i of its control volume [x_{i−½}, x_{i+½}] (midpoints between nodes, half cells at
the ends), with zero-flux walls at ±``stress_max``. Fluxes J = γ̇P − DP' between nodes use the
Scharfetter–Gummel (exponential fitting) formula, exact for the steady advection–diffusion
problem between two nodes, monotone for any Péclet number and reducing to upwinding when
D = 0. The loss −θ(|σ| − σ_c)P is applied to the part of each control volume beyond the
threshold and the same mass is put back at the node of the landing stress (0 for HL), so
the column sums of the generator vanish and Σ m_i is conserved to round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mechnoise._typing import FloatArray

#: |Péclet| below which the Scharfetter–Gummel weights use their Taylor expansion.
_SMALL_PECLET = 1e-6


def stress_grid(
    stress_max: float = 4.0,
    *,
    min_spacing: float = 1e-3,
    max_spacing: float = 0.005,
    outer_max_spacing: float = 0.02,
    growth: float = 1.08,
    refine_at: npt.ArrayLike = (-1.0, 0.0, 1.0),
) -> FloatArray:
    """Non-uniform grid of local stresses with nodes on, and refined at, given points.

    Parameters
    ----------
    stress_max : float
        Half-width of the domain [−stress_max, stress_max] (units σ_c); must exceed every
        |refine_at|.
    min_spacing : float
        Spacing next to each refinement point (units σ_c).
    max_spacing : float
        Largest spacing between the outermost refinement points (units σ_c). Inside
        (−1, 1) P varies on the scale D/γ̇, and the lumped-mass error is ≈ (γ̇h/D)²/24.
    outer_max_spacing : float
        Largest spacing beyond the outermost refinement points (the exponential tails).
    growth : float
        Ratio of successive spacings away from a refinement point (> 1).
    refine_at : array_like
        Points that are nodes of the grid and around which it is refined.

    Returns
    -------
    numpy.ndarray
        Increasing node positions, shape (n,), including ±stress_max and ``refine_at``.

    Raises
    ------
    ValueError
        If the spacings, growth or domain are inconsistent.

    Examples
    --------
    >>> x = stress_grid(3.0)
    >>> bool(x[0] == -3.0 and x[-1] == 3.0 and 1.0 in x and 0.0 in x and -1.0 in x)
    True
    """
    if not (0.0 < min_spacing <= min(max_spacing, outer_max_spacing)) or growth <= 1.0:
        raise ValueError(
            "need 0 < min_spacing <= max_spacing, outer_max_spacing and growth > 1, got "
            f"{min_spacing!r}, {max_spacing!r}, {outer_max_spacing!r}, {growth!r}"
        )
    points = np.unique(np.asarray(refine_at, dtype=np.float64))
    if points.size and np.max(np.abs(points)) >= stress_max:
        raise ValueError(f"stress_max={stress_max!r} must exceed |refine_at| (max {points!r})")
    # spacing grows linearly with the distance to the nearest refinement point up to a cap;
    # each interval is filled mirror-symmetrically, so a symmetric refine_at gives a grid
    # symmetric under σ → −σ (no spurious stress at small rates).
    breaks = np.concatenate(([-stress_max], points, [stress_max]))
    nodes: list[float] = [float(breaks[0])]
    for j in range(breaks.size - 1):
        lo, hi = float(breaks[j]), float(breaks[j + 1])
        refine_lo = j > 0
        refine_hi = j < breaks.size - 2
        cap = max_spacing if (refine_lo and refine_hi) else outer_max_spacing
        length = hi - lo
        reach = 0.5 * length if (refine_lo and refine_hi) else length
        dists: list[float] = []
        d = 0.0
        while True:
            h = min(cap, min_spacing + (growth - 1.0) * d)
            if d + h > reach - (0.25 * h if reach < length else 0.5 * h):
                break
            d += h
            dists.append(d)
        if refine_lo and refine_hi:
            middle = [0.5 * (lo + hi)] if reach - (dists[-1] if dists else 0.0) > 0.75 * h else []
            inner = [lo + x for x in dists] + middle + [hi - x for x in reversed(dists)]
        elif refine_lo:
            inner = [lo + x for x in dists]
        else:
            inner = [hi - x for x in reversed(dists)]
        nodes.extend(inner)
        nodes.append(hi)
    return np.asarray(nodes, dtype=np.float64)


@dataclass(frozen=True)
class Operator:
    """Geometry of a vertex-centred grid for the HL generator."""

    nodes: FloatArray
    widths: FloatArray  # control-volume widths w_i
    spacing: FloatArray  # x_{i+1} − x_i
    loss: FloatArray  # κ_i = |CV ∩ {|σ| > σ_c}| / w_i
    landing: int  # node index receiving the yielded mass

    @property
    def centroids(self) -> FloatArray:
        """Control-volume midpoints: ⟨σ⟩ = Σ c_i m_i is second order on a graded grid."""
        mids = 0.5 * (self.nodes[:-1] + self.nodes[1:])
        left = np.concatenate(([self.nodes[0]], mids))
        right = np.concatenate((mids, [self.nodes[-1]]))
        return np.asarray(0.5 * (left + right), dtype=np.float64)


def control_volumes(nodes: FloatArray) -> tuple[FloatArray, FloatArray]:
    spacing = np.diff(nodes)
    widths = np.empty_like(nodes)
    widths[0] = 0.5 * spacing[0]
    widths[-1] = 0.5 * spacing[-1]
    widths[1:-1] = 0.5 * (spacing[:-1] + spacing[1:])
    return widths, spacing


def loss_fractions(nodes: FloatArray, widths: FloatArray, threshold: float) -> FloatArray:
    """Fraction of each control volume lying at |σ| > threshold."""
    mids = 0.5 * (nodes[:-1] + nodes[1:])
    left = np.concatenate(([nodes[0]], mids))
    right = np.concatenate((mids, [nodes[-1]]))
    beyond_right = np.clip(right - np.maximum(left, threshold), 0.0, None)
    beyond_left = np.clip(np.minimum(right, -threshold) - left, 0.0, None)
    return np.asarray((beyond_right + beyond_left) / widths, dtype=np.float64)


def build_operator(nodes: FloatArray, threshold: float = 1.0, landing: float = 0.0) -> Operator:
    widths, spacing = control_volumes(nodes)
    hit = np.flatnonzero(nodes == landing)
    if hit.size != 1:
        raise ValueError(f"the landing stress {landing!r} must be a node of the grid")
    return Operator(nodes, widths, spacing, loss_fractions(nodes, widths, threshold), int(hit[0]))


def sg_coefficients(
    spacing: FloatArray, shear_rate: float, diffusion: float
) -> tuple[FloatArray, FloatArray]:
    """Scharfetter–Gummel face weights: J_{i+½} = a_i P_i − b_i P_{i+1}.

    Parameters
    ----------
    spacing : numpy.ndarray
        Node spacings h_i, shape (n−1,).
    shear_rate : float
        Drift γ̇ (may be negative or zero).
    diffusion : float
        D ≥ 0.

    Returns
    -------
    tuple of numpy.ndarray
        (a, b) with a = (D/h) B(−Pe), b = (D/h) B(Pe), B(z) = z/(eᶻ − 1), Pe = γ̇h/D.

    Examples
    --------
    >>> a, b = sg_coefficients(np.array([0.1]), 1.0, 0.0)
    >>> float(a[0]), float(b[0])
    (1.0, 0.0)
    """
    g = float(shear_rate)
    d = float(diffusion)
    if d <= 0.0:
        return np.full_like(spacing, max(g, 0.0)), np.full_like(spacing, max(-g, 0.0))
    pe = g * spacing / d
    small = np.abs(pe) < _SMALL_PECLET
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        a = np.where(small, (d / spacing) * (1.0 + 0.5 * pe), -g / np.expm1(-pe))
        b = np.where(small, (d / spacing) * (1.0 - 0.5 * pe), g / np.expm1(pe))
    return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)


def tridiagonal_generator(op: Operator, shear_rate: float, diffusion: float) -> FloatArray:
    """Banded (3, n) form of the transport + loss part T of dm/dt = T m + gain."""
    a, b = sg_coefficients(op.spacing, shear_rate, diffusion)
    inv_w = 1.0 / op.widths
    n = op.nodes.size
    band = np.zeros((3, n))
    # outflow of node i to the right: a_i m_i / w_i ; inflow from i+1: b_i m_{i+1}/w_{i+1}
    diag = np.zeros(n)
    diag[:-1] -= a * inv_w[:-1]
    diag[1:] -= b * inv_w[1:]
    diag -= op.loss
    band[1] = diag
    band[0, 1:] = b * inv_w[1:]  # upper: d m_i / d m_{i+1}
    band[2, :-1] = a * inv_w[:-1]  # lower: d m_{i+1} / d m_i
    return band
