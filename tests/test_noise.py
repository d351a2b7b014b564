"""D_noise and D_all on synthetic block series with known noise and known own kicks."""

from __future__ import annotations

import numpy as np
import pytest

from mechnoise.noise import increment_variance_fit, jackknife_error, quiet_drift

D_TRUE = 0.01  # HL convention: Var = 2 D t
LOADING = 0.002  # G0 gamma_dot
GAMMA = 0.02  # own onsets per block and tau0
KICK = 0.6  # own drop
MARGIN = 2.0  # the drop happens within MARGIN after the onset


def synthetic(seed: int, n_blocks: int = 64, n_rows: int = 3000, dt: float = 0.5):
    """Blocks loaded at LOADING, Wiener noise of D_TRUE, and Poisson own drops of KICK."""
    rng = np.random.default_rng(seed)
    time = np.arange(n_rows) * dt
    noise = np.cumsum(rng.normal(0.0, np.sqrt(2 * D_TRUE * dt), (n_rows, n_blocks)), axis=0)
    stress = LOADING * time[:, None] + noise
    onsets = []
    for b in range(n_blocks):
        t_on = np.sort(rng.uniform(0, time[-1], rng.poisson(GAMMA * time[-1])))
        for t_o in t_on:
            onsets.append((t_o, b))
            stress[time > t_o + rng.uniform(0, MARGIN), b] -= KICK
    return time, stress, np.zeros(n_rows, int), onsets


def test_noise_and_all_are_recovered() -> None:
    time, stress, epoch, onsets = synthetic(1)
    noise = increment_variance_fit(
        time, stress, epoch, fit_window=(1.0, 8.0), onsets=onsets, margin=MARGIN, n_segments=20
    )
    every = increment_variance_fit(time, stress, epoch, fit_window=(1.0, 8.0), n_segments=20)
    d_all = D_TRUE + GAMMA * KICK**2 / 2  # compound Poisson adds Gamma kick^2 t to the variance
    assert abs(noise.D - D_TRUE) < 3 * noise.D_err and noise.D_err < 0.1 * D_TRUE
    assert abs(every.D - d_all) < 3 * every.D_err and every.D_err < 0.1 * d_all
    assert abs(noise.drift_rate - LOADING) < 3 * noise.drift_rate_err
    assert noise.drift_rate_err == pytest.approx(jackknife_error(noise.drift_jackknife))
    assert len(noise.drift_jackknife) == 20
    assert every.D > noise.D + 5 * noise.D_err  # own drops separated
    assert len(noise.jackknife) == 20


def test_noise_error_covers_the_truth_at_its_stated_rate() -> None:
    hits = []
    for seed in range(40):
        time, stress, epoch, onsets = synthetic(100 + seed, n_blocks=16, n_rows=1200)
        fit = increment_variance_fit(
            time, stress, epoch, fit_window=(1.0, 8.0), onsets=onsets, margin=MARGIN
        )
        hits.append(abs(fit.D - D_TRUE) < fit.D_err)
    assert 0.5 <= np.mean(hits) <= 0.9  # 68 % expected


def test_lags_never_span_a_flip_and_uncovered_pairs_are_dropped() -> None:
    time, stress, _, onsets = synthetic(2, n_blocks=8, n_rows=400)
    epoch = (time >= 100).astype(int)
    stress[time >= 100] += 50.0  # a re-tiled grid: garbage across the flip
    fit = increment_variance_fit(
        time, stress, epoch, fit_window=(1.0, 8.0), onsets=onsets, margin=MARGIN
    )
    assert fit.D < 0.1  # a spanned flip would give ~ 50^2
    full = increment_variance_fit(
        time, stress, epoch, fit_window=(1.0, 8.0), onsets=onsets, margin=MARGIN
    )
    part = increment_variance_fit(
        time,
        stress,
        epoch,
        fit_window=(1.0, 8.0),
        onsets=onsets,
        margin=MARGIN,
        coverage=[(0.0, 60.0)],
    )
    assert part.pairs < full.pairs / 2


def test_bad_input_is_refused() -> None:
    time, stress, epoch, _ = synthetic(3, n_blocks=2, n_rows=50)
    with pytest.raises(ValueError, match="fewer than 2 lags"):
        increment_variance_fit(time, stress, epoch, fit_window=(1.0, 1.2))
    with pytest.raises(ValueError, match="not a column"):
        increment_variance_fit(time, stress, epoch, fit_window=(1.0, 8.0), onsets=[(1.0, 5)])
    assert np.isnan(jackknife_error(np.array([1.0])))


def test_quiet_drift_separates_other_blocks_events_from_uncounted_relaxation() -> None:
    """Blocks load at `loading` and creep down at `creep` without any event; an event drops
    its own block by KICK and every other block by `other`. Onset-free pairs of a block drift
    at loading - creep - other x (events elsewhere per time); with no event anywhere the mean
    stress drifts at loading - creep."""
    rng = np.random.default_rng(7)
    n_blocks, n_rows, dt, rate, loading, creep, other = 32, 6000, 0.5, 0.003, 0.02, 0.008, 0.05
    time = np.arange(n_rows) * dt
    noise = np.cumsum(rng.normal(0.0, np.sqrt(2 * D_TRUE * dt), (n_rows, n_blocks)), axis=0)
    stress = (loading - creep) * time[:, None] + noise
    onsets, events = [], []
    for b in range(n_blocks):
        for t_o in rng.uniform(0, time[-1], rng.poisson(rate * time[-1])):
            lands = time > t_o + rng.uniform(0, MARGIN)
            stress[lands] -= other
            stress[lands, b] -= KICK - other
            onsets.append((t_o, b))
            events.append((t_o, 0.0))
    fit = increment_variance_fit(
        time, stress, np.zeros(n_rows), fit_window=(1.0, 8.0), onsets=onsets, margin=MARGIN
    )
    quiet = quiet_drift(
        time, stress, np.zeros(n_rows), fit_window=(1.0, 8.0), events=events, margin=MARGIN
    )
    expected_free = loading - creep - other * rate * (n_blocks - 1)
    assert abs(fit.drift_rate - expected_free) < 3 * fit.drift_rate_err
    assert abs(quiet.rate - (loading - creep)) < 3 * quiet.rate_err
    assert quiet.rate_err < 0.1 * (loading - creep)
    assert quiet.rate - fit.drift_rate > 3 * np.hypot(quiet.rate_err, fit.drift_rate_err)
    # an event under way spoils the pair: ignoring events gives the stationary drift instead
    blind = quiet_drift(
        time, stress, np.zeros(n_rows), fit_window=(1.0, 8.0), events=[], margin=MARGIN
    )
    assert blind.rate < quiet.rate - 3 * quiet.rate_err
