"""The docs document every config key and every output table exactly as the code has them;
every internal link and figure of the README and the docs exists; the demo time agrees."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from mechnoise.reference import PAGES, TABLES, main, render_docs

ROOT = Path(__file__).resolve().parents[1]


def test_generated_docs_are_current() -> None:
    for path, text in render_docs(ROOT).items():
        assert path.read_text() == text, (
            f"{path} is stale: run `.venv/bin/python -m mechnoise.reference`"
        )


def test_reference_check_fails_on_a_stale_page(tmp_path: Path) -> None:
    """`python -m mechnoise.reference --check` exits 1 on a stale page and fixes it without."""
    for rel in ("config.yaml", "workflow/schemas/config.schema.yaml", *PAGES.values()):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text((ROOT / rel).read_text())
    page = tmp_path / PAGES["config keys"]
    page.write_text(page.read_text().replace("`system.n_particles`", "`system.n_particle`"))
    assert main([str(tmp_path), "--check"]) == 1
    assert main([str(tmp_path)]) == 0
    assert main([str(tmp_path), "--check"]) == 0
    assert page.read_text() == (ROOT / PAGES["config keys"]).read_text()


def _leaves(node: dict, prefix: str = "") -> list[str]:
    keys = []
    for k, v in node.items():
        if isinstance(v, dict):
            keys += _leaves(v, f"{prefix}{k}.")
        else:
            keys.append(f"{prefix}{k}")
    return keys


def test_every_config_key_is_in_the_docs() -> None:
    readme = (ROOT / PAGES["config keys"]).read_text()
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


#: pages the README links to that other work provides (the mean-field test and the modified-HL
#: prediction); the link check accepts them missing until they land, and checks them after.
PENDING_PAGES = {"docs/meanfield.md", "docs/modified_hl.md"}

_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _slug(heading: str) -> str:
    """GitHub / MyST anchor of a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text())
    return {_slug(h) for h in re.findall(r"^#+ (.*)$", text, re.M)}


def _broken_links(page: Path) -> list[str]:
    broken = []
    for target in _LINK.findall(_FENCE.sub("", page.read_text())):
        if re.match(r"[a-z]+:", target):  # http(s):, mailto: ...
            continue
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        rel = dest.relative_to(ROOT).as_posix() if dest.is_relative_to(ROOT) else str(dest)
        if not dest.exists():
            if rel not in PENDING_PAGES:
                broken.append(f"{page.name}: {target} (no file {rel})")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{page.name}: {target} (no heading #{anchor} in {rel})")
    return broken


def test_internal_links_and_figures_exist() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = [b for page in pages for b in _broken_links(page)]
    assert not broken, broken


def test_link_check_finds_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# A title\n\n[ok](#a-title) ![fig](missing.png) [bad](#no-such)\n")
    broken = _broken_links(page)
    assert len(broken) == 2 and "missing.png" in broken[0] and "no-such" in broken[1]


_DEMO_TIME = re.compile(r"demo time:\**\s*([0-9.]+) min", re.I)


def test_demo_time_agrees_in_config_and_readme() -> None:
    """config.yaml's header and the README state the same measured demo time, within 10 min."""
    config = _DEMO_TIME.findall((ROOT / "config.yaml").read_text())
    readme = _DEMO_TIME.findall((ROOT / "README.md").read_text())
    assert config and readme, "config.yaml and README.md must state 'demo time: X min'"
    assert set(config) == set(readme), (config, readme)


def test_demo_time_is_at_most_ten_minutes() -> None:
    config = _DEMO_TIME.findall((ROOT / "config.yaml").read_text())
    assert config and float(config[0]) <= 10.0
