"""Glass quality (partial g(r), hexatic order, crystallisation flag) against known answers.

Known answers: a perfect triangular lattice has |psi6| = 1 at every site, six neighbours at
the lattice spacing and is flagged as crystallised, in a square or a tilted cell alike (the
tilted cell checks the conversion to freud's box); an ideal gas has g(r) = 1 for every pair
and no crystal-like particles; the partial g_ab add up to the total g(r) with the weights of
the pair counts; a real LAMMPS quench of the paper's mixture at the paper's four densities
is not flagged with the shipped thresholds, and the same quench of an almost one-component
system (which crystallises in 2D) is.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import LAMMPS_INPUTS, ROOT, SCHEMA_FILE

from mechnoise import structure
from mechnoise.config import load_config, load_schema

SCHEMA = load_schema(SCHEMA_FILE)
PAPER_DENSITIES = (1.149, 1.189, 1.253, 1.322)


def shipped_thresholds() -> tuple[float, float]:
    """``analysis.structure`` thresholds of the shipped config.yaml."""
    cfg = load_config(ROOT / "config.yaml", schema=SCHEMA)["analysis"]["structure"]
    return cfg["psi6_threshold"], cfg["max_crystalline_fraction"]


def triangular_lattice(
    nx: int, ny: int, a: float, tilted: bool
) -> tuple[np.ndarray, tuple[float, float, float]]:
    """Sites of a triangular lattice of spacing ``a`` and a periodic cell that fits it.

    Untilted: rows shifted alternately by a/2 in an (nx a, ny h) rectangle (ny even).
    Tilted: sites i a1 + j a2 with a1 = (a, 0), a2 = (a/2, h) in the cell (nx a1, ny a2),
    i.e. LAMMPS box (nx a, ny h, ny a/2).
    """
    h = a * math.sqrt(3.0) / 2.0
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    i, j = i.ravel(), j.ravel()
    if tilted:
        pos = np.column_stack([(i + 0.5 * j) * a, j * h])
        return pos, (nx * a, ny * h, ny * a / 2.0)
    pos = np.column_stack([(i + 0.5 * (j % 2)) * a, j * h])
    return pos, (nx * a, ny * h, 0.0)


def ideal_gas(n: int, density: float, seed: int) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Uniform random positions and 65:35 random species in a tilted periodic box."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(n / density)
    box = (side, side, 0.3 * side)
    s = rng.uniform(0.0, 1.0, size=(n, 2))
    pos = np.column_stack([s[:, 0] * side + s[:, 1] * box[2], s[:, 1] * side])
    types = np.where(rng.uniform(size=n) < 0.65, 1, 2)
    return pos, types, box


def quality_of(types: np.ndarray, pos: np.ndarray, box: tuple) -> pd.DataFrame:
    """Glass-quality row of one configuration with the shipped thresholds."""
    psi6_threshold, max_fraction = shipped_thresholds()
    _, order = structure.glass_structure(
        np.arange(len(pos)) + 1,
        types,
        pos,
        box,
        density=len(pos) / (box[0] * box[1]),
        seed=1,
        rdf_r_max=2.0,
        rdf_bins=10,
        psi6_threshold=psi6_threshold,
    )
    return structure.summarize_glass_quality(order, psi6_threshold, max_fraction)


@pytest.mark.parametrize("tilted", [False, True])
def test_triangular_lattice_has_unit_psi6_and_is_flagged(tilted: bool) -> None:
    pos, box = triangular_lattice(12, 12, 1.1, tilted)
    # a perfect lattice is degenerate input for freud's Voronoi (voro++), which then crashed
    # now and then in a long test session; 1e-7 sigma of noise changes |psi6| by ~1e-7
    pos = pos + np.random.default_rng(3).normal(0.0, 1e-7, pos.shape)
    types = np.where(np.arange(len(pos)) % 3 == 0, 2, 1)  # species do not matter for psi6
    psi6, i, _ = structure.hexatic_order(pos, box)
    np.testing.assert_allclose(np.abs(psi6), 1.0, atol=1e-5)
    assert np.all(np.bincount(i, minlength=len(pos)) == 6)
    q = quality_of(types, pos, box)
    assert q["crystalline_fraction"].item() == 1.0
    assert bool(q["crystallised"].item())
    assert structure.crystallisation_warnings(q)


def test_lattice_rdf_counts_six_neighbours_at_the_spacing() -> None:
    a = 1.1
    pos, box = triangular_lattice(14, 14, a, tilted=True)
    types = np.ones(len(pos), dtype=int)
    g = structure.partial_rdfs(pos, types, box, 2.0, 200)
    total = g[g["pair"] == "all"]
    dr = 2.0 / 200
    r = total["r"].to_numpy()
    shell = math.pi * ((r + dr / 2) ** 2 - (r - dr / 2) ** 2)
    rho_other = (len(pos) - 1) / (box[0] * box[1])
    counts = total["g"].to_numpy() * rho_other * shell
    first = r < 1.4 * a  # between the first (a) and second (sqrt(3) a) shells
    assert counts[first].sum() == pytest.approx(6.0, abs=1e-4)
    assert r[first][np.argmax(counts[first])] == pytest.approx(a, abs=dr)
    assert counts[r < 0.95 * a].sum() == 0.0


def test_ideal_gas_rdf_tends_to_one_and_is_not_flagged() -> None:
    pos, types, box = ideal_gas(4000, 1.2, seed=7)
    g = structure.partial_rdfs(pos, types, box, 8.0, 80)
    for pair in structure.PAIRS:
        far = g.loc[(g["pair"] == pair) & (g["r"] > 2.0), "g"]
        assert far.mean() == pytest.approx(1.0, abs=0.02), pair
    q = quality_of(types, pos, box)
    assert q["crystalline_fraction"].item() < 0.02
    assert not bool(q["crystallised"].item())
    assert structure.crystallisation_warnings(q) == []


def test_partial_rdfs_weighted_sum_is_the_total() -> None:
    rng = np.random.default_rng(3)
    pos, box = triangular_lattice(30, 30, 1.1, tilted=True)
    pos = pos + rng.normal(0.0, 0.08, pos.shape)  # a structured, non-trivial g(r)
    types = np.where(rng.uniform(size=len(pos)) < 0.65, 1, 2)
    g = structure.partial_rdfs(pos, types, box, 6.0, 120).set_index(["pair", "r"])["g"]
    n, n_a = len(types), int(np.sum(types == 1))
    n_b = n - n_a
    weights = {"AA": n_a * (n_a - 1), "AB": 2 * n_a * n_b, "BB": n_b * (n_b - 1)}
    assert sum(weights.values()) == n * (n - 1)
    combined = sum(w * g[pair].to_numpy() for pair, w in weights.items()) / (n * (n - 1))
    np.testing.assert_allclose(combined, g["all"].to_numpy(), rtol=1e-5, atol=1e-6)
    assert g["all"].max() > 3.0


def test_bad_input_is_refused() -> None:
    pos, types, box = ideal_gas(200, 1.2, seed=1)
    with pytest.raises(ValueError, match="r_max"):
        structure.partial_rdfs(pos, types, box, box[1] / 2, 10)
    with pytest.raises(ValueError, match="types"):
        structure.partial_rdfs(pos, np.full(len(pos), 3), box, 2.0, 10)
    with pytest.raises(ValueError, match="max_crystalline_fraction"):
        structure.summarize_glass_quality(pd.DataFrame({"x": [1]}), 0.7, 1.5)


@pytest.mark.lammps
@pytest.mark.parametrize("density", PAPER_DENSITIES)
def test_quenched_glass_at_paper_density_is_not_flagged(density: float, tmp_path: Path) -> None:
    q = quench_quality(0.65, density, tmp_path)
    assert not bool(q["crystallised"].item()), q.to_dict("records")


@pytest.mark.lammps
def test_quenched_one_component_system_is_flagged(tmp_path: Path) -> None:
    q = quench_quality(0.99, 1.149, tmp_path)  # 2D one-component LJ crystallises on a quench
    assert bool(q["crystallised"].item()), q.to_dict("records")
    assert q["crystalline_fraction"].item() > 0.8


def quench_quality(fraction_a: float, density: float, tmp_path: Path) -> pd.DataFrame:
    """Quench N = 400 particles with the tiny preset's protocol and measure its quality."""
    from mechnoise.frozen_matrix import read_data_file
    from mechnoise.lammps.protocols import Model, prepare_glass

    data = tmp_path / "glass.data"
    prepare_glass(
        Model(400, fraction_a),
        density,
        1,
        data,
        script=LAMMPS_INPUTS / "in.prepare",
        temperature=1.0,
        equilibration_time=10.0,
        quench_time=5.0,
        dt=0.005,
    )
    ids, types, pos, box = read_data_file(data)
    return quality_of(types, pos, box)


