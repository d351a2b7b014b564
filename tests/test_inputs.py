"""The package finds LAMMPS inputs and the schema only where its caller says (installable)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import LAMMPS_INPUTS, ROOT

from mechnoise.lammps import include_dir, included_files
from mechnoise.scripting import wildcards_from_path


def test_included_files_of_the_shipped_scripts() -> None:
    inc = LAMMPS_INPUTS / "include"
    assert included_files(LAMMPS_INPUTS / "in.prepare") == [
        inc / "potential.lmp",
        inc / "settings.lmp",
    ]
    # frozen_setup.lmp includes potential and settings itself, and frozen_thawed.lmp for a
    # thawed matrix (yield_test.matrix); frozen_step.lmp nothing
    assert included_files(inc / "frozen_setup.lmp") == [
        inc / "frozen_thawed.lmp",
        inc / "potential.lmp",
        inc / "settings.lmp",
    ]
    assert included_files(inc / "frozen_step.lmp") == []


def test_included_files_follow_nested_includes_and_skip_other_variables(tmp_path: Path) -> None:
    (tmp_path / "include").mkdir()
    (tmp_path / "in.x").write_text(
        "include ${inc}/a.lmp\n"
        'if "${mode} == s" then "include ${inc}/b.lmp" "quit 0"\n'
        "include ${schedule}\n"
    )
    (tmp_path / "include" / "a.lmp").write_text("include      ${inc}/c.lmp\n")
    (tmp_path / "include" / "b.lmp").write_text("# nothing\n")
    (tmp_path / "include" / "c.lmp").write_text("include ${inc}/a.lmp  # a cycle\n")
    names = [p.name for p in included_files(tmp_path / "in.x")]
    assert names == ["a.lmp", "b.lmp", "c.lmp"]
    assert include_dir(tmp_path / "in.x") == tmp_path / "include"


def test_a_missing_include_is_named(tmp_path: Path) -> None:
    (tmp_path / "in.x").write_text("include ${inc}/gone.lmp\n")
    with pytest.raises(FileNotFoundError, match="gone.lmp"):
        included_files(tmp_path / "in.x")


def test_package_never_looks_for_files_beside_itself() -> None:
    """No module walks up from its own file to find lammps_inputs/ or the schema."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "mechnoise").rglob("*.py")
        if re.search(r"__file__|\.parents\[", path.read_text())
    ]
    assert offenders == []


def test_wildcards_from_path_reads_back_what_expand_wrote() -> None:
    pattern = "results/shear/rho{rho}/rate{rate}/seed{seed}/thermo.parquet"
    path = "results/shear/rho1.149/rate1e-06/seed12/thermo.parquet"
    assert wildcards_from_path(pattern, path) == {"rho": "1.149", "rate": "1e-06", "seed": "12"}
    with pytest.raises(ValueError, match="does not match"):
        wildcards_from_path(pattern, "results/shear/rho1.149/rate1e-06/seed12/frames.parquet")
