"""Tests of the modified-HL prediction from measured ingredients (mechnoise.report.prediction)."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from mechnoise import hl
from mechnoise.report import prediction as pr

SIGMA_C, G0, TAU = 1.7, 12.0, 2.5
RATES = np.array([1e-4, 1e-3])
ALPHA = 0.26


def _hl_inputs(rng: np.random.Generator | None = None, n: int = 40) -> pr.DensityInputs:
    """Ingredients of plain HL in LJ units: one threshold, reset to zero, D of HL at ALPHA."""
    reduced = RATES * G0 * TAU / SIGMA_C
    exact = hl.stationary_flow_curve(ALPHA, reduced)
    noise = exact.diffusion.to_numpy() * SIGMA_C**2 / TAU
    s = np.full(n, SIGMA_C)
    return pr.DensityInputs(
        density=1.2,
        thresholds=s,
        drops=s.copy(),
        drop_thresholds=s.copy(),
        reverse_thresholds=np.array([]),
        G0=G0,
        G0_err=0.0,
        tau=TAU,
        tau_err=0.0,
        shear_rates=RATES,
        noise=noise,
        noise_err=np.zeros(RATES.size),
        alpha_micro=ALPHA,
    )


def test_plain_hl_in_lj_units() -> None:
    inputs = _hl_inputs()
    exact = hl.stationary_flow_curve(ALPHA, RATES * G0 * TAU / SIGMA_C)
    for variant in (pr.Variant(), pr.OLD_MODEL):  # measured D and the closure agree here
        table, _ = pr.predict_density(inputs, variant)
        np.testing.assert_allclose(table.stress_pred, exact.stress * SIGMA_C, rtol=2e-4)
        np.testing.assert_allclose(table.activity_pred, exact.activity / TAU, rtol=2e-4)


def _md_tables(stress: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    flow = pd.DataFrame(
        {"density": 1.2, "shear_rate": RATES, "stress": stress, "stress_err": 0.01 * np.abs(stress)}
    )
    act = pd.DataFrame({"density": 1.2, "shear_rate": RATES, "Gamma": 0.1, "Gamma_err": 0.01})
    return flow, act


def test_prediction_never_reads_md_stresses() -> None:
    # the prediction functions have no MD-stress input at all ...
    for fn in (pr.predict_density, pr.bootstrap_prediction, pr.build_ingredients):
        assert not {"flow", "stress_md"} & set(inspect.signature(fn).parameters)
    # ... and the joined table's predicted columns do not move when the MD stresses do
    rng_inputs = np.random.default_rng(1)
    inputs = _hl_inputs()
    inputs = pr.DensityInputs(
        **{**inputs.__dict__, "thresholds": SIGMA_C * (1 + 0.2 * rng_inputs.standard_normal(40))}
    )
    cols = ["stress_pred", "stress_pred_lo", "stress_pred_hi", "activity_pred", "stress"]
    a = pr.modified_vs_md(
        [inputs], "frozen_matrix", *_md_tables(np.array([0.5, 0.6])), 3, np.random.default_rng(7)
    )
    b = pr.modified_vs_md(
        [inputs], "frozen_matrix", *_md_tables(np.array([9.0, -3.0])), 3, np.random.default_rng(7)
    )
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert not np.allclose(a.ratio, b.ratio)
    np.testing.assert_allclose(a.ratio, a.stress_pred / np.array([0.5, 0.6]))


def test_in_flow_refuses_without_its_columns() -> None:
    summary = pd.DataFrame(
        {"density": [1.2], "G0": [G0], "G0_err": [0.0], "tau_p": [TAU], "tau_p_err": [0.0]}
    )
    runs = pd.DataFrame({"density": [1.2], "shear_rate": [1e-3], "D_HL": [0.1], "D_HL_err": [0.01]})
    with pytest.raises(ValueError, match=r"results/summary.parquet.*sigma_c_flow"):
        pr.density_inputs(summary, {}, runs, "in_flow")
    full = summary.assign(sigma_c_flow=1.0, stress_drop_flow=0.3, stress_drop_sq_flow=0.1)
    with pytest.raises(ValueError, match=r"diffusion_summary.parquet.*D_noise"):
        pr.density_inputs(full, {}, runs, "in_flow")


def test_in_flow_set_uses_its_columns_and_the_msd_factor() -> None:
    ly = pd.DataFrame(
        {
            "direction": [1, 1, 1, -1],
            "sigma_c": [1.0, 1.2, np.nan, 0.9],
            "sigma_drop": [0.3, 0.4, np.nan, 0.2],
            "stress_max": [1.0, 1.2, 1.5, 0.9],
            "yielded": [True, True, False, True],
        }
    )
    summary = pd.DataFrame(
        {
            "density": [1.2],
            "G0": [G0],
            "G0_err": [0.0],
            "tau_p": [TAU],
            "tau_p_err": [0.0],
            "sigma_c_flow": [0.8],
            "stress_drop_flow": [0.2],
            "stress_drop_sq_flow": [0.05],
        }
    )
    runs = pd.DataFrame(
        {
            "density": 1.2,
            "shear_rate": [1e-3, 1e-3],
            "D_HL": 1.0,
            "D_noise": [0.4, 0.6],
            "D_noise_err": 0.0,
        }
    )
    (frozen,) = pr.density_inputs(summary, {1.2: ly}, runs, "frozen_matrix")
    (flowing,) = pr.density_inputs(summary, {1.2: ly}, runs, "in_flow")
    assert frozen.noise[0] == pytest.approx(1.0)
    assert flowing.noise[0] == pytest.approx(0.5 / pr.NOISE_MSD_FACTOR)
    np.testing.assert_allclose(frozen.thresholds, [1.0, 1.2, 1.5])  # censored at stress_max
    ing, scale = pr.build_ingredients(flowing, pr.Variant(thresholds="in_flow"))
    assert scale == pytest.approx(0.8)
    mean_f = float(ing.drop_weights @ ing.drop_fractions)
    second = float(ing.drop_weights @ ing.drop_fractions**2)
    assert mean_f * 0.8 == pytest.approx(0.2) and second * 0.8**2 == pytest.approx(0.05)
    assert ing.reverse_ratio == pytest.approx(0.9 / np.mean([1.0, 1.2, 1.5]))


def test_ingredient_table_shifts_are_paired() -> None:
    inputs = _hl_inputs()
    inputs = pr.DensityInputs(
        **{
            **inputs.__dict__,
            "thresholds": SIGMA_C * np.linspace(0.7, 1.3, 40),
            "drops": SIGMA_C * np.full(40, 0.5),
        }
    )
    table = pr.ingredient_table(inputs, 3, np.random.default_rng(3))
    assert table.change.iloc[0].startswith("old model")
    assert table["delta_stress"].iloc[0] == 0.0
    assert "frozen-matrix -> in-flow thresholds" not in set(table.change)  # no in-flow data
    # constant drops: fixed f and measured p_Delta are the same model
    row = table[table.change == "fixed f -> measured p_Delta"].iloc[0]
    assert abs(row["delta_stress"]) < 1e-9


def test_bootstrap_band_covers_the_truth(monkeypatch: pytest.MonkeyPatch) -> None:
    # Synthetic ingredients with known parameters: 30 blocks with Gaussian thresholds and
    # drops, a noise measured with a 10 % error. One class each keeps it cheap (the model is
    # then HL with the sample means); the 16-84 % band must hold the truth ~68 % of the time.
    monkeypatch.setattr(pr, "THRESHOLD_CLASSES", 1)
    monkeypatch.setattr(pr, "DROP_CLASSES", 1)
    base = _hl_inputs()
    one = {"shear_rates": RATES[:1], "noise_err": 0.1 * base.noise[:1]}
    truth_inputs = pr.DensityInputs(
        **{**base.__dict__, **one, "noise": base.noise[:1], "drops": 0.4 * base.thresholds}
    )
    truth = float(pr.predict_density(truth_inputs)[0].stress_pred.iloc[0])
    rng = np.random.default_rng(11)
    trials, hits = 40, 0
    for _ in range(trials):
        s = SIGMA_C * (1 + 0.2 * rng.standard_normal(30))
        f = 0.4 + 0.1 * rng.standard_normal(30)
        noise = base.noise[:1] * (1 + 0.1 * rng.standard_normal())
        sample = pr.DensityInputs(
            **{
                **base.__dict__,
                **one,
                "thresholds": s,
                "drops": f * s,
                "drop_thresholds": s,
                "noise": noise,
            }
        )
        _, reps = pr.bootstrap_prediction(sample, pr.Variant(), 25, rng)
        lo, hi = np.percentile(reps[:, 0], [16, 84])
        hits += int(lo <= truth <= hi)
    assert 0.46 <= hits / trials <= 0.9  # binomial 68 % +- 7 %: a 3-sigma window


def test_distribution_table_is_normalised() -> None:
    inputs = _hl_inputs()
    rng = np.random.default_rng(2)
    md_stress = SIGMA_C * (0.3 + 0.2 * rng.standard_normal(500))
    x = SIGMA_C * np.abs(0.5 + 0.3 * rng.standard_normal(200))
    table = pr.distribution_table(inputs, "frozen_matrix", md_stress, x)
    for quantity, g in table.groupby("quantity"):
        width = np.diff(g["value"].to_numpy()).mean()
        assert np.sum(g["md"]) * width == pytest.approx(1.0, rel=1e-9), quantity
        # bins hold the model's central 99.8 % (plus grid/bin edge effects)
        assert np.sum(g["model"]) * width == pytest.approx(1.0, abs=5e-3), quantity
    # HL: one threshold, so x = sigma_c - sigma and the two model curves mirror each other
    s = table[table.quantity == "stress"]
    mean_model = np.sum(s["value"] * s["model"]) / np.sum(s["model"])
    exact = hl.stationary_flow_curve(ALPHA, RATES[:1] * G0 * TAU / SIGMA_C).stress.iloc[0]
    assert mean_model == pytest.approx(exact * SIGMA_C, rel=0.02)


def test_drop_ratios_outside_the_model_range_are_counted() -> None:
    """f = Δσ/σ_c outside (1e-3, 1.99) is moved to the nearer bound and counted in the table:
    in the central inputs (n_drops_clipped) and in the bootstrap replicas (replicas_clipped)."""
    inputs = _hl_inputs(n=10)
    tables = _md_tables(np.array([0.5, 0.6]))
    clean = pr.modified_vs_md([inputs], "frozen_matrix", *tables, 5, np.random.default_rng(3))
    assert (clean.n_drop_ratios == 10).all() and (clean.n_drops_clipped == 0).all()
    assert (clean.replicas_clipped == 0).all()
    drops = inputs.drops.copy()
    drops[:] = 2.5 * SIGMA_C  # f = 2.5 in every block: each replica holds clipped drops
    drops[0] = 0.0  # f = 0, below the range
    over = pr.DensityInputs(**{**inputs.__dict__, "drops": drops})
    assert pr.clipped_drop_ratios(over, "frozen_matrix") == 10
    ing, _ = pr.build_ingredients(over, pr.Variant())
    assert ing.drop_fractions.max() == pr.F_RANGE[1]  # 2.5 moved to the bound, not dropped
    assert ing.drop_fractions.min() >= pr.F_RANGE[0]
    table = pr.modified_vs_md([over], "frozen_matrix", *tables, 5, np.random.default_rng(3))
    assert (table.n_drops_clipped == 10).all() and (table.replicas_clipped == 5).all()


def test_errors_left_out_of_the_band_are_named() -> None:
    """A NaN or absent input error enters the bootstrap as 0: the table names it."""
    ly = pd.DataFrame(
        {
            "direction": [1, 1],
            "sigma_c": [1.0, 1.2],
            "sigma_drop": [0.3, 0.4],
            "stress_max": [1.0, 1.2],
            "yielded": [True, True],
        }
    )
    summary = pd.DataFrame(
        {"density": [1.2], "G0": [G0], "G0_err": [np.nan], "tau_p": [TAU], "tau_p_err": [0.1]}
    )
    runs = pd.DataFrame(
        {"density": 1.2, "shear_rate": RATES, "D_HL": [0.01, 0.05], "D_HL_err": [0.001, np.nan]}
    )
    (inputs,) = pr.density_inputs(summary, {1.2: ly}, runs, "frozen_matrix")
    assert inputs.missing_errors == ("G0_err", "D_HL_err at 1 of 2 rates")
    tables = _md_tables(np.array([0.5, 0.6]))
    table = pr.modified_vs_md([inputs], "frozen_matrix", *tables, 2, np.random.default_rng(1))
    assert set(table.errors_left_out) == {"G0_err; D_HL_err at 1 of 2 rates"}
    runs_ok = runs.assign(D_HL_err=0.001)
    (complete,) = pr.density_inputs(summary.assign(G0_err=0.5), {1.2: ly}, runs_ok, "frozen_matrix")
    assert complete.missing_errors == ()
