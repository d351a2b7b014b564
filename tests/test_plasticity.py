"""D²min, frame pairing, C_p and τ_p: known answers and a naive cross-check (paper Eq. 5)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise import plasticity
from mechnoise.io import Frame, freud_box


def _glass_like(n_side: int, density: float, tilt: float, rng: np.random.Generator):
    """Perturbed square lattice in a tilted periodic box, as (positions, box)."""
    n = n_side * n_side
    side = math.sqrt(n / density)
    s = np.stack(np.meshgrid(np.arange(n_side), np.arange(n_side)), -1).reshape(-1, 2) + 0.5
    s = s / n_side + rng.normal(0.0, 0.15 / n_side, (n, 2))
    box = (side, side, tilt * side)
    pos = np.column_stack([s[:, 0] * side + s[:, 1] * box[2], s[:, 1] * side])
    return pos, box


def _naive_d2min(ref, cur, ref_box, cur_box, r_max):
    """Per-particle least squares with explicit periodic images (brute force, O(N^2))."""
    n = ref.shape[0]
    out = np.empty(n)
    images = [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)]
    wide = [(a, b) for a in range(-3, 4) for b in range(-3, 4)]
    lx0, ly0, xy0 = ref_box
    lx1, ly1, xy1 = cur_box
    for i in range(n):
        r0, d = [], []
        for j in range(n):
            for a, b in images:
                v0 = ref[j] - ref[i] + (a * lx0 + b * xy0, b * ly0)
                if 1e-12 < np.dot(v0, v0) < r_max**2:
                    # the same image in the current frame, located by the nearest copy
                    v1 = cur[j] - cur[i]
                    best = min(
                        (v1 + (p * lx1 + q * xy1, q * ly1) for p, q in wide),
                        key=lambda v: np.dot(v - v0, v - v0),
                    )
                    r0.append(v0)
                    d.append(best)
        r0a, da = np.array(r0), np.array(d)
        sol, *_ = np.linalg.lstsq(r0a, da, rcond=None)  # d ≈ r0 @ sol, sol = J^T
        out[i] = np.sum((da - r0a @ sol) ** 2)
    return out


def test_affine_periodic_deformation_gives_zero_across_images_and_flip() -> None:
    """Shear + stretch with the box deformed alike, random images, flipped box: D2min = 0."""
    rng = np.random.default_rng(11)
    ref, box0 = _glass_like(20, 1.2, 0.3, rng)
    h0 = np.array([[box0[0], box0[2]], [0.0, box0[1]]])
    a = np.array([[1.03, 0.21], [0.0, 0.96]])  # stretch x, compress y, shear (upper triangular)
    h1 = a @ h0
    images = rng.integers(-3, 4, size=(ref.shape[0], 2))
    cur = ref @ a.T + images @ h1.T  # unwrapped positions may sit in any periodic image
    cur_box = (h1[0, 0], h1[1, 1], h1[0, 1])
    assert cur_box[2] > cur_box[0] / 2  # LAMMPS would have flipped this box
    flipped = (cur_box[0], cur_box[1], cur_box[2] - cur_box[0])
    for box in (cur_box, flipped):
        values = plasticity.d2min(ref, cur, box0, box, r_max=2.5)
        assert np.all(np.isfinite(values))
        np.testing.assert_allclose(values, 0.0, atol=1e-10)


def test_affine_map_with_rotation_gives_zero() -> None:
    """A general affine map (rotation + shear + stretch) of a cluster far from the edges."""
    rng = np.random.default_rng(5)
    pos, _ = _glass_like(12, 1.2, 0.0, rng)
    box = (60.0, 60.0, 0.0)  # large box: no bond crosses a boundary
    ref = pos + 20.0
    angle = 0.4
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    a = rot @ np.array([[1.1, 0.3], [0.05, 0.9]])
    centre = ref.mean(axis=0)
    cur = (ref - centre) @ a.T + centre
    np.testing.assert_allclose(plasticity.d2min(ref, cur, box, box), 0.0, atol=1e-10)


def test_matches_naive_least_squares_on_random_input() -> None:
    rng = np.random.default_rng(3)
    ref, box0 = _glass_like(9, 1.1, 0.2, rng)
    cur_box = (box0[0], box0[1], box0[2] + 0.05 * box0[1] - box0[0])  # sheared and flipped
    cur = ref + ref[:, [1]] * np.array([0.05, 0.0]) + rng.normal(0.0, 0.15, ref.shape)
    fast = plasticity.d2min(ref, cur, box0, cur_box, r_max=2.0)
    slow = _naive_d2min(ref, cur, box0, cur_box, 2.0)
    assert slow.min() > 1e-3  # a non-trivial answer
    np.testing.assert_allclose(fast, slow, rtol=1e-10)


def test_sum_and_mean_conventions_differ_by_neighbour_count() -> None:
    rng = np.random.default_rng(8)
    ref, box = _glass_like(10, 1.2, 0.0, rng)
    cur = ref + rng.normal(0.0, 0.1, ref.shape)
    total = plasticity.d2min(ref, cur, box, box, 2.5)
    mean = plasticity.d2min(ref, cur, box, box, 2.5, mean=True)
    i, j, _ = plasticity.neighbor_pairs(ref, box, 2.5)
    count = np.bincount(np.concatenate([i, j]), minlength=ref.shape[0])
    np.testing.assert_allclose(total, mean * count, rtol=1e-12)


def test_unwrapped_displacement_convention_misses_image_shift() -> None:
    """Why bonds are minimum images: r0 + (u_j - u_i) fails for bonds across y images."""
    box0, box1 = (10.0, 10.0, 0.0), (10.0, 10.0, 0.5)  # simple shear by 0.05
    ref = np.array([[5.0, 9.5], [5.0, 0.5]])  # bonded across the y boundary
    cur = ref + ref[:, [1]] * np.array([0.05, 0.0])  # affine displacement of unwrapped coords
    _, _, r0 = plasticity.neighbor_pairs(ref, box0, 2.0)
    u = cur - ref
    naive = r0[0] + u[1] - u[0]
    mic = plasticity.minimum_image(cur[[1]] - cur[[0]], box1)[0]
    np.testing.assert_allclose(mic, [0.05, 1.0], atol=1e-12)  # (I + eps) r0 with r0 = (0, 1)
    assert abs(naive[0] - mic[0]) == pytest.approx(0.5)  # misses the tilt change xy1 - xy0


def test_neighbor_pairs_agree_with_freud() -> None:
    import freud  # a hard dependency: imported, never skipped

    rng = np.random.default_rng(2)
    pos, box = _glass_like(25, 1.2, -0.45, rng)
    pos = pos + rng.integers(-2, 3, size=(pos.shape[0], 2)) @ np.array(
        [[box[0], 0.0], [box[2], box[1]]]
    )
    i, j, bonds = plasticity.neighbor_pairs(pos, box, 2.5)
    fbox = freud_box(box)
    p3 = np.zeros((pos.shape[0], 3), dtype=np.float32)
    p3[:, :2] = pos
    p3 = fbox.wrap(p3)
    nl = (
        freud.locality.AABBQuery(fbox, p3)
        .query(p3, {"mode": "ball", "r_max": 2.5 + 1e-3, "exclude_ii": True})
        .toNeighborList()
    )
    q, p = nl.query_point_indices, nl.point_indices
    exact = plasticity.minimum_image(pos[p] - pos[q], box)
    close = np.hypot(exact[:, 0], exact[:, 1]) < 2.5
    theirs = {(int(a), int(b)) for a, b in zip(q[close], p[close], strict=True) if a < b}
    ours = {(int(min(a, b)), int(max(a, b))) for a, b in zip(i, j, strict=True)}
    assert ours == theirs
    np.testing.assert_allclose(bonds, plasticity.minimum_image(pos[j] - pos[i], box), atol=1e-12)


def test_isolated_particle_is_nan_and_bad_input_raises() -> None:
    box = (20.0, 20.0, 0.0)
    ref = np.array([[1.0, 1.0], [2.0, 1.0], [1.0, 2.0], [10.0, 10.0]])
    values = plasticity.d2min(ref, ref, box, box, 2.5)
    assert np.isnan(values[3]) and np.all(values[:3] < 1e-20)
    with pytest.raises(ValueError, match="widths"):
        plasticity.d2min(ref, ref, (4.0, 4.0, 0.0), (4.0, 4.0, 0.0), 2.5)
    with pytest.raises(ValueError, match="differ"):
        plasticity.d2min(ref, ref[:3], box, box)
    with pytest.raises(ValueError, match="neighbor_frame"):
        plasticity.d2min(ref, ref, box, box, neighbor_frame="both")  # type: ignore[arg-type]


def _frame(index: int, window: int, time: float, pos: np.ndarray, box) -> Frame:
    n = pos.shape[0]
    return Frame(
        frame=index,
        window=window,
        step=int(round(time / 0.005)),
        time=time,
        strain=0.0,
        box=box,
        ids=np.arange(1, n + 1),
        types=np.ones(n, dtype=np.int64),
        positions=pos,
        stress_xy=np.zeros(n),
    )


def test_d2min_frames_pairs_only_inside_windows() -> None:
    rng = np.random.default_rng(4)
    ref, box = _glass_like(8, 1.2, 0.0, rng)
    kicked = ref.copy()
    kicked[0] += (0.3, 0.0)  # a non-affine kick of particle id 1
    frames = [
        _frame(0, 0, 0.0, ref, box),
        _frame(1, 0, 1.0, ref, box),
        _frame(2, 0, 2.0, kicked, box),
        _frame(3, 1, 3.0, ref, box),  # next window: (2, 3) must not be paired
        _frame(4, 1, 4.0, ref, box),
    ]
    table = plasticity.d2min_frames(frames, lag=1.0, r_max=2.5)
    assert sorted(table["frame"].unique()) == [0, 1, 3]
    assert list(table.columns) == list(plasticity.D2MIN_COLUMNS)
    per_frame = table.groupby("frame")["d2min"].max()
    assert per_frame[0] < 1e-20 and per_frame[3] < 1e-20 and per_frame[1] > 0.01
    with pytest.raises(ValueError, match="multiple of"):
        plasticity.d2min_frames(frames, lag=0.7)


def _decaying_table(tau: float, spacing: float, n_frames: int, rng: np.random.Generator):
    """D2(i, t) = a_i exp(-(t - s_i) / tau) after an onset s_i, zero before: C_p = e^{-t/tau}."""
    rows = []
    for window in range(2):
        onset = rng.uniform(0.0, n_frames * spacing, 50)
        amp = rng.uniform(0.5, 2.0, 50)
        for f in range(n_frames):
            t = f * spacing
            v = np.where(t >= onset, amp * np.exp(-(t - onset) / tau), 0.0)
            rows.append(
                pd.DataFrame(
                    {
                        "frame": window * 100 + f,
                        "window": window,
                        "time": 1000.0 * window + t,
                        "id": np.arange(1, 51),
                        "d2min": v,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_autocorrelation_of_exponential_events_is_exponential() -> None:
    rng = np.random.default_rng(9)
    table = _decaying_table(tau=1.3, spacing=0.2, n_frames=60, rng=rng)
    cp = plasticity.d2min_autocorrelation(table, threshold=1e-9, max_lag=3.0)
    assert list(cp.columns) == list(plasticity.AUTOCORR_COLUMNS)
    np.testing.assert_allclose(cp["lag"], np.arange(16) * 0.2)
    np.testing.assert_allclose(cp["C_p"], np.exp(-cp["lag"] / 1.3), rtol=1e-12)
    tau, err = plasticity.fit_decay_time(cp["lag"], cp["C_p"])
    assert tau == pytest.approx(1.3, rel=1e-8) and err < 1e-6


def test_autocorrelation_rejects_uneven_frames() -> None:
    table = _decaying_table(tau=1.0, spacing=0.2, n_frames=5, rng=np.random.default_rng(1))
    table = table[table["frame"] != 2]
    with pytest.raises(ValueError, match="equally spaced"):
        plasticity.d2min_autocorrelation(table, threshold=0.1, max_lag=1.0)


def test_autocorrelation_by_hand() -> None:
    """Two particles, three frames, threshold 0.1; sums worked out by hand."""
    table = pd.DataFrame(
        {
            "frame": [0, 0, 1, 1, 2, 2],
            "window": 0,
            "time": [0.0, 0.0, 1.0, 1.0, 2.0, 2.0],
            "id": [1, 2] * 3,
            "d2min": [0.5, 0.05, 0.2, 0.3, 0.1, 0.4],
        }
    )
    cp = plasticity.d2min_autocorrelation(table, threshold=0.1, max_lag=5.0)
    # lag 1: origins t0 = 0 (particle 1) and t0 = 1 (particles 1, 2); particle 2 is not
    # active at t0 = 0 and t0 = 2 has no partner, so neither enters either sum.
    expected = [1.0, (0.5 * 0.2 + 0.2 * 0.1 + 0.3 * 0.4) / (0.25 + 0.04 + 0.09), 0.05 / 0.25]
    np.testing.assert_allclose(cp["C_p"], expected, rtol=1e-12)
    assert cp["n"].tolist() == [4, 3, 1]
    short = plasticity.d2min_autocorrelation(table, threshold=0.1, max_lag=1.5)
    assert short["lag"].tolist() == [0.0, 1.0]
