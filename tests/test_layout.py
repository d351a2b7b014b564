"""The package layout: the public API of DESIGN §6, no import cycles, figures without pyplot."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

SRC = Path(__file__).resolve().parents[1] / "src" / "mechnoise"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> mechnoise modules it imports at module level (static)."""
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.parse(path.read_text()).body:  # module level only
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                base = node.module
                if node.level:  # relative import
                    pkg = name.split(".")[: -node.level + (1 if path.name == "__init__.py" else 0)]
                    base = ".".join([*pkg, node.module])
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            deps |= {t for t in targets if t in modules and t != name}
        graph[name] = deps
    return graph


def test_package_has_no_import_cycle() -> None:
    graph = _import_graph()
    assert len(graph) > 30
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            # a package's __init__ importing its own submodules is not a cycle of topics
            if node.startswith(dep + ".") or dep == node:
                continue
            if state.get(dep) == 1:
                cycle = path[path.index(dep) :] + [dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_cycle_finder_finds_a_cycle(tmp_path: Path) -> None:
    """The check above can fail: the same walk flags a hand-made cycle."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    seen: set[str] = set()

    def has_cycle(node: str, stack: tuple[str, ...]) -> bool:
        if node in stack:
            return True
        seen.add(node)
        return any(has_cycle(d, (*stack, node)) for d in graph[node])

    assert has_cycle("a", ())


def test_no_prefixed_flat_modules() -> None:
    """Sub-topics are subpackages, not name prefixes (hl_*, yield_*, *_plots)."""
    flat = [p.name for p in SRC.glob("*.py")]
    assert not [n for n in flat if n.startswith(("hl_", "yield_")) or n.endswith("_plots.py")]


def test_public_api_of_design_section_6() -> None:
    from mechnoise import blocks, hl, plasticity, rheology

    curve = hl.stationary_flow_curve(0.26, [1e-3, 1e-2])
    assert list(curve.columns)[:4] == ["shear_rate", "stress", "activity", "diffusion"]
    sy, a = hl.small_rate_asymptotics(0.26)
    np.testing.assert_allclose([sy, a], [0.25279, 0.35699], atol=5e-6)  # DESIGN §4 values
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
        "import sys, mechnoise.figures, mechnoise.report;"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_figures_draw_on_the_axes_given() -> None:
    from mechnoise import figures

    flow = pd.DataFrame(
        {"density": [1.2, 1.2], "shear_rate": [1e-3, 1e-2], "stress": [1.0, 1.2],
         "stress_err": [0.01, 0.01]}
    )
    fits = pd.DataFrame(
        {"density": [1.2], "exponent_mode": ["fixed"], "sigma_y": [0.9], "prefactor": [2.0],
         "exponent": [0.5]}
    )
    host = Figure()
    ax = host.add_subplot()
    assert figures.plot_flow_curves(flow, fits, ax=ax) is host
    assert len(ax.lines) > 0
    assert isinstance(figures.plot_flow_curves(flow, fits), Figure)
