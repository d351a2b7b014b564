"""Event duration τ_p and event rate Γ against known answers (issue: measure the material).

Synthetic rearrangements (:mod:`mechnoise.plasticity.synthetic`) move the particles of an
event as ``1 − exp(−(t − t_s)/τ_e)`` in an affinely sheared packing: the time-resolved
estimator must return ``τ_e``; the paper's literal estimator (C_p of the lag-δt D²min) must
instead follow the lag. Event onsets put in at a known rate must come back as Γ.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise import hl, plasticity
from mechnoise.diffusion import fit_stress_diffusion, local_exponent, stress_msd_samples
from mechnoise.plasticity.event_duration import event_duration_tables, fit_event_duration
from mechnoise.plasticity.synthetic import synthetic_rearrangements


def _tau_p(frames, lag: float, short_lag: float = 0.2, n_short_lags: int = 1) -> pd.DataFrame:
    table = plasticity.d2min_frames(frames, lag)
    _, durations = event_duration_tables(
        frames,
        table,
        threshold=0.1,
        lag=lag,
        short_lag=short_lag,
        n_short_lags=n_short_lags,
        max_lag=6.0,
        r_max=2.5,
    )
    return durations


def _synthetic(tau_e: float, seed: int = 5):
    """Sparse events (about one event area moving at a time) in three windows."""
    return synthetic_rearrangements(
        tau_e,
        n_side=30,
        n_windows=3,
        window_duration=max(15.0, 10.0 * tau_e),
        event_rate=0.0006 / tau_e,
        seed=seed,
    )


@pytest.mark.parametrize("tau_e", [0.3, 1.0, 3.0])
def test_time_resolved_tau_p_recovers_the_prescribed_duration(tau_e: float) -> None:
    run = _synthetic(tau_e)
    assert len(run.events) >= 15
    tau = _tau_p(run.frames, lag=4.0)["tau_p"].iloc[0]
    assert tau == pytest.approx(tau_e, rel=0.15)


def test_literal_estimator_follows_the_lag_the_time_resolved_one_does_not() -> None:
    run = _synthetic(0.3)
    literal, resolved = {}, {}
    for lag in (2.0, 6.0):
        table = plasticity.d2min_frames(run.frames, lag)
        cp = plasticity.d2min_autocorrelation(table, threshold=0.1, max_lag=6.0)
        literal[lag] = plasticity.fit_decay_time(cp["lag"], cp["C_p"])[0]
        resolved[lag] = _tau_p(run.frames, lag)["tau_p"].iloc[0]
    # An event of 0.3 tau0 seen through a window of delta t: the literal tau grows with it.
    assert literal[2.0] > 2.5 * 0.3 and literal[6.0] > 2.0 * literal[2.0]
    assert resolved[6.0] == pytest.approx(resolved[2.0], rel=0.1)
    assert resolved[2.0] == pytest.approx(0.3, rel=0.15)


def test_tau_p_is_the_same_at_every_short_lag_for_exponential_events() -> None:
    """The amplitude of an exponential relaxation over any lag decays as exp(-t/tau_e)."""
    durations = _tau_p(_synthetic(1.0).frames, lag=4.0, n_short_lags=3)
    assert durations["short_lag"].tolist() == pytest.approx([0.2, 0.4, 0.6])
    assert durations["tau_p"].to_numpy() == pytest.approx(1.0, rel=0.15)
    assert list(durations.columns) == list(plasticity.EVENT_DURATION_COLUMNS)


def test_fit_with_plateau_and_bad_input() -> None:
    t = np.arange(0.0, 6.01, 0.2)
    fit = fit_event_duration(t, 0.7 * np.exp(-t / 0.8) + 0.2, 0.2)
    assert (fit.tau_p, fit.amplitude, fit.plateau) == pytest.approx((0.8, 0.7, 0.2), rel=1e-6)
    assert fit.t_min == pytest.approx(0.2)  # the overlapping lag 0 is left out
    assert math.isnan(fit_event_duration(t[:3], t[:3], 0.2).tau_p)
    with pytest.raises(ValueError, match="short_lag"):
        event_duration_tables(
            [], pd.DataFrame(), threshold=0.1, lag=4.0, short_lag=0.0, n_short_lags=1,
            max_lag=6.0, r_max=2.5,
        )  # fmt: skip


def test_event_rate_counts_each_event_once() -> None:
    """Sparse events at a known rate: Γ per coarse block comes back; φ/τ counts far more."""
    rate, tau_e, lag = 0.0002, 0.5, 2.0
    run = synthetic_rearrangements(
        tau_e, n_side=40, n_windows=4, window_duration=50.0, event_rate=rate, seed=3
    )
    table = plasticity.d2min_frames(run.frames, lag)
    activity, clusters = plasticity.activity_tables(run.frames, table, 0.1, 2.0, 6.0)
    m = int(activity["m"].iloc[0])
    events = plasticity.event_onsets(
        run.frames, table, threshold=0.1, activity_block=2.0, coarse_blocks=m
    )
    gamma, err, n_onsets, t_obs = plasticity.event_rate(events, activity)
    expected = rate * (run.box_side / m) ** 2  # onsets per block and tau0
    assert n_onsets >= 40
    assert gamma == pytest.approx(expected, rel=0.25)
    assert 0 < err < 0.5 * gamma
    assert t_obs == pytest.approx(4 * (50.0 - lag), rel=1e-6)
    assert events["bx"].between(0, m - 1).all() and events["by"].between(0, m - 1).all()
    # The occupancy recipe phi / tau_p_window counts an event in every block it touches for
    # as long as the window sees it: several times the event rate.
    cp = plasticity.d2min_autocorrelation(table, threshold=0.1, max_lag=6.0)
    tau_window = plasticity.fit_decay_time(cp["lag"], cp["C_p"])[0]
    occupancy = plasticity.occupancy_rate(
        float(activity["coarse_active_fraction"].mean()), 0.0, tau_window, 0.0
    )[0]
    assert occupancy > 1.5 * gamma


def test_no_events_no_onsets() -> None:
    run = synthetic_rearrangements(0.5, n_side=20, n_windows=1, window_duration=10.0, event_rate=0)
    table = plasticity.d2min_frames(run.frames, 2.0)
    events = plasticity.event_onsets(
        run.frames, table, threshold=0.1, activity_block=2.0, coarse_blocks=3
    )
    assert events.empty and list(events.columns) == list(plasticity.EVENT_COLUMNS)


def test_strain_balance_by_hand() -> None:
    r, err = plasticity.strain_balance(0.03, 0.003, 0.4, 0.04, 12.0, 1e-3)
    assert r == pytest.approx(1.0) and err == pytest.approx(math.sqrt(2) * 0.1)
    assert math.isnan(plasticity.strain_balance(0.03, 0.0, 0.4, 0.0, 12.0, 0.0)[0])


@pytest.mark.parametrize("alpha", [0.1, 0.26, 0.4])
def test_alpha_from_kappa_inverts_the_hl_stationary_solution(alpha: float) -> None:
    """κ = D_HL/(G0 γ̇ σ_c) of the HL solver at small γ̇ gives back α = κ tanh(1/(2κ))."""
    curve = hl.stationary_flow_curve(alpha, np.array([1e-6]))
    kappa = float(curve["diffusion"].iloc[0] / curve["shear_rate"].iloc[0])  # σc = G0 = 1
    assert hl.noise_ratio(kappa, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0)[0] == pytest.approx(kappa)
    assert hl.alpha_from_noise_ratio(kappa)[0] == pytest.approx(alpha, rel=5e-3)


def test_increment_variance_removes_the_mean_increment() -> None:
    """Random-walk block stresses plus a common drift c t: Eq. 7 with G0 = 0 keeps c² t²,
    the variance does not; its local exponent is 1."""
    rng = np.random.default_rng(4)
    d_sigma, drift, dt = 0.5, 0.8, 0.2  # MSD of the walk = d_sigma t
    times = np.arange(200) * dt
    rows = []
    for b in range(64):
        walk = np.cumsum(rng.normal(0.0, math.sqrt(d_sigma * dt), times.size))
        rows.append(
            pd.DataFrame(
                {"window": 0, "time": times, "strain": 0.0, "bx": b % 8, "by": b // 8,
                 "stress": walk + drift * times}
            )
        )  # fmt: skip
    samples = stress_msd_samples(pd.concat(rows, ignore_index=True), 0.0, 4.0)
    fit = fit_stress_diffusion(samples, 0.2, 4.0)
    assert fit.d_sigma_var == pytest.approx(d_sigma, rel=0.1)
    assert fit.d_sigma > 1.5 * d_sigma  # the drift c^2 t^2 is not removed by Eq. 7 here
    assert fit.exponent_max > 1.2  # Eq. 7's MSD turns ballistic where c t dominates
    assert fit.variance_exponent == pytest.approx(1.0, abs=0.1)
    assert local_exponent(np.array([1.0, 2.0, 4.0]), np.array([1.0, 4.0, 16.0])) == pytest.approx(
        2.0
    )
