"""Finite-volume transient solver of the Hébraud–Lequeux equation (paper Eq. 1).

Units σ_c = G0 = τ = 1. The grid is vertex centred: every node x_i carries the probability
mass m_i of its control volume [x_{i−½}, x_{i+½}] (midpoints between nodes, half cells at
the ends), with zero-flux walls at ±``stress_max``. Fluxes J = γ̇P − DP' between nodes use the
Scharfetter–Gummel (exponential fitting) formula, exact for the steady advection–diffusion
problem between two nodes, monotone for any Péclet number and reducing to upwinding when
D = 0. The loss −θ(|σ| − σ_c)P is applied to the part of each control volume beyond the
threshold and the same mass is put back at the node of the landing stress (0 for HL), so
the column sums of the generator vanish and Σ m_i is conserved to round-off.

Public functions: :func:`stress_grid`, :func:`default_grid`, :func:`transient_response`.
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

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: TR-BDF2 stage fraction γ = 2 − √2 (L-stable, second order).
_TRBDF2_GAMMA = 2.0 - math.sqrt(2.0)
#: Absolute tolerance on D in the per-stage self-consistency (units σ_c²/τ).
_ABS_TOL = 1e-30
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
class _Operator:
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


def _control_volumes(nodes: FloatArray) -> tuple[FloatArray, FloatArray]:
    spacing = np.diff(nodes)
    widths = np.empty_like(nodes)
    widths[0] = 0.5 * spacing[0]
    widths[-1] = 0.5 * spacing[-1]
    widths[1:-1] = 0.5 * (spacing[:-1] + spacing[1:])
    return widths, spacing


def _loss_fractions(nodes: FloatArray, widths: FloatArray, threshold: float) -> FloatArray:
    """Fraction of each control volume lying at |σ| > threshold."""
    mids = 0.5 * (nodes[:-1] + nodes[1:])
    left = np.concatenate(([nodes[0]], mids))
    right = np.concatenate((mids, [nodes[-1]]))
    beyond_right = np.clip(right - np.maximum(left, threshold), 0.0, None)
    beyond_left = np.clip(np.minimum(right, -threshold) - left, 0.0, None)
    return np.asarray((beyond_right + beyond_left) / widths, dtype=np.float64)


def _build_operator(nodes: FloatArray, threshold: float = 1.0, landing: float = 0.0) -> _Operator:
    widths, spacing = _control_volumes(nodes)
    hit = np.flatnonzero(nodes == landing)
    if hit.size != 1:
        raise ValueError(f"the landing stress {landing!r} must be a node of the grid")
    return _Operator(nodes, widths, spacing, _loss_fractions(nodes, widths, threshold), int(hit[0]))


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


def _tridiagonal_generator(op: _Operator, shear_rate: float, diffusion: float) -> FloatArray:
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


def _implicit_step(
    op: _Operator, rhs: FloatArray, c_dt: float, shear_rate: float, diffusion: float
) -> FloatArray:
    """Solve (I − c_dt (T + e_landing κᵀ)) m = rhs by Sherman–Morrison on a banded T."""
    band = -c_dt * _tridiagonal_generator(op, shear_rate, diffusion)
    band[1] += 1.0
    n = op.nodes.size
    e = np.zeros(n)
    e[op.landing] = 1.0
    sol = solve_banded((1, 1), band, np.column_stack((rhs, e)), check_finite=False)
    y, z = sol[:, 0], sol[:, 1]
    kappa = op.loss
    return np.asarray(y + c_dt * z * (kappa @ y) / (1.0 - c_dt * (kappa @ z)), dtype=np.float64)


def _apply_generator(
    op: _Operator, m: FloatArray, shear_rate: float, diffusion: float
) -> FloatArray:
    band = _tridiagonal_generator(op, shear_rate, diffusion)
    out = band[1] * m
    out[:-1] += band[0, 1:] * m[1:]
    out[1:] += band[2, :-1] * m[:-1]
    out[op.landing] += op.loss @ m
    return np.asarray(out, dtype=np.float64)


def _self_consistent_step(
    op: _Operator,
    alpha: float,
    rhs: FloatArray,
    c_dt: float,
    shear_rate: float,
    d_guess: float,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, float]:
    """Solve the implicit stage with D = α κ·m (secant iteration on D, Picard fallback)."""

    def fixed_point(d: float) -> tuple[FloatArray, float]:
        m = _implicit_step(op, rhs, c_dt, shear_rate, d)
        return m, alpha * float(op.loss @ m)

    d0 = max(d_guess, 0.0)
    m, g0 = fixed_point(d0)
    f0 = g0 - d0
    if abs(f0) <= tol * g0 + _ABS_TOL:
        return m, g0
    d1 = g0
    for _ in range(max_iter):
        m, g1 = fixed_point(d1)
        f1 = g1 - d1
        if abs(f1) <= tol * g1 + _ABS_TOL:
            return m, g1
        denom = f1 - f0
        d_new = d1 - f1 * (d1 - d0) / denom if denom != 0.0 else g1
        if not (d_new >= 0.0 and math.isfinite(d_new)):
            d_new = g1
        d0, f0, d1 = d1, f1, d_new
    # secant failed (e.g. a kink of Γ(D)): bracket the root of αΓ(D) − D on [0, 2α·Σm]
    hi = 2.0 * alpha * max(float(np.sum(np.abs(rhs))), 1.0)
    if fixed_point(0.0)[1] <= 0.0:
        return fixed_point(0.0)[0], 0.0
    logger.debug("secant on D did not converge; falling back to Brent on [0, %g]", hi)
    root = brentq(lambda d: fixed_point(d)[1] - d, 0.0, hi, xtol=_ABS_TOL, rtol=max(tol, 1e-15))
    m, g_root = fixed_point(root)
    return m, g_root


def default_grid(alpha: float, max_shear_rate: float, min_shear_rate: float = 0.0) -> FloatArray:
    """Grid for the transient solver, sized from the stationary tail lengths of the protocol.

    Parameters
    ----------
    alpha : float
        Coupling α > 0.
    max_shear_rate, min_shear_rate : float
        Largest and smallest |γ̇| of the protocol (0 allowed).

    Returns
    -------
    numpy.ndarray
        :func:`stress_grid` nodes with stress_max = 2 + 30ℓ_max and outer spacing ℓ_min/50
        clipped to [0.002, 0.02], where ℓ = [γ̇ + (γ̇² + 4D)^{1/2}]/2 is the decay length of
        the stationary tail beyond ±1 (ℓ_max taken at least at γ̇ = 0.1). The lumped loss
        term errs by ≈ (h/ℓ)² in the tails; tails shorter than ~0.1 lie inside the graded
        zone next to ±1 and need no cap.

    Examples
    --------
    >>> x = default_grid(0.26, 0.1)
    >>> bool(x[-1] > 2.0 and np.array_equal(x, -x[::-1]))
    True
    """
    from mechnoise.hl import stationary_flow_curve  # local: hl re-exports this module

    def tail(rate: float) -> float:
        if rate <= 0.0:
            return 0.0 if alpha < 0.5 else tail(1e-10)
        d = float(stationary_flow_curve(alpha, [rate]).diffusion.iloc[0])
        return 0.5 * (rate + math.sqrt(rate * rate + 4.0 * d))

    long_tail = tail(max(abs(float(max_shear_rate)), 0.1))
    short_tail = tail(abs(float(min_shear_rate)))
    cap = min(max(short_tail / 50.0, 0.002), 0.02)
    return stress_grid(2.0 + 30.0 * long_tail, outer_max_spacing=cap)


def transient_response(
    alpha: float,
    shear_rate: float | Callable[[float], float] | npt.ArrayLike,
    times: npt.ArrayLike,
    *,
    time_step: float = 0.1,
    nodes: npt.ArrayLike | None = None,
    initial_density: npt.ArrayLike | None = None,
    scheme: Literal["tr-bdf2", "backward-euler"] = "tr-bdf2",
    tol: float = 1e-12,
    max_iter: int = 50,
) -> pd.DataFrame:
    """Integrate the HL equation in time for start-up shear or any γ̇(t).

    Parameters
    ----------
    alpha : float
        Coupling α > 0 (D = αΓ).
    shear_rate : float, callable or array_like
        γ̇ (units σ_c/(G0 τ)): a constant, a function of time t (units τ), or an array of the
        same length as ``times`` (linearly interpolated in between).
    times : array_like
        Increasing output times (units τ), starting at or after 0; the state at t = 0 is the
        initial one.
    time_step : float
        Largest time step (units τ); each output interval is split into equal steps.
    nodes : array_like, optional
        Grid of local stresses with nodes on ±1 and 0 (see :func:`stress_grid`); default
        :func:`default_grid` for the largest |γ̇| of the protocol.
    initial_density : array_like, optional
        Initial P at the nodes (normalised internally); default all mass at σ = 0 (the
        unstressed, freshly prepared state of start-up shear).
    scheme : {"tr-bdf2", "backward-euler"}
        L-stable time integrator (TR-BDF2 is second order).
    tol, max_iter : float, int
        Relative tolerance and secant-iteration cap of the per-stage self-consistency
        D = αΓ (Brent's method on [0, 2α] takes over if the secant iteration stalls).

    Returns
    -------
    pandas.DataFrame
        Columns ``time`` (τ), ``strain`` (∫γ̇ dt), ``shear_rate``, ``stress`` (⟨σ⟩, σ_c),
        ``activity`` (Γ, 1/τ), ``diffusion`` (D = αΓ, MSD = 2Dt convention, σ_c²/τ),
        ``total_probability`` (Σ m_i, 1 to round-off). Row 0 is t = 0 if ``times[0] == 0``.

    Raises
    ------
    ValueError
        On α ≤ 0, non-increasing times, a bad grid or initial density.

    Notes
    -----
    Semi-discretisation dm/dt = (T(γ̇, D) + e₀κᵀ) m with T the Scharfetter–Gummel transport
    minus the loss κ_i m_i, e₀ the node at σ = 0; both stages of TR-BDF2 (trapezoid to
    t + γΔt, γ = 2 − √2, then BDF2) and backward Euler solve (I − cΔt A) m = r, whose column
    sums are those of the identity, so Σm is conserved exactly in exact arithmetic. Each
    stage is solved for the implicit D = α κ·m by a secant iteration on D, each iterate a
    tridiagonal solve plus a Sherman–Morrison correction for the rank-one gain.

    Examples
    --------
    >>> df = transient_response(0.26, 0.1, [0.0, 1.0, 2.0], time_step=0.1)
    >>> bool(abs(df.total_probability.iloc[-1] - 1.0) < 1e-12)
    True
    """
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha <= 0.0:
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    t_out = np.atleast_1d(np.asarray(times, dtype=np.float64))
    if t_out.ndim != 1 or t_out.size == 0 or t_out[0] < 0.0 or np.any(np.diff(t_out) <= 0.0):
        raise ValueError("times must be a non-empty increasing 1D array with times[0] >= 0")
    if not time_step > 0.0:
        raise ValueError(f"time_step must be > 0, got {time_step!r}")
    if scheme not in ("tr-bdf2", "backward-euler"):
        raise ValueError(f"scheme must be 'tr-bdf2' or 'backward-euler', got {scheme!r}")

    rate_of: Callable[[float], float]
    if callable(shear_rate):
        rate_of = shear_rate
        probe = np.array([rate_of(float(t)) for t in t_out])
    elif np.ndim(shear_rate) == 0:
        constant = float(shear_rate)  # type: ignore[arg-type]
        rate_of = lambda t: constant  # noqa: E731
        probe = np.array([constant])
    else:
        values = np.asarray(shear_rate, dtype=np.float64)
        if values.shape != t_out.shape:
            raise ValueError(
                f"a shear-rate array must match times, got {values.shape} vs {t_out.shape}"
            )
        rate_of = lambda t: float(np.interp(t, t_out, values))  # noqa: E731
        probe = values
    if not np.all(np.isfinite(probe)):
        raise ValueError("shear rates must be finite")

    if nodes is None:
        grid = default_grid(alpha, float(np.max(np.abs(probe))), float(np.min(np.abs(probe))))
    else:
        grid = np.asarray(nodes, dtype=np.float64)
        if grid.ndim != 1 or np.any(np.diff(grid) <= 0.0):
            raise ValueError("nodes must be a strictly increasing 1D array")
        for point in (-1.0, 0.0, 1.0):
            if point not in grid:
                raise ValueError(f"nodes must contain -1, 0 and 1 (missing {point})")
    op = _build_operator(grid)

    if initial_density is None:
        m = np.zeros(grid.size)
        m[op.landing] = 1.0
    else:
        p0 = np.asarray(initial_density, dtype=np.float64)
        if p0.shape != grid.shape or np.any(p0 < 0.0) or not np.any(p0 > 0.0):
            raise ValueError("initial_density must be non-negative, not all 0, shaped as nodes")
        m = p0 * op.widths
        m /= m.sum()

    rows: list[tuple[float, ...]] = []
    t = 0.0
    strain = 0.0
    d = alpha * float(op.loss @ m)

    centroids = op.centroids

    def record(time: float) -> None:
        rows.append(
            (
                time,
                strain,
                rate_of(time),
                float(centroids @ m),
                float(op.loss @ m),
                d,
                float(m.sum()),
            )
        )

    if t_out[0] == 0.0:
        record(0.0)
    n_steps_total = 0
    for t_next in t_out[t_out > 0.0]:
        n_steps = max(1, math.ceil((t_next - t) / time_step - 1e-9))
        dt = (t_next - t) / n_steps
        for _ in range(n_steps):
            g_old = rate_of(t)
            if scheme == "backward-euler":
                g_new = rate_of(t + dt)
                m, d = _self_consistent_step(op, alpha, m, dt, g_new, d, tol, max_iter)
                strain += 0.5 * (g_old + g_new) * dt
            else:
                gam = _TRBDF2_GAMMA
                t_mid = t + gam * dt
                g_mid = rate_of(t_mid)
                g_new = rate_of(t + dt)
                half = 0.5 * gam * dt
                rhs = m + half * _apply_generator(op, m, g_old, d)
                m_mid, d_mid = _self_consistent_step(op, alpha, rhs, half, g_mid, d, tol, max_iter)
                c_dt = (1.0 - gam) / (2.0 - gam) * dt
                rhs2 = (m_mid - (1.0 - gam) ** 2 * m) / (gam * (2.0 - gam))
                m, d = _self_consistent_step(op, alpha, rhs2, c_dt, g_new, d_mid, tol, max_iter)
                strain += 0.5 * gam * dt * (g_old + g_mid) + 0.5 * (1 - gam) * dt * (g_mid + g_new)
            t += dt
            n_steps_total += 1
        t = float(t_next)
        record(t)
    logger.debug("transient HL: %d steps on %d nodes", n_steps_total, grid.size)
    return pd.DataFrame(
        rows,
        columns=[
            "time",
            "strain",
            "shear_rate",
            "stress",
            "activity",
            "diffusion",
            "total_probability",
        ],
    )
