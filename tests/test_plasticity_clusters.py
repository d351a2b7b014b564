"""Periodic cluster labelling, active blocks and the activity tables (paper §3.2)."""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
import pytest

from mechnoise import plasticity
from mechnoise.io import Frame
from mechnoise.plasticity.clusters import (
    ACTIVITY_COLUMNS,
    CLUSTER_COLUMNS,
    activity_tables,
    cluster_sizes,
    label_periodic,
)


def _bfs_partition(mask: np.ndarray) -> set[frozenset[tuple[int, int]]]:
    """Clusters of a periodic 4-connected lattice by breadth-first search."""
    k, m = mask.shape
    seen = np.zeros_like(mask, dtype=bool)
    clusters = set()
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        seen[start] = True
        queue, members = deque([start]), []
        while queue:
            a, b = queue.popleft()
            members.append((int(a), int(b)))
            for da, db in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                nb = ((a + da) % k, (b + db) % m)
                if mask[nb] and not seen[nb]:
                    seen[nb] = True
                    queue.append(nb)
        clusters.add(frozenset(members))
    return clusters


def _partition(labels: np.ndarray) -> set[frozenset[tuple[int, int]]]:
    return {
        frozenset((int(a), int(b)) for a, b in zip(*np.nonzero(labels == v), strict=True))
        for v in range(1, labels.max() + 1)
    }


def test_hand_built_lattice_wrapping_edges_and_corner() -> None:
    mask = np.zeros((6, 6), dtype=bool)
    mask[0, 0] = mask[0, 5] = mask[5, 0] = mask[5, 5] = True  # the four corners: one cluster
    mask[2, 0] = mask[2, 5] = mask[3, 5] = True  # wraps the left/right edge: one cluster
    mask[2, 2] = True  # alone
    mask[0, 3] = mask[5, 3] = mask[4, 3] = True  # wraps the top/bottom edge
    mask[1, 1] = True  # touches corner block (0,0) only diagonally: separate
    labels = label_periodic(mask)
    expected = {
        frozenset({(0, 0), (0, 5), (5, 0), (5, 5)}),
        frozenset({(2, 0), (2, 5), (3, 5)}),
        frozenset({(2, 2)}),
        frozenset({(0, 3), (5, 3), (4, 3)}),
        frozenset({(1, 1)}),
    }
    assert _partition(labels) == expected
    assert np.all((labels > 0) == mask)
    assert sorted(cluster_sizes(labels).tolist()) == [1, 1, 3, 3, 4]


def test_band_spanning_the_torus_is_one_cluster() -> None:
    mask = np.zeros((5, 7), dtype=bool)
    mask[:, 3] = True
    mask[2, :] = True
    assert label_periodic(mask).max() == 1


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (2, 2), (3, 8), (9, 9), (16, 11)])
def test_agrees_with_breadth_first_search(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(shape))
    for density in (0.2, 0.45, 0.6):
        mask = rng.random(shape) < density
        assert _partition(label_periodic(mask)) == _bfs_partition(mask)


def test_empty_and_full_lattices_and_bad_shape() -> None:
    assert label_periodic(np.zeros((4, 4), dtype=bool)).max() == 0
    assert np.all(label_periodic(np.ones((4, 4), dtype=bool)) == 1)
    assert cluster_sizes(np.zeros((3, 3))).size == 0
    with pytest.raises(ValueError, match="2-D"):
        label_periodic(np.ones(4, dtype=bool))
    assert plasticity.label_periodic is label_periodic  # public API of docs/design.md §6


