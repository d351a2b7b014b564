"""Loading directions of the frozen-matrix tests: the geometry of the loading (known
answers of linear algebra) and the thresholds resolved on the flow, recovered from synthetic
curve sets built from known yield surfaces and run through the whole analysis."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise.frozen_matrix.analysis import local_yield_table
from mechnoise.frozen_matrix.directions import (
    FLOW_SUMMARY_COLUMNS,
    FLOW_THRESHOLD_COLUMNS,
    flow_threshold_summary,
    flow_threshold_table,
)
from mechnoise.frozen_matrix.loading import (
    PAPER_ANGLES,
    deformation_gradient,
    loading_angles,
    loading_components,
    resolved_stress,
    velocity_gradient,
)

STEP = 1e-3  # coarse strain step of the synthetic curves
MODULUS = 20.0  # isotropic local shear modulus mu (eps/sigma^2)


@pytest.mark.parametrize("angle", [0.0, 10.0, 45.0, 90.0, 135.0, 170.0])
def test_loading_is_the_rotated_simple_shear_strain_at_constant_rate(angle: float) -> None:
    theta = math.radians(angle)
    c, s = math.cos(2 * theta), math.sin(2 * theta)
    L = velocity_gradient(angle)
    # symmetric part = the strain tensor per unit strain; traceless: area conserved
    np.testing.assert_allclose((L + L.T) / 2, 0.5 * np.array([[-s, c], [c, s]]), atol=1e-15)
    assert L[1, 0] == 0.0  # upper triangular: a LAMMPS triclinic box (a along x)
    for gamma in (1e-4, 0.1, 0.4):
        F = deformation_gradient(angle, gamma)
        assert np.linalg.det(F) == pytest.approx(1.0, abs=1e-14)
        h = 1e-6  # dF/dgamma F^-1 = L at every strain (constant rate of deformation)
        dF = (deformation_gradient(angle, gamma + h) - deformation_gradient(angle, gamma - h)) / (
            2 * h
        )
        np.testing.assert_allclose(dF @ np.linalg.inv(F), L, atol=1e-8)
    # the resolved stress is the shear stress of the frame rotated by theta
    sigma = np.array([[0.3, -0.7], [-0.7, 1.1]])
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    rotated = rot.T @ sigma @ rot
    assert resolved_stress(0.3, 1.1, -0.7, angle) == pytest.approx(rotated[0, 1], abs=1e-14)


def test_former_directions_and_bad_angles() -> None:
    assert loading_components(0.0) == (1.0, 0.0) and loading_components(90.0) == (-1.0, 0.0)
    assert resolved_stress(5.0, -3.0, 0.25, 90.0) == -0.25  # -xy loading: -sigma_xy exactly
    assert len(PAPER_ANGLES) == 18 and loading_angles(PAPER_ANGLES) == PAPER_ANGLES
    for bad, match in [
        ([1], "no longer the \\+xy flag"),
        ([-1], "no longer the -xy flag"),
        ([180], "outside \\[0, 180\\)"),
        ([0, 0.0], "twice"),
        ([], "at least one"),
        (["x"], "not an angle"),
    ]:
        with pytest.raises(ValueError, match="yield_test.directions: .*" + match):
            loading_angles(bad)


def _curve(tau0: float, increment: float, drop: float) -> tuple[np.ndarray, np.ndarray]:
    """Elastic branch of slope MODULUS from tau0, a drop of ``drop`` once the stress rose by
    ``increment`` (inf: never within 0.2), then elastic again; on the grid of STEP."""
    n = 200
    g = STEP * np.arange(n + 1)
    s = tau0 + MODULUS * g
    if np.isfinite(increment):
        k = int(round(increment / (MODULUS * STEP)))  # thresholds are put on the grid
        s[k + 1 :] -= drop
    return g, s


def _synthetic(increments: dict[tuple[int, float], float], tau0: dict[tuple[int, float], float]):
    parts = []
    for (bx, angle), inc in increments.items():
        g, s = _curve(tau0[(bx, angle)], inc, 0.5)
        parts.append(
            pd.DataFrame(
                {"config": 0, "bx": bx, "by": 0, "direction": 0, "angle": angle, "strain": g,
                 "stress": s}  # fmt: skip
            ).assign(fnorm=1e-11, converged=True, fallback=False)
        )
    return pd.concat(parts, ignore_index=True)


def test_projection_recovers_a_yield_surface_of_independent_directions() -> None:
    """Each direction theta has its own threshold T(theta) on the stress resolved on it (the
    Schmid-like assumption of the projection): a flow increment d sigma_xy reaches theta at
    d cos 2 theta, so the flow's threshold is min T / cos 2 theta over the loaded directions,
    whatever the other, unloaded or censored, directions do."""
    angles = [0.0, 20.0, 40.0, 60.0, 90.0, 140.0, 160.0]
    surfaces = {  # block -> T(theta) on the grid (inf: never yields by the cap)
        0: {0.0: 2.0, 20.0: 1.2, 40.0: 0.5, 60.0: 0.2, 90.0: 1.0, 140.0: 1.6, 160.0: 1.8},
        1: {0.0: 1.0, 20.0: 2.0, 40.0: 2.0, 60.0: 0.1, 90.0: 2.0, 140.0: 2.0, 160.0: 2.0},
        2: {0.0: math.inf, 20.0: 3.0, 40.0: 0.9, 60.0: 1.0, 90.0: 1.0, 140.0: 3.0, 160.0: 3.5},
        3: {a: math.inf for a in angles} | {90.0: 0.5},  # censored along every loaded one
    }
    rng = np.random.default_rng(3)
    tau0 = {(b, a): float(rng.uniform(-0.5, 0.5)) for b in surfaces for a in angles}
    curves = _synthetic({(b, a): t for b, s in surfaces.items() for a, t in s.items()}, tau0)
    local = local_yield_table(curves, STEP, 3.0)
    table = flow_threshold_table(local)
    assert list(table.columns) == list(FLOW_THRESHOLD_COLUMNS)
    factor = {a: math.cos(math.radians(2 * a)) for a in angles}
    for b, surface in surfaces.items():
        row = table.set_index("bx").loc[b]
        loaded = {a: t / factor[a] for a, t in surface.items() if factor[a] > 1e-9}
        best = min(loaded, key=lambda a: loaded[a])
        assert row["n_angles"] == len(angles)
        assert row["sigma_c_minus"] == pytest.approx(tau0[(b, 90.0)] + surface[90.0])
        if b == 3:  # censored: bound from the largest stress reached, 0.2 of strain
            assert not row["resolved_observed"] and math.isnan(row["angle_resolved"])
            assert row["dtau_c_resolved"] == pytest.approx(MODULUS * 0.2, rel=1e-12)
            continue
        assert row["resolved_observed"] and row["angle_resolved"] == best
        assert row["dtau_c_resolved"] == pytest.approx(loaded[best], rel=1e-12)
        assert row["sigma_c_resolved"] == pytest.approx(tau0[(b, 0.0)] + loaded[best])
    # block 2: 20 degrees (3 / cos 40 = 3.92) beats 40 (0.9 / cos 80 = 5.18), 60 is unloaded
    # (cos 120 < 0) and 0, censored at 4.0 (bound 4.0 / cos 0), does not hide it
    assert table.set_index("bx").loc[2, "angle_resolved"] == 20.0
    assert math.isnan(table.set_index("bx").loc[2, "sigma_c_plus"])  # 0 never yielded
    summary = flow_threshold_summary(table, 1.2)
    assert list(summary.columns) == list(FLOW_SUMMARY_COLUMNS)
    assert summary["fraction_observed"].iloc[0] == 0.75
    assert np.isfinite(summary["dtau_c_resolved_km_err"].iloc[0])


def test_projection_of_one_schmid_plane_is_below_the_direct_flow_threshold() -> None:
    """A block that yields on one weak plane at angle phi (Schmid law, isotropic elasticity):
    loading along theta raises the plane's resolved stress at mu cos 2(theta - phi) per unit
    strain, so x(theta) = kappa / cos 2(theta - phi). The direct threshold along the flow is
    x(0) = kappa / cos 2 phi; the projection min x(theta) / cos 2 theta is the known
    kappa / max[cos 2(theta - phi) cos 2 theta] over the tested directions, below x(0)
    unless phi = 0 (the bias of the projection when directions are not independent)."""
    kappa, phi = 0.6, 30.0
    angles = [float(a) for a in range(0, 180, 10)]
    inc = {}
    for a in angles:
        f = math.cos(math.radians(2 * (a - phi)))
        inc[(0, a)] = kappa / f if f > 1e-9 and kappa / f < MODULUS * 0.19 else math.inf
    curves = _synthetic(inc, dict.fromkeys(inc, 0.0))
    row = flow_threshold_table(local_yield_table(curves, STEP, 3.0)).iloc[0]
    grid = {(a, inc[(0, a)]) for a in angles if np.isfinite(inc[(0, a)])}
    quantized = {a: round(v / (MODULUS * STEP)) * MODULUS * STEP for a, v in grid}
    expected = min(
        q / math.cos(math.radians(2 * a)) for a, q in quantized.items() if abs(a) < 45 or a > 135
    )
    assert row["dtau_c_resolved"] == pytest.approx(expected, rel=1e-12)
    # close to the continuous answer 2 kappa / (1 + cos 2 phi) = 0.8 at theta = phi / 2
    # (the 10-degree grid misses theta = 15: 0.830 at 10 degrees)
    assert row["dtau_c_resolved"] == pytest.approx(2 * kappa / 1.5, rel=0.05)
    assert row["dtau_c_resolved"] < quantized[0.0] == pytest.approx(kappa / 0.5, rel=0.02)


def test_config_refuses_the_former_direction_flags_with_a_message() -> None:
    """A config from before loading angles (directions: [1] or [-1]) stops before any job
    with a message saying what to write; angles pass."""
    from conftest import ROOT, SCHEMA_FILE

    from mechnoise.config import ConfigError, load_config, load_schema, validate_config

    schema = load_schema(SCHEMA_FILE)
    config = load_config(ROOT / "config.yaml", schema=schema)
    for flags, match in (([1], "write 0"), ([1, -1], "write 0"), ([-1], "90 for the former -1")):
        config["yield_test"]["directions"] = flags
        with pytest.raises(ConfigError, match=f"yield_test.directions: .*{match}"):
            validate_config(config, schema)
    config["yield_test"]["directions"] = list(PAPER_ANGLES)
    validate_config(config, schema)
    config["yield_test"]["directions"] = [0, 180]
    with pytest.raises(ConfigError, match="yield_test.directions"):
        validate_config(config, schema)


def test_flow_tables_write_with_their_registered_columns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mechnoise import io

    curves = _synthetic({(0, 0.0): 0.4, (0, 90.0): 0.6, (1, 0.0): math.inf, (1, 90.0): 0.2},
                        dict.fromkeys([(0, 0.0), (0, 90.0), (1, 0.0), (1, 90.0)], 0.1))  # fmt: skip
    table = flow_threshold_table(local_yield_table(curves, STEP, 3.0))
    io.write_table(table, tmp_path / "flow.parquet", FLOW_THRESHOLD_COLUMNS)
    io.write_table(flow_threshold_summary(table, 1.2), tmp_path / "s.parquet", FLOW_SUMMARY_COLUMNS)
    back = pd.read_parquet(tmp_path / "flow.parquet")
    assert back["sigma_c_plus"].iloc[0] == pytest.approx(0.5)  # 0.1 + 0.4 along the flow
    assert back["sigma_c_minus"].iloc[1] == pytest.approx(0.3)  # 0.1 + 0.2 against it
    assert not back["resolved_observed"].iloc[1]  # 0 never yielded, 90 is not loaded
