"""Falk–Langer D²min (paper §3, Eq. 5).

The per-frame kernel is :func:`d2min` (one frame pair); :func:`d2min_frames` loops over the
frame pairs ``(t, t + lag)`` of a run, never across a window boundary.

Bond vectors and periodic images
--------------------------------
Positions are *unwrapped* LAMMPS coordinates (``xu = x + ix lx + iy xy``). Under shear the
image offset of a bond that crosses the ``y`` boundary changes with the tilt, and a box flip
(``xy → xy − lx``) changes the box representation without moving any particle. Writing the
current bond as ``r0_ij + (u_j − u_i)`` with ``u`` the unwrapped displacement is therefore
wrong for every pair whose unwrapped coordinates are different periodic images (it misses
``n_ij · (h_cur − h_ref)``: ``γ̇ δt ly`` per y-image, i.e. 1.6 sigma at ``γ̇ = 1e-2``,
``δt = 4``, ``ly = 41``). Here both bonds are minimum images in their own frame's box:
``r0_ij = mic_ref(R_j(t) − R_i(t))`` and ``d_ij = mic_cur(R_j(t+δt) − R_i(t+δt))``. This
holds for any box representation (flipped or not) as long as a bond stays shorter than half
the box's smallest width in both frames (checked for ``r_max`` in the neighbour frame; the
other frame's bonds differ by the relative displacement over ``δt``, assumed ≪ L/2), and a
test shows it reproduces an affine deformation with the periodic box exactly (D²min = 0)
across a flip, and LAMMPS' own D²min across a flip.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from mechnoise import columns
from mechnoise._typing import FloatArray, IntArray
from mechnoise.io import Box, Frame
from mechnoise.plasticity.neighbors import as_positions, minimum_image, neighbor_pairs

__all__ = [
    "D2MIN_COLUMNS",
    "d2min",
    "d2min_frames",
    "lagged_frame_pairs",
    "window_spacings",
    "windows_resolving",
]

log = logging.getLogger(__name__)


#: column -> (dtype, unit, description) of ``d2min.parquet`` (one row per atom and frame pair).
D2MIN_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.d2min")

#: A particle's bond matrix Y is singular if det Y < this * (tr Y)².
_SINGULAR_RTOL = 1e-12


def _d2min_from_bonds(
    n: int, i: IntArray, j: IntArray, r0: FloatArray, d: FloatArray, mean: bool
) -> FloatArray:
    """D²min of every particle from an undirected bond list (reference r0, current d)."""

    def per_particle(w: FloatArray) -> FloatArray:
        # A pair contributes the same outer products to i (bond j - i) and to j (bond i - j).
        total = np.bincount(i, w, minlength=n) + np.bincount(j, w, minlength=n)
        return total.astype(np.float64)

    x00, x01 = per_particle(d[:, 0] * r0[:, 0]), per_particle(d[:, 0] * r0[:, 1])
    x10, x11 = per_particle(d[:, 1] * r0[:, 0]), per_particle(d[:, 1] * r0[:, 1])
    y00, y01 = per_particle(r0[:, 0] * r0[:, 0]), per_particle(r0[:, 0] * r0[:, 1])
    y11 = per_particle(r0[:, 1] * r0[:, 1])
    count = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    det = y00 * y11 - y01 * y01
    singular = (count < 2) | (det <= _SINGULAR_RTOL * (y00 + y11) ** 2)
    inv_det = 1.0 / np.where(singular, 1.0, det)
    # J = X Y^-1 with Y^-1 = [[y11, -y01], [-y01, y00]] / det.
    j00 = (x00 * y11 - x01 * y01) * inv_det
    j01 = (x01 * y00 - x00 * y01) * inv_det
    j10 = (x10 * y11 - x11 * y01) * inv_det
    j11 = (x11 * y00 - x10 * y01) * inv_det

    def residual(k: IntArray) -> FloatArray:
        ex = d[:, 0] - j00[k] * r0[:, 0] - j01[k] * r0[:, 1]
        ey = d[:, 1] - j10[k] * r0[:, 0] - j11[k] * r0[:, 1]
        return ex * ex + ey * ey

    d2: FloatArray = (
        np.bincount(i, residual(i), minlength=n) + np.bincount(j, residual(j), minlength=n)
    ).astype(np.float64)
    if mean:
        d2 /= np.maximum(count, 1)
    d2[singular] = np.nan
    return d2


def d2min(
    ref_positions: npt.ArrayLike,
    cur_positions: npt.ArrayLike,
    ref_box: Box,
    cur_box: Box,
    r_max: float = 2.5,
    *,
    neighbor_frame: Literal["reference", "current"] = "reference",
    mean: bool = False,
) -> FloatArray:
    """Falk–Langer non-affine displacement D²min of every particle between two frames.

    Parameters
    ----------
    ref_positions, cur_positions : array_like, shape (N, 2)
        Unwrapped (or any periodic representative) positions at the reference time ``t``
        and at ``t + δt`` (sigma), rows in the same particle order.
    ref_box, cur_box : tuple of float
        LAMMPS ``(lx, ly, xy)`` of each frame (sigma); flipped boxes are fine.
    r_max : float
        Neighbour cutoff (sigma), ``analysis.d2min.r_max``.
    neighbor_frame : {"reference", "current"}
        Frame in which neighbours are selected (``|r| < r_max``). The paper (Falk–Langer)
        uses the reference frame; LAMMPS ``fix nonaffine/displacement`` the current one.
    mean : bool
        Divide by the number of neighbours (LAMMPS' convention) instead of summing (Eq. 5).

    Returns
    -------
    ndarray of float64, shape (N,)
        ``D²min_i`` (sigma²); NaN for particles with fewer than 2 non-collinear neighbours.

    Raises
    ------
    ValueError
        If shapes differ, values are non-finite, the box is narrower than ``2 r_max`` or
        ``neighbor_frame`` is unknown.

    Notes
    -----
    Eq. (5): ``D²(i, t, δt) = min_ε Σ_j |d_ij − (I + ε) r0_ij|²`` over the neighbours ``j``
    of ``i``, with ``r0_ij`` the bond at ``t`` and ``d_ij`` at ``t + δt`` (both minimum
    images in their own box, see the module notes). Closed form: ``X = Σ d r0ᵀ``,
    ``Y = Σ r0 r0ᵀ``, ``J = I + ε = X Y⁻¹``, ``D² = Σ |d − J r0|²``, with per-particle
    sums as bincounts over the pair list (no Python loop over particles).

    References
    ----------
    M. L. Falk and J. S. Langer, Phys. Rev. E 57, 7192 (1998).

    Examples
    --------
    An affine simple shear of a square lattice (box sheared with it) is not plastic:

    >>> g = np.stack(np.meshgrid(np.arange(8.0), np.arange(8.0)), -1).reshape(-1, 2)
    >>> sheared = g + 0.05 * g[:, [1]] * np.array([1.0, 0.0])
    >>> float(np.max(d2min(g, sheared, (8.0, 8.0, 0.0), (8.0, 8.0, 0.4), r_max=1.5))) < 1e-20
    True
    """
    ref = as_positions(ref_positions, "ref_positions")
    cur = as_positions(cur_positions, "cur_positions")
    if ref.shape != cur.shape:
        raise ValueError(f"ref_positions {ref.shape} and cur_positions {cur.shape} differ")
    if neighbor_frame == "reference":
        i, j, r0 = neighbor_pairs(ref, ref_box, r_max)
        d = minimum_image(cur[j] - cur[i], cur_box)
    elif neighbor_frame == "current":
        i, j, d = neighbor_pairs(cur, cur_box, r_max)
        r0 = minimum_image(ref[j] - ref[i], ref_box)
    else:
        raise ValueError(f"neighbor_frame must be 'reference' or 'current', got {neighbor_frame!r}")
    return _d2min_from_bonds(ref.shape[0], i, j, r0, d, mean)


def lagged_frame_pairs(frame_table: pd.DataFrame, lag: float) -> pd.DataFrame:
    """Pairs of frames ``(t, t + lag)`` inside one window.

    Parameters
    ----------
    frame_table : DataFrame
        One row per frame with columns frame, window, time (tau0).
    lag : float
        Time lag (tau0), a multiple of the frame interval.

    Returns
    -------
    DataFrame
        Columns frame (reference), partner (frame at ``time + lag``, same window), window,
        time, sorted by frame.

    Raises
    ------
    ValueError
        If ``lag`` is not positive or no window holds a pair of frames ``lag`` apart.

    Examples
    --------
    >>> t = pd.DataFrame({"frame": [0, 1, 2, 3, 4], "window": [0, 0, 0, 1, 1],
    ...                   "time": [0.0, 1.0, 2.0, 10.0, 11.0]})
    >>> lagged_frame_pairs(t, 1.0)[["frame", "partner"]].values.tolist()
    [[0, 1], [1, 2], [3, 4]]
    """
    if not (np.isfinite(lag) and lag > 0):
        raise ValueError(f"lag must be a positive time (tau0), got {lag!r}")
    tol = 1e-4 * lag
    rows = []
    for window, group in frame_table.groupby("window", sort=True):
        g = group.sort_values("time")
        times = g["time"].to_numpy(np.float64)
        pos = np.searchsorted(times, times + lag - tol)
        ok = pos < times.size
        ok[ok] = np.abs(times[pos[ok]] - times[ok] - lag) <= tol
        frames = g["frame"].to_numpy()
        rows.append(
            pd.DataFrame(
                {
                    "frame": frames[ok],
                    "partner": frames[pos[ok]],
                    "window": window,
                    "time": times[ok],
                }
            )
        )
    pairs = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if pairs.empty:
        raise ValueError(
            f"no two frames {lag} tau0 apart inside one window: the D2min lag must be a "
            "multiple of shear.frames.frame_interval and shorter than the windows"
        )
    return pairs.sort_values("frame", ignore_index=True)


def d2min_frames(frames: Sequence[Frame], lag: float, r_max: float = 2.5) -> pd.DataFrame:
    """D²min(i, t, lag) for every frame ``t`` that has a frame ``lag`` later in its window.

    Parameters
    ----------
    frames : sequence of Frame
        Frames of one run (:func:`mechnoise.io.read_frames`).
    lag : float
        ``δt`` (tau0), ``analysis.d2min.lag``.
    r_max : float
        Neighbour cutoff in the reference frame (sigma).

    Returns
    -------
    DataFrame
        Columns of :data:`D2MIN_COLUMNS`; ``frame`` is the reference frame ``t``.

    Raises
    ------
    ValueError
        If no frame pair is ``lag`` apart inside a window, or a pair's atom ids differ.
    """
    by_index = {f.frame: f for f in frames}
    table = pd.DataFrame(
        {
            "frame": [f.frame for f in frames],
            "window": [f.window for f in frames],
            "time": [f.time for f in frames],
        }
    )
    pairs = lagged_frame_pairs(table, lag)
    parts = []
    for ref_index, cur_index in zip(pairs["frame"], pairs["partner"], strict=True):
        ref, cur = by_index[ref_index], by_index[cur_index]
        if not np.array_equal(ref.ids, cur.ids):
            raise ValueError(f"frames {ref_index} and {cur_index} hold different atom ids")
        values = d2min(ref.positions, cur.positions, ref.box, cur.box, r_max)
        n_nan = int(np.isnan(values).sum())
        if n_nan:
            log.warning("frame %d: %d particles without a defined D2min (NaN)", ref_index, n_nan)
        parts.append(
            pd.DataFrame(
                {
                    "frame": ref.frame,
                    "window": ref.window,
                    "time": ref.time,
                    "id": ref.ids,
                    "d2min": values,
                }
            )
        )
        log.info("D2min frame %d -> %d: mean %.4g", ref_index, cur_index, np.nanmean(values))
    return pd.concat(parts, ignore_index=True)


def window_spacings(frame_table: pd.DataFrame) -> dict[int, float]:
    """Frame spacing (tau0) of every window with two frames or more (columns window, time).

    A run's windows may have different spacings: dense windows (``shear.frames.frame_interval``)
    and survey windows (``shear.frames.survey_interval``); each is equally spaced.

    Examples
    --------
    >>> t = pd.DataFrame({"window": [0, 0, 0, 1, 1], "time": [0.0, 0.2, 0.4, 2.0, 3.0]})
    >>> window_spacings(t)
    {0: 0.2, 1: 1.0}
    """
    out: dict[int, float] = {}
    for window, g in frame_table.groupby("window", sort=True):
        times = np.unique(g["time"].to_numpy(np.float64))
        if times.size > 1:
            out[int(window)] = round(float((times[-1] - times[0]) / (times.size - 1)), 12)
    return out


def windows_resolving(frame_table: pd.DataFrame, lag: float) -> list[int]:
    """Windows whose frame spacing divides ``lag`` (a whole number of frame intervals).

    With survey frames these are the dense windows for a short lag such as τ_p's 0.2 tau0,
    and every window for the D²min lag.

    Examples
    --------
    >>> t = pd.DataFrame({"window": [0, 0, 0, 1, 1], "time": [0.0, 0.2, 0.4, 2.0, 3.0]})
    >>> windows_resolving(t, 0.2), windows_resolving(t, 4.0)
    ([0], [0, 1])
    """
    keep = []
    for window, dt in window_spacings(frame_table).items():
        ratio = lag / dt
        if ratio >= 1 - 1e-6 and abs(ratio - round(ratio)) <= 1e-6:
            keep.append(window)
    return keep
