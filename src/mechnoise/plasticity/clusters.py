"""Active particles, active blocks and their periodic clusters (paper §3.2, Fig. 4a).

A particle is active at time ``t`` if ``D²min(i, t, δt) > threshold``. The reference frame's
box is cut into ``k × k`` small blocks of side ``w0 ≈ 2`` in fractional coordinates
(:func:`mechnoise.blocks.block_indices`, indexed ``[bx, by]``); a block is active if it holds
at least one active particle. Active blocks that share an edge, across the periodic
boundaries too, form a plastic cluster of area ``A_pl = n_blocks · lx ly / k²``, and
``<l_pl> = <A_pl>^{1/2}``. The same rule on the coarse ``M × M`` stress grid (``W ≈ 6``)
gives the active fraction φ of docs/design.md §3 (``Γ = φ / τ_p``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import cc3d
import numpy as np
import numpy.typing as npt
import pandas as pd

from mechnoise import columns
from mechnoise._typing import BoolArray, FloatArray, IntArray
from mechnoise.blocks import block_indices, block_width, n_blocks_per_side
from mechnoise.io import Box, Frame
from mechnoise.stats import standard_error

__all__ = [
    "ACTIVITY_COLUMNS",
    "CLUSTER_COLUMNS",
    "active_blocks",
    "activity_tables",
    "cluster_sizes",
    "error_blocks",
    "label_periodic",
    "summarize_activity",
]

log = logging.getLogger(__name__)


#: column -> (dtype, unit, description) of ``activity.parquet`` (one row per reference frame).
ACTIVITY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.activity")

#: column -> (dtype, unit, description) of ``clusters.parquet`` (one row per cluster).
CLUSTER_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.cluster")


def label_periodic(mask: npt.ArrayLike) -> IntArray:
    """Label 4-connected clusters of a 2D boolean lattice with periodic boundaries.

    Parameters
    ----------
    mask : array_like of bool, shape (k, l)
        True for active blocks.

    Returns
    -------
    ndarray of int64, shape (k, l)
        0 for background, ``1..n`` for the clusters (numbered in raster order of their
        first block). Blocks on opposite edges are neighbours (the lattice is a torus).

    Raises
    ------
    ValueError
        If ``mask`` is not 2-D.

    Notes
    -----
    The periodic Hoshen–Kopelman labelling of the paper (§3.2), done by
    ``cc3d.connected_components(mask, connectivity=4, periodic_boundary=True)``; tests
    compare it with a breadth-first search on hand-built and random lattices.

    Examples
    --------
    >>> label_periodic(np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1]], dtype=bool))
    array([[1, 0, 1],
           [0, 0, 0],
           [1, 0, 1]])
    """
    m = np.asarray(mask).astype(bool)
    if m.ndim != 2:
        raise ValueError(f"mask must be a 2-D lattice, got shape {m.shape}")
    labels = cc3d.connected_components(
        np.ascontiguousarray(m), connectivity=4, periodic_boundary=True
    )
    return np.asarray(labels, dtype=np.int64)


def cluster_sizes(labels: npt.ArrayLike) -> IntArray:
    """Number of blocks of each cluster ``1..n`` of a label lattice.

    Examples
    --------
    >>> cluster_sizes(np.array([[1, 0, 1], [2, 2, 0]])).tolist()
    [2, 2]
    """
    lab = np.asarray(labels, dtype=np.int64).ravel()
    return np.bincount(lab, minlength=1)[1:].astype(np.int64)


def active_blocks(positions: FloatArray, box: Box, active: BoolArray, m: int) -> BoolArray:
    """Blocks of an ``m × m`` fractional grid that hold at least one active particle.

    Parameters
    ----------
    positions : ndarray of float64, shape (N, 2)
        Positions (sigma), wrapped or unwrapped.
    box : tuple of float
        LAMMPS ``(lx, ly, xy)`` (sigma).
    active : ndarray of bool, shape (N,)
        Active particles.
    m : int
        Blocks per side.

    Returns
    -------
    ndarray of bool, shape (m, m)
        ``result[bx, by]`` (see :func:`mechnoise.blocks.block_indices`).

    Examples
    --------
    >>> pos = np.array([[1.0, 1.0], [6.0, 1.0], [1.0, 6.0]])
    >>> active_blocks(pos, (10.0, 10.0, 0.0), np.array([True, False, True]), 2)
    array([[ True,  True],
           [False, False]])
    """
    act = np.asarray(active, dtype=bool)
    if act.shape != (np.shape(positions)[0],):
        raise ValueError(f"active must have shape ({np.shape(positions)[0]},), got {act.shape}")
    idx = block_indices(positions, box, m)[act]
    out = np.zeros((m, m), dtype=bool)
    out[idx[:, 0], idx[:, 1]] = True
    return out


def activity_tables(
    frames: Sequence[Frame],
    d2min_table: pd.DataFrame,
    threshold: float,
    activity_block: float,
    coarse_width: float | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Active particles, active small blocks, their clusters and the coarse active fraction.

    Parameters
    ----------
    frames : sequence of Frame
        Frames of the run; those named in ``d2min_table.frame`` are the reference frames.
    d2min_table : DataFrame
        Columns frame, id, d2min (:data:`mechnoise.plasticity.D2MIN_COLUMNS`).
    threshold : float
        Activity threshold on D²min (sigma²), ``analysis.d2min.threshold``.
    activity_block : float
        Small block side ``w0`` (sigma), ``analysis.activity_block``.
    coarse_width : float or None
        Coarse block side ``W`` (sigma), ``analysis.blocks.width``; None takes ``W = <l_pl>``
        of this run (``analysis.blocks.from_cluster_size``).

    Returns
    -------
    activity : DataFrame
        Columns of :data:`ACTIVITY_COLUMNS`, one row per reference frame.
    clusters : DataFrame
        Columns of :data:`CLUSTER_COLUMNS`, one row per cluster.

    Raises
    ------
    ValueError
        If a reference frame is missing from ``frames`` or its ids differ from the table's.

    Notes
    -----
    Blocks are taken in fractional coordinates of each reference frame's own box; with
    ``|xy| <= lx/2`` (LAMMPS flip) they are parallelograms of area ``lx ly / k²``.
    """
    by_index = {f.frame: f for f in frames}
    rows, cluster_parts = [], []
    per_frame: list[tuple[Frame, BoolArray]] = []
    for frame_index, group in d2min_table.groupby("frame", sort=True):
        if frame_index not in by_index:
            raise ValueError(f"reference frame {frame_index} of the D2min table is not in frames")
        fr = by_index[frame_index]
        g = group.sort_values("id")
        if not np.array_equal(g["id"].to_numpy(), fr.ids):
            raise ValueError(f"frame {frame_index}: D2min ids differ from the frame's ids")
        active = g["d2min"].to_numpy(np.float64) > threshold
        k = n_blocks_per_side(fr.box, activity_block)
        mask = active_blocks(fr.positions, fr.box, active, k)
        sizes = cluster_sizes(label_periodic(mask))
        lx, ly, _ = fr.box
        cluster_parts.append(
            pd.DataFrame(
                {
                    "frame": fr.frame,
                    "cluster": np.arange(1, sizes.size + 1),
                    "n_blocks": sizes,
                    "area": sizes * (lx * ly / k**2),
                }
            )
        )
        per_frame.append((fr, active))
        rows.append(
            {
                "frame": fr.frame,
                "window": fr.window,
                "time": fr.time,
                "strain": fr.strain,
                "n_active": int(active.sum()),
                "k": k,
                "active_block_fraction": float(mask.mean()),
                "n_clusters": sizes.size,
            }
        )
    if not rows:
        raise ValueError("empty D2min table: expected at least one reference frame")
    clusters = pd.concat(cluster_parts, ignore_index=True)
    if coarse_width is None:
        l_pl = math.sqrt(clusters["area"].mean()) if len(clusters) else math.nan
        coarse_width = block_width(math.nan, cluster_size=l_pl)
        log.info("coarse block width W = <l_pl> = %.4g sigma", coarse_width)
    for row, (fr, active) in zip(rows, per_frame, strict=True):
        m = n_blocks_per_side(fr.box, coarse_width)
        row["m"] = m
        row["coarse_active_fraction"] = float(active_blocks(fr.positions, fr.box, active, m).mean())
        row["coarse_width"] = math.sqrt(fr.box[0] * fr.box[1]) / m
    return pd.DataFrame(rows), clusters


