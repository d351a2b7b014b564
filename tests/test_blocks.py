"""Tests of mechnoise.blocks: block stresses (Eq. 6), block counts and the continued tilt."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechnoise import blocks
from mechnoise.io import Frame


def _naive_block_stress(positions, box, stress, m):
    """Reference: loop over particles, wrap explicitly, test the parallelogram inequalities."""
    lx, ly, xy = box
    out = np.zeros((m, m))
    for (x, y), s in zip(positions, stress, strict=True):
        # wrap into the cell: first along the tilted y lattice vector, then along x
        n_y = np.floor(y / ly)
        x, y = x - n_y * xy, y - n_y * ly
        x -= np.floor((x - y * xy / ly) / lx) * lx
        for bx in range(m):
            for by in range(m):
                in_y = by * ly / m <= y < (by + 1) * ly / m
                u = x - y * xy / ly  # distance from the tilted left edge, along x
                in_x = bx * lx / m <= u < (bx + 1) * lx / m
                if in_x and in_y:
                    out[bx, by] += s
    return out / (lx * ly / m**2)


def _random_system(n=400, box=(12.0, 11.0, 3.5), seed=3):
    rng = np.random.default_rng(seed)
    lx, ly, xy = box
    frac = rng.random((n, 2)) + rng.integers(-2, 3, size=(n, 2))  # unwrapped: images -2..2
    pos = np.column_stack([frac[:, 0] * lx + frac[:, 1] * xy, frac[:, 1] * ly])
    return pos, rng.normal(size=n)


@pytest.mark.parametrize("m", [1, 2, 3, 5])
def test_block_stress_matches_naive_loop(m):
    box = (12.0, 11.0, 3.5)
    pos, s = _random_system(box=box)
    np.testing.assert_allclose(
        blocks.block_stress(pos, box, s, m), _naive_block_stress(pos, box, s, m), atol=1e-12
    )


def test_index_convention_bx_along_x():
    """result[bx, by]: bx grows with x, by with y (tilted box, positions inside one block)."""
    box = (9.0, 9.0, 2.0)
    m = 3
    # fractional centre of block (bx=2, by=0): s = (2.5/3, 0.5/3)
    s = np.array([2.5 / 3, 0.5 / 3])
    pos = np.array([[s[0] * 9.0 + s[1] * 2.0, s[1] * 9.0]])
    out = blocks.block_stress(pos, box, np.array([1.0]), m)
    assert out[2, 0] == pytest.approx(1.0 / 9.0, rel=1e-12)
    assert np.count_nonzero(out) == 1


def test_uniform_stress_field_gives_identical_blocks():
    """Per-atom S = σ × (area per atom) on a lattice commensurate with the blocks."""
    lx, ly, xy = 12.0, 12.0, 4.0
    m, per_side = 3, 12  # 4 x 4 lattice sites per block
    sigma = 0.37
    i, j = np.meshgrid(np.arange(per_side), np.arange(per_side), indexing="ij")
    frac = (np.column_stack([i.ravel(), j.ravel()]) + 0.5) / per_side
    pos = np.column_stack([frac[:, 0] * lx + frac[:, 1] * xy, frac[:, 1] * ly])
    pos += np.array([3 * lx + xy, -2 * ly]) * (np.arange(len(pos)) % 2)[:, None]  # images
    s = np.full(len(pos), sigma * lx * ly / len(pos))
    out = blocks.block_stress(pos, (lx, ly, xy), s, m)
    np.testing.assert_allclose(out, sigma, rtol=1e-12)


def test_mean_over_blocks_is_global_stress_for_random_input():
    box = (12.0, 11.0, -3.0)
    pos, s = _random_system(box=box, seed=11)
    for m in (1, 2, 4, 7):
        out = blocks.block_stress(pos, box, s, m)
        assert out.mean() == pytest.approx(s.sum() / (box[0] * box[1]), rel=1e-12)


def test_flip_same_configuration_continued_vs_flipped_tilt():
    """An affinely sheared copy past the flip: continued tilt reproduces the blocks exactly."""
    lx, ly = 12.0, 11.0
    xy0 = 0.45 * lx
    pos0, s = _random_system(box=(lx, ly, xy0), seed=5)
    dgamma = 0.1  # takes the tilt to 0.45 lx + 1.1 > 0.5 lx: LAMMPS would have flipped
    pos1 = pos0 + np.column_stack([dgamma * pos0[:, 1], np.zeros(len(pos0))])
    unflipped = (lx, ly, xy0 + dgamma * ly)
    flipped = (lx, ly, unflipped[2] - lx)
    m = 3
    ref = blocks.block_stress(pos0, (lx, ly, xy0), s, m)
    cont = blocks.continued_box(flipped, (lx, ly, xy0), dgamma)
    assert cont[2] == pytest.approx(unflipped[2], rel=1e-12)
    np.testing.assert_array_equal(blocks.block_stress(pos1, cont, s, m), ref)
    # the flipped tilt re-tiles the grid: a different partition of the same particles
    with_flipped = blocks.block_stress(pos1, flipped, s, m)
    assert np.max(np.abs(with_flipped - ref)) > 0.1 * np.std(ref)


def test_continued_box_two_flips_and_negative_direction():
    box0 = (10.0, 10.0, 4.0)
    # strain 1.7: unflipped 21.0 -> LAMMPS shows 21 - 2*10 = 1.0
    assert blocks.continued_box((10.0, 10.0, 1.0), box0, 1.7) == (10.0, 10.0, 21.0)
    # negative shear: unflipped -7.0 shows as 3.0
    assert blocks.continued_box((10.0, 10.0, 3.0), box0, -1.1) == (10.0, 10.0, -7.0)


def test_continued_box_rejects_inconsistent_input():
    with pytest.raises(ValueError, match="ambiguous|misses"):
        blocks.continued_box((10.0, 10.0, 0.0), (10.0, 10.0, 0.0), 0.5)
    with pytest.raises(ValueError, match="box lengths changed"):
        blocks.continued_box((10.5, 10.0, 0.0), (10.0, 10.0, 0.0), 0.0)


def test_n_blocks_per_side_and_width():
    assert blocks.n_blocks_per_side((41.7, 41.7, 5.0), 6.0) == 7  # 6.95 -> 7
    assert blocks.n_blocks_per_side((30.0, 30.0, 0.0), 4.0) == 8  # 7.5 rounds up
    assert blocks.n_blocks_per_side((30.0, 30.0, 0.0), 100.0) == 1
    assert blocks.block_width(6.0) == 6.0
    assert blocks.block_width(6.0, cluster_size=4.5) == 4.5
    with pytest.raises(ValueError, match="measured <l_pl>"):
        blocks.block_width(6.0, cluster_size=float("nan"))
    with pytest.raises(ValueError, match="positive"):
        blocks.n_blocks_per_side((30.0, 30.0, 0.0), 0.0)


def test_block_stress_rejects_bad_input():
    pos = np.zeros((3, 2))
    with pytest.raises(ValueError, match="shape"):
        blocks.block_stress(pos, (1.0, 1.0, 0.0), np.zeros(2), 2)
    with pytest.raises(ValueError, match="integer >= 1"):
        blocks.block_stress(pos, (1.0, 1.0, 0.0), np.zeros(3), 0)
    with pytest.raises(ValueError, match="non-finite"):
        blocks.block_stress(pos, (1.0, 1.0, 0.0), np.array([0.0, np.nan, 0.0]), 2)


def _frame(index, window, time, strain, box, pos, s):
    n = len(pos)
    return Frame(
        frame=index,
        window=window,
        step=index,
        time=time,
        strain=strain,
        box=box,
        ids=np.arange(1, n + 1),
        types=np.ones(n, dtype=np.int64),
        positions=pos,
        stress_xy=s,
    )


def test_block_stress_table_follows_material_within_windows():
    """Window 0 crosses a flip; window 1 starts from the flipped box (its own reference)."""
    lx, ly = 12.0, 11.0
    xy0 = 0.45 * lx
    pos0, s = _random_system(box=(lx, ly, xy0), seed=7)
    rate, dt = 0.01, 10.0  # strain 0.1 per frame
    frames = []
    for i in range(4):
        strain = rate * dt * i
        xy = xy0 + strain * ly
        xy -= lx * np.round(xy / lx)  # LAMMPS-style flipped description
        pos = pos0 + np.column_stack([strain * pos0[:, 1], np.zeros(len(pos0))])
        frames.append(_frame(i, i // 2, dt * i, strain, (lx, ly, xy), pos, s))
    table = blocks.block_stress_table(reversed(frames), m=3)
    assert list(table.columns) == list(blocks.BLOCK_STRESS_COLUMNS)
    wide = table.pivot_table(index="frame", columns=["bx", "by"], values="stress")
    # affine deformation + constant S: blocks constant inside each window
    np.testing.assert_array_equal(wide.loc[0].to_numpy(), wide.loc[1].to_numpy())
    np.testing.assert_array_equal(wide.loc[2].to_numpy(), wide.loc[3].to_numpy())
    assert frames[1].box[2] < 0 < frames[0].box[2]  # frame 1 is flipped
    np.testing.assert_allclose(table["block_area"], lx * ly / 9, rtol=1e-12)
    assert pd.api.types.is_integer_dtype(table["bx"])
