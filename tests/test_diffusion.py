"""Tests of mechnoise.diffusion: block-stress MSD (Eq. 7), D_sigma, D_HL and Gamma."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise import diffusion, run_summary


def _brownian_blocks(
    rng, *, d_sigma, shear_modulus, shear_rate, n_windows, n_frames, dt, m, window_gap=50.0
):
    """Block stresses = offset + G0 γ̇ t + Brownian motion with <Δσ²> = d_sigma t."""
    rows = []
    for w in range(n_windows):
        t = w * (n_frames * dt + window_gap) + dt * np.arange(n_frames)
        for bx in range(m):
            for by in range(m):
                steps = rng.normal(scale=math.sqrt(d_sigma * dt), size=n_frames)
                steps[0] = rng.normal(scale=3.0)  # arbitrary offset per block and window
                stress = np.cumsum(steps) + shear_modulus * shear_rate * t
                rows.append(
                    pd.DataFrame(
                        {
                            "frame": w * n_frames + np.arange(n_frames),
                            "window": w,
                            "time": t,
                            "strain": shear_rate * t,
                            "bx": bx,
                            "by": by,
                            "stress": stress,
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)


def test_brownian_block_stress_recovers_d_sigma():
    rng = np.random.default_rng(20240601)
    d_true, g0, rate = 0.8, 20.0, 0.01
    table = _brownian_blocks(
        rng,
        d_sigma=d_true,
        shear_modulus=g0,
        shear_rate=rate,
        n_windows=3,
        n_frames=101,
        dt=0.2,
        m=6,
    )
    samples = diffusion.stress_msd_samples(table, g0, max_lag=4.0)
    pooled = diffusion.pool_stress_msd(samples)
    # lags: k * 0.2 up to 4.0 -> 20 lags; n = blocks * windows * (frames - k)
    assert len(pooled) == 20
    np.testing.assert_allclose(pooled["lag"], 0.2 * np.arange(1, 21), rtol=1e-9)
    np.testing.assert_array_equal(pooled["n"], 36 * 3 * (101 - np.arange(1, 21)))
    np.testing.assert_allclose(pooled["drift"], g0 * rate * pooled["lag"], rtol=1e-9)
    # MSD = D t at every lag within 5 % (1500+ samples per lag)
    np.testing.assert_allclose(pooled["msd"], d_true * pooled["lag"], rtol=0.05)
    fit = diffusion.fit_stress_diffusion(samples, 0.2, 2.0)
    assert fit.n_samples == 36 * 3
    assert (fit.t_min, fit.t_max, fit.n_lags) == (pytest.approx(0.2), pytest.approx(2.0), 10)
    assert fit.d_sigma == pytest.approx(d_true, rel=0.03)
    assert abs(fit.d_sigma - d_true) < 4 * fit.d_sigma_err
    assert 0.003 < fit.d_sigma_err / fit.d_sigma < 0.05
    assert fit.d_hl == pytest.approx(fit.d_sigma / 2, rel=1e-12)
    assert fit.d_hl_err == pytest.approx(fit.d_sigma_err / 2, rel=1e-12)
    assert fit.exponent == pytest.approx(1.0, abs=0.05)
    assert abs(fit.intercept) < 0.05 * d_true * 2.0


def test_lags_never_cross_windows():
    """Exact elastic loading inside windows, big jumps between them: MSD is exactly zero."""
    g0, rate, dt = 10.0, 0.02, 0.5
    rows = []
    for w, offset in enumerate([0.0, 100.0, -40.0]):
        t = 30.0 * w + dt * np.arange(6)
        for b in range(4):
            rows.append(
                pd.DataFrame(
                    {
                        "window": w,
                        "time": t,
                        "strain": rate * t,
                        "bx": b % 2,
                        "by": b // 2,
                        "stress": offset + b + g0 * rate * t,
                    }
                )
            )
    table = pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=1)  # any order
    samples = diffusion.stress_msd_samples(table, g0, max_lag=100.0)
    assert samples["k"].max() == 5  # limited by the window length, not max_lag
    np.testing.assert_allclose(samples["msd"], 0.0, atol=1e-20)
    pooled = diffusion.pool_stress_msd(samples)
    np.testing.assert_array_equal(pooled["n"], 4 * 3 * (6 - np.arange(1, 6)))


def test_drift_term_is_subtracted():
    """σ = G γ̇ t with G0 = 0 passed: MSD = (G γ̇ t)² exactly."""
    g, rate = 5.0, 0.1
    t = 0.25 * np.arange(9)
    table = pd.DataFrame(
        {"window": 0, "time": t, "strain": rate * t, "bx": 0, "by": 0, "stress": g * rate * t}
    )
    pooled = diffusion.pool_stress_msd(diffusion.stress_msd_samples(table, 0.0, max_lag=1.0))
    np.testing.assert_allclose(pooled["msd"], (g * rate * pooled["lag"]) ** 2, rtol=1e-12)


def test_fit_diagnostics_for_non_diffusive_msd():
    lag = 0.1 * np.arange(1, 31)
    samples = pd.DataFrame(
        {
            "window": 0,
            "bx": 0,
            "by": 0,
            "k": np.arange(1, 31),
            "lag": lag,
            "msd": 0.5 + 2.0 * lag,
            "drift": 0.0,
            "n": 1,
        }
    )
    fit = diffusion.fit_stress_diffusion(samples, 1.0, 3.0)
    assert fit.slope_with_intercept == pytest.approx(2.0, rel=1e-9)
    assert fit.intercept == pytest.approx(0.5, rel=1e-9)
    # the no-intercept estimator is the mean of MSD / t over lags 1.0 .. 3.0
    assert fit.d_sigma == pytest.approx(np.mean((0.5 + 2.0 * lag[9:]) / lag[9:]), rel=1e-12)
    assert math.isnan(fit.d_sigma_err)  # one sample: no spread
    ballistic = samples.assign(msd=3.0 * lag**2)
    assert diffusion.fit_stress_diffusion(ballistic, 0.5, 3.0).exponent == pytest.approx(2.0)


def test_bad_input_raises():
    t = np.array([0.0, 0.2, 0.5, 0.7])
    table = pd.DataFrame({"window": 0, "time": t, "strain": 0.0, "bx": 0, "by": 0, "stress": 1.0})
    with pytest.raises(ValueError, match="not equally spaced"):
        diffusion.stress_msd_samples(table, 1.0, 1.0)
    with pytest.raises(ValueError, match="lacks columns"):
        diffusion.stress_msd_samples(table.drop(columns="strain"), 1.0, 1.0)
    good = table.assign(time=0.2 * np.arange(4))
    with pytest.raises(ValueError, match="no lag"):
        diffusion.stress_msd_samples(good, 1.0, 0.1)
    samples = diffusion.stress_msd_samples(good, 1.0, 1.0)
    with pytest.raises(ValueError, match="fit window"):
        diffusion.fit_stress_diffusion(samples, 2.0, 3.0)
    with pytest.raises(ValueError, match="t_min < t_max"):
        diffusion.fit_stress_diffusion(samples, 0.5, 0.2)


def test_occupancy_rate_and_errors():
    from mechnoise.plasticity import occupancy_rate

    gamma, err = occupancy_rate(0.12, 0.012, 0.8, 0.0)
    assert gamma == pytest.approx(0.15, rel=1e-12)
    assert err == pytest.approx(0.015, rel=1e-12)  # 10 % relative, from phi alone
    gamma, err = occupancy_rate(0.3, 0.03, 1.5, 0.15)
    assert err == pytest.approx(0.2 * math.sqrt(0.02), rel=1e-12)  # 10 % and 10 % in quadrature
    assert math.isnan(occupancy_rate(0.3, float("nan"), 1.5, 0.1)[1])
    with pytest.raises(ValueError, match="tau_p"):
        occupancy_rate(0.3, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="phi"):
        occupancy_rate(1.3, 0.0, 1.0, 0.0)


def test_summary_row_and_modulus_lookup(tmp_path):
    from mechnoise.io import write_table

    fit = diffusion.DiffusionFit(
        d_sigma=0.4,
        d_sigma_err=0.02,
        d_hl=0.2,
        d_hl_err=0.01,
        t_min=0.2,
        t_max=2.0,
        n_lags=10,
        n_samples=98,
        n_windows=2,
        d_sigma_err_blocks=0.01,
        d_sigma_err_windows=0.02,
        slope_with_intercept=0.41,
        intercept=0.0,
        exponent=1.0,
        drift_fraction=0.01,
    )
    modulus = pd.DataFrame({"density": [1.149, 1.189], "G0": [14.0, 16.0], "G0_err": [1, 2]})
    g0, g0_err = diffusion.shear_modulus_for_density(modulus, float("1.189"))
    assert (g0, g0_err) == (16.0, 2.0)
    with pytest.raises(ValueError, match="expected one modulus row"):
        diffusion.shear_modulus_for_density(modulus, 1.3)
    row = run_summary.diffusion_summary(
        fit,
        plasticity={
            "Gamma": 0.2,
            "Gamma_err": 0.02,
            "Gamma_phi": 0.1,
            "Gamma_phi_err": 0.01,
            "phi": 0.2,
            "phi_err": 0.01,
            "tau_p": 1.0,
            "tau_p_err": 0.1,
            "tau_p_window": 2.0,
            "tau_p_window_err": 0.1,
        },
        shear_modulus=g0,
        shear_modulus_err=g0_err,
        n_blocks=7,
        block_side=5.96,
        density=1.189,
        shear_rate=0.001,
        seed=1,
    )
    assert row["Gamma"].item() == pytest.approx(0.2)
    assert row["Gamma_phi"].item() == pytest.approx(0.1)
    assert row["tau_p_window"].item() == pytest.approx(2.0)
    assert row["D_sigma_over_Gamma"].item() == pytest.approx(2.0)
    write_table(row, tmp_path / "d.parquet", run_summary.DIFFUSION_SUMMARY_COLUMNS)
    assert pd.read_parquet(tmp_path / "d.parquet")["M"].dtype == np.int64


def test_error_is_the_larger_of_block_and_window_spread():
    """Blocks agree within each window, windows disagree: the window spread sets the error."""
    lag = np.array([0.5, 1.0])
    rows = []
    for window, d in [(0, 1.0), (1, 3.0)]:
        for b in range(8):
            rows.append(
                pd.DataFrame(
                    {
                        "window": window,
                        "bx": b,
                        "by": 0,
                        "k": [1, 2],
                        "lag": lag,
                        "msd": d * lag,
                        "drift": 0.0,
                        "n": 5,
                    }
                )
            )
    fit = diffusion.fit_stress_diffusion(pd.concat(rows, ignore_index=True), 0.5, 1.0)
    assert fit.d_sigma == pytest.approx(2.0, rel=1e-12)
    assert fit.d_sigma_err_windows == pytest.approx(1.0, rel=1e-12)  # std([1, 3]) / sqrt(2)
    blocks_err = np.std([1.0] * 8 + [3.0] * 8, ddof=1) / 4.0
    assert fit.d_sigma_err_blocks == pytest.approx(blocks_err, rel=1e-12)
    assert fit.d_sigma_err == pytest.approx(1.0, rel=1e-12)
    assert (fit.n_samples, fit.n_windows) == (16, 2)
