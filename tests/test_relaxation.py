"""Relaxation times of a released instability, and the duration-vs-damping exponent, against
known answers (:mod:`mechnoise.plasticity.relaxation`, issue 19 item 8).

Synthetic signals with a known decay time (exponential after a delay, ringing under an
exponential envelope, a kinetic-energy bump) must give that time whatever the delay, the
sampling and the levels; per-event durations ``A_e p^b`` with event-correlated scatter must give
``b`` with a jackknife error that covers it at its stated rate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mechnoise.plasticity.relaxation import (
    kinetic_decay_time,
    power_law_exponent,
    settling_time,
    stress_relaxation_time,
)


@pytest.mark.parametrize("tau", [0.3, 1.0, 4.0])
@pytest.mark.parametrize("delay", [0.0, 7.3])
def test_settling_time_of_an_exponential_is_its_decay_time(tau: float, delay: float) -> None:
    t = np.arange(0.0, delay + 20 * tau, 0.05)
    g = np.where(t < delay, 1.0, np.exp(-(t - delay) / tau))
    assert settling_time(t, g) == pytest.approx(tau, rel=1e-6)


def test_settling_time_does_not_depend_on_the_levels() -> None:
    """The method (levels) must not move the measured time of an exponential."""
    t = np.arange(0.0, 40.0, 0.1)
    g = np.exp(-np.clip(t - 3.0, 0.0, None) / 2.2)
    values = [settling_time(t, g, hi, lo) for hi, lo in [(0.9, 0.1), (0.5, 0.05), (0.3, 0.01)]]
    assert np.allclose(values, 2.2, rtol=1e-3)


def test_settling_time_follows_the_envelope_of_ringing() -> None:
    """Underdamped relaxation: cos(ω t) under exp(−t/τ); the settling time is τ to within a
    period over ln(hi/lo)."""
    tau, omega = 3.0, 2 * math.pi / 0.7
    t = np.arange(0.0, 60.0, 0.01)
    g = np.exp(-t / tau) * np.cos(omega * t)
    assert abs(settling_time(t, g) - tau) < 0.7 / 2


def test_settling_time_is_nan_when_not_settled_or_never_large() -> None:
    t = np.arange(0.0, 5.0, 0.1)
    assert math.isnan(settling_time(t, np.exp(-t / 10.0)))  # still above e^-3 at the end
    assert math.isnan(settling_time(t, 0.1 * np.exp(-t)))  # never above e^-1
    with pytest.raises(ValueError, match="lo < hi"):
        settling_time(t, np.exp(-t), 0.1, 0.5)


def test_stress_relaxation_time_and_change() -> None:
    t = np.arange(0.0, 60.0, 0.05)
    s = 2.0 - 0.45 * (1.0 - np.exp(-np.clip(t - 11.0, 0.0, None) / 0.8))
    tau, change = stress_relaxation_time(t, s)
    assert tau == pytest.approx(0.8, rel=1e-3)
    assert change == pytest.approx(-0.45, rel=1e-6)


def test_kinetic_decay_time_after_the_maximum() -> None:
    t = np.arange(0.0, 80.0, 0.05)
    bump = np.exp(-(((t - 6.0) / 1.5) ** 2))
    k = np.where(t < 6.0, bump, np.exp(-(t - 6.0) / 3.2))
    assert kinetic_decay_time(t, k) == pytest.approx(3.2, rel=1e-3)
    assert math.isnan(kinetic_decay_time(t, np.zeros_like(t)))


def _synthetic_durations(
    rng: np.random.Generator, p: np.ndarray, b: float, n_events: int
) -> np.ndarray:
    """Durations A_e p^b with a per-event prefactor (log-normal, sd 0.5: correlates the points
    at different p) and independent scatter (sd 0.15)."""
    a = np.exp(rng.normal(0.0, 0.5, size=(n_events, 1)))
    return a * p**b * np.exp(rng.normal(0.0, 0.15, size=(n_events, p.size)))


def test_power_law_exponent_recovers_b() -> None:
    p = np.array([0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0])
    d = _synthetic_durations(np.random.default_rng(3), p, -0.7, 2000)
    fit = power_law_exponent(p, d)
    assert fit.n_events == 2000
    assert fit.exponent == pytest.approx(-0.7, abs=3 * fit.exponent_err)
    assert fit.exponent_err < 0.01


def test_power_law_exponent_error_covers_truth_at_its_rate() -> None:
    """20 events a data set, as in the benchmark: |b - b_true| < err in ~68 % of 400 sets."""
    rng = np.random.default_rng(11)
    p = np.array([0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0])
    hits1 = hits2 = 0
    n_sets = 400
    for _ in range(n_sets):
        fit = power_law_exponent(p, _synthetic_durations(rng, p, 0.4, 20))
        dev = abs(fit.exponent - 0.4)
        hits1 += dev < fit.exponent_err
        hits2 += dev < 2 * fit.exponent_err
    assert 0.58 <= hits1 / n_sets <= 0.78
    assert hits2 / n_sets >= 0.90


def test_power_law_exponent_drops_events_with_a_missing_duration() -> None:
    p = np.array([0.1, 1.0, 10.0])
    d = np.array([[1.0, 2.0, 4.0], [2.0, 4.0, 8.0], [np.nan, 1.0, 2.0], [3.0, 6.0, 12.0]])
    fit = power_law_exponent(p, d)
    assert fit.n_events == 3
    assert fit.exponent == pytest.approx(math.log10(2.0), rel=1e-9)
    assert math.isnan(power_law_exponent(p, d[:2]).exponent)
    with pytest.raises(ValueError, match="distinct positive"):
        power_law_exponent(np.array([1.0, 1.0, 1.0]), d)
