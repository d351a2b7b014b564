"""End to end: the real Snakemake workflow with real LAMMPS on the tiny preset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import run_snakemake

from mechnoise import io, rheology

pytestmark = pytest.mark.e2e

DENSITIES = ["1.149", "1.253"]
RATES = ["0.02", "0.01", "0.005"]


def runs(root: Path, name: str) -> list[Path]:
    return [
        root / f"results/shear/rho{rho}/rate{rate}/seed1/{name}"
        for rho in DENSITIES
        for rate in RATES
    ]


def assert_documented(path: Path, columns: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """Columns, dtypes and stored units are exactly the documented ones."""
    schema = pq.read_schema(path)
    assert schema.names == list(columns), path
    for name, (_, unit, _) in columns.items():
        field = schema.field(name)
        assert field.metadata[b"unit"].decode() == unit, (path, name)
    df = pd.read_parquet(path)
    for name, (dtype, _, _) in columns.items():
        expected = "object" if dtype == "str" else dtype
        assert str(df[name].dtype) in (expected, "string", "str"), (path, name, df[name].dtype)
    return df


def test_every_output_exists(tiny_workflow: Path) -> None:
    for p in runs(tiny_workflow, "thermo.parquet") + runs(tiny_workflow, "frames.parquet"):
        assert p.stat().st_size > 0, p
    for name in ["flow_curve.parquet", "hb_fit.parquet", "modulus.parquet", "figures/fig2.png"]:
        assert (tiny_workflow / "results" / name).stat().st_size > 0, name
    for rho in DENSITIES:
        prov = tiny_workflow / f"results/glass/rho{rho}/seed1/prepare.provenance.json"
        assert prov.exists()


def test_tables_have_documented_columns_and_units(tiny_workflow: Path) -> None:
    for p in runs(tiny_workflow, "thermo.parquet"):
        thermo = assert_documented(p, io.THERMO_COLUMNS)
        assert np.all(np.diff(thermo["step"]) > 0)
        assert thermo["strain"].iloc[-1] == pytest.approx(0.6)
    frames = assert_documented(runs(tiny_workflow, "frames.parquet")[0], io.FRAME_COLUMNS)
    assert frames.groupby("frame")["id"].count().eq(400).all()
    assert_documented(tiny_workflow / "results/flow_curve.parquet", rheology.FLOW_CURVE_COLUMNS)
    assert_documented(tiny_workflow / "results/hb_fit.parquet", rheology.HB_FIT_COLUMNS)
    assert_documented(tiny_workflow / "results/modulus.parquet", rheology.MODULUS_COLUMNS)


def test_flow_stress_is_positive_and_rises_with_rate(tiny_workflow: Path) -> None:
    flow = pd.read_parquet(tiny_workflow / "results/flow_curve.parquet")
    assert len(flow) == len(DENSITIES) * len(RATES)
    assert (flow["stress"] > 0).all()
    for _, g in flow.groupby("density"):
        g = g.sort_values("shear_rate")
        assert g["stress"].iloc[-1] > g["stress"].iloc[0]
    # denser glasses are stronger (paper Fig. 2 inset)
    lowest = flow[flow["shear_rate"] == flow["shear_rate"].min()].sort_values("density")
    assert lowest["stress"].is_monotonic_increasing
    moduli = pd.read_parquet(tiny_workflow / "results/modulus.parquet")
    assert (moduli["G0"] > 0).all() and moduli.sort_values("density")["G0"].is_monotonic_increasing


def test_killed_run_resumed_from_its_completed_segment(tiny_workflow: Path) -> None:
    seg0 = tiny_workflow / "results/shear/rho1.149/rate0.005/seed1/segments/seg0.restart"
    before = int((tiny_workflow / "first_segment_mtime").read_text())
    assert seg0.stat().st_mtime_ns == before, "segment 0 was recomputed instead of resumed"


def test_second_run_does_nothing(tiny_workflow: Path) -> None:
    proc = run_snakemake(tiny_workflow, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_deleting_one_output_reruns_only_its_dependents(tiny_workflow: Path) -> None:
    (tiny_workflow / "results/hb_fit.parquet").unlink()
    proc = run_snakemake(tiny_workflow, "-n", "--quiet", "rules")
    text = proc.stdout + proc.stderr
    assert "fit_herschel_bulkley" in text
    for upstream in ["run_shear_segment", "quench_glass", "merge_shear_run", "compute_flow_curve"]:
        assert upstream not in text, text
    run_snakemake(tiny_workflow)
    assert (tiny_workflow / "results/hb_fit.parquet").exists()


def test_every_stage_writes_its_tables_and_figures(tiny_workflow: Path) -> None:
    res = tiny_workflow / "results"
    for name in [
        "plasticity_summary.parquet",
        "diffusion_summary.parquet",
        "summary.parquet",
        "hl/parametric_curve.parquet",
        "hl/flow_curves.parquet",
        "hl/modified_flow_curves.parquet",
        "hl/modified_vs_md.parquet",
        "report.html",
    ] + [
        f"figures/{f}.png"
        for f in [
            "fig2",
            "fig2_rescaled",
            "fig3",
            "fig4a",
            "fig4b",
            "fig5a",
            "fig5b",
            "fig5c_thresholds",
        ]
    ]:
        assert (res / name).stat().st_size > 0, name
    for rho in DENSITIES:
        for name in [
            "local_yield.parquet",
            "yield_summary.parquet",
            "curves.parquet",
            "drop_rule_sensitivity.parquet",
        ]:
            assert (res / f"yield/rho{rho}/{name}").stat().st_size > 0
    for per_run in [
        "d2min",
        "activity",
        "clusters",
        "d2min_autocorr",
        "block_stress",
        "stress_msd",
        "diffusion_summary",
    ]:
        for p in runs(tiny_workflow, f"{per_run}.parquet"):
            assert p.stat().st_size > 0, p
    html = (res / "report.html").read_text()
    for f in ["fig2", "fig3", "fig4a", "fig4b", "fig5a", "fig5b"]:
        assert f"figures/{f}.png" in html


def test_plasticity_and_diffusion_are_physical(tiny_workflow: Path) -> None:
    plast = pd.read_parquet(tiny_workflow / "results/plasticity_summary.parquet")
    assert len(plast) == len(DENSITIES) * len(RATES)
    for col in ["l_pl", "tau_p", "phi"]:
        assert np.isfinite(plast[col]).all() and (plast[col] > 0).all(), col
    diff = pd.read_parquet(tiny_workflow / "results/diffusion_summary.parquet")
    assert (diff["D_sigma"] > 0).all() and np.allclose(diff["D_HL"], diff["D_sigma"] / 2)


def test_block_stresses_average_to_the_global_stress(tiny_workflow: Path) -> None:
    run = runs(tiny_workflow, "thermo.parquet")[0].parent
    blocks = pd.read_parquet(run / "block_stress.parquet")
    thermo = pd.read_parquet(run / "thermo.parquet").set_index("step")["stress"]
    mean = blocks.groupby("step")["stress"].mean()
    common = mean.index.intersection(thermo.index)
    assert len(common) >= 2
    np.testing.assert_allclose(mean.loc[common], thermo.loc[common], rtol=1e-9, atol=1e-9)


def test_local_yield_and_summary_are_physical(tiny_workflow: Path) -> None:
    for rho in DENSITIES:
        local = pd.read_parquet(tiny_workflow / f"results/yield/rho{rho}/local_yield.parquet")
        assert len(local) > 0
        yielded = local[local["yielded"]]
        assert (yielded["sigma_c"] >= yielded["initial_stress"]).all()
        assert (yielded["sigma_drop"] > 0).all()
        assert local.loc[~local["yielded"], "sigma_c"].isna().all()
    table = pd.read_parquet(tiny_workflow / "results/summary.parquet")
    assert sorted(table["density"]) == [float(d) for d in DENSITIES]
    assert (table["G0"] > 0).all() and (table["sigma_c"] > 0).all()


def test_changing_the_drop_rule_does_not_rerun_lammps(tiny_workflow: Path, tmp_path: Path) -> None:
    """yield_test.drop_factor is analysis: a new value reruns the summary, not the tests."""
    import yaml
    from conftest import TINY

    overlay = yaml.safe_load(Path(TINY).read_text())
    overlay["yield_test"]["drop_factor"] = 2.5
    path = tmp_path / "overlay.yaml"
    # keep the key order: rules that take a whole config section compare dicts in order
    path.write_text(yaml.safe_dump(overlay, sort_keys=False))
    proc = run_snakemake(tiny_workflow, "-n", "--quiet", "rules", "--configfile", str(path))
    text = proc.stdout + proc.stderr
    assert "summarize_local_yield" in text, text
    for upstream in ["run_frozen_matrix", "prepare_yield_snapshots", "run_shear_segment"]:
        assert upstream not in text, text


def test_censored_estimate_and_second_event_are_reported(tiny_workflow: Path) -> None:
    from mechnoise.frozen_matrix import LOCAL_YIELD_COLUMNS, SENSITIVITY_COLUMNS
    from mechnoise.rheology import HL_FIT_COLUMNS

    for rho in DENSITIES:
        base = tiny_workflow / f"results/yield/rho{rho}"
        local = assert_documented(base / "local_yield.parquet", LOCAL_YIELD_COLUMNS)
        twice = local[local["yielded_twice"]]
        assert twice["x_post"].notna().all() and (twice["x_post"] >= 0).all()
        assert (local.loc[local["yielded"], "x"] > 0).all()
        sens = assert_documented(base / "drop_rule_sensitivity.parquet", SENSITIVITY_COLUMNS)
        assert list(sens["rule"]) == ["first maximum", "half", "config", "double"]
        summ = pd.read_parquet(base / "yield_summary.parquet").iloc[0]
        # Kaplan-Meier puts the censored blocks at or above every yielded threshold's mean
        assert summ["sigma_c_km"] >= summ["sigma_c_mean"] - 1e-12
    assert_documented(tiny_workflow / "results/hl_fit.parquet", HL_FIT_COLUMNS)
    html = (tiny_workflow / "results/report.html").read_text()
    assert "ρ = 1.149" in html and " ± " in html and "Drop-rule sensitivity" in html