def error_blocks(activity: pd.DataFrame, block_duration: float) -> pd.Series:
    """Label each reference frame with a block of consecutive frames for error estimates.

    Frames of one window whose times fall in the same interval of length ``block_duration``
    (counted from the window's first frame) share a block; blocks never span two windows.

    Examples
    --------
    >>> a = pd.DataFrame({"frame": [0, 1, 2, 3, 4], "window": [0, 0, 0, 1, 1],
    ...                   "time": [0.0, 2.0, 4.5, 9.0, 9.5]})
    >>> error_blocks(a, 4.0).tolist()
    [0, 0, 1, 2, 2]
    """
    if not (np.isfinite(block_duration) and block_duration > 0):
        raise ValueError(f"block_duration must be a positive time (tau0), got {block_duration!r}")
    start = activity.groupby("window")["time"].transform("min")
    chunk = np.floor((activity["time"] - start) / block_duration + 1e-9).astype(np.int64)
    codes, _ = pd.factorize(pd.MultiIndex.from_arrays([activity["window"], chunk]), sort=True)
    return pd.Series(codes, index=activity.index, name="block")


def summarize_activity(
    activity: pd.DataFrame, clusters: pd.DataFrame, block_duration: float
) -> dict[str, float]:
    """Run averages of the activity tables with standard errors from blocks of frames.

    Parameters
    ----------
    activity, clusters : DataFrame
        Tables of :func:`activity_tables`.
    block_duration : float
        Duration of the blocks of consecutive frames (tau0), e.g. the D²min lag: frames
        closer than the lag share part of their D²min interval and are correlated.

    Returns
    -------
    dict
        ``l_pl = <A_pl>^{1/2}`` (mean over every cluster of every frame) and ``l_pl_err``
        (standard error of the block means of ``A_pl``, propagated), ``mean_cluster_area``,
        ``n_clusters``, ``phi`` (mean coarse active fraction) and ``phi_err``,
        ``n_active_mean``, ``n_frames``, ``n_error_blocks``.

    Examples
    --------
    >>> a = pd.DataFrame({"frame": [0, 1], "window": 0, "time": [0.0, 4.0],
    ...                   "n_active": [3, 5], "coarse_active_fraction": [0.2, 0.4]})
    >>> c = pd.DataFrame({"frame": [0, 1, 1], "area": [9.0, 16.0, 23.0]})
    >>> s = summarize_activity(a, c, 4.0)
    >>> s["l_pl"], round(s["phi"], 12), s["n_error_blocks"]
    (4.0, 0.3, 2)
    """
    if activity.empty:
        raise ValueError("empty activity table: expected at least one reference frame")
    block = error_blocks(activity, block_duration)
    by_frame = dict(zip(activity["frame"], block, strict=True))
    phi_blocks = activity.groupby(block)["coarse_active_fraction"].mean()
    area_blocks = clusters.groupby(clusters["frame"].map(by_frame))["area"].mean()
    mean_area = float(clusters["area"].mean()) if len(clusters) else math.nan
    l_pl = math.sqrt(mean_area)
    return {
        "l_pl": l_pl,
        "l_pl_err": standard_error(area_blocks) / (2.0 * l_pl),
        "mean_cluster_area": mean_area,
        "n_clusters": len(clusters),
        "phi": float(activity["coarse_active_fraction"].mean()),
        "phi_err": standard_error(phi_blocks),
        "n_active_mean": float(activity["n_active"].mean()),
        "n_frames": len(activity),
        "n_error_blocks": int(block.nunique()),
    }
