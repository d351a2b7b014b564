"""The "Does the mean-field picture hold?" section of report.html and its figure."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402

from mechnoise.figures import plot_meanfield_alphas  # noqa: E402
from mechnoise.report.html import meanfield_html, meanfield_verdict  # noqa: E402


def summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "density": [1.15, 1.19, 1.25],
            "alpha_flow": [0.33, 0.335, 0.34],
            "alpha_flow_err": [0.014, 0.014, 0.014],
            "alpha_kappa_noise": [0.07, 0.33, 0.2],
            "alpha_kappa_noise_err": [0.006, 0.02, 0.3],
            "alpha_kappa_flow": [0.34, 0.5, math.nan],
            "alpha_kappa_flow_err": [0.02, 0.05, math.nan],
            "alpha_flow_inflow": [0.33, math.nan, math.nan],
            "alpha_flow_inflow_err": [0.014, math.nan, math.nan],
            "yield_stress_rescaled_flow": [0.3, 1.2, math.nan],
            "yield_stress_rescaled_flow_err": [0.02, 0.1, math.nan],
            "alpha_micro_noise": [0.5, 0.4, 0.3],
            "alpha_micro_noise_err": [0.05, 0.04, 0.03],
            "D_noise": [0.01, 0.02, 0.03],
            "D_noise_err": [0.001, 0.002, 0.003],
        }
    )


def test_verdicts_follow_the_errors() -> None:
    assert meanfield_verdict(0.07, 0.006, 0.335, 0.014) == "noise too weak for HL"
    assert meanfield_verdict(0.9, 0.05, 0.335, 0.014) == "noise too strong for HL"
    assert meanfield_verdict(0.30, 0.02, 0.335, 0.014) == "HL holds"
    assert meanfield_verdict(0.2, 0.3, 0.335, 0.014) == "undecided"  # error > 50 %
    assert meanfield_verdict(0.2, math.nan, 0.335, 0.014) == "undecided"


def test_section_has_a_verdict_per_density_and_says_what_breaks() -> None:
    page = meanfield_html(summary())
    assert "Does the mean-field picture hold?" in page
    assert page.count("<tr>") == 4  # header + 3 densities
    assert "noise too weak for HL" in page and "HL holds" in page and "undecided" in page
    # at 1.15 the in-flow threshold restores agreement: the frozen-matrix sigma_c breaks HL
    first = page.split("<tr>")[2]
    assert first.count("HL holds") == 1 and "noise too weak" in first
    # at 1.19 sigma_Y is above half the in-flow threshold: no HL solution at all
    assert "HL cannot give sigma_Y/sigma_c_flow = 1.2" in page.split("<tr>")[3]
    assert meanfield_html(summary().drop(columns="alpha_kappa_noise")) == ""


def test_figure_draws_every_alpha_with_error_bars() -> None:
    fig = plot_meanfield_alphas(summary())
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 5  # alpha_flow (both), alpha_kappa (both), alpha_micro; no empty columns
    assert len(ax.containers) == 5


def test_inflow_alpha_flow_uses_the_inflow_threshold_on_both_sides() -> None:
    """alpha_flow_inflow inverts HL at sigma_Y / sigma_c_flow; beyond 1/2 it is NaN."""
    from mechnoise.report.table1 import add_meanfield_alphas

    # HL at alpha = 0.26 gives sigma_Y / sigma_c = 0.25278778 (hl.alpha_flow's doctest)
    table = pd.DataFrame(
        {
            "density": [1.0, 2.0],
            "G0": [10.0, 10.0],
            "sigma_y": [0.25278778 * 0.5, 0.4],
            "sigma_y_err": [0.0, 0.01],
            "sigma_c_flow": [0.5, 0.5],
            "sigma_c_flow_err": [0.0, 0.01],
        }
    )
    from mechnoise.report.table1 import MEANFIELD_COLUMNS

    couplings = pd.DataFrame(
        {"density": [1.0, 2.0], "shear_rate": [1e-3, 1e-3]}
        | {
            c: [0.01, 0.01]
            for c in MEANFIELD_COLUMNS
            if "flow_inflow" not in c and "rescaled" not in c
        }
    )
    out = add_meanfield_alphas(table, couplings, 1e-3)
    assert math.isclose(out.loc[0, "alpha_flow_inflow"], 0.26, rel_tol=1e-5)
    assert math.isclose(out.loc[0, "yield_stress_rescaled_flow"], 0.25278778, rel_tol=1e-9)
    assert math.isnan(out.loc[1, "alpha_flow_inflow"])  # 0.8 > 1/2: no HL solution
    assert math.isclose(out.loc[1, "yield_stress_rescaled_flow"], 0.8)
    assert math.isclose(
        out.loc[1, "yield_stress_rescaled_flow_err"], 0.8 * math.hypot(0.01 / 0.4, 0.01 / 0.5)
    )


def test_an_unknown_error_stays_unknown_in_table1() -> None:
    """A NaN error in run_couplings gives a NaN error in Table 1, never 0."""
    from mechnoise.report.table1 import MEANFIELD_COLUMNS, add_meanfield_alphas

    cols = [c for c in MEANFIELD_COLUMNS if "flow_inflow" not in c and "rescaled" not in c]
    couplings = pd.DataFrame({"density": [1.0], "shear_rate": [1e-3]} | {c: [0.01] for c in cols})
    couplings["D_noise_err"] = math.nan
    table = pd.DataFrame({"density": [1.0], "G0": [10.0]})
    out = add_meanfield_alphas(table, couplings, 1e-3)
    assert out.loc[0, "D_noise"] == 0.01 and math.isnan(out.loc[0, "D_noise_err"])
    assert out.loc[0, "D_all_err"] == 0.01  # a known error passes through