def test_activity_tables_on_a_hand_built_frame() -> None:
    """10 x 10 box, w0 = 2 -> k = 5 blocks of area 4; W = 5 -> M = 2 coarse blocks."""
    box = (10.0, 10.0, 0.0)
    pos = np.array(
        [
            [0.5, 0.5],  # block (0, 0) active
            [9.5, 0.5],  # block (4, 0) active: joins (0, 0) across the x edge
            [9.5, 9.5],  # block (4, 4) active: joins (4, 0) across the y edge
            [5.0, 5.0],  # block (2, 2) active, alone
            [5.1, 5.3],  # same block, inactive
            [3.0, 7.0],  # inactive
        ]
    )
    d2 = np.array([0.5, 0.2, 0.11, 1.0, 0.05, np.nan])
    frame = Frame(
        frame=7,
        window=0,
        step=100,
        time=0.5,
        strain=0.25,
        box=box,
        ids=np.arange(1, 7),
        types=np.ones(6, dtype=np.int64),
        positions=pos,
        stress_xy=np.zeros(6),
    )
    table = pd.DataFrame({"frame": 7, "id": np.arange(1, 7), "d2min": d2})
    activity, clusters = activity_tables([frame], table, 0.1, 2.0, 5.0)
    assert list(activity.columns) == list(ACTIVITY_COLUMNS)
    assert list(clusters.columns) == list(CLUSTER_COLUMNS)
    row = activity.iloc[0]
    assert row["n_active"] == 4 and row["k"] == 5 and row["m"] == 2
    assert row["active_block_fraction"] == pytest.approx(4 / 25)
    assert row["n_clusters"] == 2
    # coarse blocks: (0,0) via (0.5,0.5); (1,0) via (9.5,0.5); (1,1) via (9.5,9.5) and (5,5)
    assert row["coarse_active_fraction"] == pytest.approx(3 / 4)
    assert row["coarse_width"] == pytest.approx(5.0)
    assert sorted(clusters["area"].tolist()) == [4.0, 12.0]
    # W from the clusters: <A> = 8 -> <l_pl> = 2.83 -> M = round(10 / 2.83) = 4
    activity2, _ = activity_tables([frame], table, 0.1, 2.0, None)
    assert activity2.iloc[0]["m"] == 4


def test_summary_of_a_run_with_known_numbers() -> None:
    """Two windows, blocks of 4 tau0: phi, <l_pl>, tau_p and Gamma from hand-made tables."""
    activity = pd.DataFrame(
        {
            "frame": [0, 1, 2, 3],
            "window": [0, 0, 1, 1],
            "time": [0.0, 4.0, 50.0, 54.0],
            "strain": 0.3,
            "n_active": [10, 20, 30, 40],
            "k": 20,
            "active_block_fraction": 0.1,
            "n_clusters": 1,
            "m": 7,
            "coarse_active_fraction": [0.1, 0.2, 0.3, 0.4],
            "coarse_width": 6.0,
        }
    )
    clusters = pd.DataFrame(
        {"frame": [0, 1, 2, 3], "cluster": 1, "n_blocks": 1, "area": [16.0, 36.0, 36.0, 16.0]}
    )
    lags = np.arange(0.0, 6.2, 0.2)
    autocorr = pd.DataFrame({"lag": lags, "C_p": np.exp(-lags / 1.5), "n": 100})
    durations = pd.DataFrame(
        {"short_lag": [0.4, 0.2], "tau_p": [1.1, 1.0], "tau_p_err": 0.05, "plateau": 0.1}
    )
    events = pd.DataFrame(  # 3 onsets over 2 intervals of 4 tau0, M = 7
        {"frame": [1, 3, 3], "peak_particles": [9, 9, 9], "lifetime": 9.0}
    )
    row = plasticity.summarize_plasticity(
        activity, clusters, autocorr, durations, events, threshold=0.1, lag=4.0
    )
    assert list(row.columns) == list(plasticity.SUMMARY_COLUMNS)
    r = row.iloc[0]
    assert r["phi"] == pytest.approx(0.25) and r["n_error_blocks"] == 4
    assert r["phi_err"] == pytest.approx(np.std([0.1, 0.2, 0.3, 0.4], ddof=1) / 2)
    assert r["l_pl"] == pytest.approx(np.sqrt(26.0))
    assert r["l_pl_err"] == pytest.approx(np.std([16, 36, 36, 16], ddof=1) / 2 / (2 * np.sqrt(26)))
    assert r["tau_p_window"] == pytest.approx(1.5, rel=1e-8)
    assert r["Gamma_phi"] == pytest.approx(0.25 / 1.5, rel=1e-8)
    assert r["tau_p"] == 1.0 and r["tau_p_short_lag"] == 0.2  # the smallest short lag
    assert r["Gamma"] == pytest.approx(3 / (49 * 8.0), rel=1e-12)
    assert r["n_events"] == 3 and r["observation_time"] == pytest.approx(8.0)
    assert r["M"] == 7 and r["k"] == 20 and r["n_frames"] == 4 and r["n_active_mean"] == 25
