"""Tests of the finite-volume transient HL solver."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mechnoise import hl
from mechnoise.hl.transient import default_grid, stress_grid, transient_response

COLUMNS = [
    "time",
    "strain",
    "shear_rate",
    "stress",
    "activity",
    "diffusion",
    "total_probability",
]
SMALL_GRID = stress_grid(3.0, min_spacing=4e-3, max_spacing=0.02, outer_max_spacing=0.02)


def test_grid_has_nodes_on_thresholds_and_is_symmetric() -> None:
    x = stress_grid(4.0)
    for point in (-4.0, -1.0, 0.0, 1.0, 4.0):
        assert point in x
    assert np.all(np.diff(x) > 0)
    np.testing.assert_array_equal(x, -x[::-1])
    spacing = np.diff(x)
    assert spacing.min() == pytest.approx(1e-3, rel=1e-6)
    assert spacing.max() <= 1.5 * 0.02  # the last gap before a wall may be merged
    assert np.max(spacing[np.abs(x[1:]) < 1.0]) <= 0.005 + 1e-12


def test_probability_conserved_to_round_off_with_varying_rate() -> None:
    # oscillatory shear with reversals, both schemes
    def rate(t: float) -> float:
        return 0.3 * math.sin(0.5 * t)

    times = np.linspace(0.0, 30.0, 31)
    for scheme in ("tr-bdf2", "backward-euler"):
        df = transient_response(0.3, rate, times, time_step=0.1, nodes=SMALL_GRID, scheme=scheme)
        assert list(df.columns) == COLUMNS
        # exact in exact arithmetic: only round-off (~1e-15 per step) accumulates
        assert np.max(np.abs(df.total_probability - 1.0)) < 300 * 2e-14
        assert df.activity.iloc[-1] > 0.0
        np.testing.assert_allclose(df.diffusion, 0.3 * df.activity, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize(("alpha", "rate", "t_end"), [(0.26, 0.1, 300.0), (0.7, 0.01, 600.0)])
def test_long_time_limit_matches_exact_stationary_state(
    alpha: float, rate: float, t_end: float
) -> None:
    exact = hl.stationary_flow_curve(alpha, [rate]).iloc[0]
    df = transient_response(alpha, rate, [0.0, 0.8 * t_end, t_end], time_step=2.0)
    last = df.iloc[-1]
    assert last.stress == pytest.approx(df.stress.iloc[-2], rel=1e-8)  # converged in time
    assert last.stress == pytest.approx(exact.stress, rel=1e-4)
    assert last.activity == pytest.approx(exact.activity, rel=1e-4)
    assert abs(last.total_probability - 1.0) < (t_end / 2.0) * 2e-14


def test_elastic_start_up_before_first_yield() -> None:
    # all sites start at sigma = 0 with no noise: the stress grows as G0 * strain until
    # the distribution reaches the threshold at strain 1 (upwind transport at D = 0 shifts
    # the mean by at most half the local spacing on a graded grid)
    rate = 0.05
    times = np.array([0.0, 4.0, 8.0, 12.0])
    grid = stress_grid(3.0)
    df = transient_response(0.26, rate, times, time_step=0.05, nodes=grid)
    np.testing.assert_allclose(df.stress, rate * times, rtol=0, atol=0.5 * 0.005)
    np.testing.assert_allclose(df.strain, rate * times, rtol=1e-12)
    assert np.all(df.activity < 1e-6)


def test_tr_bdf2_is_second_order_in_time() -> None:
    times = [0.0, 12.0]

    def run(dt: float, scheme: str) -> float:
        df = transient_response(
            0.3,
            0.2,
            times,
            time_step=dt,
            nodes=SMALL_GRID,
            scheme=scheme,  # type: ignore[arg-type]
        )
        return float(df.stress.iloc[-1])

    reference = run(0.0125, "tr-bdf2")
    err_coarse = abs(run(0.2, "tr-bdf2") - reference)
    err_fine = abs(run(0.1, "tr-bdf2") - reference)
    assert err_fine < err_coarse / 3.0  # ~4 for second order
    err_be = abs(run(0.1, "backward-euler") - reference)
    assert err_fine < err_be


def test_rate_as_array_callable_and_constant_agree() -> None:
    times = np.linspace(0.0, 10.0, 6)
    a = transient_response(0.26, 0.1, times, time_step=0.1, nodes=SMALL_GRID)
    b = transient_response(0.26, lambda t: 0.1, times, time_step=0.1, nodes=SMALL_GRID)
    c = transient_response(0.26, np.full(times.size, 0.1), times, time_step=0.1, nodes=SMALL_GRID)
    np.testing.assert_allclose(a.stress, b.stress, rtol=1e-13)
    np.testing.assert_allclose(a.stress, c.stress, rtol=1e-13)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="alpha"):
        transient_response(-1.0, 0.1, [1.0])
    with pytest.raises(ValueError, match="times"):
        transient_response(0.26, 0.1, [2.0, 1.0])
    with pytest.raises(ValueError, match="match times"):
        transient_response(0.26, [0.1, 0.2], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="-1, 0 and 1"):
        transient_response(0.26, 0.1, [1.0], nodes=np.linspace(-3, 3, 10))
    with pytest.raises(ValueError):
        stress_grid(0.5)


def test_default_grid_resolves_long_tails() -> None:
    x = default_grid(0.26, 1.0)
    assert x[-1] > 30.0  # tail length ~1.1 at rate 1
    x_small = default_grid(0.7, 0.01, 0.01)  # tail length ~0.17 at small rates
    inner = np.abs(x_small[1:]) < 5.0
    assert np.max(np.diff(x_small)[inner]) <= 0.0051


def test_exact_stationary_density_stays_stationary() -> None:
    # start from the exact stationary P at the same rate: nothing may drift beyond the
    # discretisation error, and the short-time state is already the stationary one
    alpha, rate = 0.26, 0.1
    nodes = default_grid(alpha, rate, rate)
    p0 = hl.stationary_density(alpha, rate, nodes)
    exact = hl.stationary_flow_curve(alpha, [rate]).iloc[0]
    df = transient_response(
        alpha, rate, [0.0, 5.0, 50.0], time_step=0.5, nodes=nodes, initial_density=p0
    )
    np.testing.assert_allclose(df.stress, exact.stress, rtol=1e-4)
    np.testing.assert_allclose(df.activity, exact.activity, rtol=1e-4)
