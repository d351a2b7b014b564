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
from mechnoise.noise import increment_variance_fit, inflow_means, onset_rate_jackknife
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


def _jack_error(values: np.ndarray) -> float:
    n = values.size
    return math.sqrt((n - 1) / n * np.sum((values - values.mean()) ** 2))


def test_run_couplings_jackknifes_the_runs_own_threshold_with_d_noise() -> None:
    from mechnoise.hl.couplings import alpha_from_noise_ratio
    from mechnoise.report.runs import run_couplings

    run = dict(density=1.2, shear_rate=0.002, seed=1)
    diffusion = pd.DataFrame([{**run, "G0": 10.0, "G0_err": 0.0, "Gamma": 0.1,
                               "Gamma_err": 0.0, "Gamma_phi": 0.1, "D_HL": 0.01,
                               "D_HL_err": 0.0, "D_sigma_var": 0.02, "tau_p": 1.0,
                               "tau_p_window": 2.0}])  # fmt: skip
    yield_summary = pd.DataFrame([{"density": 1.2, "direction": 1, "sigma_c_km": 1.0,
                                   "sigma_c_km_err": 0.0, "sigma_drop_mean": 0.5,
                                   "sigma_drop_mean_err": 0.0}])  # fmt: skip
    noise = pd.DataFrame([{**run, "D_noise": 0.01, "D_noise_err": 0.001, "D_all": 0.02,
                           "D_all_err": 0.002, "Gamma": 0.1, "Gamma_err": 0.01,
                           "sigma_c_flow": 0.4}])  # fmt: skip
    act = np.linspace(0.9, 1.1, 20)
    jack = pd.DataFrame({**run, "segment": np.arange(20), "D_noise": 0.01 * act,
                         "D_all": 0.02 * act, "Gamma": 0.1 * act})  # fmt: skip
    # Table 1's per-density threshold and its independent error: the fallback only
    flow = pd.DataFrame({"density": [1.2], "sigma_c_flow": [0.5], "sigma_c_flow_err": [0.05]})
    kappa = 0.01 / (10.0 * 0.002 * 0.4)
    # the run's threshold moves with D over the segments: kappa is the same without any
    # segment, so the joint error is zero (G0 exact) although the threshold varies by 20 %
    together = run_couplings(diffusion, yield_summary, noise,
                             jack.assign(sigma_c_flow=0.4 * act), None, flow).iloc[0]  # fmt: skip
    assert together["sigma_c_flow"] == 0.4
    assert together["alpha_kappa_flow"] == pytest.approx(alpha_from_noise_ratio(kappa)[0])
    assert together["alpha_kappa_flow_err"] == pytest.approx(0.0, abs=1e-12)
    # a threshold that moves against D: the error is that of kappa's delete-one values
    against = run_couplings(diffusion, yield_summary, noise,
                            jack.assign(sigma_c_flow=0.4 / act), None, flow).iloc[0]  # fmt: skip
    loo = np.array([alpha_from_noise_ratio(kappa * a * a)[0] for a in act])
    assert against["alpha_kappa_flow_err"] == pytest.approx(_jack_error(loo), rel=1e-6)
    # no in-flow delete-one values (old tables): Table 1's threshold, error in quadrature
    old = run_couplings(diffusion, yield_summary, noise.drop(columns="sigma_c_flow"), jack,
                        None, flow).iloc[0]  # fmt: skip
    assert old["sigma_c_flow"] == 0.5 and old["alpha_kappa_flow_err"] > 0


