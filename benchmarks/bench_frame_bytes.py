"""Bytes per atom and frame of `frames.parquet` at the paper preset's size and sampling.

Run:  .venv/bin/python benchmarks/bench_frame_bytes.py [--n 16000] [--window 20]

A shortened paper-preset run: N = 16000 at rho = 1.149, one dense frame window of
``--window`` tau0 with a frame every 0.1 tau0 at gamma_dot = 1e-4, written by the workflow's
own segment code (`mechnoise.lammps.protocols.run_shear_segment`, dump -> parquet). It
prints the measured bytes per atom-frame, per column, and the arithmetic for the paper
preset (4 windows x 1000 tau0 every 0.1 tau0 = 40 000 frames per run), against the 20 GB
budget and `mechnoise.lammps.cost.FRAME_BYTES_PER_ATOM`.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from mechnoise.lammps.cost import FRAME_BYTES_PER_ATOM, frame_bytes
from mechnoise.lammps.engine import EngineSpec
from mechnoise.lammps.protocols import Model, prepare_glass, run_shear_segment
from mechnoise.lammps.schedule import plan_shear

LAMMPS_INPUTS = Path(__file__).resolve().parents[1] / "lammps_inputs"
PAPER_FRAMES = 4 * round(1000.0 / 0.1)  # paper preset: 4 windows of 1000 tau0, every 0.1
BUDGET = 20e9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=16000, help="particles (paper: 16000)")
    ap.add_argument("--window", type=float, default=20.0, help="window length (tau0)")
    args = ap.parse_args()
    model = Model(args.n, 0.65)
    rate, dt, every = 1e-4, 0.005, 0.1
    strain = args.window * rate
    plan = plan_shear(rate, dt, strain, strain, 0.0, strain / 10, 1, args.window, every)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        glass = root / "glass.data"
        prepare_glass(
            model, 1.149, 1, glass, script=LAMMPS_INPUTS / "in.prepare",
            temperature=1.0, equilibration_time=2.0, quench_time=1.0, dt=dt,
        )  # fmt: skip
        frames = root / "frames.parquet"
        run_shear_segment(
            model, plan, 0, script=LAMMPS_INPUTS / "in.shear", glass=glass, restart_in=None,
            restart_out=root / "out.restart", thermo_out=root / "thermo.parquet",
            frames_out=frames, workdir=root, damping="viscous", damping_time=1.0, skin=0.3,
            seed=1, engine=EngineSpec(kind="python", suffix="opt"),
        )  # fmt: skip
        meta = pq.ParquetFile(frames).metadata
        rows = meta.num_rows
        size = frames.stat().st_size
        per_column: dict[str, int] = {}
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for c in range(group.num_columns):
                col = group.column(c)
                per_column[col.path_in_schema] = (
                    per_column.get(col.path_in_schema, 0) + col.total_compressed_size
                )
    n_frames = rows // args.n
    per_atom = size / rows
    print(f"N = {args.n}, {n_frames} frames every {every} tau0 at rate {rate:g}: {size} bytes")
    print(f"measured: {per_atom:.2f} bytes per atom-frame")
    for name, b in per_column.items():
        print(f"  {name:10s} {b / rows:6.2f} B")
    paper = per_atom * args.n * PAPER_FRAMES
    print(
        f"paper preset: {PAPER_FRAMES} frames x {args.n} atoms x {per_atom:.2f} B = "
        f"{paper / 1e9:.1f} GB per run (budget {BUDGET / 1e9:.0f} GB; "
        f"cost.frame_bytes with {FRAME_BYTES_PER_ATOM:g} B: "
        f"{frame_bytes(args.n, PAPER_FRAMES) / 1e9:.1f} GB); measured / assumed "
        f"{per_atom / FRAME_BYTES_PER_ATOM:.3f}"
    )


if __name__ == "__main__":
    main()
