"""Tests of the exact stationary HL solver, the asymptotics and the couplings.

Reference values come from docs/design.md §4 (two independent derivations) and from an independent
brute-force finite-difference solver written below (uniform grid, central differences).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import solve_banded
from scipy.optimize import brentq

from mechnoise import hl

# docs/design.md §4 check values: alpha -> (sigma_Y, A)
DESIGN_VALUES = {0.26: (0.25279, 0.35699), 0.33: (0.19674, 0.44210)}


def _u_of_alpha(alpha: float) -> float:
    """Independent inversion of alpha = tanh(u/2)/u by bisection."""
    return brentq(lambda u: math.tanh(u / 2) / u - alpha, 1e-9, 1e6, xtol=1e-15, rtol=1e-15)


def _brute_force(alpha: float, rate: float, h: float) -> tuple:
    """Stationary HL by central differences on a uniform grid (nodes on 0, ±1), P(±L) = 0."""
    half_width = 6.0 + 30.0 * rate
    n_half = round(half_width / h)
    x = np.arange(-n_half, n_half + 1) * h
    i0 = n_half
    theta = np.where(np.abs(x) > 1.0, 1.0, 0.0)
    theta[np.isclose(np.abs(x), 1.0)] = 0.5

    def solve(d: float) -> tuple[float, float, float]:
        n = x.size
        band = np.zeros((3, n))
        band[0, 1:] = d / h**2 - rate / (2 * h)  # coefficient of P_{i+1} in row i
        band[1] = -2 * d / h**2 - theta
        band[2, :-1] = d / h**2 + rate / (2 * h)  # coefficient of P_{i-1} in row i
        band[1, 0] = band[1, -1] = 1.0
        band[0, 1] = 0.0
        band[2, -2] = 0.0
        rhs = np.zeros(n)
        rhs[i0] = -1.0 / h
        p = solve_banded((1, 1), band, rhs)
        mass = np.trapezoid(p, x)
        moment = np.trapezoid(x * p, x)
        return mass, moment, p

    def residual(log_d: float) -> float:
        return log_d + math.log(solve(math.exp(log_d))[0]) - math.log(alpha)

    log_d = brentq(residual, math.log(alpha * rate) - 3, math.log(alpha) + 3, xtol=1e-14)
    mass, moment, _ = solve(math.exp(log_d))
    return moment / mass, 1.0 / mass, math.exp(log_d)


@pytest.mark.parametrize(("alpha", "rate"), [(0.26, 0.05), (0.26, 0.5), (0.7, 0.05)])
def test_closed_form_matches_brute_force_finite_differences(alpha: float, rate: float) -> None:
    exact = hl.stationary_flow_curve(alpha, [rate]).iloc[0]
    coarse = np.array(_brute_force(alpha, rate, 1 / 400))
    fine = np.array(_brute_force(alpha, rate, 1 / 800))
    reference = np.array([exact.stress, exact.activity, exact.diffusion])
    err_coarse = np.abs(coarse / reference - 1)
    err_fine = np.abs(fine / reference - 1)
    # second-order scheme: the error drops ~4x; Richardson removes it to <~1e-7
    assert np.all(err_fine < 1e-4)
    assert np.all(err_fine < 0.35 * err_coarse + 1e-9)
    richardson = (4 * fine - coarse) / 3
    np.testing.assert_allclose(richardson, reference, rtol=2e-6)


@pytest.mark.parametrize("alpha", [0.26, 0.33])
def test_design_check_values(alpha: float) -> None:
    sy, a = hl.small_rate_asymptotics(alpha)
    assert sy == pytest.approx(DESIGN_VALUES[alpha][0], abs=6e-6)
    assert a == pytest.approx(DESIGN_VALUES[alpha][1], abs=6e-6)


@pytest.mark.parametrize("alpha", [0.01, 0.26, 0.33, 0.45])
def test_numerical_solver_matches_asymptotics(alpha: float) -> None:
    sy, a = hl.small_rate_asymptotics(alpha)
    rates = np.logspace(-8, -6, 9)
    df = hl.stationary_flow_curve(alpha, rates)
    # <sigma> = sigma_Y + A rate^1/2 + B rate + ...
    design = np.column_stack([np.ones_like(rates), np.sqrt(rates), rates])
    coef = np.linalg.lstsq(design, df.stress.to_numpy(), rcond=None)[0]
    assert coef[0] == pytest.approx(sy, rel=1e-6)
    assert coef[1] == pytest.approx(a, rel=3e-4)
    u = _u_of_alpha(alpha)
    low = hl.stationary_flow_curve(alpha, [1e-12]).iloc[0]
    assert low.activity / low.shear_rate == pytest.approx(1 / math.tanh(u / 2), rel=1e-4)
    assert low.diffusion == pytest.approx(alpha * low.activity, rel=1e-12)


def test_design_values_from_numerical_solver() -> None:
    for alpha, (sy, a) in DESIGN_VALUES.items():
        rates = np.logspace(-9, -7, 7)
        df = hl.stationary_flow_curve(alpha, rates)
        design = np.column_stack([np.ones_like(rates), np.sqrt(rates), rates])
        coef = np.linalg.lstsq(design, df.stress.to_numpy(), rcond=None)[0]
        assert coef[0] == pytest.approx(sy, abs=6e-6)
        assert coef[1] == pytest.approx(a, abs=6e-6)


def test_small_alpha_limits() -> None:
    for alpha in (1e-2, 1e-3, 1e-4):
        sy, a = hl.small_rate_asymptotics(alpha)
        assert sy == pytest.approx(0.5 - alpha, rel=1e-9)
        assert a == pytest.approx(math.sqrt(alpha) / 2, rel=3 * alpha)  # A = √α/2 (1 + 2α + …)


def test_alpha_to_half_limit() -> None:
    sy_prev = 1.0
    for alpha in (0.45, 0.49, 0.499, 0.49999):
        sy, a = hl.small_rate_asymptotics(alpha)
        assert 0.0 < sy < sy_prev
        assert a > 0.0
        sy_prev = sy
    assert sy_prev < 5e-3
    # continuity across the small-u series branch
    u_switch = 0.05
    alpha_switch = math.tanh(u_switch / 2) / u_switch
    below = hl.small_rate_asymptotics(alpha_switch * (1 + 1e-13))
    above = hl.small_rate_asymptotics(alpha_switch * (1 - 1e-13))
    np.testing.assert_allclose(below, above, rtol=1e-8)


@pytest.mark.parametrize("alpha", [0.7, 2.0])
def test_newtonian_above_half(alpha: float) -> None:
    df = hl.stationary_flow_curve(alpha, [1e-8, 1e-7, 1e-6])
    viscosity = df.stress / df.shear_rate
    np.testing.assert_allclose(viscosity, viscosity.iloc[0], rtol=1e-5)
    assert np.all(df.stress > 0)
    with pytest.raises(ValueError, match="1/2"):
        hl.small_rate_asymptotics(alpha)


def test_marginal_alpha_half_has_no_yield_stress() -> None:
    df = hl.stationary_flow_curve(0.5, np.logspace(-12, -4, 5))
    assert np.all(np.diff(df.stress) > 0)
    assert df.stress.iloc[0] < 0.02
    with pytest.raises(ValueError, match="1/2"):
        hl.small_rate_asymptotics(0.5)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="alpha"):
        hl.stationary_flow_curve(0.0, [1e-3])
    with pytest.raises(ValueError, match="shear rates"):
        hl.stationary_flow_curve(0.26, [0.0, 1e-3])
    with pytest.raises(ValueError):
        hl.small_rate_asymptotics(-0.1)
    with pytest.raises(ValueError, match="ratio"):
        hl.alpha_from_yield_stress(0.6)


def test_distribution_normalised_and_consistent() -> None:
    grid = np.linspace(-8, 8, 160001)
    table, dist = hl.stationary_flow_curve(
        0.26, [1e-3, 0.3], return_distribution=True, local_stress=grid
    )
    assert list(dist.columns) == ["shear_rate", "local_stress", "probability_density"]
    for row in table.itertuples():
        p = dist.loc[dist.shear_rate == row.shear_rate, "probability_density"].to_numpy()
        assert np.all(p >= 0)
        assert np.trapezoid(p, grid) == pytest.approx(1.0, abs=1e-6)
        assert np.trapezoid(grid * p, grid) == pytest.approx(row.stress, abs=1e-6)
        right, left = grid >= 1, grid <= -1
        outer = np.trapezoid(p[right], grid[right]) + np.trapezoid(p[left], grid[left])
        assert outer == pytest.approx(row.activity, rel=1e-5)


def test_alpha_from_yield_stress_round_trip_and_error() -> None:
    for alpha in (0.01, 0.26, 0.33, 0.49):
        sy, _ = hl.small_rate_asymptotics(alpha)
        assert hl.alpha_from_yield_stress(sy) == pytest.approx(alpha, rel=1e-10)
    ratio, err = 0.2, 0.01
    a, a_err = hl.alpha_from_yield_stress(ratio, err)
    step = 1e-6
    slope = (
        hl.alpha_from_yield_stress(ratio + step) - hl.alpha_from_yield_stress(ratio - step)
    ) / (2 * step)
    assert a_err == pytest.approx(abs(slope) * err, rel=1e-5)
    assert a == pytest.approx(hl.alpha_from_yield_stress(ratio))


def test_alpha_flow() -> None:
    sy = DESIGN_VALUES[0.26][0]
    a, err = hl.alpha_flow(2 * sy, 0.0, 2.0, 0.0)
    assert a == pytest.approx(0.26, abs=2e-5)
    assert err == 0.0
    _, err1 = hl.alpha_flow(0.2, 0.01, 1.0, 0.0)
    _, err2 = hl.alpha_flow(0.2, 0.01, 1.0, 0.05)
    assert err2 == pytest.approx(err1 * math.sqrt(2), rel=1e-9)  # equal relative errors


def test_alpha_micro_conventions_and_errors() -> None:
    a, err = hl.alpha_micro(0.1, 0.2, 10.0, d_sigma_err=0.01, stress_drop_err=0.02)
    assert a == pytest.approx(0.1 / (0.04 * 10.0))
    assert err == pytest.approx(a * math.hypot(0.1, 0.2))
    # HL-convention input (MSD = 2 D t) describes the same data with half the D
    a_hl_input, _ = hl.alpha_micro(0.05, 0.2, 10.0, diffusion_convention="hl")
    assert a_hl_input == pytest.approx(a)
    a_hl, _ = hl.alpha_micro(0.1, 0.2, 10.0, alpha_convention="hl")
    assert a_hl == pytest.approx(a / 2)
    b, _ = hl.alpha_micro_hl(0.1, 1.0, 10.0)
    assert b == pytest.approx(0.01)
    with pytest.raises(ValueError):
        hl.alpha_micro(0.1, 0.2, 10.0, diffusion_convention="msd")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        hl.alpha_micro(-0.1, 0.2, 10.0)


def test_parametric_curve() -> None:
    df = hl.parametric_curve(np.linspace(0.02, 0.48, 24))
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["alpha", "yield_stress", "hb_prefactor"]
    assert np.all(np.diff(df.yield_stress) < 0)
    assert np.all(np.diff(df.hb_prefactor) > 0)
