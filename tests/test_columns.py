"""The column registry: every column defined once, every table column registered."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mechnoise import columns, reference

SRC = Path(__file__).resolve().parents[1] / "src" / "mechnoise"


def test_a_key_defined_twice_is_refused() -> None:
    rows = [("tau_p", "float64", "tau0", "a"), ("tau_p", "float64", "tau0", "b")]
    with pytest.raises(ValueError, match="'tau_p' is defined twice"):
        columns.define(rows)


def test_a_column_used_without_definition_is_refused() -> None:
    registry = columns.define([("phi", "float64", "-", "fraction")])
    with pytest.raises(KeyError, match="'Gamma', which is not registered"):
        columns.view("t", registry, {"t": ("phi", "Gamma")})


def test_one_name_twice_in_a_table_is_refused() -> None:
    registry = columns.define(
        [("stress", "float64", "eps/sigma^2", "macro"), ("stress@block", "float64", "x", "b")]
    )
    assert columns.view("t", registry, {"t": ("stress@block",)}) == {
        "stress": ("float64", "x", "b")
    }
    with pytest.raises(ValueError, match="holds column 'stress' twice"):
        columns.view("t", registry, {"t": ("stress", "stress@block")})


def test_every_table_resolves_and_every_column_is_used() -> None:
    used: set[str] = set()
    for table, keys in columns.TABLES.items():
        columns.view(table)  # raises on an unregistered key or a name held twice
        used.update(keys)
    assert sorted(set(columns.COLUMNS) - used) == []


def test_homonyms_really_differ() -> None:
    # ``name@variant`` is for a name that means another quantity: an identical definition
    # under two keys is the same column defined twice.
    seen: dict[tuple[str, str, str, str], str] = {}
    for key, col in columns.COLUMNS.items():
        sig = (col.name, col.dtype, col.unit, col.description)
        assert sig not in seen, f"{key} and {seen[sig]} define the same column"
        seen[sig] = key


def test_every_table_is_documented_once_and_documented_tables_exist() -> None:
    documented = {reference.table_id(ref) for _, ref, _ in reference.TABLES}
    assert documented == set(columns.TABLES)


def _column_dict_literals(path: Path) -> list[str]:
    """Names of dict literals in ``path`` that map strings to (dtype, unit, description)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Dict) or not node.values:
            continue
        triples = [
            v
            for v in node.values
            if isinstance(v, ast.Tuple)
            and len(v.elts) == 3
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
        ]
        if len(triples) >= 2:
            found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_no_column_is_defined_outside_the_registry() -> None:
    offenders = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "columns.py"
        for hit in _column_dict_literals(path)
    ]
    assert offenders == []


def test_the_scan_finds_a_column_dict(tmp_path: Path) -> None:
    # the scan above can fail: a module-level COLUMNS dict is what it looks for
    bad = SRC / "_probe_columns.py"
    try:
        bad.write_text('X = {"a": ("float64", "-", "a"), "b": ("int64", "-", "b")}\n')
        assert _column_dict_literals(bad) == ["_probe_columns.py:1"]
    finally:
        bad.unlink()


def test_stages_pass_gamma_on_under_one_name() -> None:
    # activity_rate (plasticity) used to become Gamma (diffusion, Table 1)
    names = set()
    for table in ("plasticity.summary", "run_summary.diffusion_summary", "report.summary"):
        names |= set(columns.view(table))
    assert "Gamma" in names and not any(n.startswith("activity_rate") for n in names)
