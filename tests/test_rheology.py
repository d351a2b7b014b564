"""Flow-curve analysis against synthetic data with known parameters."""

from __future__ import annotations

import numpy as np
import pytest

from mechnoise import rheology


def test_hb_fit_recovers_synthetic_parameters_fixed_exponent() -> None:
    rng = np.random.default_rng(1)
    rate = np.geomspace(1e-6, 1e-2, 9)
    err = np.full(rate.size, 0.005)
    stress = 0.8 + 3.0 * rate**0.5 + rng.normal(0, err)
    fit = rheology.fit_herschel_bulkley(rate, stress, err, n=0.5)
    assert abs(fit.sigma_y - 0.8) < 4 * fit.sigma_y_err
    assert abs(fit.prefactor - 3.0) < 4 * fit.prefactor_err
    assert fit.sigma_y_err < 0.01 and fit.exponent == 0.5


def test_hb_fit_recovers_synthetic_parameters_free_exponent() -> None:
    rng = np.random.default_rng(2)
    rate = np.geomspace(1e-6, 1e-1, 12)
    err = np.full(rate.size, 0.002)
    stress = 0.5 + 2.0 * rate**0.55 + rng.normal(0, err)
    fit = rheology.fit_herschel_bulkley(rate, stress, err)
    for value, error, true in [
        (fit.sigma_y, fit.sigma_y_err, 0.5),
        (fit.prefactor, fit.prefactor_err, 2.0),
        (fit.exponent, fit.exponent_err, 0.55),
    ]:
        assert abs(value - true) < 4 * error, (value, error, true)
    assert 0.2 < fit.chi2_red < 3.0


def test_hb_fit_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        rheology.fit_herschel_bulkley([1e-3, 1e-2], [1.0, 1.1])
    with pytest.raises(ValueError, match="> 0"):
        rheology.fit_herschel_bulkley([0.0, 1e-2, 1e-1], [1.0, 1.1, 1.2], n=0.5)


def test_block_average_error_of_white_noise() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 1.0, 100_000)
    mean, err = rheology.block_average(x, 20)
    assert abs(mean - 2.0) < 4 * err
    assert err == pytest.approx(1.0 / np.sqrt(x.size), rel=0.5)


def test_elastic_branch_modulus_on_noisy_sawtooth() -> None:
    """Saw-tooth with random branch lengths, random drops and small noise: G recovered."""
    rng = np.random.default_rng(4)
    g_true, dgamma = 25.0, 1e-4
    strain, stress = [], []
    gamma, sigma = 0.0, 1.0
    for _ in range(40):
        n = rng.integers(8, 60)
        for _ in range(n):
            strain.append(gamma)
            stress.append(sigma)
            gamma += dgamma
            sigma += g_true * dgamma
        sigma -= rng.uniform(0.02, 0.08)  # plastic drop
    stress = np.array(stress) + rng.normal(0, 1e-6, len(stress))
    g, g_err, n_branches = rheology.elastic_branch_modulus(np.array(strain), stress)
    assert n_branches == 40
    assert g == pytest.approx(g_true, rel=1e-3)
    assert g_err < 0.05


def test_elastic_branch_modulus_needs_branches() -> None:
    with pytest.raises(ValueError, match="no elastic branch"):
        rheology.elastic_branch_modulus([0, 1, 2, 3], [3.0, 2.0, 1.0, 0.0])


def test_initial_modulus_recovers_slope() -> None:
    g = np.linspace(0, 0.05, 51)
    s = 0.1 + 18.0 * g - 100.0 * np.clip(g - 0.03, 0, None) ** 2
    slope, err = rheology.initial_modulus(g, s, 0.02)
    assert slope == pytest.approx(18.0, rel=1e-9)
