"""Transient solver of the Hébraud–Lequeux equation (paper Eq. 1) on the finite-volume
kernel of :mod:`mechnoise.hl.kernel` (TR-BDF2, L-stable, probability conserving).

Units σ_c = G0 = τ = 1. Public functions: :func:`default_grid`, :func:`transient_response`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.linalg import solve_banded
from scipy.optimize import brentq

from mechnoise._typing import FloatArray
from mechnoise.hl.kernel import Operator, build_operator, stress_grid, tridiagonal_generator

logger = logging.getLogger(__name__)

#: TR-BDF2 stage fraction γ = 2 − √2 (L-stable, second order).
_TRBDF2_GAMMA = 2.0 - math.sqrt(2.0)
#: Absolute tolerance on D in the per-stage self-consistency (units σ_c²/τ).
_ABS_TOL = 1e-30



def _implicit_step(
    op: Operator, rhs: FloatArray, c_dt: float, shear_rate: float, diffusion: float
) -> FloatArray:
    """Solve (I − c_dt (T + e_landing κᵀ)) m = rhs by Sherman–Morrison on a banded T."""
    band = -c_dt * tridiagonal_generator(op, shear_rate, diffusion)
    band[1] += 1.0
    n = op.nodes.size
    e = np.zeros(n)
    e[op.landing] = 1.0
    sol = solve_banded((1, 1), band, np.column_stack((rhs, e)), check_finite=False)
    y, z = sol[:, 0], sol[:, 1]
    kappa = op.loss
    return np.asarray(y + c_dt * z * (kappa @ y) / (1.0 - c_dt * (kappa @ z)), dtype=np.float64)


def _apply_generator(
    op: Operator, m: FloatArray, shear_rate: float, diffusion: float
) -> FloatArray:
    band = tridiagonal_generator(op, shear_rate, diffusion)
    out = band[1] * m
    out[:-1] += band[0, 1:] * m[1:]
    out[1:] += band[2, :-1] * m[:-1]
    out[op.landing] += op.loss @ m
    return np.asarray(out, dtype=np.float64)


def _self_consistent_step(
    op: Operator,
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
    op = build_operator(grid)

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