def test_config_refuses_rdf_range_beyond_half_the_box() -> None:
    from mechnoise.config import ConfigError, validate_config

    cfg = load_config(ROOT / "config.yaml", schema=SCHEMA)
    cfg["analysis"]["structure"]["rdf_r_max"] = 20.0  # box side 34.8 at the highest density
    with pytest.raises(ConfigError, match="analysis.structure.rdf_r_max"):
        validate_config(cfg, SCHEMA)


def glass_tables(n_glasses: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """rdf, structure and quality tables of a lattice (crystallised) and ideal gases."""
    psi6_threshold, max_fraction = shipped_thresholds()
    rdfs, orders = [], []
    for k in range(n_glasses):
        if k == 0:
            pos, box = triangular_lattice(12, 12, 1.1, tilted=False)
            pos = pos + np.random.default_rng(4).normal(0.0, 1e-7, pos.shape)  # see above
            types = np.where(np.arange(len(pos)) % 3 == 0, 2, 1)
        else:
            pos, types, box = ideal_gas(400, 1.2, seed=k)
        rdf, order = structure.glass_structure(
            np.arange(len(pos)) + 1,
            types,
            pos,
            box,
            density=1.0 + 0.1 * k,
            seed=1,
            rdf_r_max=4.0,
            rdf_bins=40,
            psi6_threshold=psi6_threshold,
        )
        rdfs.append(rdf)
        orders.append(order)
    order = pd.concat(orders, ignore_index=True)
    quality = structure.summarize_glass_quality(order, psi6_threshold, max_fraction)
    return pd.concat(rdfs, ignore_index=True), order, quality


def test_glass_quality_figure_and_report_name_the_crystallised_glass() -> None:
    from matplotlib.figure import Figure

    from mechnoise.figures import plot_glass_quality, plot_psi6_distribution
    from mechnoise.report import report_html

    rdf, order, quality = glass_tables(3)
    assert quality["crystallised"].tolist() == [True, False, False]
    fig = plot_glass_quality(rdf, order, quality)
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    assert "CRYSTALLISED" in fig.get_suptitle()
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0].endswith("(crystallised)") and "crystallised" not in legend[1]
    own = Figure()
    assert plot_psi6_distribution(order, quality, ax=own.add_subplot()) is own
    empty = pd.DataFrame({c: [] for c in ["density", "seed"]})
    html = report_html(empty, empty, empty, [], glass_quality=quality)
    assert html.count("<b>Warning:</b>") == 1 and "rho = 1, seed 1 has crystallised" in html


def test_points_on_the_far_face_are_folded_into_freuds_half_open_box() -> None:
    """np.mod(-1e-17, 1) is 1.0: without folding, the point lands on freud's far face."""
    from mechnoise.io import freud_system

    _, pts = freud_system(np.array([[-1e-17, 1.0], [3.0, -1e-17]]), (10.0, 4.0, 0.0))
    assert np.all(pts[:, :2] >= [-5.0, -2.0]) and np.all(pts[:, :2] < [5.0, 2.0])
