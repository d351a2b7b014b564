"""Each error rule of :mod:`mechnoise.stats` covers the known truth at its stated rate.

Synthetic data with a known mean: an AR(1) series (correlated time series, the case of a
steady-state stress), independent seeds of such series, and Gaussian blocks (the
frozen-matrix statistics), with and without censoring. A one-sigma error covers the truth in
~68 % of repetitions (a little less with few windows: Student's t). Each test also shows the
naive error failing where it should, so the check can fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from mechnoise.stats import (
    block_average,
    bootstrap,
    combine_runs,
    kaplan_meier,
    kaplan_meier_moments,
)

REPEATS = 400
# three binomial standard deviations of a coverage measured over REPEATS repetitions
TOL = 3 * math.sqrt(0.68 * 0.32 / REPEATS)


def ar1(rng: np.random.Generator, n: int, phi: float, mean: float) -> np.ndarray:
    """AR(1) series x_t = mean + phi (x_{t-1} - mean) + noise, started in equilibrium."""
    noise = rng.normal(0.0, 1.0, n)
    x = np.empty(n)
    x[0] = noise[0] / math.sqrt(1 - phi**2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + noise[t]
    return mean + x


def t_coverage(dof: int) -> float:
    """P(|T| <= 1) for Student's t with ``dof`` degrees of freedom."""
    return float(sps.t.cdf(1.0, dof) - sps.t.cdf(-1.0, dof))


def test_block_average_covers_the_mean_of_an_ar1_series() -> None:
    # correlation time 1 / (1 - phi) = 20 samples; 10 windows of 500 samples each
    rng = np.random.default_rng(1)
    n_windows, hits, naive_hits = 10, 0, 0
    for _ in range(REPEATS):
        x = ar1(rng, 5000, 0.95, mean=2.0)
        mean, err = block_average(x, n_windows)
        hits += abs(mean - 2.0) <= err
        naive_hits += abs(x.mean() - 2.0) <= x.std(ddof=1) / math.sqrt(x.size)
    assert hits / REPEATS == pytest.approx(t_coverage(n_windows - 1), abs=TOL)
    # treating the correlated samples as independent under-covers badly (the point)
    assert naive_hits / REPEATS < 0.4


def test_between_seed_spread_covers_the_mean() -> None:
    # 4 seeds whose per-seed error is too small (few windows): the between-seed spread is
    # the stated error and covers at Student's t rate with 3 degrees of freedom
    rng = np.random.default_rng(2)
    hits = 0
    for _ in range(REPEATS):
        means, errors = [], []
        for _seed in range(4):
            x = ar1(rng, 1000, 0.95, mean=-1.0)
            means.append(x.mean())
            errors.append(x.std(ddof=1) / math.sqrt(x.size))  # naive, too small
        mean, err = combine_runs(means, errors)
        hits += abs(mean + 1.0) <= err
    assert hits / REPEATS == pytest.approx(t_coverage(3), abs=TOL)


def test_bootstrap_over_blocks_covers_the_mean_and_a_ratio() -> None:
    # 40 Gaussian blocks: sigma_c ~ N(1.5, 0.3), Delta sigma = 0.2 sigma_c + N(0, 0.05)
    rng = np.random.default_rng(3)
    hits_mean = hits_ratio = 0
    for _ in range(REPEATS):
        c = rng.normal(1.5, 0.3, 40)
        d = 0.2 * c + rng.normal(0.0, 0.05, 40)
        m, m_err = bootstrap(np.mean, c, n_resamples=300)
        r, r_err = bootstrap(lambda dd, cc: dd.mean() / cc.mean(), d, c, n_resamples=300)
        hits_mean += abs(m - 1.5) <= m_err
        hits_ratio += abs(r - 0.2) <= r_err
    assert hits_mean / REPEATS == pytest.approx(t_coverage(39), abs=TOL)
    assert hits_ratio / REPEATS == pytest.approx(t_coverage(39), abs=TOL)


def test_kaplan_meier_mean_removes_survivor_bias_and_its_bootstrap_covers() -> None:
    # thresholds N(2, 0.5), each block loaded up to a random cap U(1.5, 4): blocks whose
    # threshold exceeds their cap are censored at the cap (~25 %). The mean over yielded
    # blocks is biased low; the Kaplan-Meier mean is not, and its bootstrap error covers.
    rng = np.random.default_rng(4)
    hits, bias_km, bias_yielded = 0, [], []
    for _ in range(REPEATS // 2):
        threshold = rng.normal(2.0, 0.5, 200)
        cap = rng.uniform(1.5, 4.0, 200)
        observed = threshold <= cap
        value = np.where(observed, threshold, cap)
        km, km_err = bootstrap(
            lambda v, o: kaplan_meier_moments(v, o)[0], value, observed, n_resamples=200
        )
        hits += abs(km - 2.0) <= km_err
        bias_km.append(km - 2.0)
        bias_yielded.append(threshold[observed].mean() - 2.0)
    assert abs(np.mean(bias_km)) < 0.01
    assert np.mean(bias_yielded) < -0.05
    assert hits / (REPEATS // 2) == pytest.approx(0.68, abs=3 * math.sqrt(0.22 / (REPEATS // 2)))


def test_kaplan_meier_by_hand() -> None:
    # 5 entries, the one at 2.0 censored: S drops by 1/5 at 1, then 1/3 of 3/5 at 3 ...
    support, survival = kaplan_meier([1.0, 2.0, 3.0, 4.0, 5.0], [True, False, True, True, True])
    np.testing.assert_allclose(support, [1.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(survival, [0.8, 0.8 * 2 / 3, 0.8 / 3, 0.0])
    # all censored beyond the last event: the rest of the mass sits at the largest cap
    mean, std = kaplan_meier_moments([1.0, 3.0, 3.0], [True, False, False])
    assert mean == pytest.approx(1 / 3 + 2 / 3 * 3.0)
    assert std == pytest.approx(math.sqrt(1 / 3 * 2 / 3) * 2.0)
    with pytest.raises(ValueError, match="equal length"):
        kaplan_meier([1.0, 2.0], [True])


def test_two_seeds_never_claim_less_than_their_own_errors() -> None:
    # 2 seeds with honest between-window errors (5 windows each): their spread alone has one
    # degree of freedom and covers at Student's t(1) rate (50 %); floored by the runs' own
    # combined error, the stated error covers at least at the rate of those errors
    # (t with 2 x 4 degrees of freedom)
    rng = np.random.default_rng(5)
    hits = spread_hits = 0
    for _ in range(REPEATS):
        means, errors = [], []
        for _seed in range(2):
            mean, err = block_average(ar1(rng, 2000, 0.9, mean=3.0), 5)
            means.append(mean)
            errors.append(err)
        mean, err = combine_runs(means, errors)
        hits += abs(mean - 3.0) <= err
        spread_hits += abs(mean - 3.0) <= np.std(means, ddof=1) / math.sqrt(2)
        assert err >= math.sqrt(np.mean(np.square(errors)) / 2) - 1e-15
    assert spread_hits / REPEATS == pytest.approx(t_coverage(1), abs=TOL)
    assert hits / REPEATS >= t_coverage(8) - TOL
