"""Block-size scan: the same frames and onsets analysed on coarse grids of several widths W.

The coarse block width ``W`` is a choice of the analysis (DESIGN §3: ``W ≈ <l_pl>``, default 6).
This module repeats, for each ``W`` of ``analysis.inflow.widths``, on the same frames:

- the frame-based block stresses (:func:`mechnoise.blocks.block_stress_table`) and their MSD
  fit ``D_σ`` (:mod:`mechnoise.diffusion`, the same estimator as ``diffusion_summary``);
- Γ of the persistent onsets, re-binned on the ``M × M`` grid by their stored centroids
  (Γ per block scales with the block area ``W²`` when onsets are counted once each);
- the in-flow threshold and drops (:mod:`mechnoise.plasticity.triggered`).

So whether the HL ingredients depend on ``W`` is read off one table. The paper's ``w0 = 2``
activity grid (clusters, onsets) is not scanned: only the coarse grid changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mechnoise import columns, diffusion
from mechnoise.blocks import block_stress_table, n_blocks_per_side
from mechnoise.io import Frame
from mechnoise.plasticity.rate import event_rate
from mechnoise.plasticity.triggered import onset_stress, summarize_onset_stress

__all__ = [
    "BLOCK_SCAN_COLUMNS",
    "BLOCK_SCAN_ONSET_COLUMNS",
    "COLLECTED_BLOCK_SCAN_COLUMNS",
    "block_width_scan",
    "rebin_onsets",
]


#: column -> (dtype, unit, description) of ``block_width_scan.parquet`` (one row per W).
BLOCK_SCAN_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.block_scan.block_scan"
)

#: column -> (dtype, unit, description) of ``block_width_onsets.parquet``: the onset table of
#: :func:`mechnoise.plasticity.triggered.onset_stress` on every grid (one row per W and onset),
#: for the delete-one in-flow means over the noise segments (:mod:`mechnoise.hl.width_scan`).
BLOCK_SCAN_ONSET_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.block_scan.block_scan_onset"
)

#: column -> (dtype, unit, description) of ``results/block_width_scan.parquet`` (every run).
COLLECTED_BLOCK_SCAN_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.block_scan.collected_block_scan"
)


def rebin_onsets(events: pd.DataFrame, m: int) -> pd.DataFrame:
    """Onsets with ``bx, by`` recomputed on an ``m × m`` grid from their stored centroids.

    Examples
    --------
    >>> ev = pd.DataFrame({"centroid_x": [0.1, 0.99], "centroid_y": [0.5, 0.0], "bx": 0, "by": 0})
    >>> rebin_onsets(ev, 4)[["bx", "by"]].values.tolist()
    [[0, 2], [3, 0]]
    """
    out = events.copy()
    for axis, col in (("bx", "centroid_x"), ("by", "centroid_y")):
        out[axis] = np.minimum((out[col].to_numpy(np.float64) * m).astype(int), m - 1)
    return out


def block_width_scan(
    frames: Sequence[Frame],
    events: pd.DataFrame,
    activity: pd.DataFrame,
    persistent: np.ndarray,
    *,
    widths: Sequence[float],
    shear_modulus: float,
    max_lag: float,
    fit_window: tuple[float, float],
    drop_delay: float,
    level_width: float,
    n_segments: int,
    percolated: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``D_σ``, Γ and the in-flow threshold and drop for every block width ``W``.

    Parameters
    ----------
    frames : sequence of Frame
        Frames of the run.
    events, activity : DataFrame
        ``events.parquet`` (with centroids) and ``activity.parquet`` of the run.
    persistent : ndarray of bool
        Which onsets are events (:func:`mechnoise.plasticity.rate.persistent_onsets`).
    widths : sequence of float
        Block widths ``W`` (sigma).
    shear_modulus : float
        ``G0`` (eps/sigma²) for the drift of the MSD.
    max_lag, fit_window : float, (float, float)
        MSD lags and fit window (tau0), as ``analysis.stress_msd``.
    drop_delay, level_width, n_segments
        As in :func:`mechnoise.plasticity.triggered.onset_stress`.
    percolated : bool
        The run's activity percolates (``Gamma_note`` of its plasticity summary):
        Γ is NaN on every grid, as in the summary.

    Returns
    -------
    (DataFrame, DataFrame)
        Columns of :data:`BLOCK_SCAN_COLUMNS`, one row per distinct ``M`` (two widths that
        round to the same grid give one row, the first width), and the onsets of every grid
        (:data:`BLOCK_SCAN_ONSET_COLUMNS`) the in-flow means are over.

    Raises
    ------
    ValueError
        If there are no frames or no widths.
    """
    if not frames or not widths:
        raise ValueError("block_width_scan needs frames and at least one width")
    box = frames[0].box
    rows, seen, tables = [], set(), []
    for width in widths:
        m = n_blocks_per_side(box, float(width))
        if m in seen:
            continue
        seen.add(m)
        table = block_stress_table(frames, m)
        fit = diffusion.fit_stress_diffusion(
            diffusion.stress_msd_samples(table, shear_modulus, max_lag), *fit_window
        )
        kept = rebin_onsets(events[persistent], m)
        gamma, gamma_err, _, _ = event_rate(kept, activity.assign(m=m))
        if percolated:
            gamma = gamma_err = math.nan
        on = onset_stress(
            table,
            rebin_onsets(events, m),
            persistent,
            coarse_blocks=m,
            drop_delay=drop_delay,
            level_width=level_width,
            n_segments=n_segments,
        )
        tables.append(on.assign(W=float(width), M=m))
        flow = summarize_onset_stress(on).iloc[0]
        rows.append(
            {
                "W": float(width),
                "M": m,
                "block_side": math.sqrt(box[0] * box[1]) / m,
                "D_sigma": fit.d_sigma,
                "D_sigma_err": fit.d_sigma_err,
                "Gamma": gamma,
                "Gamma_err": gamma_err,
                "sigma_c_flow": float(flow["sigma_c_flow"]),
                "sigma_c_flow_err": float(flow["sigma_c_flow_err"]),
                "stress_drop_flow": float(flow["stress_drop_flow"]),
                "stress_drop_flow_err": float(flow["stress_drop_flow_err"]),
                "n_onsets_flow": int(flow["n_onsets_flow"]),
            }
        )
    onsets = pd.concat(tables, ignore_index=True)[list(BLOCK_SCAN_ONSET_COLUMNS)]
    return pd.DataFrame(rows, columns=list(BLOCK_SCAN_COLUMNS)), onsets
