"""Onsets that are events (issue 19, item 5): persistence filter, percolation limit, and the
block indices of the onsets against those of blocks.py across a box flip."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise import blocks, plasticity
from mechnoise.io import Frame

L = 20.0  # box side (sigma); a 20 x 20 lattice of spacing 1, small blocks w0 = 2 -> k = 10


def _lattice() -> np.ndarray:
    g = np.arange(20) + 0.5
    x, y = np.meshgrid(g, g, indexing="ij")
    return np.column_stack([x.ravel(), y.ravel()])


def _frames(n: int, shear_rate: float = 0.0, dt: float = 1.0) -> list[Frame]:
    """Frames of an affinely sheared lattice; the tilt flips by -L past L/2 (flip yes)."""
    ref = _lattice()
    out = []
    for j in range(n):
        strain = shear_rate * j * dt
        xy = strain * L
        xy_box = xy - L * math.floor(xy / L + 0.5)  # LAMMPS keeps |xy| <= lx / 2
        pos = ref.copy()
        pos[:, 0] += strain * pos[:, 1]
        out.append(
            Frame(
                frame=j, window=0, step=j, time=j * dt, strain=strain, box=(L, L, xy_box),
                ids=np.arange(1, 401), types=np.ones(400, dtype=np.int64), positions=pos,
                stress_xy=np.zeros(400),
            )
        )  # fmt: skip
    return out


def _ids_near(centre: tuple[float, float], half: float) -> np.ndarray:
    ref = _lattice()
    near = np.all(np.abs(ref - np.asarray(centre)) <= half, axis=1)
    return np.flatnonzero(near) + 1


def _d2min(n: int, active: dict[int, np.ndarray]) -> pd.DataFrame:
    """D2min table: 1.0 for the ids active at each frame, 0 elsewhere."""
    rows = []
    for j in range(n):
        d = np.zeros(400)
        d[active.get(j, np.array([], dtype=int)) - 1] = 1.0
        rows.append(pd.DataFrame({"frame": j, "window": 0, "id": np.arange(1, 401), "d2min": d}))
    return pd.concat(rows, ignore_index=True)


def test_onsets_are_followed_to_their_peak_and_end() -> None:
    """Three planted onsets with known peak sizes and lifetimes; the filter keeps two."""
    n = 14
    seed_a = _ids_near((5.5, 5.5), 0.1)  # 1 particle
    grown_a = _ids_near((5.5, 5.5), 1.1)  # 3 x 3 = 9 particles
    flicker = _ids_near((15.5, 15.5), 0.1)
    long_single = _ids_near((15.5, 5.5), 0.1)
    active: dict[int, list[np.ndarray]] = {j: [] for j in range(n)}
    active[3].append(seed_a)
    for j in (4, 5):
        active[j].append(grown_a)
    active[10].append(flicker)
    for j in range(2, 10):
        active[j].append(long_single)
    table = _d2min(n, {j: np.concatenate(v) for j, v in active.items() if v})
    events = plasticity.event_onsets(
        _frames(n), table, threshold=0.1, activity_block=2.0, coarse_blocks=4
    )
    events = events.sort_values("frame", ignore_index=True)
    assert events["frame"].tolist() == [2, 3, 10]
    assert events["peak_particles"].tolist() == [1, 9, 1]
    assert events["n_particles"].tolist() == [1, 1, 1]
    assert events["lifetime"].tolist() == pytest.approx([8.0, 3.0, 1.0])
    assert not events["censored"].any()
    keep = plasticity.persistent_onsets(events, min_particles=5, min_duration=5.0)
    assert keep.tolist() == [True, True, False]
    assert plasticity.persistent_onsets(events, min_particles=0, min_duration=0.0).all()
    assert plasticity.persistent_onsets(events, min_particles=10, min_duration=9.0).sum() == 0
    # still active at the last frame: censored
    late = _d2min(n, {n - 2: seed_a, n - 1: grown_a})
    ev = plasticity.event_onsets(
        _frames(n), late, threshold=0.1, activity_block=2.0, coarse_blocks=4
    )
    assert ev["censored"].tolist() == [True] and ev["lifetime"].tolist() == [2.0]


def test_onset_blocks_match_block_stress_blocks_across_a_flip() -> None:
    """After a flip, an onset's coarse block is the block_stress_table block of its particle.

    The particle alone carries a stress, so the one nonzero block of block_stress_table is
    the block that holds it; with each frame's own (flipped) box the index would differ.
    """
    n, rate, m = 12, 0.1, 4  # strain 0.1 per tau0: the tilt passes L/2 at frame 5
    frames = _frames(n, shear_rate=rate)
    assert frames[8].box[2] < 0 < frames[4].box[2]  # flipped between 4 and 8
    pid = _ids_near((3.5, 12.5), 0.1)  # s_y = 0.625: a flip shifts s_x by 0.625
    table = _d2min(n, {8: pid})
    events = plasticity.event_onsets(frames, table, threshold=0.1, activity_block=2.0,
                                     coarse_blocks=m)  # fmt: skip
    assert len(events) == 1
    fr = frames[8]
    marked = Frame(**{**fr.__dict__, "stress_xy": np.where(fr.ids == pid[0], 1.0, 0.0)})
    stress = blocks.block_stress_table([frames[0], marked], m)
    hot = stress[(stress["frame"] == 8) & (stress["stress"] != 0)]
    assert len(hot) == 1
    assert (events["bx"].iloc[0], events["by"].iloc[0]) == (hot["bx"].iloc[0], hot["by"].iloc[0])
    own = blocks.block_indices(fr.positions[pid - 1], fr.box, m)[0]
    assert tuple(own) != (hot["bx"].iloc[0], hot["by"].iloc[0])  # the test can fail


def test_gamma_with_and_without_filter_and_percolation() -> None:
    activity = pd.DataFrame(
        {
            "frame": [0, 1, 2, 3], "window": [0, 0, 1, 1], "time": [0.0, 4.0, 50.0, 54.0],
            "strain": 0.3, "n_active": [10, 20, 30, 40], "k": 20,
            "active_block_fraction": 0.1, "n_clusters": 1, "m": 7,
            "coarse_active_fraction": [0.1, 0.2, 0.3, 0.4], "coarse_width": 6.0,
        }
    )  # fmt: skip
    clusters = pd.DataFrame({"frame": [0, 1, 2, 3], "cluster": 1, "n_blocks": 1, "area": 16.0})
    lags = np.arange(0.0, 6.2, 0.2)
    autocorr = pd.DataFrame({"lag": lags, "C_p": np.exp(-lags / 1.5), "n": 100})
    durations = pd.DataFrame({"short_lag": [0.2], "tau_p": [1.0], "tau_p_err": 0.05,
                              "plateau": 0.1})  # fmt: skip
    events = pd.DataFrame(
        {"frame": [1, 3, 3], "peak_particles": [1, 7, 2], "lifetime": [0.2, 0.2, 9.0]}
    )
    kw = {"threshold": 0.1, "lag": 4.0, "min_particles": 5, "min_duration": 8.0}
    r = plasticity.summarize_plasticity(
        activity, clusters, autocorr, durations, events, percolation_limit=0.3, **kw
    ).iloc[0]
    assert r["Gamma"] == pytest.approx(2 / (49 * 8.0), rel=1e-12)
    assert r["Gamma_all"] == pytest.approx(3 / (49 * 8.0), rel=1e-12)
    assert (r["n_events"], r["n_events_all"], r["Gamma_note"]) == (2, 3, "")
    # phi = 0.25 above a limit of 0.2: both Gamma NaN, the reason named
    p = plasticity.summarize_plasticity(
        activity, clusters, autocorr, durations, events, percolation_limit=0.2, **kw
    ).iloc[0]
    assert math.isnan(p["Gamma"]) and math.isnan(p["Gamma_all"])
    assert "percolated" in p["Gamma_note"] and "0.25" in p["Gamma_note"]
    assert p["n_events"] == 2  # the counts stay
    with pytest.raises(ValueError, match="min_particles"):
        plasticity.persistent_onsets(events, min_particles=-1, min_duration=0.0)
