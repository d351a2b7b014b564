"""Periodic cluster labelling, active blocks and the activity tables (paper §3.2)."""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
import pytest

from mechnoise import plasticity
from mechnoise.clusters import (
    ACTIVITY_COLUMNS,
    CLUSTER_COLUMNS,
    activity_tables,
    cluster_sizes,
    label_periodic,
)
from mechnoise.io import Frame


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
    assert plasticity.label_periodic is label_periodic  # public API of DESIGN §6


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
    assert sorted(clusters["area"].tolist()) == [4.0, 12.0]
    # W from the clusters: <A> = 8 -> <l_pl> = 2.83 -> M = round(10 / 2.83) = 4
    activity2, _ = activity_tables([frame], table, 0.1, 2.0, None)
    assert activity2.iloc[0]["m"] == 4
