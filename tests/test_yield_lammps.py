"""Frozen-matrix tests with real LAMMPS on tiny systems (a few seconds in total).

Known answers: a perfect triangular crystal has no non-affine relaxation, so its block
stress is the affine (Born) stress computed here by a direct lattice sum; the frozen atoms of
any test must follow the affine map exactly; carving must not change the curve.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import LAMMPS_INPUTS

from mechnoise.frozen_matrix.analysis import analyze_curve
from mechnoise.frozen_matrix.loading import deformation_gradient, resolved_stress
from mechnoise.frozen_matrix.protocol import BlockCurve, FrozenMatrixSettings, run_block_test
from mechnoise.frozen_matrix.snapshots import write_data_file
from mechnoise.lammps.engine import run_lammps

pytestmark = pytest.mark.lammps

CUTOFF = 2.5
LATTICE_A = 1.1  # triangular lattice spacing (sigma); near the LJ minimum 1.12


def block_test(*args: object, **kwargs: object) -> BlockCurve:
    """run_block_test with the include files of this checkout's lammps_inputs/."""
    return run_block_test(*args, include_dir=LAMMPS_INPUTS / "include", **kwargs)  # type: ignore[arg-type]


def lj_force_derivative(r: np.ndarray) -> np.ndarray:
    """dV/dr of the A-A Lennard-Jones pair (eps = sigma = 1)."""
    return 4.0 * (-12.0 / r**13 + 6.0 / r**7)


def born_stress_tensor(F: np.ndarray, a: float = LATTICE_A) -> tuple[float, float, float]:
    """(sigma_xx, sigma_yy, sigma_xy) of a triangular lattice of A atoms deformed affinely by
    F (eps/sigma^2): sigma_ab = rho (1/2) sum_R V'(r) R'_a R'_b / r over lattice vectors
    R' = F R within the cutoff (paper Eq. 6 at T = 0), rho = 1 / (a^2 sqrt(3) / 2)."""
    m, n = np.meshgrid(np.arange(-8, 9), np.arange(-8, 9))
    m, n = m.ravel(), n.ravel()
    keep = (m != 0) | (n != 0)
    rx = (m + 0.5 * n)[keep] * a
    ry = (n * a * math.sqrt(3) / 2)[keep]
    rx, ry = F[0, 0] * rx + F[0, 1] * ry, F[1, 0] * rx + F[1, 1] * ry
    r = np.hypot(rx, ry)
    inside = r < CUTOFF
    w = (lj_force_derivative(r) / r)[inside]
    cell = a * a * math.sqrt(3) / 2
    return tuple(
        float(0.5 * np.sum(w * (u * v)[inside]) / cell) for u, v in ((rx, rx), (ry, ry), (rx, ry))
    )  # type: ignore[return-value]


def born_stress(gamma: float, angle: float = 0.0) -> float:
    """Block stress resolved on the loading angle of the affinely loaded crystal:
    F(gamma) = exp(gamma L(angle)) (mechnoise.frozen_matrix.loading); at angle 0 the simple
    shear F = [[1, gamma], [0, 1]] and sigma_xy."""
    sxx, syy, sxy = born_stress_tensor(deformation_gradient(angle, gamma))
    return float(resolved_stress(sxx, syy, sxy, angle))


@pytest.fixture(scope="module")
def crystal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """18 x 18 triangular lattice of A atoms; no atom on a boundary of the 3 x 3 grid."""
    nx = ny = 18
    h = LATTICE_A * math.sqrt(3) / 2
    i, j = np.meshgrid(np.arange(nx), np.arange(ny))
    x = (i + 0.25 + 0.5 * (j % 2)) * LATTICE_A
    y = (j + 0.5) * h
    path = tmp_path_factory.mktemp("crystal") / "crystal.data"
    pos = np.column_stack([x.ravel(), y.ravel()])
    write_data_file(path, pos, np.ones(len(pos), int), (nx * LATTICE_A, ny * h, 0.0))
    return path


