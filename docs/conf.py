"""Sphinx configuration of the mechnoise documentation (``make docs``; MyST Markdown pages)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

project = "mechnoise"
author = "mechnoise contributors"
copyright = "2026, mechnoise contributors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "medium/*.md"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
# the generated reference pages are long tables: MyST renders them as they are
suppress_warnings = ["myst.header"]

autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()

html_theme = "alabaster"
html_title = "mechnoise"
autosummary_generate = False


def _escape_bars(app, what, name, obj, options, lines):  # noqa: ANN001, ARG001
    """Docstrings write |σ| for an absolute value; reST would read a substitution.

    Escape every vertical bar, except on lines that start with "| " or "+" (reST line blocks
    and grid tables).
    """
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if "|" in stripped and not stripped.startswith(("| ", "+")):
            lines[i] = line[: len(line) - len(stripped)] + stripped.replace("|", r"\|")


def setup(app):  # noqa: ANN001, ANN201
    app.connect("autodoc-process-docstring", _escape_bars, priority=100)
