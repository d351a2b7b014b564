"""In-flow means delete-one over the time segments of the noise, and the joint α errors they give.

Synthetic data only (no LAMMPS): onset tables with known times and values, and block stresses
that are random walks whose diffusion follows a per-segment activity shared with the drops.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise.hl.couplings import alpha_variants_with_errors
from mechnoise.noise import inflow_means, increment_variance_fit, onset_rate_jackknife
from mechnoise.plasticity.triggered import inflow_jackknife, summarize_onset_stress


def _onsets(times: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    n = times.size
    drop = rng.normal(0.5, 0.2, n)
    drop[rng.random(n) < 0.1] = np.nan  # drop not measured (window too short)
    return pd.DataFrame(
        {
            "time": times,
            "persistent": rng.random(n) < 0.8,
            "segment": rng.integers(0, 5, n),  # the frame segments of inflow_summary
            "sigma_onset": rng.normal(2.0, 0.5, n),
            "background_onset": 0.0,
            "stress_drop": drop,
        }
    )


def test_delete_one_means_leave_out_the_onsets_of_the_noise_segment() -> None:
    rng = np.random.default_rng(1)
    series_time = np.arange(0.0, 97.0, 0.5)  # 194 rows: segments of 9 or 10 rows
    n_seg = 20
    on = _onsets(rng.uniform(-1.0, 99.0, 400), rng)  # some before / after the series
    jack = inflow_jackknife(on, series_time, n_seg)
    # segment s: rows s T // n .. (s + 1) T // n - 1 of the series (noise.py), written out here
    first = [series_time[(s * series_time.size) // n_seg] for s in range(n_seg)]
    lo = [-math.inf, *first[1:]]
    hi = [*first[1:], math.inf]
    use = on[on["persistent"] & np.isfinite(on["stress_drop"])]
    t = use["time"].to_numpy()
    for s in range(n_seg):
        rest = use[~((t >= lo[s]) & (t < hi[s]))]
        assert len(rest) < len(use)  # every segment holds onsets: the test can fail
        assert jack["sigma_c_flow"][s] == pytest.approx(rest["sigma_onset"].mean(), rel=1e-12)
        assert jack["stress_drop_flow"][s] == pytest.approx(rest["stress_drop"].mean(), rel=1e-12)
        assert jack["stress_drop_sq_flow"][s] == pytest.approx(
            (rest["stress_drop"] ** 2).mean(), rel=1e-12
        )
    # the full values are those of inflow_summary (same onsets)
    full = inflow_means(on, series_time, n_seg)
    summary = summarize_onset_stress(on).iloc[0]
    for key, (value, loo) in full.items():
        assert value == summary[key]
        np.testing.assert_array_equal(loo, jack[key])
    # the same segments as Gamma: its delete-one counts drop by the onsets of the segment
    inside = (t >= series_time[0]) & (t <= series_time[-1])
    _, gamma_jack = onset_rate_jackknife(t[inside], 1, series_time, [(0.0, 96.5)], n_seg)
    for s in range(n_seg):
        kept = np.sum(inside & ~((t >= lo[s]) & (t < hi[s])))
        covered = 96.5 - (min(hi[s], 96.5) - max(lo[s], 0.0))
        assert gamma_jack[s] * covered == pytest.approx(kept, rel=1e-12)
    # no onsets: NaN, not zero
    empty = inflow_jackknife(on.iloc[:0], series_time, n_seg)
    assert all(np.isnan(v).all() for v in empty.values())


def _replica(
    rng: np.random.Generator, n_seg: int, rows: int, spread: float
) -> tuple[float, float, float]:
    """``D / <drop>^2`` of one synthetic run with its joint and quadrature errors.

    A per-segment activity ``a`` (lognormal, mean 1) scales both the block-stress diffusion
    (``D = a``) and the drops (``Δσ = sqrt(a)``, with 30 % noise per onset): D and the drop
    share the segment-level fluctuations, as in a flow with bursts of activity.
    """
    a = np.exp(spread * rng.standard_normal(n_seg) - spread**2 / 2)
    n_t, n_b, dt = n_seg * rows, 8, 1.0
    time = np.arange(n_t) * dt
    step_var = 2 * np.repeat(a, rows) * dt
    stress = np.cumsum(rng.standard_normal((n_t, n_b)) * np.sqrt(step_var)[:, None], axis=0)
    fit = increment_variance_fit(
        time, stress, np.zeros(n_t), fit_window=(1.0, 3.0), n_segments=n_seg
    )
    per_seg = 30
    seg = np.repeat(np.arange(n_seg), per_seg)
    times = (seg + rng.random(seg.size)) * rows * dt
    drops = np.sqrt(a[seg]) * (1 + 0.3 * rng.standard_normal(seg.size))
    onsets = pd.DataFrame(
        {
            "time": times,
            "persistent": True,
            "segment": 0,
            "sigma_onset": 1.0,
            "background_onset": 0.0,
            "stress_drop": drops,
        }
    )
    drop, drop_jack = inflow_means(onsets, time, n_seg)["stress_drop_flow"]
    drop_err = math.sqrt((n_seg - 1) / n_seg * np.sum((drop_jack - drop_jack.mean()) ** 2))
    inputs = {
        "d_hl": fit.D,
        "gamma": 2.0,  # alpha_micro = 2 D / (<drop>^2 Gamma) = D / <drop>^2
        "drop_mean": drop,
        "drop_sq": math.nan,
        "sigma_c": math.nan,
        "g0": 1.0,
        "shear_rate": 1.0,
    }
    joint = alpha_variants_with_errors(
        inputs, {"d_hl": fit.jackknife, "drop_mean": drop_jack}, {}
    )["alpha_micro"]
    quad = alpha_variants_with_errors(inputs, {"d_hl": fit.jackknife}, {"drop_mean": drop_err})
    return joint[0], joint[1], quad["alpha_micro"][1]


def test_joint_error_covers_the_truth_at_its_stated_rate_and_quadrature_does_not() -> None:
    rng = np.random.default_rng(7)
    spread = 0.5
    truth = 1.0 / math.exp(-(spread**2) / 8) ** 2  # E[a] / E[sqrt a]^2 for lognormal a
    runs = np.array([_replica(rng, 20, 60, spread) for _ in range(200)])
    value, joint_err, quad_err = runs.T
    joint_cover = np.mean(np.abs(value - truth) < joint_err)
    quad_cover = np.mean(np.abs(value - truth) < quad_err)
    # stated: one sigma of a delete-one jackknife over 20 segments, 67 % (t with 19 dof);
    # 200 replicas: +- 3.3 % statistical, the band is +- 3 of those (1000 replicas: 63.5 %)
    assert 0.57 < joint_cover < 0.77, (joint_cover, quad_cover)
    # D and <drop>^2 fluctuate together: errors in quadrature overstate the error of the ratio
    assert quad_cover > 0.9 and np.median(quad_err / joint_err) > 1.5, (joint_cover, quad_cover)
