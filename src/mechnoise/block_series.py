"""Per-block shear-stress time series computed in LAMMPS over a whole shear run.

Every ``block_every`` steps of every shear segment LAMMPS sums ``compute stress/atom`` xy
(stress × area, kinetic part included) over the atoms of each block of an ``M × M`` grid
in the *reduced* (fractional) coordinates of the current tilted box
(``compute chunk/atom bin/2d ... units reduced`` + ``compute reduce/chunk`` +
``fix ave/time mode vector``; ``lammps_inputs/include/block_grid.lmp``). The blocks are the
ones of :mod:`mechnoise.blocks` (same ``M`` rule, same fractional cells), so between two box
flips the series equals :func:`mechnoise.blocks.block_stress` of a frame at the same step.
Nothing is computed from stored frames.

Block widths. ``M = round(sqrt(lx ly) / W)`` depends on the box, and grids of different
``M`` are not nested, so one fine grid cannot be re-aggregated exactly into the others.
The simulation therefore writes one grid per width of ``shear.block_series.widths``
(default 4, 6, 8, 12 σ: the W scan, which holds the default ``analysis.blocks.width`` = 6).
A grid costs one ``O(N)`` pass every ``block_every`` steps (≲ 1 % of an MD step's cost per
τ0 interval). Choosing another ``analysis.blocks.width`` *within* that list reruns only the
analysis; adding a width to the list reruns the shear segments (their output changes); a
width outside the list is refused at config validation (``mechnoise.config``).

Box flips. With ``flip yes`` LAMMPS's reduced coordinates follow the flipped box, so a
flip re-tiles the grid (block ``(bx, by)`` after a flip holds other material:
``s_x' = s_x + s_y``, not a permutation of blocks). Every row carries the box tilt and an
``epoch`` (number of flips since the start of the run); a lag between two rows of different
epochs must not be used (:func:`same_epoch`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise import columns

#: column -> (dtype, unit, description) of ``block_series.parquet`` (one row per block, width
#: and sampled step).
BLOCK_SERIES_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("block_series.block_series")


@dataclass(frozen=True)
class BlockSeriesSpec:
    """What a shear segment writes: grid widths (sigma) and the interval in steps."""

    widths: tuple[float, ...]
    every: int

    def __post_init__(self) -> None:
        if not self.widths:
            raise ValueError("shear.block_series.widths must hold at least one width")
        for w in self.widths:
            if not (math.isfinite(w) and w > 0):
                raise ValueError(f"shear.block_series.widths: {w!r} is not a positive length")
        if len(set(self.widths)) != len(self.widths):
            raise ValueError(f"shear.block_series.widths has duplicates: {self.widths}")
        if self.every < 1:
            raise ValueError(f"block series interval must be >= 1 step, got {self.every}")

    @classmethod
    def from_interval(cls, widths: Sequence[float], interval: float, dt: float) -> BlockSeriesSpec:
        """Spec with the interval given in time (tau0): ``every = max(1, round(interval / dt))``.

        Examples
        --------
        >>> BlockSeriesSpec.from_interval([6, 4], 1.0, 0.005)
        BlockSeriesSpec(widths=(6.0, 4.0), every=200)
        """
        if not (math.isfinite(interval) and interval > 0):
            raise ValueError(f"shear.block_series.interval must be > 0 tau0, got {interval!r}")
        return cls(tuple(float(w) for w in widths), max(1, round(interval / dt)))


def render_block_series(spec: BlockSeriesSpec, out_prefix: str) -> str:
    """LAMMPS commands (included by ``in.shear`` as ``${block_series}``) for ``spec``.

    One ``include ${inc}/block_grid.lmp`` per width, writing ``{out_prefix}{i}.txt`` for grid
    ``i`` = 1, 2, ..., and a box file ``{out_prefix}box.txt`` (step, lx, ly, xy) at the same
    steps.
    """
    lines = [f"# per-block stress series: widths {list(spec.widths)}, every {spec.every} steps"]
    lines.append(f"variable block_every string {spec.every}")
    lines.append(f"variable block_out string {out_prefix}")
    for i, w in enumerate(spec.widths, start=1):
        lines += [f"variable bi string {i}", f"variable bw string {w!r}"]
        lines.append("include ${inc}/block_grid.lmp")
    lines.append(
        f"fix bseries_box all ave/time {spec.every} 1 {spec.every} v_tstep v_boxlx v_boxly "
        f'v_boxxy file {out_prefix}box.txt format " %.17g"'
    )
    return "\n".join(lines) + "\n"


def _read_vector_file(path: Path) -> dict[int, np.ndarray]:
    """step -> values of a ``fix ave/time mode vector`` file (one value column)."""
    out: dict[int, np.ndarray] = {}
    with open(path) as fh:
        lines = [ln.split() for ln in fh if ln.strip() and not ln.startswith("#")]
    i = 0
    while i < len(lines):
        step, nrows = int(lines[i][0]), int(lines[i][1])
        rows = lines[i + 1 : i + 1 + nrows]
        if len(rows) != nrows:
            raise ValueError(f"{path}: truncated block at step {step}")
        out[step] = np.array([float(r[1]) for r in rows])
        i += 1 + nrows
    return out


def read_segment_series(
    out_prefix: str | Path, spec: BlockSeriesSpec, dt: float, rate: float
) -> pd.DataFrame:
    """Read the files one segment wrote into a table with :data:`BLOCK_SERIES_COLUMNS`.

    ``epoch`` counts flips within the segment only; :func:`merge_series` renumbers it over the
    run.

    Raises
    ------
    ValueError
        If a grid file does not hold ``M²`` blocks at every box row.
    """
    prefix = str(out_prefix)
    box = np.loadtxt(prefix + "box.txt", comments="#", ndmin=2)
    steps = box[:, 1].round().astype(np.int64)
    lx, ly, xy = box[:, 2], box[:, 3], box[:, 4]
    parts = []
    for i, w in enumerate(spec.widths, start=1):
        values = _read_vector_file(Path(f"{prefix}{i}.txt"))
        for row, step in enumerate(steps):
            m = max(1, int(math.floor(math.sqrt(lx[row] * ly[row]) / w + 0.5)))
            sums = values.get(int(step))
            if sums is None or sums.size != m * m:
                got = None if sums is None else sums.size
                raise ValueError(
                    f"{prefix}{i}.txt: step {step}: expected {m * m} blocks, got {got}"
                )
            area = lx[row] * ly[row] / (m * m)
            ids = np.arange(m * m)
            parts.append(
                pd.DataFrame(
                    {
                        "step": step,
                        "width": w,
                        "m": m,
                        # compute chunk/atom bin/2d numbers bins with x varying slowest
                        "bx": ids // m,
                        "by": ids % m,
                        "stress": sums / area,
                        "block_area": area,
                        "xy": xy[row],
                        "lx": lx[row],
                    }
                )
            )
    df = pd.concat(parts, ignore_index=True)
    df["time"] = df["step"] * dt
    df["strain"] = df["time"] * rate
    df["epoch"] = 0
    return df.drop(columns="lx").pipe(_with_epochs, lx=float(lx[0]))


def _with_epochs(df: pd.DataFrame, lx: float) -> pd.DataFrame:
    """Number the box flips: a drop of the tilt by more than lx / 2 between rows."""
    tilt = df.drop_duplicates("step").sort_values("step").set_index("step")["xy"]
    flips = np.concatenate([[0], np.cumsum(np.diff(tilt.to_numpy()) < -0.5 * lx)])
    epoch = pd.Series(flips, index=tilt.index)
    df = df.copy()
    df["epoch"] = df["step"].map(epoch).astype("int32")
    return df


def merge_series(parts: Sequence[pd.DataFrame], lx: float) -> pd.DataFrame:
    """Concatenate per-segment series, drop rows repeated at segment boundaries, renumber
    flips over the run.

    Raises
    ------
    ValueError
        If the sampled steps are not equally spaced (a segment is missing).
    """
    df = pd.concat(parts, ignore_index=True)
    df = df.drop_duplicates(["width", "step", "bx", "by"], keep="first")
    df = df.sort_values(["width", "step", "bx", "by"]).reset_index(drop=True)
    steps = np.sort(df["step"].unique())
    if len(steps) > 2 and np.unique(np.diff(steps[1:])).size > 1:
        raise ValueError(f"block series steps are not equally spaced: {np.unique(np.diff(steps))}")
    return _with_epochs(df, lx)


def same_epoch(epoch: np.ndarray, lag: int) -> np.ndarray:
    """Mask of start rows ``t`` whose lag ``t → t + lag`` stays within one flip epoch.

    Examples
    --------
    >>> same_epoch(np.array([0, 0, 0, 1, 1]), 1)
    array([ True,  True, False,  True])
    """
    return np.asarray(epoch[lag:] == epoch[:-lag]) if lag > 0 else np.ones(epoch.size, bool)


def block_matrix(series: pd.DataFrame, width: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Series of one grid as arrays: ``(time (T,), stress (T, M*M), epoch (T,))``.

    Raises
    ------
    ValueError
        If ``width`` is not a grid of the series (it is not in ``shear.block_series.widths``).
    """
    sub = series[np.isclose(series["width"], width)]
    if sub.empty:
        have = sorted(series["width"].unique())
        raise ValueError(
            f"the block series has no grid of width {width} (has {have}): add it to "
            "shear.block_series.widths (reruns the shear segments)"
        )
    sub = sub.sort_values(["step", "bx", "by"])
    times = sub.drop_duplicates("step")
    n_t = len(times)
    stress = sub["stress"].to_numpy().reshape(n_t, -1)
    return times["time"].to_numpy(), stress, times["epoch"].to_numpy()
