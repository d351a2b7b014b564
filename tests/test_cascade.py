"""Rate cascade: the workflow wires each rate's first segment to the next higher rate's end."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mechnoise.lammps import cost
from mechnoise.lammps.schedule import plan_shear

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


def _dry_run(tmp_path: Path, cascade: bool) -> str:
    tmp_path.mkdir()
    extra = tmp_path / "cascade.yaml"
    extra.write_text(
        f"shear:\n  cascade:\n    enabled: {str(cascade).lower()}\n    transient_strain: 0.05\n"
    )
    cmd = [
        str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path), "-n",
        "--configfile", str(ROOT / "workflow" / "presets" / "tiny.yaml"), str(extra),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _first_segment_inputs(text: str) -> dict[str, str]:
    """rate slug -> the input line of the rho1.149 seed1 run's first segment job."""
    found = {}
    run = r"results/shear/rho1\.149/rate([0-9.e-]+)/seed1"
    pattern = r"input: (.*)\n\s+output: " + run + r"/segments/seg0\."
    for inputs, rate in re.findall(pattern, text):
        found[rate] = inputs
    return found


def test_cascade_starts_each_lower_rate_from_the_higher_rates_last_restart(
    tmp_path: Path,
) -> None:
    inputs = _first_segment_inputs(_dry_run(tmp_path / "on", True))
    assert set(inputs) == {"0.02", "0.01", "0.005"}  # the tiny preset's rates
    assert "restart" not in inputs["0.02"]  # the highest rate starts from the glass
    # the tiny preset: total strain 0.6 in segments of 0.3, steady from 0.2
    last = len(plan_shear(0.02, 0.005, 0.6, 0.3, 0.2, 0.001, 2, 8.0, 0.2).segment_ends) - 1
    assert f"rate0.02/seed1/segments/seg{last}.restart" in inputs["0.01"]
    assert "rate0.01/seed1/segments/seg" in inputs["0.005"]


def test_without_cascade_every_run_starts_from_the_glass(tmp_path: Path) -> None:
    inputs = _first_segment_inputs(_dry_run(tmp_path / "off", False))
    assert len(inputs) == 3
    assert not [i for i in inputs.values() if "restart" in i]


def test_cascade_cost_saves_the_transient_of_every_run_but_the_first() -> None:
    rates = [1e-2, 1e-3, 1e-4]
    kw = {"atom_steps_per_second": 1e6, "steady_strain": 0.2}
    plain = cost.shear_core_hours(1000, rates, 1.0, 0.005, **kw)
    cascade = cost.shear_core_hours(1000, rates, 1.0, 0.005, cascade_strain=0.05, **kw)
    # by hand: each run but the 1e-2 one shortens from strain 1.0 to 0.85
    steps = 1.0 / (1e-2 * 0.005) + 0.85 / (1e-3 * 0.005) + 0.85 / (1e-4 * 0.005)
    assert cascade == pytest.approx(1000 * steps / 1e6 / 3600, rel=1e-12)
    assert plain > cascade


def test_min_sampled_time_lengthens_only_the_runs_it_should() -> None:
    from mechnoise.config import shear_plan, shear_run_strains

    shear = {
        "shear_rates": [3e-2, 1e-3, 1e-4],
        "total_strain": 0.6,
        "steady_strain": 0.2,
        "min_sampled_time": 300.0,
        "cascade": {"enabled": True, "transient_strain": 0.1, "sampled_strain": 0.5},
    }
    cfg = {"shear": shear}
    # from the glass: discard 0.2, then sample 300 tau0 x 3e-2 = 9 > 0.4
    assert shear_run_strains(cfg, 3e-2) == pytest.approx((9.2, 0.2))
    # cascaded: 300 x 1e-3 = 0.3 < 0.5, so the sampled strain stays 0.5
    assert shear_run_strains(cfg, 1e-3) == pytest.approx((0.6, 0.1))
    assert shear_run_strains(cfg, 1e-4) == pytest.approx((0.6, 0.1))
    # off by default: the config without the key plans what it planned before
    del shear["min_sampled_time"]
    assert shear_run_strains(cfg, 3e-2) == pytest.approx((0.6, 0.2))
    # the plan's steady state really spans the sampled time
    shear.update(
        min_sampled_time=300.0, timestep=0.005, segment_strain=2.0,
        thermo_strain_interval=0.001,
        frames={"n_windows": 2, "window_duration": 10.0, "frame_interval": 0.2},
    )  # fmt: skip
    plan = shear_plan(cfg, 3e-2)
    sampled_steps = plan.total_steps - plan.steady_step
    assert sampled_steps * 0.005 == pytest.approx(300.0, rel=1e-3)
    hours = cost.shear_core_hours(
        1000, shear["shear_rates"], 0.6, 0.005, atom_steps_per_second=1e6,
        steady_strain=0.2, cascade_strain=0.1, sampled_strain=0.5, min_sampled_time=300.0,
    )  # fmt: skip
    steps = 9.2 / (3e-2 * 0.005) + 0.6 / (1e-3 * 0.005) + 0.6 / (1e-4 * 0.005)
    assert hours == pytest.approx(1000 * steps / 1e6 / 3600, rel=1e-12)


