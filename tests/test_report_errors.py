"""No silent numerics in the report: unknown errors stay NaN with a reason, clips are reported."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mechnoise.report import run_couplings


def _inputs(drop_err: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    diffusion = pd.DataFrame(
        {
            "density": [1.2],
            "shear_rate": [0.01],
            "seed": [1],
            "G0": [20.0],
            "G0_err": [1.0],
            "Gamma": [0.05],
            "Gamma_err": [0.005],
            "Gamma_phi": [0.04],
            "D_HL": [0.002],
            "D_HL_err": [0.0002],
            "D_sigma_var": [0.004],
            "tau_p": [1.0],
            "tau_p_window": [2.0],
        }
    )
    yield_summary = pd.DataFrame(
        {
            "density": [1.2],
            "direction": [1],
            "sigma_c_km": [1.5],
            "sigma_c_km_err": [0.1],
            "sigma_drop_mean": [0.3],
            "sigma_drop_mean_err": [drop_err],
        }
    )
    return diffusion, yield_summary


def test_run_couplings_known_values_and_no_error_note() -> None:
    row = run_couplings(*_inputs(0.03)).iloc[0]
    assert row["strain_balance"] == pytest.approx(0.05 * 0.3 / (20.0 * 0.01))
    # relative errors in quadrature: Gamma 10 %, drop 10 % (G0 is not in R's error)
    assert row["strain_balance_err"] == pytest.approx(row["strain_balance"] * math.sqrt(0.02))
    assert row["kappa"] == pytest.approx(0.002 / (20.0 * 0.01 * 1.5))
    assert row["error_note"] == ""


def test_an_unknown_error_stays_nan_with_its_reason() -> None:
    # one yielded block: no error of <Delta sigma^m>; it used to count as zero
    row = run_couplings(*_inputs(math.nan)).iloc[0]
    assert math.isfinite(row["strain_balance"]) and math.isnan(row["strain_balance_err"])
    assert math.isfinite(row["kappa_err"])  # kappa does not use the stress drop
    assert row["error_note"] == "sigma_drop_mean_err unknown"
