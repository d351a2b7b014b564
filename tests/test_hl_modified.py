"""Tests of the modified HL model (threshold distribution, partial relaxation)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import truncnorm

from mechnoise import hl
from mechnoise.hl.modified import modified_flow_curve, truncated_gaussian_quadrature
from mechnoise.hl.stationary import _solve_fixed_diffusion

RATES = [1e-4, 1e-2, 1e-1]


def test_reduces_to_hl_for_single_threshold_and_full_relaxation() -> None:
    exact = hl.stationary_flow_curve(0.26, RATES)
    df = modified_flow_curve(0.26, RATES)
    np.testing.assert_allclose(df.stress, exact.stress, rtol=1e-4)
    np.testing.assert_allclose(df.activity, exact.activity, rtol=1e-4)
    np.testing.assert_allclose(df.diffusion, exact.diffusion, rtol=1e-4)
    assert np.all(df.stress_drop == 1.0)


def test_vanishing_widths_are_continuous() -> None:
    base = modified_flow_curve(0.3, [1e-3], relaxation_fraction=0.6)
    narrow = modified_flow_curve(
        0.3, [1e-3], relaxation_fraction=0.6, threshold_width=1e-3, relaxation_width=1e-3
    )
    np.testing.assert_allclose(narrow.stress, base.stress, rtol=1e-4)
    np.testing.assert_allclose(narrow.activity, base.activity, rtol=1e-4)


def test_threshold_distribution_against_scaled_closed_form() -> None:
    # With full relaxation a class of threshold c is HL rescaled by c: sigma -> sigma/c,
    # rate -> rate/c, D -> D/c^2 (time unchanged). Self-consistency over the classes.
    alpha, rate, width = 0.26, 1e-2, 0.2
    quad = truncated_gaussian_quadrature(1.0, width, 0.0, np.inf, 12)
    stress_drop = float(quad.weights @ quad.nodes)

    def classes(d: float) -> tuple[float, float]:
        activity = stress = 0.0
        for c, w in zip(quad.nodes, quad.weights, strict=True):
            state = _solve_fixed_diffusion(rate / c, d / c**2)
            activity += w / state.mass
            stress += w * c * state.first_moment / state.mass
        return activity, stress

    log_d = brentq(
        lambda x: x - math.log(alpha * stress_drop**2 * classes(math.exp(x))[0]), -15.0, 0.0
    )
    activity, stress = classes(math.exp(log_d))
    df = modified_flow_curve(alpha, [rate], threshold_width=width, thresholds="quenched")
    assert df.stress.iloc[0] == pytest.approx(stress, rel=1e-4)
    assert df.activity.iloc[0] == pytest.approx(activity, rel=1e-4)
    assert df.stress_drop.iloc[0] == pytest.approx(stress_drop, rel=1e-12)


def test_partial_relaxation_keeps_sites_near_threshold() -> None:
    fraction = 0.2
    df = modified_flow_curve(0.26, [1e-4], relaxation_fraction=fraction)
    row = df.iloc[0]
    # sites are reloaded from 1 - f to 1: the mean stress lies in between, and a site yields
    # at least once per strain f
    assert 1.0 - fraction < row.stress < 1.0
    assert row.activity / row.shear_rate > 0.9 / fraction
    assert row.diffusion == pytest.approx(0.26 * fraction**2 * row.activity, rel=1e-10)


def test_quadrature_of_truncated_gaussian() -> None:
    q = truncated_gaussian_quadrature(0.3, 0.4, 0.0, 1.0, 16)
    assert q.weights.sum() == pytest.approx(1.0, abs=1e-14)
    dist = truncnorm(-0.3 / 0.4, 0.7 / 0.4, loc=0.3, scale=0.4)
    assert q.weights @ q.nodes == pytest.approx(dist.mean(), rel=1e-4)
    assert np.all((q.nodes > 0) & (q.nodes < 1))


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError, match="relaxation_fraction"):
        modified_flow_curve(0.26, [1e-3], relaxation_fraction=0.0)
    with pytest.raises(ValueError, match="relaxation_fraction"):
        modified_flow_curve(0.26, [1e-3], relaxation_fraction=1.5)
    with pytest.raises(ValueError, match="width"):
        modified_flow_curve(0.26, [1e-3], threshold_width=-0.1)
    with pytest.raises(ValueError, match="alpha"):
        modified_flow_curve(0.0, [1e-3])
    with pytest.raises(ValueError, match="rates"):
        modified_flow_curve(0.26, [-1e-3])


def _brute_force_partial_relaxation(alpha: float, rate: float, f: float, h: float) -> tuple:
    """Single threshold 1, landing at ±(1 − f): central differences on a uniform grid."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve

    half = 6.0
    n_half = round(half / h)
    x = np.arange(-n_half, n_half + 1) * h
    n = x.size
    theta = np.where(np.abs(x) > 1, 1.0, 0.0)
    theta[np.isclose(np.abs(x), 1.0)] = 0.5
    land_p = int(np.argmin(np.abs(x - (1 - f))))
    land_m = int(np.argmin(np.abs(x + (1 - f))))
    assert abs(x[land_p] - (1 - f)) < 1e-12
    w_plus = np.where(x > 0, theta, 0.0) * h  # trapezoid weights of the outflow at sigma > 1
    w_minus = np.where(x < 0, theta, 0.0) * h

    def solve(d: float) -> tuple[float, float]:
        lap = sp.diags(
            [d / h**2 + rate / (2 * h), -2 * d / h**2 - theta, d / h**2 - rate / (2 * h)],
            [-1, 0, 1],
            shape=(n, n),
            format="lil",
        )
        lap[land_p, :] = lap[land_p, :].toarray() + w_plus / h
        lap[land_m, :] = lap[land_m, :].toarray() + w_minus / h
        lap[0, :] = np.ones(n) * h  # normalisation replaces the (negligible) wall row
        rhs = np.zeros(n)
        rhs[0] = 1.0
        p = spsolve(lap.tocsr(), rhs)
        return float((w_plus + w_minus) @ p), float(h * (x @ p))

    log_d = brentq(
        lambda v: v - math.log(alpha * f**2 * solve(math.exp(v))[0]), -12.0, 0.0, xtol=1e-13
    )
    activity, stress = solve(math.exp(log_d))
    return stress, activity


