"""Table 1 assembly against known answers (docs/design.md §4 check values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechnoise.report import table1 as summary


def _inputs(alpha_micro: float, yield_ratio: float) -> tuple[pd.DataFrame, ...]:
    sigma_c, drop, gamma = 2.0, 0.4, 0.05
    d_sigma = alpha_micro * drop**2 * gamma
    modulus = pd.DataFrame({"density": [1.2], "G0": [30.0], "G0_err": [1.0]})
    fit = pd.DataFrame(
        {
            "density": [1.2, 1.2],
            "exponent_mode": ["free", "fixed"],
            "sigma_y": [9.0, yield_ratio * sigma_c],
            "sigma_y_err": [0.1, 0.01],
            "prefactor": [1.0, 3.0],
            "prefactor_err": [0.1, 0.1],
        }
    )
    ys = pd.DataFrame(
        {
            "density": [1.2, 1.2],
            "direction": [1, -1],
            # censored (Kaplan-Meier) sigma_c, the one the rescalings use; the yielded-only
            # mean is biased low and must not enter alpha_flow or alpha_micro_hl
            "sigma_c_km": [sigma_c, 5.0],
            "sigma_c_km_err": [0.05, 0.05],
            "sigma_c_km_std": [0.5, 0.5],
            "sigma_c_km_std_err": [0.05, 0.05],
            "sigma_c_mean": [0.8 * sigma_c, 4.0],
            "sigma_c_mean_err": [0.05, 0.05],
            "fraction_yielded": [0.9, 0.9],
            "sigma_drop_mean": [drop, 1.0],
            "sigma_drop_mean_err": [0.02, 0.02],
            "drop_ratio": [drop / sigma_c, 0.2],
            "drop_ratio_err": [0.01, 0.01],
            "x_mean": [0.5, 0.5],
            "x_mean_err": [0.05, 0.05],
            "x_post_mean": [0.1, 0.1],
            "x_post_mean_err": [0.01, 0.01],
        }
    )
    dif = pd.DataFrame(
        {
            "density": [1.2, 1.2],
            "shear_rate": [1e-3, 1e-2],
            "seed": [1, 1],
            "D_sigma": [d_sigma, 1.0],
            "D_sigma_err": [0.1 * d_sigma, 0.1],
            "Gamma": [gamma, 1.0],
            "Gamma_err": [0.005, 0.1],
            "phi": [0.05, 0.5],
            "phi_err": [0.005, 0.01],
            "tau_p": [1.0, 1.0],
            "tau_p_err": [0.05, 0.05],
        }
    )
    return modulus, fit, ys, dif


def test_couplings_recover_known_values() -> None:
    table = summary.summary_table(*_inputs(0.26, 0.19674), shear_rate=1e-3)
    row = table.iloc[0]
    assert row["alpha_micro"] == pytest.approx(0.26, rel=1e-12)
    assert row["alpha_micro_dhl"] == pytest.approx(0.13, rel=1e-12)
    assert row["alpha_micro_hl"] == pytest.approx(0.26 * (0.4 / 2.0) ** 2, rel=1e-12)
    assert row["alpha_flow"] == pytest.approx(0.33, abs=2e-4)  # sigma_Y(0.33) = 0.19674
    assert row["drop_ratio"] == pytest.approx(0.2)
    assert row["prefactor_rescaled"] == pytest.approx(3.0 / np.sqrt(30.0 * 2.0 * 1.0))
    assert 0 < row["alpha_micro_err"] < row["alpha_micro"]
    assert list(table.columns) == list(summary.SUMMARY_COLUMNS)


def test_no_hl_solution_gives_nan_not_a_crash() -> None:
    table = summary.summary_table(*_inputs(0.26, 0.7), shear_rate=1e-3)
    assert np.isnan(table.iloc[0]["alpha_flow"])


def test_missing_stage_result_is_an_error() -> None:
    modulus, fit, ys, dif = _inputs(0.26, 0.2)
    with pytest.raises(ValueError, match="missing"):
        summary.summary_table(modulus, fit, ys, dif, shear_rate=5e-4)


def test_unknown_error_gives_nan_error_not_a_crash() -> None:
    """One yielded block: <Delta sigma^m> has no standard error."""
    modulus, fit, ys, dif = _inputs(0.26, 0.19674)
    ys.loc[0, "sigma_drop_mean_err"] = float("nan")
    row = summary.summary_table(modulus, fit, ys, dif, shear_rate=1e-3).iloc[0]
    assert row["alpha_micro"] == pytest.approx(0.26, rel=1e-12)
    assert np.isnan(row["alpha_micro_err"])
    assert np.isfinite(row["alpha_micro_hl_err"])
