"""Wall-time estimates, segment strains that fit a wall time, and the config's wall-time check."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SCHEMA_FILE

from mechnoise.config import ConfigError, load_config, load_schema, shear_plan, validate_config
from mechnoise.lammps import cost

SCHEMA = load_schema(SCHEMA_FILE)


def test_run_seconds_by_hand() -> None:
    # 16000 atoms x 5e6 steps at 4e6 atom-steps/s = 20000 s; 4 ranks at 80 %: / 3.2
    assert cost.run_seconds(16000, 5_000_000, atom_steps_per_second=4e6) == pytest.approx(2e4)
    t4 = cost.run_seconds(16000, 5_000_000, atom_steps_per_second=4e6, ranks=4, efficiency=0.8)
    assert t4 == pytest.approx(2e4 / 3.2)
    # a segment: strain 0.05 at rate 1e-4, dt 0.005 is 1e5 steps
    seg = cost.segment_seconds(1000, 1e-4, 0.005, 0.05, atom_steps_per_second=1e6)
    assert seg == pytest.approx(100.0)
    with pytest.raises(ValueError, match="ranks must be >= 1"):
        cost.run_seconds(10, 10, ranks=0)
    with pytest.raises(ValueError, match="efficiency"):
        cost.run_seconds(10, 10, efficiency=1.5)


@pytest.mark.parametrize("rate", [1e-2, 1e-4, 1e-6])
@pytest.mark.parametrize("hours", [1.0, 24.0])
def test_suggested_segment_fits_and_is_not_needlessly_short(rate: float, hours: float) -> None:
    kw = {"atom_steps_per_second": 3e6, "ranks": 2}
    strain = cost.suggest_segment_strain(16000, rate, 0.005, hours * 3600, **kw)
    needed = cost.segment_seconds(16000, rate, 0.005, strain, **kw) * cost.WALL_TIME_SAFETY
    assert needed <= hours * 3600
    # 1-2-5 rounding loses at most a factor 2.5
    exact = strain * hours * 3600 / needed
    assert strain > exact / 2.5
    mantissa = f"{strain:.0e}"
    assert mantissa[0] in "125" and float(mantissa) == strain, strain


def test_suggestion_fails_clearly_when_nothing_fits() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        cost.suggest_segment_strain(10**8, 1e-9, 0.005, 60.0)


def test_paper_cost_matches_a_hand_count() -> None:
    # rate 1e-6 alone: 1 / (1e-6 * 0.005) = 2e8 steps x 16000 atoms = 3.2e12 atom-steps
    hours = cost.shear_core_hours(16000, [1e-6], 1.0, 0.005, atom_steps_per_second=3.2e6)
    assert hours == pytest.approx(1e6 / 3600)


def test_config_rejects_a_segment_longer_than_the_wall_time_and_names_one_that_fits() -> None:
    cfg = load_config(ROOT / "config.yaml", schema=SCHEMA)
    cfg["system"]["n_particles"] = 16000
    engine = cfg["execution"]
    engine["max_segment_hours"] = 0.5
    engine["atom_steps_per_second"] = 2e6
    # lowest rate 6e-4, segment 0.3: 1e5 steps x 16000 / 2e6 = 800 s x 1.5 = 0.33 h: fits
    validate_config(cfg, SCHEMA)
    engine["max_segment_hours"] = 0.25
    with pytest.raises(ConfigError, match=r"^shear\.segment_strain: .*fits: at most 0\.2") as err:
        validate_config(cfg, SCHEMA)
    assert "max_segment_hours=0.25" in str(err.value)
    fixed = copy.deepcopy(cfg)
    fixed["shear"]["segment_strain"] = 0.2
    validate_config(fixed, SCHEMA)
    engine["mpi_ranks"] = 2  # 2 ranks at 80 %: the 0.3 segment fits again
    validate_config(cfg, SCHEMA)


def test_schema_types_the_new_engine_keys() -> None:
    cfg = load_config(ROOT / "config.yaml", schema=SCHEMA)
    for key, bad in [
        ("mpi_ranks", 0),
        ("launcher", "srun"),
        ("max_segment_hours", -1),
        ("atom_steps_per_second", 0),
    ]:
        broken = copy.deepcopy(cfg)
        broken["execution"][key] = bad
        with pytest.raises(ConfigError, match=rf"^execution\.{key}"):
            validate_config(broken, SCHEMA)


def test_workflow_resources_of_a_shear_segment_follow_the_estimate(tmp_path: Path) -> None:
    """Dry run of the paper preset on 4 ranks: resources.smk gives the segment's wall time.

    Rate 1e-6, segment strain 0.01, dt 0.005: 2e6 steps x 16000 atoms at 2e6 atom-steps/s
    per rank on 4 ranks at 80 % = 5000 s; x 1.5 safety + 180 s = 7680 s = 128 min.
    """
    extra = tmp_path / "mpi4.yaml"
    extra.write_text("execution:\n  kind: python\n  mpi_ranks: 4\n")
    target = "results/shear/rho1.149/rate1e-06/seed1/segments/seg0.restart"
    cmd = [
        str(Path(sys.executable).parent / "snakemake"),
        "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n", "--cores", "4", target,
        "--configfile", str(ROOT / "workflow/presets/paper.yaml"), str(extra),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = proc.stdout + proc.stderr
    # the target's own job (a rate cascade schedules every higher rate's segments first)
    block = text[text.index("output: " + target) :]
    resources = re.search(r"resources: (.*)", block)
    assert resources is not None
    found = dict(kv.split("=", 1) for kv in resources.group(1).split(", "))
    assert found["runtime"] == "128"
    assert (found["tasks"], found["cpus_per_task"], found["mpi"]) == ("4", "1", "srun")
    assert re.search(r"threads: 4", block)


def test_paper_preset_samples_the_lowest_rates_within_the_storage_budget() -> None:
    """At every rate: >= 4 frame windows covering a strain >= 4e-3 and <= 20 GB of frames."""
    paper = ROOT / "workflow" / "presets" / "paper.yaml"
    cfg = load_config(ROOT / "config.yaml", paper, schema=SCHEMA)
    shear = cfg["shear"]
    for rate in shear["shear_rates"]:
        plan = shear_plan(cfg, rate)  # the workflow's own plan (cascade, segment_time)
        covered = sum((w.stop - w.start) * shear["timestep"] * rate for w in plan.windows)
        n_frames = sum(len(w.steps) for w in plan.windows)
        assert len(plan.windows) >= 4
        assert covered >= 4e-3 - 1e-12, (rate, covered)
        assert cost.frame_bytes(cfg["system"]["n_particles"], n_frames) <= 20e9, (rate, n_frames)


def test_segment_time_sizes_segments_by_time_and_its_wall_time_is_checked() -> None:
    paper = load_config(ROOT / "config.yaml", ROOT / "workflow/presets/paper.yaml", schema=SCHEMA)
    shear = paper["shear"]
    # 1e4 tau0 per segment: the whole cascaded run (0.9) at 1e-2, 0.03 at 3e-6, 0.01 at 1e-6
    counts = {r: len(shear_plan(paper, r).segment_ends) for r in (1e-2, 3e-6, 1e-6)}
    assert counts == {1e-2: 1, 3e-6: 30, 1e-6: 90}
    # every segment then lasts at most segment_time (the last of a run may be shorter)
    for rate in shear["shear_rates"]:
        plan = shear_plan(paper, rate)
        starts = (0, *plan.segment_ends[:-1])
        longest = max(e - s for s, e in zip(starts, plan.segment_ends, strict=True))
        assert longest * shear["timestep"] <= shear["segment_time"] * (1 + 1e-9)
    # a segment_time longer than the wall time is refused, naming segment_time
    cfg = load_config(ROOT / "config.yaml", schema=SCHEMA)
    cfg["system"]["n_particles"] = 16000
    cfg["execution"].update(max_segment_hours=0.5, atom_steps_per_second=2e6)
    validate_config(cfg, SCHEMA)  # 0.33 h at the lowest rate (see the test above)
    # 5000 tau0: the whole 0.6 run at 6e-4 is one segment, 2e5 steps x 16000 / 2e6 x 1.5 h
    cfg["shear"]["segment_time"] = 5000.0
    with pytest.raises(ConfigError, match=r"^shear\.segment_time: .*0\.6 at rate 0\.0006 ") as err:
        validate_config(cfg, SCHEMA)
    assert "segment_time at most" in str(err.value)