@pytest.fixture(scope="module")
def glass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 500-atom 2D glass at rho = 1.149: random positions, energy-minimized (~1 s)."""
    workdir = tmp_path_factory.mktemp("glass")
    rng = np.random.default_rng(2024)
    n = 500
    side = math.sqrt(n / 1.149)
    pos = rng.uniform(0, side, size=(n, 2))
    types = np.where(np.arange(n) < 325, 1, 2)
    raw = workdir / "random.data"
    write_data_file(raw, pos, types, (side, side, 0.0))
    # push overlapping random points apart first (soft cap), then minimize
    out = workdir / "glass.data"
    run_lammps(
        LAMMPS_INPUTS / "in.frozen_matrix",
        {"mode": "snapshot", "data": raw, "snapshot_out": out, "ftol": 1e-10},
        workdir=workdir,
        name="test glass",
        expected_outputs=[out],
    )
    return out


def settings(**kw: object) -> FrozenMatrixSettings:
    base = dict(strain_step=1e-3, refine_steps=2, max_strain=0.05, ftol=1e-10)
    base.update(kw)
    return FrozenMatrixSettings(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("angle", [0.0, 90.0, 30.0, 135.0])
def test_crystal_block_follows_the_born_stress(crystal: Path, tmp_path: Path, angle: float) -> None:
    """Any loading direction: the box follows F(gamma) = exp(gamma L) and the block stress
    is the Born stress resolved on the direction (a direct lattice sum)."""
    curve = block_test(crystal, 3, 1, 1, angle, settings(), tmp_path, n_steps_fixed=4)
    expected = [born_stress(g, angle) for g in curve.strain]
    # tolerance: round-off of the 36-atom block sums (the minimizer finds zero forces)
    assert curve.n_target == 36 and curve.angle == angle
    np.testing.assert_allclose(curve.stress, expected, rtol=1e-9, atol=1e-9)
    r = analyze_curve(curve.strain, curve.stress, 1e-3, 3.0)
    slope = (born_stress(1e-3, angle) - born_stress(0.0, angle)) / 1e-3
    assert r.local_modulus == pytest.approx(slope, rel=1e-8)
    assert not r.yielded  # a perfect crystal does not yield within 0.4 % strain
    if angle in (0.0, 90.0):  # the former +xy / -xy loadings: tau = +-sigma_xy
        sxy = born_stress_tensor(deformation_gradient(angle, 2e-3))[2]
        assert born_stress(2e-3, angle) == (sxy if angle == 0.0 else -sxy)


def explicit_simple_shear(glass: Path, sign: int, n_steps: int, dgamma: float) -> np.ndarray:
    """The former +xy (sign 1) / -xy (sign -1) loading written out by hand: tilt change of
    sign * dgamma * ly with remap, FIRE minimization, block stress sign * sigma_xy^m from its
    own reduce compute (block (0, 0) of the 3 x 3 grid)."""
    from mechnoise.lammps.engine import load_mpi_library

    load_mpi_library()
    from lammps import lammps

    lmp = lammps(cmdargs=["-screen", "none", "-nocite", "-log", "none"])
    variables = {
        "inc": LAMMPS_INPUTS / "include", "data": glass, "grid": 3, "bx": 0, "by": 0,
        "load_c": 1.0, "load_s": 0.0, "matrix": "frozen", "stiffness": 1.0, "shell": 3.5,
        "min_style": "fire", "ftol": 1e-10,
        "maxiter": 100000, "maxeval": 1000000, "skin": 0.3, "suffix": "opt", "exclude": 1,
        "cutoff_aa": 2.5, "cutoff_ab": 2.5, "cutoff_bb": 2.5,
    }  # fmt: skip
    try:
        for key, value in variables.items():
            lmp.command(f"variable {key} index {value}")
        lmp.command(f"include {LAMMPS_INPUTS / 'include'}/frozen_setup.lmp")
        lmp.command("compute ref_sxy target reduce sum c_fm_sa[4]")
        lmp.command("variable ref equal c_ref_sxy/v_fm_area")
        lmp.command("thermo_style custom step pe fnorm v_ref")  # invokes the compute
        lmp.command("thermo_modify norm no")
        lmp.command("run 0")
        ly = float(lmp.extract_variable("fm_ly"))
        out = [sign * float(lmp.extract_variable("ref"))]
        for _ in range(n_steps):
            lmp.command(f"change_box all xy delta {sign * dgamma * ly!r} remap units box")
            lmp.command("minimize 0.0 1e-10 100000 1000000")
            out.append(sign * float(lmp.extract_variable("ref")))
    finally:
        lmp.close()
    return np.array(out)


@pytest.mark.parametrize(("angle", "sign", "n_steps"), [(0.0, 1, 110), (90.0, -1, 40)])
def test_angles_0_and_90_are_the_former_xy_loadings(
    glass: Path, tmp_path: Path, angle: float, sign: int, n_steps: int
) -> None:
    """Angle 0 gives the former +xy curve (through block (0, 0)'s first drop at 0.1055) and
    angle 90 the former -xy curve, against the loadings written out by hand."""
    s = settings(min_style="fire", maxiter=100000, fallback_min_style="none")
    curve = block_test(glass, 3, 0, 0, angle, s, tmp_path, n_steps_fixed=n_steps)
    by_hand = explicit_simple_shear(glass, sign, n_steps, 1e-3)
    np.testing.assert_allclose(curve.stress, by_hand, rtol=0, atol=1e-8)
    if angle == 0.0:
        assert np.diff(by_hand).min() < -0.2  # the curves do cross an instability
    assert curve.direction == sign


def test_frozen_atoms_follow_the_loading_at_any_angle(glass: Path, tmp_path: Path) -> None:
    """At 30 degrees the box vectors and every frozen atom move by F(gamma) = exp(gamma L)
    (an affine map: a least-squares fit recovers F to round-off); the block relaxes."""
    n, angle = 12, 30.0
    kw = dict(n_steps_fixed=n, track_atoms=True)
    curve = block_test(glass, 3, 1, 2, angle, settings(), tmp_path, **kw)
    before, after = curve.atoms["before"], curve.atoms["after"]
    F = deformation_gradient(angle, n * 1e-3)
    lx, ly, xy = before["box"][:3]
    box_after = F @ np.array([[lx, xy], [0.0, ly]])
    np.testing.assert_allclose(after["box"][:3], box_after[[0, 1, 0], [0, 1, 1]], rtol=1e-12)
    frozen = ~before["target"]
    x0, x1 = before["positions"], after["positions"]
    design = np.column_stack([x0, np.ones(len(x0))])[frozen]
    coef, *_ = np.linalg.lstsq(design, x1[frozen], rcond=None)
    np.testing.assert_allclose(coef[:2].T, F, atol=1e-12)
    affine = x0 @ coef[:2] + coef[2]
    np.testing.assert_allclose(x1[frozen], affine[frozen], rtol=0, atol=1e-10)
    assert np.abs(x1[~frozen] - affine[~frozen]).max() > 1e-3
    assert curve.strain[-1] == pytest.approx(n * 1e-3, rel=1e-12)


def test_crystal_never_yields_is_reported(crystal: Path, tmp_path: Path) -> None:
    curve = block_test(crystal, 3, 0, 2, 0.0, settings(max_strain=0.01), tmp_path)
    r = analyze_curve(curve.strain, curve.stress, 1e-3, 3.0)
    assert curve.strain[-1] == pytest.approx(0.01)
    assert not r.yielded and math.isnan(r.sigma_c) and math.isnan(r.sigma_drop)


def test_carved_equals_uncarved_and_frozen_atoms_are_affine(glass: Path, tmp_path: Path) -> None:
    # 110 steps of 1e-3 take block (0, 0) through its first plastic drop (at 0.1055)
    kw = dict(n_steps_fixed=110, track_atoms=True)
    carved = block_test(glass, 3, 0, 0, 0.0, settings(), tmp_path / "c", **kw)
    full = block_test(glass, 3, 0, 0, 0.0, settings(shell=0.0), tmp_path / "f", **kw)
    assert carved.n_atoms < full.n_atoms == 500
    assert carved.n_target == full.n_target
    assert np.diff(full.stress).min() < -0.2  # the curves do cross an instability
    # same minimizations, only the far frozen atoms differ: identical to round-off
    np.testing.assert_allclose(carved.stress, full.stress, rtol=0, atol=1e-10)
    for curve in (carved, full):
        before, after = curve.atoms["before"], curve.atoms["after"]
        frozen = ~before["target"]
        lx, ly, xy0, _, ylo = before["box"]
        dxy = after["box"][2] - xy0
        affine = before["positions"].copy()
        affine[:, 0] += dxy * (affine[:, 1] - ylo) / ly
        assert dxy == pytest.approx(110e-3 * ly, rel=1e-12)
        np.testing.assert_allclose(after["positions"][frozen], affine[frozen], rtol=0, atol=1e-10)
        # the target does relax non-affinely
        assert np.abs(after["positions"][~frozen] - affine[~frozen]).max() > 1e-3


def test_adaptive_resolves_the_drop_of_the_fine_naive_curve(glass: Path, tmp_path: Path) -> None:
    # block (0, 0) of this glass peaks at strain 0.083, softens, then drops by ~0.3 at 0.1055
    s = settings(max_strain=0.11)
    adaptive = block_test(glass, 3, 0, 0, 0.0, s, tmp_path)
    fine = settings(max_strain=0.11, strain_step=s.finest_step, refine_steps=0, threshold_step=1e-3)
    naive = block_test(glass, 3, 0, 0, 0.0, fine, tmp_path, protocol="fixed")
    a = analyze_curve(adaptive.strain, adaptive.stress, 1e-3, 3.0)
    b = analyze_curve(naive.strain, naive.stress, 1e-3, 3.0)
    assert a.yielded and b.yielded
    # the drop itself is resolved to the fine step from the same pre-drop state
    assert a.sigma_drop == pytest.approx(b.sigma_drop, abs=1e-8)
    assert a.local_modulus == pytest.approx(b.local_modulus, rel=1e-9)
    # points at common strains: same quasi-static branch, equal to the minimizer's tolerance
    # (ftol 1e-10; a rare point in a very soft direction differs by < 1e-3)
    fine_index = {
        round(g / s.finest_step): v for g, v in zip(naive.strain, naive.stress, strict=True)
    }
    diffs = np.array(
        [
            v - fine_index[round(g / s.finest_step)]
            for g, v in zip(adaptive.strain, adaptive.stress, strict=True)
        ]
    )
    assert len(diffs) == len(adaptive.strain)  # every adaptive strain is on the fine grid
    assert np.median(np.abs(diffs)) < 1e-9 and np.abs(diffs).max() < 1e-3
    # sigma_c is the top of a smoothly softening curve, sampled every coarse step before the
    # bisected drop: it agrees to the curvature over one coarse step
    assert a.sigma_c == pytest.approx(b.sigma_c, rel=2e-3)
    assert a.sigma_c <= b.sigma_c + 1e-9
    assert adaptive.n_minimizations < naive.n_minimizations / 2


@pytest.mark.parametrize("angle", [0.0, 30.0])
def test_script_by_hand_equals_driver(glass: Path, tmp_path: Path, angle: float) -> None:
    """lammps_inputs/in.frozen_matrix run as a plain script gives the driver's curve."""
    out = tmp_path / "curve.txt"
    run_lammps(
        LAMMPS_INPUTS / "in.frozen_matrix",
        {"data": glass, "grid": 3, "bx": 2, "by": 0, "dgamma": 1e-3, "n_steps": 5, "out": out,
         "angle": angle, "min_style": "cg"},  # fmt: skip
        workdir=tmp_path,
        name="frozen matrix by hand",
        expected_outputs=[out],
    )
    by_hand = np.loadtxt(out)
    curve = block_test(glass, 3, 2, 0, angle, settings(), tmp_path, n_steps_fixed=5)
    np.testing.assert_allclose(by_hand[:, 1], curve.stress, rtol=0, atol=1e-9)
    np.testing.assert_allclose(by_hand[:, 0], curve.strain, rtol=0, atol=1e-12)


def test_replay_file_reproduces_an_adaptive_test(glass: Path, tmp_path: Path) -> None:
    """The replay file written beside the outputs is a plain LAMMPS script giving the same
    final state (it includes the bisection's write_dump / read_dump restores)."""
    curve = block_test(glass, 3, 0, 0, 0.0, settings(max_strain=0.11), tmp_path, name="blk")
    assert any(c.startswith("read_dump") for c in curve.commands)  # a bisection happened
    run_lammps(tmp_path / "blk.lmp", {}, workdir=tmp_path / "replay", name="replay")
    lines = (tmp_path / "replay" / "log.lammps").read_text().splitlines()
    header = max(i for i, line in enumerate(lines) if line.split()[:1] == ["Step"])
    columns = lines[header].split()
    last = lines[header + 1 :]
    last = [line for line in last if line.split() and line.split()[0].isdigit()][-1].split()
    assert float(last[columns.index("v_block_stress")]) == pytest.approx(
        curve.stress[-1], abs=1e-12
    )


def pair_stress_xy(positions: np.ndarray, types: np.ndarray, box: tuple) -> float:
    """sigma_xy = (1/A) sum_pairs V'(r) r_x r_y / r of the binary LJ glass (cutoff 2.5)."""
    eps = {(1, 1): 1.0, (1, 2): 1.5, (2, 2): 0.5}
    sig = {(1, 1): 1.0, (1, 2): 0.8, (2, 2): 0.88}
    lx, ly, xy = box
    total = 0.0
    for i in range(len(positions) - 1):
        d = positions[i] - positions[i + 1 :]
        ny = np.round(d[:, 1] / ly)
        d[:, 0] -= ny * xy
        d[:, 1] -= ny * ly
        d[:, 0] -= np.round(d[:, 0] / lx) * lx
        r = np.hypot(d[:, 0], d[:, 1])
        pair = [(min(types[i], t), max(types[i], t)) for t in types[i + 1 :]]
        e = np.array([eps[p] for p in pair])
        s = np.array([sig[p] for p in pair])
        dv = 4 * e * (-12 * s**12 / r**13 + 6 * s**6 / r**7)
        inside = r < CUTOFF
        total += np.sum((dv * d[:, 0] * d[:, 1] / r)[inside])
    return total / (lx * ly)


def test_block_stresses_add_up_to_the_global_stress(glass: Path, tmp_path: Path) -> None:
    """The 9 blocks partition the system: sum sigma^m A_m / A = sigma_xy (direct pair sum)."""
    from mechnoise.frozen_matrix.snapshots import read_data_file

    _, types, positions, box = read_data_file(glass)
    initial = [
        block_test(glass, 3, bx, by, 0.0, settings(), tmp_path, n_steps_fixed=0).stress[0]
        for bx in range(3)
        for by in range(3)
    ]
    # the snapshot is a minimum (ftol 1e-10): relaxing a block at zero strain moves nothing
    assert np.mean(initial) == pytest.approx(pair_stress_xy(positions, types, box), abs=1e-8)


def test_loading_continues_to_the_second_drop_and_the_rule_is_analysis(
    glass: Path, tmp_path: Path
) -> None:
    """The protocol knows no drop rule: it stops after the second drop above stop_factor,
    its first-drop curve is a prefix of that curve, and every rule in [bisect, stop] (and
    the literal first maximum) is re-applied to the stored curve without LAMMPS."""
    s2 = settings(max_strain=0.3, n_drops=2)
    two = block_test(glass, 3, 0, 0, 0.0, s2, tmp_path / "two")
    one = block_test(glass, 3, 0, 0, 0.0, settings(max_strain=0.3, n_drops=1), tmp_path / "one")
    assert not hasattr(s2, "drop_factor")
    # same quasi-static path: the one-drop curve is the start of the two-drop curve
    n = len(one.strain)
    assert len(two.strain) > n
    np.testing.assert_array_equal(two.strain[:n], one.strain)
    np.testing.assert_allclose(two.stress[:n], one.stress, rtol=0, atol=1e-12)
    # the test ended right after its second drop above the stop threshold (or at the cap)
    modulus = max((two.stress[1] - two.stress[0]) / (two.strain[1] - two.strain[0]), 1.0)
    big = np.flatnonzero(-np.diff(two.stress) > s2.stop_factor * modulus * s2.strain_step)
    assert len(big) == 2 and big[-1] == len(two.stress) - 2
    assert -np.diff(one.stress)[-1] > s2.stop_factor * modulus * s2.strain_step
    for factor in (0.0, s2.bisect_factor * 2, 3.0, s2.stop_factor):
        r = analyze_curve(two.strain, two.stress, s2.strain_step, factor)
        assert r.yielded and r.yielded_twice and np.isfinite(r.x_post)
        assert r.x == pytest.approx(r.sigma_c - two.stress[0])
    # the yield point is the curve's own peak before its first big drop (the glass's block
    # softens before it drops, so the peak is not the last point before the drop)
    r = analyze_curve(two.strain, two.stress, s2.strain_step, 3.0)
    first_drop = np.flatnonzero(-np.diff(two.stress) > 3.0 * modulus * s2.strain_step)[0]
    peak = int(np.argmax(two.stress[: first_drop + 1]))
    assert r.strain_at_yield == pytest.approx(two.strain[peak], abs=1e-12)
    assert r.sigma_c == pytest.approx(two.stress[peak], abs=1e-12)


@pytest.mark.parametrize("processes", [1, 2])
def test_frozen_matrix_job_logs_progress_and_keeps_the_block_order(
    crystal: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, processes: int
) -> None:
    from mechnoise.frozen_matrix.runs import run_frozen_matrix, select_blocks

    caplog.set_level(logging.INFO)
    kw = dict(include_dir=LAMMPS_INPUTS / "include", max_blocks=3, processes=processes)
    results = run_frozen_matrix(
        [crystal], 3, settings(max_strain=0.004), tmp_path, progress_seconds=0.0, **kw
    )
    # the order is config, block, direction whatever order the workers finish in
    assert [(c.bx, c.by) for _, c in results] == select_blocks(3, 3)
    lines = [r.getMessage() for r in caplog.records]
    done = [m for m in lines if "block tests done" in m]
    assert done[0].startswith("frozen matrix: 1 of 3 block tests done")
    assert done[-1].startswith("frozen matrix: 3 of 3 block tests done (100%)")
    if processes == 1:  # the workers' lines go to their own process's log handlers
        inside = [m for m in lines if "strain" in m and "minimizations" in m]
        assert inside and "of at most 0.004" in inside[-1]


@pytest.mark.parametrize("processes", [1, 2])
def test_adaptive_block_count_stops_at_the_first_round_below_the_target(
    glass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    """target_error: blocks in the fixed random order, round by round; the job stops after
    the first round whose relative error of <sigma_c^m> is at most the target, and the
    curves it keeps are those of the same blocks in a run of every block."""
    from mechnoise.frozen_matrix import runs

    monkeypatch.setattr(runs, "FIRST_ROUND", 2)
    monkeypatch.setattr(runs, "ROUND_SIZE", 1)
    s = settings(max_strain=0.15, n_drops=1)
    kw = dict(include_dir=LAMMPS_INPUTS / "include", processes=processes)
    # every block of the 3 x 3 grid, in the adaptive order (a target no error can reach)
    full = runs.run_frozen_matrix([glass], 3, s, tmp_path / "full", target_error=1e-9, **kw)
    order = runs.block_order(3)
    assert [(c.bx, c.by) for _, c in full] == order
    # relative error after each round (2, 3, ..., 9 blocks), computed from the full run
    errors = {n: runs.sigma_c_relative_error(full[:n], s)[1] for n in range(2, 10)}
    assert all(np.isfinite(list(errors.values()))), errors
    # a target first met after a later round: between that round's error and the lowest
    # error of the rounds before it, from the first round f on (the error need not fall
    # monotonically: pick a first round after which it does fall)
    f, n = next(
        (f, n)
        for f in range(2, 9)
        for n in range(f + 1, 10)
        if errors[n] < min(errors[m] for m in range(f, n))
    )
    target = 0.5 * (errors[n] + min(errors[m] for m in range(f, n)))
    monkeypatch.setattr(runs, "FIRST_ROUND", f)
    kept = runs.run_frozen_matrix(
        [glass], 3, s, tmp_path / "adaptive", target_error=target, **kw
    )
    assert len(kept) == n
    for (_, a), (_, b) in zip(kept, full[:n], strict=True):
        assert (a.bx, a.by) == (b.bx, b.by)
        np.testing.assert_array_equal(a.strain, b.strain)
        np.testing.assert_allclose(a.stress, b.stress, rtol=0, atol=1e-12)
    assert runs.sigma_c_relative_error(kept, s)[1] <= target
    with pytest.raises(ValueError, match="target_error"):
        runs.run_frozen_matrix([glass], 3, s, tmp_path / "bad", target_error=1.5, **kw)


def test_a_minimization_that_cannot_converge_is_retried_and_marked(
    glass: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """ftol below round-off (fnorm cannot fall under ~1e-13): every minimization stops
    short, the fallback minimizer (FIRE after cg) continues it and fails too, and every
    point is marked unconverged, in the curve, the curves table and the block's analysis.
    At the default ftol every point converges without the fallback."""
    from mechnoise.frozen_matrix.analysis import curves_table, local_yield_table

    ok = block_test(glass, 3, 0, 0, 0.0, settings(max_strain=0.01), tmp_path / "ok")
    assert ok.converged.all() and not ok.fallback.any()
    assert len(ok.fnorm) == len(ok.stress) and (ok.fnorm <= 1e-10).all()
    caplog.set_level(logging.WARNING)
    bad_settings = settings(max_strain=0.01, ftol=1e-300, maxiter=200, fallback_maxiter=200)
    bad = block_test(glass, 3, 0, 0, 0.0, bad_settings, tmp_path / "bad", name="hopeless")
    assert bad_settings.fallback == "fire"
    assert len(bad.stress) == len(ok.stress)
    assert not bad.converged.any() and bad.fallback.all()
    assert (bad.fnorm > 0).all() and bad.n_minimizations == 2 * len(bad.stress)
    assert "min_style fire" in bad.commands
    assert any("hopeless" in r.getMessage() and "did not reach ftol" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    table = curves_table([(0, bad)])
    assert not table["converged"].any() and table["fallback"].all()
    local = local_yield_table(table, 1e-3, 3.0)
    assert not local["converged_to_drop"].any()
    assert local["n_unconverged"].iloc[0] == len(bad.stress)


@pytest.mark.parametrize("min_style", ["hftn", "cg"])
def test_fast_minimizers_with_fire_fallback_give_the_fire_curves(
    glass: Path, tmp_path: Path, min_style: str
) -> None:
    """The default (hftn, FIRE finishing a point it leaves unconverged) and the previous one
    (cg cut at maxiter, FIRE finishing) follow the same quasi-static path as the first
    default (FIRE alone): same strains, same stresses to round-off of the minimum, the same
    sigma_c; the drop agrees to 1 % (the minimum an avalanche lands in depends on the
    minimizer's path: hftn's drop here is 4e-4 above FIRE's, 0.1 %)
    (benchmarks/bench_frozen_matrix.py --compare times the three)."""
    assert settings().minimizer == "hftn" and settings().fallback == "fire"
    old = settings(max_strain=0.11, min_style="fire", maxiter=100000, fallback_min_style="none")
    new = settings(max_strain=0.11, min_style=min_style)
    assert new.fallback == "fire"
    a = block_test(glass, 3, 0, 0, 0.0, old, tmp_path / "fire")
    b = block_test(glass, 3, 0, 0, 0.0, new, tmp_path / min_style)
    assert a.converged.all() and b.converged.all()
    assert f"variable min_style index {min_style}" in b.commands
    np.testing.assert_array_equal(a.strain, b.strain)
    # the two minimizers can land in neighbouring minima of a flat landscape: 2 of 117
    # points measured 2e-4 apart with cg (the next points agree again), far below a plastic
    # drop (3 G_local strain_step ~ 0.06); every other point agrees to round-off
    diff = np.abs(a.stress - b.stress)
    assert np.mean(diff < 1e-8) >= 0.95 and diff.max() < 1e-3
    ra, rb = (analyze_curve(c.strain, c.stress, 1e-3, 3.0) for c in (a, b))
    assert ra.yielded and rb.yielded
    assert rb.sigma_c == pytest.approx(ra.sigma_c, abs=1e-8)
    assert rb.sigma_drop == pytest.approx(ra.sigma_drop, rel=1e-2)


def test_thawed_matrix_tends_to_the_frozen_curve_and_softens_the_block(
    glass: Path, tmp_path: Path
) -> None:
    """Thawed matrix (matrix atoms tied to their affine positions by k/2 |r - r_aff|^2): as k
    grows the curve tends to the frozen one, the gap falling like 1/k (measured 6e-4 at
    k = 1000 over 5 steps of 1e-3), and a finite k gives a lower local modulus, rising
    with k towards the frozen modulus."""
    frozen = block_test(glass, 3, 0, 0, 0.0, settings(), tmp_path, n_steps_fixed=5)
    gaps, moduli = {}, {}
    for k in (10.0, 100.0, 1000.0):
        c = block_test(
            glass, 3, 0, 0, 0.0, settings(matrix="thawed", thawed_stiffness=k), tmp_path,
            n_steps_fixed=5,
        )  # fmt: skip
        assert c.n_atoms == 500 and c.n_target == frozen.n_target  # no carving when thawed
        assert c.converged.all()
        assert c.stress[0] == pytest.approx(frozen.stress[0], abs=1e-8)  # penalty 0 at rest
        gaps[k] = np.abs(c.stress - frozen.stress).max()
        moduli[k] = (c.stress[1] - c.stress[0]) / 1e-3
    g_frozen = (frozen.stress[1] - frozen.stress[0]) / 1e-3
    assert gaps[1000.0] < 1e-3
    assert 5 < gaps[100.0] / gaps[1000.0] < 20  # ~ 1/k
    assert moduli[10.0] < moduli[100.0] < moduli[1000.0] < g_frozen
    assert moduli[10.0] < 0.95 * g_frozen
    with pytest.raises(ValueError, match="matrix"):
        settings(matrix="soft")


def test_block_tests_run_one_openmp_thread_whatever_the_environment() -> None:
    """Snakemake sets OMP_NUM_THREADS to a job's threads (2 for the frozen-matrix rule); a
    block test (one LAMMPS per worker process, ~200 atoms) must still run one OpenMP thread,
    also after the `clear` that reuses the instance (with 2 it took 8x longer). Checked in a
    fresh interpreter: the OpenMP runtime reads the variable once, when it is loaded."""
    import os
    import subprocess
    import sys

    code = (
        "from mechnoise.frozen_matrix.session import Session\n"
        "s = Session(None)\n"
        "first = s.lmp.extract_setting('nthreads')\n"
        "s.close()\n"
        "print(first, Session(None).lmp.extract_setting('nthreads'))\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "1"], out.stdout + out.stderr
