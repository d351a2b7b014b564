"""Coarse-grained block stresses on an M×M grid that follows the material (paper §3.2, Eq. 6).

The box is divided into ``M × M`` blocks in *fractional* (lattice) coordinates of the
triclinic box: block ``(bx, by)`` holds the particles with
``floor(M * (s_x mod 1)) = bx`` and ``floor(M * (s_y mod 1)) = by``, where
``(s_x, s_y)`` are the fractional coordinates of :func:`mechnoise.io.fractional_coordinates`
(``y = s_y ly``, ``x = s_x lx + s_y xy``). ``bx`` runs along the first lattice vector
(the x axis), ``by`` along the second (tilted) one; every block is a parallelogram of area
``A_m = lx ly / M²``. Result arrays are indexed ``result[bx, by]``.

Under shear the box tilt grows and the blocks deform affinely with the material. When
LAMMPS flips the box (``xy → xy − lx``) the fractional coordinates computed with the
flipped tilt re-tile the grid although no particle moved; :func:`continued_box` undoes the
flip by continuing the tilt from a window's start, so a block holds the same material
throughout an analysis window (docs/design.md §3, "Box flips").

The block stress (Eq. 6) is ``σ^m = Σ_{i∈m} S_i,xy / A_m`` with ``S_i,xy`` the ``xy``
component of LAMMPS ``compute stress/atom`` (stress × area, kinetic part included), so the
mean over blocks is the global ``σ_xy = −p_xy``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from mechnoise import columns
from mechnoise._typing import FloatArray, IntArray
from mechnoise.io import Box, Frame, fractional_coordinates

log = logging.getLogger(__name__)


#: column -> (dtype, unit, description) of ``block_stress.parquet`` (one row per block and frame).
BLOCK_STRESS_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("blocks.block_stress")

#: Largest tolerated mismatch (in units of lx) between a frame's tilt, shifted by a whole
#: number of flips, and the tilt expected from the applied strain; beyond it the number of
#: flips is ambiguous.
_FLIP_AMBIGUITY = 0.25


def n_blocks_per_side(box: Box, width: float) -> int:
    """Number ``M`` of blocks per side for a target block width ``W``.

    Parameters
    ----------
    box : tuple of float
        LAMMPS ``(lx, ly, xy)`` (sigma).
    width : float
        Target block side ``W`` (sigma), e.g. ``analysis.blocks.width`` or ``<l_pl>``.

    Returns
    -------
    int
        ``M = max(1, round(sqrt(lx ly) / W))`` (halves round up). One ``M`` for both
        lattice directions, so every block has area ``lx ly / M²``; for the (nearly) square
        boxes of the workflow the blocks' sides are ``lx / M ≈ ly / M ≈ W``.

    Raises
    ------
    ValueError
        If ``width`` is not a positive finite number or the box is degenerate.

    Examples
    --------
    >>> n_blocks_per_side((41.7, 41.7, 0.0), 6.0)
    7
    >>> n_blocks_per_side((10.0, 10.0, 3.0), 50.0)
    1
    """
    lx, ly, _ = box
    if not (np.isfinite(width) and width > 0):
        raise ValueError(f"block width must be a positive finite length, got {width!r}")
    if not (lx > 0 and ly > 0):
        raise ValueError(f"box lengths must be positive, got lx={lx!r}, ly={ly!r}")
    return max(1, int(math.floor(math.sqrt(lx * ly) / width + 0.5)))


def block_width(width: float, cluster_size: float | None = None) -> float:
    """Target block side ``W``: the configured width, or the measured plastic-cluster size.

    Parameters
    ----------
    width : float
        Configured width ``analysis.blocks.width`` (sigma).
    cluster_size : float or None
        Measured ``<l_pl>`` (sigma) when ``analysis.blocks.from_cluster_size`` is true,
        else None.

    Returns
    -------
    float
        ``cluster_size`` if given, else ``width``.

    Raises
    ------
    ValueError
        If the selected value is not a positive finite number.

    Examples
    --------
    >>> block_width(6.0)
    6.0
    >>> block_width(6.0, cluster_size=5.2)
    5.2
    """
    chosen = width if cluster_size is None else cluster_size
    what = "analysis.blocks.width" if cluster_size is None else "measured <l_pl>"
    if not (np.isfinite(chosen) and chosen > 0):
        raise ValueError(f"{what} must be a positive finite length (sigma), got {chosen!r}")
    return float(chosen)


def continued_box(box: Box, box_start: Box, strain_since_start: float) -> Box:
    """Box of a frame with the tilt continued from a window's start (flips undone).

    With ``fix deform ... flip yes`` LAMMPS keeps ``|xy| <= lx / 2`` by jumping the tilt by
    ``∓lx``. The unflipped tilt is ``xy_start + Δγ ly``; this function returns the frame's
    own tilt shifted by the whole number of box lengths ``k lx`` that brings it closest to
    that value. The result describes the same periodic lattice (``xy + k lx`` is an
    equivalent tilt) and its fractional coordinates follow the material continuously.

    Parameters
    ----------
    box : tuple of float
        The frame's LAMMPS ``(lx, ly, xy)`` (sigma), possibly after flips.
    box_start : tuple of float
        ``(lx, ly, xy)`` of the window's first frame (sigma).
    strain_since_start : float
        Applied strain since the window's first frame, ``γ̇ (t − t_start)``.

    Returns
    -------
    tuple of float
        ``(lx, ly, xy + k lx)`` with integer ``k``.

    Raises
    ------
    ValueError
        If ``lx`` or ``ly`` changed since the start (not a simple shear), or if the shifted
        tilt misses the expected one by more than ``lx / 4`` (the number of flips is
        ambiguous: wrong strain, or frames from different runs).

    Examples
    --------
    >>> continued_box((10.0, 10.0, -4.9), (10.0, 10.0, 4.8), 0.03)
    (10.0, 10.0, 5.1)
    >>> continued_box((10.0, 10.0, 4.9), (10.0, 10.0, 4.8), 0.01)
    (10.0, 10.0, 4.9)
    """
    lx, ly, xy = box
    lx0, ly0, xy0 = box_start
    if not (np.isclose(lx, lx0, rtol=1e-9) and np.isclose(ly, ly0, rtol=1e-9)):
        raise ValueError(
            f"box lengths changed within a window: start ({lx0}, {ly0}), now ({lx}, {ly});"
            " expected a simple shear at constant lx, ly"
        )
    expected = xy0 + strain_since_start * ly
    k = round((expected - xy) / lx)
    continued = xy + k * lx
    mismatch = abs(continued - expected) / lx
    if mismatch > _FLIP_AMBIGUITY:
        raise ValueError(
            f"tilt {xy} cannot be continued from {xy0} with strain {strain_since_start}: "
            f"misses the expected tilt {expected} by {mismatch:.3f} lx (> {_FLIP_AMBIGUITY})"
        )
    if mismatch > 1e-6:
        log.warning(
            "continued tilt %.10g differs from xy_start + strain*ly = %.10g by %.2e lx",
            continued,
            expected,
            mismatch,
        )
    return (lx, ly, float(continued))


def window_boxes(frames: Iterable[Frame]) -> dict[int, Box]:
    """Box of every frame with the tilt continued from its window's first frame.

    The one rule by which block grids follow the material (:func:`block_stress_table`
    and the event onsets of :mod:`mechnoise.plasticity.rate` both use it, so their block
    indices agree across box flips): the window's first frame (smallest time) gives
    ``box_start`` and every frame's box is :func:`continued_box` of it.

    Parameters
    ----------
    frames : iterable of Frame
        Frames of one run, any order.

    Returns
    -------
    dict
        ``frame index -> (lx, ly, xy_continued)``.

    Raises
    ------
    ValueError
        If a window's boxes cannot be continued (see :func:`continued_box`).
    """
    boxes: dict[int, Box] = {}
    start: Frame | None = None
    for fr in sorted(frames, key=lambda f: (f.window, f.time)):
        if start is None or fr.window != start.window:
            start = fr
        boxes[fr.frame] = continued_box(fr.box, start.box, fr.strain - start.strain)
    return boxes


def block_indices(positions: FloatArray, box: Box, m: int) -> IntArray:
    """Block ``(bx, by)`` of every particle on an ``m × m`` grid in fractional coordinates.

    Parameters
    ----------
    positions : ndarray of float64, shape (N, 2)
        Positions, wrapped or unwrapped (sigma).
    box : tuple of float
        ``(lx, ly, xy)`` (sigma) that defines the lattice (see :func:`continued_box`).
    m : int
        Blocks per side, ``m >= 1``.

    Returns
    -------
    ndarray of intp, shape (N, 2)
        Column 0 is ``bx`` (along x), column 1 is ``by`` (along y), both in ``0..m-1``.

    Raises
    ------
    ValueError
        If ``positions`` is not ``(N, 2)`` or holds non-finite values, or ``m < 1``.

    Examples
    --------
    >>> block_indices(np.array([[0.5, 0.5], [9.9, 5.1], [-0.1, 10.2]]), (10.0, 10.0, 0.0), 2)
    array([[0, 0],
           [1, 1],
           [1, 0]])
    """
    pos = np.asarray(positions, dtype=np.float64)
    if pos.ndim != 2 or pos.shape[1] != 2:
        raise ValueError(f"positions must have shape (N, 2), got {pos.shape}")
    if not np.all(np.isfinite(pos)):
        raise ValueError("positions hold non-finite values")
    if int(m) != m or m < 1:
        raise ValueError(f"number of blocks per side must be an integer >= 1, got {m!r}")
    frac = np.mod(fractional_coordinates(pos, box), 1.0)
    # np.mod(-1e-17, 1.0) == 1.0 in floating point: clip the rare index m back to m - 1.
    return np.minimum(np.floor(frac * m).astype(np.intp), int(m) - 1)


def block_stress(positions: FloatArray, box: Box, atom_stress_xy: FloatArray, m: int) -> FloatArray:
    """Coarse-grained shear stress of every block of an ``m × m`` grid (paper Eq. 6).

    Parameters
    ----------
    positions : ndarray of float64, shape (N, 2)
        Positions, wrapped or unwrapped (sigma).
    box : tuple of float
        LAMMPS ``(lx, ly, xy)`` (sigma). Inside a window pass the box from
        :func:`continued_box` so blocks follow the material across flips.
    atom_stress_xy : ndarray of float64, shape (N,)
        ``xy`` component of ``compute stress/atom`` (stress × area, eps).
    m : int
        Blocks per side (see :func:`n_blocks_per_side`).

    Returns
    -------
    ndarray of float64, shape (m, m)
        ``result[bx, by] = Σ_{i∈(bx,by)} S_i,xy / A_m`` (eps/sigma²), ``A_m = lx ly / m²``;
        ``bx`` along x, ``by`` along y. An empty block has stress 0.

    Raises
    ------
    ValueError
        If shapes disagree, values are non-finite, or ``m < 1``.

    Notes
    -----
    Eq. (6) of the paper, ``σ^m_xy = −(1/W²) Σ_{i∈m} m v_x v_y + (1/2W²) Σ_{i∈m} Σ_j
    V'(r_ij) r_x r_y / r``, is ``Σ_{i∈m} S_i,xy / A_m`` with LAMMPS' per-atom stress.
    The mean over all blocks is ``Σ_i S_i,xy / (lx ly) = σ_xy = −p_xy``.

    Examples
    --------
    >>> pos = np.array([[1.0, 1.0], [6.0, 1.0], [1.0, 6.0], [6.0, 6.0]])
    >>> block_stress(pos, (10.0, 10.0, 0.0), np.array([25.0, 50.0, 75.0, 100.0]), 2)
    array([[1., 3.],
           [2., 4.]])
    """
    s = np.asarray(atom_stress_xy, dtype=np.float64)
    pos = np.asarray(positions, dtype=np.float64)
    if s.shape != (pos.shape[0],):
        raise ValueError(
            f"atom_stress_xy must have shape ({pos.shape[0]},) to match positions, got {s.shape}"
        )
    if not np.all(np.isfinite(s)):
        raise ValueError("atom_stress_xy holds non-finite values")
    idx = block_indices(pos, box, m)
    lx, ly, _ = box
    m = int(m)
    area = lx * ly / (m * m)
    sums = np.bincount(idx[:, 0] * m + idx[:, 1], weights=s, minlength=m * m)
    return (sums / area).reshape(m, m)


def block_stress_table(frames: Iterable[Frame], m: int) -> pd.DataFrame:
    """Block stresses of every frame, with the grid following the material in each window.

    For each window the first frame (smallest time) defines ``box_start``; every frame's
    box is continued from it with :func:`continued_box` using the frames' ``strain``, so a
    flip inside a window does not re-tile the grid (:func:`window_boxes`). Nothing but the
    frames' ``window``, ``time``, ``strain`` and boxes is used.

    Parameters
    ----------
    frames : iterable of Frame
        Frames of one run (see :func:`mechnoise.io.iter_frames`), any order.
    m : int
        Blocks per side.

    Returns
    -------
    DataFrame
        Columns of :data:`BLOCK_STRESS_COLUMNS`, one row per frame and block, sorted by
        frame, bx, by.

    Raises
    ------
    ValueError
        If there are no frames, or a window's boxes cannot be continued.
    """
    frame_list = sorted(frames, key=lambda f: (f.window, f.time))
    if not frame_list:
        raise ValueError("no frames: expected at least one frame to coarse-grain")
    m = int(m)
    bx, by = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    parts: list[pd.DataFrame] = []
    boxes = window_boxes(frame_list)
    for fr in frame_list:
        box = boxes[fr.frame]
        sigma = block_stress(fr.positions, box, fr.stress_xy, m)
        parts.append(
            pd.DataFrame(
                {
                    "frame": fr.frame,
                    "window": fr.window,
                    "step": fr.step,
                    "time": fr.time,
                    "strain": fr.strain,
                    "bx": bx.ravel(),
                    "by": by.ravel(),
                    "stress": sigma.ravel(),
                    "block_area": box[0] * box[1] / (m * m),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["frame", "bx", "by"], ignore_index=True)
