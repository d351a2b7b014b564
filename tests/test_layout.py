"""Package layout: the public API (docs/design.md §6), no import cycles, no pyplot in figures."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

SRC = Path(__file__).resolve().parents[1] / "src" / "mechnoise"


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(root: Path = SRC) -> dict[str, set[str]]:
    """Module -> modules of the package ``root`` it imports at module level (static)."""
    modules = {_module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.parse(path.read_text()).body:  # module level only
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: level 1 is the package holding this module
                    package = (
                        name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    )
                    anchor = package[: len(package) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            deps |= {t for t in targets if t in modules and t != name}
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """An import cycle of ``graph`` (modules in order, the first repeated last), or None.

    A submodule importing its own package (whose ``__init__`` imports the submodules) is not
    a cycle of topics.
    """
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if node.startswith(dep + "."):  # a submodule importing its own package
                continue
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            found = visit(module)
            if found:
                return found
    return None


def test_package_has_no_import_cycle() -> None:
    graph = _import_graph()
    assert len(graph) > 30
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_cycle_search_finds_a_cycle_through_init_relative_imports(tmp_path: Path) -> None:
    """The check above can fail: the real graph and search flag a package with a cycle.

    ``pkg/__init__.py`` imports ``.a`` relatively (an edge the old resolution dropped),
    ``a`` imports ``b`` and ``b`` imports ``pkg.sub`` whose ``__init__`` imports ``a``.
    """
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import a\n")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("import pkg.sub\n")
    (pkg / "sub" / "__init__.py").write_text("from .. import a\n")
    graph = _import_graph(pkg)
    assert graph["pkg"] == {"pkg.a"}
    assert graph["pkg.sub"] == {"pkg", "pkg.a"}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.sub", "pkg.a"]
    (pkg / "sub" / "__init__.py").write_text("X = 1\n")
    assert find_cycle(_import_graph(pkg)) is None


def test_no_prefixed_flat_modules() -> None:
    """Sub-topics are subpackages, not name prefixes (hl_*, yield_*, *_plots)."""
    flat = [p.name for p in SRC.glob("*.py")]
    assert not [n for n in flat if n.startswith(("hl_", "yield_")) or n.endswith("_plots.py")]


def test_public_api_of_design_section_6() -> None:
    from mechnoise import blocks, hl, plasticity, rheology

    curve = hl.stationary_flow_curve(0.26, [1e-3, 1e-2])
    assert list(curve.columns)[:4] == ["shear_rate", "stress", "activity", "diffusion"]
    sy, a = hl.small_rate_asymptotics(0.26)
    np.testing.assert_allclose([sy, a], [0.25279, 0.35699], atol=5e-6)  # docs/design.md §4 values
    assert abs(hl.alpha_from_yield_stress(sy) - 0.26) < 1e-10

    rng = np.random.default_rng(0)
    ref = rng.uniform(0.0, 10.0, size=(200, 2))
    box = (10.0, 10.0, 0.0)
    shear = np.array([[1.0, 0.01], [0.0, 1.0]])
    cur = ref @ shear.T
    d2 = plasticity.d2min(ref, cur, box, (10.0, 10.0, 0.1), r_max=2.5)
    assert np.nanmax(d2) < 1e-10  # affine motion: D2min = 0

    labels = plasticity.label_periodic(np.array([[1, 0, 1], [0, 0, 0], [0, 0, 0]], dtype=bool))
    assert labels[0, 0] == labels[0, 2] != 0  # periodic in x

    sxy = rng.normal(size=200)  # per-atom stress x area; blocks average to the global stress
    sigma = blocks.block_stress(ref, box, sxy, 2)
    np.testing.assert_allclose(sigma.mean(), sxy.sum() / 100.0, rtol=1e-12)

    rate = np.geomspace(1e-4, 1e-1, 12)
    fit = rheology.fit_herschel_bulkley(rate, 0.5 + 2.0 * rate**0.5, n=None)
    got = [fit.sigma_y, fit.prefactor, fit.exponent]
    np.testing.assert_allclose(got, [0.5, 2.0, 0.5], rtol=1e-6)


def test_figures_do_not_load_pyplot() -> None:
    code = (
        "import sys, mechnoise.figures, mechnoise.report;print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_figures_draw_on_the_axes_given() -> None:
    from mechnoise import figures

    flow = pd.DataFrame(
        {
            "density": [1.2, 1.2],
            "shear_rate": [1e-3, 1e-2],
            "stress": [1.0, 1.2],
            "stress_err": [0.01, 0.01],
        }
    )
    fits = pd.DataFrame(
        {
            "density": [1.2],
            "exponent_mode": ["fixed"],
            "sigma_y": [0.9],
            "prefactor": [2.0],
            "exponent": [0.5],
        }
    )
    host = Figure()
    ax = host.add_subplot()
    assert figures.plot_flow_curves(flow, fits, ax=ax) is host
    assert len(ax.lines) > 0
    assert isinstance(figures.plot_flow_curves(flow, fits), Figure)
