"""Issue 12 outside the frozen matrix: fit errors that grow with a poor fit, the HL curve as a
flow-curve fit, and Table 1 as the paper prints it.

That the drop rule stays out of the LAMMPS rule is checked through Snakemake itself:
``tests/test_e2e.py::test_changing_the_drop_rule_does_not_rerun_lammps`` changes
``yield_test.drop_factor`` on a finished tiny run and dry-runs it.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mechnoise import hl
from mechnoise.config import ConfigError, load_schema, validate_config
from mechnoise.report import SUMMARY_COLUMNS, report_html, table1_html
from mechnoise.rheology import fit_herschel_bulkley, fit_hl_flow_curve

ROOT = Path(__file__).resolve().parents[1]


def _linear_fit_errors(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """One-sigma errors of (sigma_y, A) of the weighted linear fit y = sigma_y + A x^(1/2)."""
    design = np.column_stack([np.ones_like(x), np.sqrt(x)]) / e[:, None]
    return np.sqrt(np.diag(np.linalg.inv(design.T @ design)))


def test_hb_errors_grow_with_sqrt_chi2_when_the_fit_is_poor() -> None:
    rate = np.array([1e-4, 4e-4, 1e-3, 4e-3, 1e-2, 4e-2])
    err = np.full(rate.size, 0.01)
    exact = 0.5 + 2.0 * np.sqrt(rate)
    # scatter 5x the stated errors: chi2_red ~ 25, errors must grow by its square root
    wiggle = 0.05 * np.array([1, -1, 1, -1, 1, -1])
    poor = fit_herschel_bulkley(rate, exact + wiggle, err, n=0.5)
    base = _linear_fit_errors(rate, err)
    assert poor.chi2_red > 10
    assert poor.sigma_y_err == pytest.approx(base[0] * math.sqrt(poor.chi2_red), rel=1e-9)
    assert poor.prefactor_err == pytest.approx(base[1] * math.sqrt(poor.chi2_red), rel=1e-9)
    # a fit better than its errors keeps the stated errors (no shrinking)
    good = fit_herschel_bulkley(rate, exact + 0.1 * wiggle, err, n=0.5)
    assert good.chi2_red < 1
    assert good.sigma_y_err == pytest.approx(base[0], rel=1e-9)
    # the free-exponent fit scales too
    free = fit_herschel_bulkley(rate, exact + wiggle, err)
    free_good = fit_herschel_bulkley(rate, exact + 0.1 * wiggle, err)
    assert free.sigma_y_err > 3 * free_good.sigma_y_err


@pytest.mark.parametrize("alpha", [0.15, 0.33])
def test_hl_fit_recovers_alpha_and_scales(alpha: float) -> None:
    rate = np.array([6e-4, 1e-3, 1.6e-3, 4e-3, 1e-2])
    sigma_c, g0_tau = 1.7, 40.0
    stress = sigma_c * hl.stationary_flow_curve(alpha, rate * g0_tau / sigma_c)["stress"]
    rng = np.random.default_rng(5)
    noisy = stress.to_numpy() + rng.normal(0, 1e-4, rate.size)
    fit = fit_hl_flow_curve(rate, noisy, np.full(rate.size, 1e-4))
    assert fit.alpha == pytest.approx(alpha, abs=3 * fit.alpha_err + 1e-3)
    assert fit.sigma_c == pytest.approx(sigma_c, rel=0.02)
    assert fit.G0_tau == pytest.approx(g0_tau, rel=0.1)
    assert 0 < fit.alpha_err < 0.05
    with pytest.raises(ValueError, match="at least 3"):
        fit_hl_flow_curve(rate[:2], noisy[:2], np.full(2, 1e-4))


@pytest.mark.parametrize(
    ("key", "value"),
    [("yield_test.stop_factor", 5.0), ("yield_test.bisect_factor", 2.0)],
)
def test_drop_factor_outside_the_curves_range_names_the_keys(key: str, value: float) -> None:
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg = copy.deepcopy(cfg)
    section, name = key.split(".")
    cfg[section][name] = value
    with pytest.raises(ConfigError, match="yield_test.drop_factor.*bisect_factor.*stop_factor"):
        validate_config(cfg, load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml"))


def test_table1_reads_like_the_paper() -> None:
    summary = pd.DataFrame(
        {
            "density": [1.189, 1.149],
            "G0": [22.0, 18.25],
            "G0_err": [0.5, 0.25],
            "alpha_micro": [0.281, 0.247],
            "alpha_micro_err": [0.021, 0.027],
        }
    )
    html = table1_html(summary, SUMMARY_COLUMNS)
    header = re.search(r"<tr>(.*?)</tr>", html).group(1)  # type: ignore[union-attr]
    # one column per density, in increasing density, after the quantity column
    assert re.findall(r"<th>(.*?)</th>", header) == ["quantity (unit)", "ρ = 1.149", "ρ = 1.189"]
    # errors to two significant digits, values to the same decimal place
    assert "<td>18.25 ± 0.25</td><td>22.00 ± 0.50</td>" in html
    assert ">G0 (eps/sigma^2)</th>" in html  # the unit in the row header
    assert ">alpha_micro</th><td>0.247 ± 0.027</td>" in html  # dimensionless: no unit
    assert "G0_err" not in html  # errors sit beside their values, not in rows of their own
    page = report_html(summary, pd.DataFrame(), pd.DataFrame(), [])
    assert "Kaplan-Meier" in page and "sigma_c_yielded" in page