@pytest.mark.parametrize(("alpha", "rate", "f"), [(0.26, 0.05, 0.5), (1.5, 0.02, 0.4)])
def test_partial_relaxation_against_brute_force(alpha: float, rate: float, f: float) -> None:
    # the second case has strong noise, so sites also yield at sigma < -1
    coarse = np.array(_brute_force_partial_relaxation(alpha, rate, f, 1 / 200))
    fine = np.array(_brute_force_partial_relaxation(alpha, rate, f, 1 / 400))
    reference = (4 * fine - coarse) / 3  # Richardson: second-order scheme
    df = modified_flow_curve(alpha, [rate], relaxation_fraction=f)
    np.testing.assert_allclose([df.stress.iloc[0], df.activity.iloc[0]], reference, rtol=2e-4)


def test_renewed_thresholds_against_scaled_closed_form() -> None:
    # Renewal with full relaxation: every yield lands at sigma = 0 in class c' with
    # probability g_c', so class c' is HL (threshold c') with source g_c' Gamma. With a unit
    # source the class holds mass m(rate/c, D/c^2) and moment c m1(rate/c, D/c^2).
    alpha, rate, width = 0.26, 1e-2, 0.25
    quad = truncated_gaussian_quadrature(1.0, width, 0.0, np.inf, 12)
    stress_drop = float(quad.weights @ quad.nodes)

    def totals(d: float) -> tuple[float, float]:
        mass = moment = 0.0
        for c, w in zip(quad.nodes, quad.weights, strict=True):
            state = _solve_fixed_diffusion(rate / c, d / c**2)
            mass += w * state.mass
            moment += w * c * state.first_moment
        return 1.0 / mass, moment / mass

    log_d = brentq(
        lambda x: x - math.log(alpha * stress_drop**2 * totals(math.exp(x))[0]), -15.0, 0.0
    )
    activity, stress = totals(math.exp(log_d))
    renewed = modified_flow_curve(alpha, [rate], threshold_width=width)
    assert renewed.stress.iloc[0] == pytest.approx(stress, rel=1e-4)
    assert renewed.activity.iloc[0] == pytest.approx(activity, rel=1e-4)
    quenched = modified_flow_curve(alpha, [rate], threshold_width=width, thresholds="quenched")
    assert abs(quenched.activity.iloc[0] / renewed.activity.iloc[0] - 1) > 1e-3