def test_width_alphas_jackknife_the_inflow_means_with_d_noise() -> None:
    from mechnoise.hl.width_scan import width_alphas

    noise = pd.DataFrame({"W": [6.0], "M": [4], "D_noise": [0.01], "D_noise_err": [0.001],
                          "D_all": [0.02], "D_all_err": [0.002], "Gamma": [0.05],
                          "Gamma_err": [0.005], "note": ""})  # fmt: skip
    act = np.linspace(0.9, 1.1, 20)
    jack = pd.DataFrame({"M": 4, "segment": np.arange(20), "D_noise": 0.01 * act,
                         "Gamma": 0.05 * act})  # fmt: skip
    # independent errors that would dominate if they were still added in quadrature
    scan = pd.DataFrame({"W": [6.0], "M": [4], "block_side": [6.0], "sigma_c_flow": [1.0],
                         "sigma_c_flow_err": [0.3], "stress_drop_flow": [0.5],
                         "stress_drop_flow_err": [0.2]})  # fmt: skip
    kw = dict(g0=(10.0, 0.0), shear_rate=2e-3)
    # D, Gamma, sigma_c_flow co-vary and the drop is the same in every segment: both alphas
    # are the same without any segment
    row = width_alphas(noise, jack.assign(sigma_c_flow=1.0 * act, stress_drop_flow=0.5), scan,
                       **kw).iloc[0]  # fmt: skip
    assert row["alpha_micro_flow"] == pytest.approx(1.6)
    assert row["alpha_micro_flow_err"] == pytest.approx(0.0, abs=1e-12)
    assert row["alpha_kappa_flow_err"] == pytest.approx(0.0, abs=1e-12)
    # a drop that moves per segment: alpha_micro's error is its delete-one spread
    wobble = 1 + 0.05 * np.sin(np.arange(20))
    row = width_alphas(noise, jack.assign(sigma_c_flow=1.0 * act, stress_drop_flow=0.5 * wobble),
                       scan, **kw).iloc[0]  # fmt: skip
    assert row["alpha_micro_flow_err"] == pytest.approx(_jack_error(1.6 / wobble**2), rel=1e-6)
    # without in-flow delete-one values (old tables) the scan's errors enter in quadrature
    row = width_alphas(noise, jack, scan, **kw).iloc[0]
    assert row["alpha_micro_flow_err"] == pytest.approx(1.6 * 2 * 0.4, rel=1e-4)


def test_noise_tables_carry_the_inflow_means_of_their_grid() -> None:
    from mechnoise.hl.width_scan import width_noise
    from mechnoise.noise import block_noise

    rng = np.random.default_rng(3)
    n_rows, dt = 400, 0.5
    time = np.arange(n_rows) * dt
    parts = []
    for width, m in ((6.0, 3), (8.0, 2)):
        bx, by = np.divmod(np.arange(m * m), m)
        stress = np.cumsum(rng.normal(0.0, 0.1, (n_rows, m * m)), axis=0)
        parts.append(pd.DataFrame({"step": np.repeat(np.arange(n_rows), m * m),
                                   "time": np.repeat(time, m * m), "width": width, "m": m,
                                   "bx": np.tile(bx, n_rows), "by": np.tile(by, n_rows),
                                   "stress": stress.ravel(), "epoch": 0}))  # fmt: skip
    series = pd.concat(parts, ignore_index=True)
    n_ev = 60
    events = pd.DataFrame({"time": np.sort(rng.uniform(0.0, time[-1], n_ev)),
                           "centroid_x": rng.uniform(0.0, 1.0, n_ev),
                           "centroid_y": rng.uniform(0.0, 1.0, n_ev),
                           "bx": 0, "by": 0})  # fmt: skip
    on3 = _onsets(rng.uniform(0.0, time[-1], 80), rng)
    kw = dict(fit_window=(1.0, 3.0), margin=1.0, coverage=None, n_segments=20)
    # per run: the row holds the run means, the jackknife their delete-one values
    row, jack = block_noise(series, events.assign(bx=0, by=1), width=6.0, inflow=on3, **kw)
    expected = inflow_jackknife(on3, time, 20)
    summary = summarize_onset_stress(on3).iloc[0]
    for key, loo in expected.items():
        assert row[key].iloc[0] == summary[key]
        np.testing.assert_array_equal(jack[key].to_numpy(), loo)
    # per W: each grid's own onsets; a grid without them is NaN
    _, per_w = width_noise(series, events, np.ones(n_ev, bool), [(6.0, 3), (8.0, 2)],
                           inflow_onsets=on3.assign(W=6.0, M=3), **kw)  # fmt: skip
    np.testing.assert_array_equal(per_w[per_w["M"] == 3]["sigma_c_flow"].to_numpy(),
                                  expected["sigma_c_flow"])  # fmt: skip
    assert per_w[per_w["M"] == 2]["stress_drop_flow"].isna().all()
