"""Config validation: the shipped configs pass; every bad case fails naming its key."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SCHEMA_FILE

from mechnoise.config import ConfigError, deep_update, load_config, load_schema, validate_config

SCHEMA = load_schema(SCHEMA_FILE)


@pytest.fixture()
def config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text())


@pytest.mark.parametrize(
    "preset",
    [
        None,
        *(
            f"workflow/presets/{p.name}"
            for p in sorted((ROOT / "workflow" / "presets").glob("*.yaml"))
        ),
        # configurations of the runs quoted in the docs stay runnable
        *(f"docs/runs/{p.name}" for p in sorted((ROOT / "docs" / "runs").glob("*.yaml"))),
    ],
)
def test_shipped_configs_are_valid(preset: str | None) -> None:
    paths = [ROOT / "config.yaml"]
    if preset:
        paths.append(ROOT / preset)
    load_config(*paths, schema=SCHEMA)


def _set(cfg: dict, dotted: str, value: object) -> dict:
    cfg = copy.deepcopy(cfg)
    *parents, last = dotted.split(".")
    node = cfg
    for p in parents:
        node = node[p]
    node[last] = value
    return cfg


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("shear.shear_rates", [0.01, -0.001], "shear.shear_rates.1"),
        ("system.densities", [1.149, 0.0], "system.densities.1"),
        ("system.n_particles", "2000", "system.n_particles"),
        ("shear.damping", "berendsen", "shear.damping"),
        ("shear.total_strain", 0, "shear.total_strain"),
        ("shear.min_sampled_time", -1.0, "shear.min_sampled_time"),
        ("system.seeds", [1, 1], "system.seeds"),
        ("system.n_particles", 100, "analysis.blocks.width"),  # box too small for 2x2 blocks
        ("analysis.blocks.width", 30.0, "analysis.blocks.width"),
        ("shear.segment_strain", 5.0, "shear.segment_strain"),
        ("shear.steady_strain", 0.9, "shear.steady_strain"),
        ("analysis.d2min.lag", 500.0, "analysis.d2min.lag"),
        ("analysis.stress_msd.fit_window", [2.0, 1.0], "analysis.stress_msd.fit_window"),
        ("yield_test.shear_rate_index", 7, "yield_test.shear_rate_index"),
        ("execution.kind", "command", "execution.command"),
        ("execution.command", "lmp -in x", "execution.command"),
        ("shear.engine", {"kind": "python"}, "shear.engine: moved to the top-level `execution:`"),
    ],
)
def test_bad_values_name_their_key(config: dict, key: str, value: object, named: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_config(_set(config, key, value), SCHEMA)
    assert str(err.value).startswith(named), str(err.value)


@pytest.mark.parametrize(
    ("patch", "named"),
    [
        ({"sheer": {}}, "sheer"),
        ({"shear": {"shear_rate": [0.1]}}, "shear.shear_rate"),
        ({"analysis": {"d2min": {"treshold": 0.1}}}, "analysis.d2min.treshold"),
    ],
)
def test_unknown_keys_fail(config: dict, patch: dict, named: str) -> None:
    deep_update(config, patch)
    with pytest.raises(ConfigError, match=rf"^{named}: unknown key"):
        validate_config(config, SCHEMA)


def test_missing_key_fails(config: dict) -> None:
    del config["shear"]["timestep"]
    with pytest.raises(ConfigError, match=r"^shear: 'timestep' is a required property"):
        validate_config(config, SCHEMA)


def test_snakemake_refuses_bad_config_before_any_job(tmp_path: Path, config: dict) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"shear": {"shear_rates": [0.01, -1.0]}}))
    snakemake = Path(sys.executable).parent / "snakemake"
    proc = subprocess.run(
        [
            str(snakemake),
            "-s",
            str(ROOT / "Snakefile"),
            "-d",
            str(tmp_path),
            "--configfile",
            str(bad),
            "--cores",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "shear.shear_rates.1" in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()
