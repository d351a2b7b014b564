"""The README documents every config key and every output table exactly as the code has them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from mechnoise.reference import TABLES, render_readme

ROOT = Path(__file__).resolve().parents[1]


def test_readme_generated_sections_are_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert render_readme(readme, ROOT / "config.yaml") == readme, (
        "README is stale: run `.venv/bin/python -m mechnoise.reference README.md`"
    )


def _leaves(node: dict, prefix: str = "") -> list[str]:
    keys = []
    for k, v in node.items():
        if isinstance(v, dict):
            keys += _leaves(v, f"{prefix}{k}.")
        else:
            keys.append(f"{prefix}{k}")
    return keys


def test_every_config_key_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    missing = [k for k in _leaves(config) if f"`{k}`" not in readme]
    assert not missing, missing


def test_every_written_table_is_registered() -> None:
    """Each column set a workflow script writes with io.write_table is in the README list."""
    registered = {ref.split(":")[1] for _, ref, _ in TABLES}
    written = set()
    for script in (ROOT / "workflow" / "scripts").glob("*.py"):
        written |= set(
            re.findall(
                r"write_table\([^)]*?\b([A-Z][A-Z0-9_]*_COLUMNS)\)", script.read_text(), re.S
            )
        )
    assert written, "no write_table calls found"
    assert written <= registered, sorted(written - registered)
