"""Convergence table of the frozen-matrix local yield stresses (issue 21 item 5).

For the snapshots of one density, <sigma_c^m> (Kaplan-Meier, never-yielded blocks censored)
and <Delta sigma^m> with bootstrap errors over blocks, against:

- the strain step (the config's, halved, doubled);
- the frozen-shell width (cutoff + 0.5, + 1 = the workflow's, + 2 sigma);
- the block width W (4, 6, 8, 12 sigma: the grid M = round(sqrt(lx ly) / W));
- the matrix: frozen, thawed at k = 100 and 1000 eps/sigma^2.

Each variant changes one setting of the reference (the demo's protocol: strain_step 1e-3,
3 bisections, max_strain 0.4, W = 6, drop factor 3, loading angle 0) and tests the same
blocks (``--blocks`` per snapshot, spread over the lattice). Prints a Markdown table; with
``--out`` also writes it as CSV. Not run by the tests: it needs the workflow's snapshots
(``results/yield/rho{rho}/snapshots/snapshot*.data``) and minutes to hours of CPU.

Usage (from the repository root, after ``make run``):
    .venv/bin/python benchmarks/frozen_matrix_convergence.py \\
        --snapshots results/yield/rho1.149/snapshots/snapshot*.data --blocks 16 --processes 2
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import tempfile
import time
from pathlib import Path

import pandas as pd

from mechnoise.frozen_matrix import (
    FrozenMatrixSettings,
    curves_table,
    local_yield_table,
    run_frozen_matrix,
    yield_statistics,
)
from mechnoise.frozen_matrix.settings import SHELL_MARGIN
from mechnoise.frozen_matrix.snapshots import read_data_file

INC = Path(__file__).resolve().parents[1] / "lammps_inputs" / "include"
CUTOFF = 2.5
DROP_FACTOR = 3.0


def grid_for(box: tuple[float, float, float], width: float) -> int:
    """Blocks per side for a target width W (sigma), as the workflow chooses them."""
    return max(1, round(math.sqrt(box[0] * box[1]) / width))


Variant = tuple[str, str, FrozenMatrixSettings, float]


def variants(base: FrozenMatrixSettings, width: float) -> list[Variant]:
    """(group, label, settings, W) of every row of the table."""
    out = [("reference", "demo protocol", base, width)]
    for f in (0.5, 2.0):
        s = dataclasses.replace(base, strain_step=base.strain_step * f)
        out.append(("strain step", f"{s.strain_step:g}", s, width))
    for margin in (0.5, 2.0):
        s = dataclasses.replace(base, shell=CUTOFF + margin)
        out.append(("shell", f"{CUTOFF + margin:g} sigma", s, width))
    for w in (4.0, 8.0, 12.0):
        out.append(("W", f"{w:g} sigma", base, w))
    for k in (100.0, 1000.0):
        s = dataclasses.replace(base, matrix="thawed", thawed_stiffness=k)
        out.append(("matrix", f"thawed k={k:g}", s, width))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--snapshots", nargs="+", type=Path, required=True)
    p.add_argument("--blocks", type=int, default=16, help="blocks per snapshot (0: all)")
    p.add_argument("--processes", type=int, default=1)
    p.add_argument("--width", type=float, default=6.0, help="reference block width W (sigma)")
    p.add_argument("--strain-step", type=float, default=1e-3)
    p.add_argument("--max-strain", type=float, default=0.4)
    p.add_argument("--only", default="", help="comma-separated groups to run (default: all)")
    p.add_argument("--out", type=Path, help="also write the table as CSV")
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    box = read_data_file(args.snapshots[0])[3]
    base = FrozenMatrixSettings(
        strain_step=args.strain_step, refine_steps=3, max_strain=args.max_strain,
        shell=CUTOFF + SHELL_MARGIN,
    )  # fmt: skip
    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    rows = []
    for group, label, settings, width in variants(base, args.width):
        if groups and group not in groups and group != "reference":
            continue
        grid = grid_for(box, width)
        t0, c0 = time.perf_counter(), time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            results = run_frozen_matrix(
                args.snapshots, grid, settings, tmp, include_dir=INC, max_blocks=args.blocks,
                processes=args.processes, progress_seconds=1e9,
            )  # fmt: skip
        table = local_yield_table(curves_table(results), settings.strain_step, DROP_FACTOR)
        st = yield_statistics(table)
        rows.append(
            {
                "group": group, "setting": label, "grid": grid, "blocks": st["n_blocks"],
                "fraction_yielded": st["fraction_yielded"],
                "sigma_c_km": st["sigma_c_km"], "sigma_c_km_err": st["sigma_c_km_err"],
                "sigma_drop_mean": st["sigma_drop_mean"],
                "sigma_drop_mean_err": st["sigma_drop_mean_err"],
                "local_modulus": st["local_modulus_mean"],
                "wall_s": time.perf_counter() - t0, "cpu_s_parent": time.process_time() - c0,
            }
        )  # fmt: skip
        print(f"done: {group} {label} ({rows[-1]['wall_s']:.0f} s)", flush=True)
    out = pd.DataFrame(rows)
    print(out.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.out:
        out.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
