"""Every alpha side by side, with joint jackknife errors (hl/couplings.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mechnoise.hl.couplings import (
    alpha_from_noise_ratio,
    alpha_variants,
    alpha_variants_with_errors,
)

BASE = dict(
    d_hl=0.01, gamma=0.1, drop_mean=0.5, drop_sq=0.4, sigma_c=1.0, g0=10.0, shear_rate=0.002
)


def test_formulas_and_limits() -> None:
    a = alpha_variants(**BASE, sigma_c_flow=0.5)
    assert a["alpha_micro"] == pytest.approx(0.02 / (0.25 * 0.1))
    assert a["alpha_micro_sq"] == pytest.approx(0.02 / (0.4 * 0.1))
    assert a["alpha_bal"] == pytest.approx(0.02 / (0.5 * 10 * 0.002))
    assert a["alpha_kappa"] == pytest.approx(alpha_from_noise_ratio(0.01 / 0.02)[0])
    assert a["alpha_kappa_flow"] == pytest.approx(alpha_from_noise_ratio(1.0)[0])
    # at the strain balance Gamma <drop> = G0 gamma_dot, alpha_bal is alpha_micro
    bal = alpha_variants(**{**BASE, "gamma": 10 * 0.002 / 0.5})
    assert bal["alpha_bal"] == pytest.approx(bal["alpha_micro"])
    assert math.isnan(alpha_variants(**BASE)["alpha_kappa_flow"])  # no in-flow sigma_c yet
    assert math.isnan(alpha_variants(**BASE)["alpha_kappa_drift"])  # no measured drift
    # at the elastic loading (drift = G0 gamma_dot) the two kappas agree
    same = alpha_variants(**BASE, drift=10.0 * 0.002)
    assert same["alpha_kappa_drift"] == pytest.approx(same["alpha_kappa"])
    assert math.isnan(alpha_variants(**{**BASE, "gamma": 0.0})["alpha_micro"])


def test_joint_jackknife_sees_correlations() -> None:
    # D and Gamma from the same events: perfectly correlated per segment, so D / Gamma is exact
    rng = np.random.default_rng(0)
    activity = 1 + 0.2 * rng.standard_normal(20)
    out = alpha_variants_with_errors(BASE, {"d_hl": 0.01 * activity, "gamma": 0.1 * activity}, {})
    assert out["alpha_micro"][1] < 1e-12
    assert out["alpha_kappa"][1] > 0.01 * out["alpha_kappa"][0]  # kappa has no Gamma


def test_joint_error_matches_the_spread_over_repetitions() -> None:
    # 20 time segments; per segment, D and Gamma share a correlated activity fluctuation
    rng = np.random.default_rng(1)
    alphas, errors = [], []
    for _ in range(300):
        act = 1 + 0.3 * rng.standard_normal(20)
        d_seg = 0.01 * act * (1 + 0.2 * rng.standard_normal(20))
        g_seg = 0.1 * act * (1 + 0.2 * rng.standard_normal(20))
        jd = (d_seg.sum() - d_seg) / 19
        jg = (g_seg.sum() - g_seg) / 19
        inputs = {**BASE, "d_hl": d_seg.mean(), "gamma": g_seg.mean()}
        a, e = alpha_variants_with_errors(inputs, {"d_hl": jd, "gamma": jg}, {})["alpha_micro"]
        alphas.append(a)
        errors.append(e)
    assert np.mean(errors) == pytest.approx(np.std(alphas), rel=0.15)
    # an independent input error adds in quadrature: d alpha / d drop = -2 alpha / drop
    a, e = alpha_variants_with_errors(BASE, {}, {"drop_mean": 0.01})["alpha_micro"]
    assert e == pytest.approx(2 * a * 0.01 / 0.5, rel=1e-6)


def test_bad_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="not an input"):
        alpha_variants_with_errors(BASE, {"D": [1.0, 2.0]}, {})
    with pytest.raises(ValueError, match="differ in length"):
        alpha_variants_with_errors(BASE, {"d_hl": [1.0, 2.0], "gamma": [1.0]}, {})


def test_run_couplings_carries_every_alpha_with_joint_errors() -> None:
    import pandas as pd

    from mechnoise.report.runs import RUN_COUPLING_COLUMNS, run_couplings

    run = dict(density=1.2, shear_rate=0.002, seed=1)
    diffusion = pd.DataFrame(
        [
            {
                **run,
                "G0": 10.0,
                "G0_err": 0.0,
                "Gamma": 0.1,
                "Gamma_err": 0.0,
                "Gamma_phi": 0.1,
                "D_HL": 0.01,
                "D_HL_err": 0.0,
                "D_sigma_var": 0.02,
                "tau_p": 1.0,
                "tau_p_window": 2.0,
            }
        ]
    )
    yield_summary = pd.DataFrame(
        [
            {
                "density": 1.2,
                "direction": 1,
                "sigma_c_km": 1.0,
                "sigma_c_km_err": 0.0,
                "sigma_drop_mean": 0.5,
                "sigma_drop_mean_err": 0.0,
            }
        ]
    )
    local = pd.DataFrame({"density": 1.2, "direction": 1, "sigma_drop": [0.4, 0.6]})
    noise = pd.DataFrame(
        [
            {
                **run,
                "D_noise": 0.01,
                "D_noise_err": 0.001,
                "D_all": 0.02,
                "D_all_err": 0.002,
                "Gamma": 0.1,
                "Gamma_err": 0.01,
                "drift_rate": 0.004,  # a fifth of G0 gamma_dot = 0.02
                "drift_rate_err": 0.0004,
            }
        ]
    )
    act = np.linspace(0.9, 1.1, 20)
    jack = pd.DataFrame(
        {
            **run,
            "segment": np.arange(20),
            "D_noise": 0.01 * act,
            "D_all": 0.02 * act,
            "Gamma": 0.1 * act,
            "drift_rate": 0.004 * act,
        }
    )
    flow = pd.DataFrame({"density": [1.2], "sigma_c_flow": [0.5], "sigma_c_flow_err": [0.0]})
    out = run_couplings(diffusion, yield_summary, noise, jack, local, flow).iloc[0]
    # the net loading replaces G0 gamma_dot in kappa; D and the drift move together per
    # segment, so their ratio (and alpha_kappa_drift) has no jackknife error
    assert out["drift_ratio"] == pytest.approx(0.2)
    assert out["drift_ratio_err"] == pytest.approx(0.02)
    assert out["alpha_kappa_drift"] == pytest.approx(alpha_from_noise_ratio(0.01 / 0.004)[0])
    assert out["alpha_kappa_drift_err"] < 1e-9
    # a jackknife table without the drift: its own error enters instead
    old = run_couplings(
        diffusion, yield_summary, noise, jack.drop(columns="drift_rate"), local, flow
    ).iloc[0]
    assert old["alpha_kappa_drift"] == pytest.approx(out["alpha_kappa_drift"])
    assert old["alpha_kappa_drift_err"] > 1e-4  # near alpha = 1/2, alpha hardly moves with kappa
    assert set(out.index) == set(RUN_COUPLING_COLUMNS)
    assert out["stress_drop_sq"] == pytest.approx(0.26)
    assert out["alpha_micro_noise"] == pytest.approx(0.8)
    assert out["alpha_micro_sq"] == pytest.approx(0.02 / (0.26 * 0.1))
    assert out["alpha_micro_noise_err"] < 1e-9  # D and Gamma move together per segment
    assert out["alpha_kappa_noise_err"] > 0
    assert out["alpha_kappa_flow"] == pytest.approx(alpha_from_noise_ratio(1.0)[0])
    without = run_couplings(diffusion, yield_summary).iloc[0]
    assert math.isnan(without["alpha_micro_noise"])


def test_table1_gets_the_alphas_and_fills_alpha_kappa_flow_when_sigma_c_flow_exists() -> None:
    import pandas as pd

    from mechnoise.report.table1 import MEANFIELD_COLUMNS, add_meanfield_alphas

    couplings = pd.DataFrame(
        {
            "density": [1.2, 1.2, 1.2],
            "shear_rate": [0.002, 0.002, 0.01],
            **{c: [1.0, 3.0, 50.0] for c in MEANFIELD_COLUMNS if not c.endswith("_err")},
            **{c: [0.5, 0.5, 0.5] for c in MEANFIELD_COLUMNS if c.endswith("_err")},
        }
    )
    table = pd.DataFrame(
        {
            "density": [1.2, 1.3],
            "G0": [10.0, 10.0],
            "sigma_c_flow": [0.5, 0.5],
            "sigma_c_flow_err": [0.0, 0.0],
        }
    )
    out = add_meanfield_alphas(table, couplings, 0.002)
    assert out.loc[0, "alpha_bal"] == pytest.approx(2.0)  # two seeds at the Table-1 rate only
    assert math.isnan(out.loc[1, "alpha_bal"])  # no run at that density
    # the runs' own alpha_kappa_flow (joint errors) is combined over seeds like the others
    assert out.loc[0, "alpha_kappa_flow"] == pytest.approx(2.0)
    # between-seed spread std([1, 3]) / sqrt(2) = 1 (above the runs' own 0.5 / sqrt(2))
    assert out.loc[0, "alpha_kappa_flow_err"] == pytest.approx(1.0)
    # runs without it (written before the joint errors): recomputed from Table 1's threshold
    old = couplings.assign(alpha_kappa_flow=np.nan, alpha_kappa_flow_err=np.nan)
    out = add_meanfield_alphas(table, old, 0.002)
    kappa = 2.0 / (10.0 * 0.002 * 0.5)  # D_noise = 2 (mean of the two seeds)
    assert out.loc[0, "alpha_kappa_flow"] == pytest.approx(alpha_from_noise_ratio(kappa)[0])
    assert np.isnan(add_meanfield_alphas(table, None, 0.002)["alpha_bal"]).all()
