"""Adaptive block count of the frozen-matrix tests (yield_test.target_error and
drop_target_error), on synthetic block curves with known thresholds and drops.

The LAMMPS side of the adaptive rounds (same blocks, same curves as a run of every block) is
tested in tests/test_yield_lammps.py; here each block's test is replaced by an exact
elastic-plastic curve, so that the stopping rule is checked against errors computed
independently on the same blocks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mechnoise.frozen_matrix import runs
from mechnoise.frozen_matrix.protocol import BlockCurve
from mechnoise.frozen_matrix.settings import FrozenMatrixSettings

GRID = 6  # 36 blocks: rounds of 16, 24, 32, 36
MODULUS = 20.0
STEP = 1e-3
SETTINGS = FrozenMatrixSettings(strain_step=STEP, max_strain=0.4)

rng = np.random.default_rng(7)
#: per block: threshold sigma_c (relative spread 0.25) and drop (relative spread ~0.8,
#: as measured: the drop's spread is ~3x the threshold's)
THRESHOLDS = {
    (bx, by): (float(rng.normal(2.0, 0.5)), float(0.1 + rng.exponential(0.4)))
    for bx in range(GRID)
    for by in range(GRID)
}


def synthetic_curve(bx: int, by: int) -> BlockCurve:
    """Elastic branch of slope MODULUS up to sigma_c, then the drop, then elastic again."""
    sigma_c, drop = THRESHOLDS[(bx, by)]
    n = int(np.ceil(sigma_c / (MODULUS * STEP)))
    strain = STEP * np.arange(n + 6)
    stress = MODULUS * strain
    stress[n + 1 :] -= drop + MODULUS * STEP  # the point after the peak is drop below it
    k = len(strain)
    return BlockCurve(
        bx=bx, by=by, angle=0.0, strain=strain, stress=stress, n_atoms=200, n_target=50,
        n_minimizations=k, seconds=0.0, fnorm=np.full(k, 1e-11),
        converged=np.ones(k, dtype=bool), fallback=np.zeros(k, dtype=bool),
    )  # fmt: skip


def fake_worker(task: tuple[object, ...]) -> tuple[int, int, BlockCurve]:
    index, config, _, _, bx, by = task[:6]
    return int(index), int(config), synthetic_curve(int(bx), int(by))  # type: ignore[arg-type]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runs, "_worker", fake_worker)

    def call(**targets: float) -> list[tuple[int, BlockCurve]]:
        return runs.run_frozen_matrix(
            [tmp_path / "snapshot.data"], GRID, SETTINGS, tmp_path / "work",
            include_dir=tmp_path, max_blocks=0, **targets,
        )  # fmt: skip

    return call


def test_synthetic_curves_give_back_their_thresholds_and_drops() -> None:
    order = runs.block_order(GRID)
    results = [(0, synthetic_curve(*b)) for b in order]
    errors = runs.relative_errors(results, SETTINGS)
    true_c = np.mean([THRESHOLDS[b][0] for b in order])
    true_d = np.mean([THRESHOLDS[b][1] for b in order])
    # sigma_c is the peak of the curve: the first grid point at or above the threshold,
    # above it by less than one step of stress; the drop is exact
    assert true_c <= errors["sigma_c"][0] < true_c + MODULUS * STEP
    assert errors["drop"][0] == pytest.approx(true_d, rel=1e-12)


def test_the_drop_target_sets_the_number_of_blocks(run) -> None:  # type: ignore[no-untyped-def]
    """The rounds stop at the first round whose relative errors meet every target > 0,
    computed independently on the leading blocks of the fixed order."""
    order = runs.block_order(GRID)
    full = [(0, synthetic_curve(*b)) for b in order]
    errors = {n: runs.relative_errors(full[:n], SETTINGS) for n in (16, 24, 32, 36)}
    rel_c = {n: e["sigma_c"][1] for n, e in errors.items()}
    rel_d = {n: e["drop"][1] for n, e in errors.items()}
    assert all(rel_d[n] > 2 * rel_c[n] for n in errors)  # the drop is the harder target
    # a sigma_c target met by the first round stops there ...
    assert len(run(target_error=1.01 * rel_c[16])) == 16
    # ... unless a drop target is met only later: first round n meeting both
    drop_target = 1.001 * min(rel_d[n] for n in (24, 32, 36))
    want = next(n for n in (16, 24, 32, 36) if rel_d[n] <= drop_target)
    assert want > 16
    got = run(target_error=1.01 * rel_c[16], drop_target_error=drop_target)
    assert len(got) == want
    assert [(c.bx, c.by) for _, c in got] == order[:want]
    # a drop target alone makes the count adaptive too; one no round meets tests every block
    assert len(run(drop_target_error=drop_target)) == want
    assert len(run(drop_target_error=1e-6)) == 36


def test_targets_outside_0_1_are_refused(run) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="drop_target_error"):
        run(drop_target_error=1.0)
