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
        root / f"results/shear/rho{rho}/rate{rate}/seed1/{name}" for rho in DENSITIES for rate in RATES
    ]


def assert_documented(path: Path, columns: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """Columns, dtypes and stored units are exactly the documented ones."""
    schema = pq.read_schema(path)
    assert schema.names == list(columns), path
    for name, (dtype, unit, _) in columns.items():
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
