"""Convergence table of the frozen-matrix local yield stresses (issue 21 item 5).

For the snapshots of one density, <sigma_c^m> (Kaplan-Meier, never-yielded blocks censored)
and <Delta sigma^m> with bootstrap errors over blocks, against:

- the strain step (the config's, halved, doubled);
- the frozen-shell width (cutoff + 0.5, + 1 = the workflow's, + 2 sigma);
- the block width W (4, 6, 8, 12 sigma: the grid M = round(sqrt(lx ly) / W));
- the matrix: frozen, thawed at k = 100 and 1000 eps/sigma^2;
- (group ``thawed_k``) the thawed matrix at k = 10, 100, 1000 and (group ``thawed_W``) at
  k = 100 for W = 4, 8, 12, with the local modulus: the frozen values are the k -> inf limit.

Each variant changes one setting of the reference (the demo's protocol: strain_step 1e-3,
3 bisections, max_strain 0.4, W = 6, drop factor 3, loading angle 0) and tests the same
blocks (``--blocks`` per snapshot, spread over the lattice; thawed tests relax the whole
glass, ~8x a frozen one: ``--thawed-blocks`` of them). Where a variant tests the same blocks
as the reference (same W), the table also gives the PAIRED shift: the mean over blocks of
the per-block difference to the reference (blocks that yielded in both), with its bootstrap
error over blocks; that is what decides whether a setting is converged (the unpaired errors
of the two means share the block-to-block spread). Across W the blocks differ: the shift is
the difference of the means with their errors in quadrature. A setting is converged when
its shift plus twice its error is below 2 % of the reference ("yes"); a shift within twice
its error but not that small is "within 2 err" (``verdicts``). Prints a
table; with ``--out`` also writes it as CSV after every row (a killed run keeps the rows it
finished), and the per-block tables as ``<out>.blocks.csv``; ``--summarize CSV...`` prints
the markdown tables of the docs from such CSVs (shifts relative to the reference, ``u``:
unpaired) without running anything. Not run by the tests: it needs the workflow's snapshots
(``results/yield/rho{rho}/snapshots/snapshot*.data``) and minutes to hours of CPU.

Usage (from the repository root, after ``make run``):
    .venv/bin/python benchmarks/frozen_matrix_convergence.py \\
        --snapshots results/yield/rho1.149/snapshots/snapshot*.data --blocks 16 --processes 2
    .venv/bin/python benchmarks/frozen_matrix_convergence.py --summarize conv_1.149.csv
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise.blocks import n_blocks_per_side
from mechnoise.frozen_matrix import (
    FrozenMatrixSettings,
    curves_table,
    local_yield_table,
    run_frozen_matrix,
    yield_statistics,
)
from mechnoise.frozen_matrix.settings import SHELL_MARGIN
from mechnoise.frozen_matrix.snapshots import read_data_file
from mechnoise.stats import bootstrap

INC = Path(__file__).resolve().parents[1] / "lammps_inputs" / "include"
CUTOFF = 2.5
DROP_FACTOR = 3.0


Variant = tuple[str, str, FrozenMatrixSettings, float]


def variants(
    base: FrozenMatrixSettings, width: float, thawed_k: tuple[float, ...] = (100.0, 1000.0)
) -> list[Variant]:
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
    for k in thawed_k:
        s = dataclasses.replace(base, matrix="thawed", thawed_stiffness=k)
        out.append(("matrix", f"thawed k={k:g}", s, width))
    s = dataclasses.replace(base, matrix="thawed", thawed_stiffness=10.0)
    out.append(("thawed_k", "thawed k=10", s, width))
    for w in (4.0, 8.0, 12.0):
        s = dataclasses.replace(base, matrix="thawed", thawed_stiffness=100.0)
        out.append(("thawed_W", f"thawed k=100, W {w:g} sigma", s, w))
    return out


def paired_shift(
    reference: pd.DataFrame, variant: pd.DataFrame, column: str
) -> tuple[float, float, int]:
    """Mean over blocks of ``variant - reference`` for ``column`` (blocks that yielded, and
    converged up to their drop, in both, as ``yield_statistics`` keeps them; matched on config
    and block), its bootstrap error over blocks, and their number."""
    keys = ["config", "bx", "by"]

    def kept(t: pd.DataFrame) -> pd.DataFrame:
        ok = t["yielded"].astype(bool)
        if "converged_to_drop" in t.columns:
            ok &= t["converged_to_drop"].astype(bool)
        return t[ok]

    both = kept(reference).merge(kept(variant), on=keys, suffixes=("_ref", "_var"))
    d = (both[f"{column}_var"] - both[f"{column}_ref"]).to_numpy()
    if d.size < 2:
        return math.nan, math.nan, int(d.size)
    mean, err = bootstrap(np.mean, d)
    return float(mean), float(err), int(d.size)


TOLERANCE = 0.02  # a relative shift below this is converged whatever its error


def verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """Shift of every row to its reference row, relative, with the converged verdict.

    A row's shift is its paired shift where it has one (same blocks), else the difference of
    the two means with their errors in quadrature (across W, where the blocks differ). A
    setting is converged ("yes") when ``(|shift| + 2 err) / reference < TOLERANCE`` (the shift is
    resolved and small); "within 2 err" when ``|shift| <= 2 err`` only (no shift seen, at the
    resolution ``2 err`` of the blocks tested); else "shifts" (a resolved shift, not below
    TOLERANCE).
    Expects one run's rows (one density; the reference row first).
    """
    ref = table[table["group"] == "reference"].iloc[0]
    out = table.copy()
    for value, err, d, name in (
        ("sigma_c_km", "sigma_c_km_err", "dsigma_c", "c"),
        ("sigma_drop_mean", "sigma_drop_mean_err", "ddrop", "drop"),
    ):
        unpaired = out[d].isna()
        shift = out[d].where(~unpaired, out[value] - ref[value])
        shift_err = out[f"{d}_err"].where(~unpaired, np.hypot(out[err], ref[err]))
        out[f"shift_{name}"], out[f"shift_{name}_err"] = shift, shift_err
        out[f"rel_{name}"] = shift / ref[value]
        out[f"rel_{name}_err"] = shift_err / ref[value]
        out[f"paired_{name}"] = ~unpaired
        bound = out[f"rel_{name}"].abs() + 2 * out[f"rel_{name}_err"]  # |shift| + 2 err
        unseen = np.where(shift.abs() <= 2 * shift_err, "within 2 err", "shifts")
        verdict = np.where(bound < TOLERANCE, "yes", unseen)
        keep = (out["group"] != "reference") & np.isfinite(shift)
        out[f"converged_{name}"] = np.where(keep, verdict, "-")
    return out


def pm(v: float, e: float, pct: bool = False) -> str:
    """``v ± e`` for a table cell (in % with ``pct``); ``-`` when ``v`` is not finite."""
    if not np.isfinite(v):
        return "-"
    return f"{100 * v:+.1f} ± {100 * e:.1f} %" if pct else f"{v:.3f} ± {e:.3f}"


def summarize(paths: list[Path]) -> None:
    """Print the markdown tables of the docs from the CSVs of ``--out`` (one run each)."""
    for path in paths:
        t = verdicts(pd.read_csv(path))
        print(f"\n{path.name}\n")
        print(
            "| group | setting | grid | blocks | yielded | <sigma_c> KM | shift | "
            "<Dsigma> | shift | modulus | ok c | ok drop |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for _, r in t.iterrows():
            if r["group"] == "reference":
                r["rel_c"] = r["rel_drop"] = np.nan  # no shift: the mean's own error is above
            is_ref = r["group"] == "reference"
            u_c = "" if r["paired_c"] or is_ref else " u"
            u_drop = "" if r["paired_drop"] or is_ref else " u"
            if isinstance(r.get("error"), str):
                print(f"| {r['group']} | {r['setting']} | FAILED: {r['error'][:70]} |")
                continue
            print(
                f"| {r['group']} | {r['setting']} | {r['grid']} | {r['blocks']:.0f} | "
                f"{r['fraction_yielded']:.2f} | {pm(r['sigma_c_km'], r['sigma_c_km_err'])} | "
                f"{pm(r['rel_c'], r['rel_c_err'], True)}{u_c} | "
                f"{pm(r['sigma_drop_mean'], r['sigma_drop_mean_err'])} | "
                f"{pm(r['rel_drop'], r['rel_drop_err'], True)}{u_drop} | "
                f"{pm(r['local_modulus'], r['local_modulus_err'])} | "
                f"{r['converged_c']} | {r['converged_drop']} |"
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--snapshots", nargs="+", type=Path)
    p.add_argument("--blocks", type=int, default=16, help="blocks per snapshot (0: all)")
    p.add_argument("--thawed-blocks", type=int, default=12, help="blocks of a thawed variant")
    p.add_argument("--thawed-k", default="100,1000", help="stiffnesses of the matrix group")
    p.add_argument("--processes", type=int, default=1)
    p.add_argument("--width", type=float, default=6.0, help="reference block width W (sigma)")
    p.add_argument("--strain-step", type=float, default=1e-3)
    p.add_argument("--max-strain", type=float, default=0.4)
    p.add_argument("--only", default="", help="comma-separated groups to run (default: all)")
    p.add_argument("--out", type=Path, help="also write the table as CSV")
    p.add_argument("--summarize", nargs="+", type=Path, help="only print tables of CSVs")
    args = p.parse_args()
    if args.summarize:
        summarize(args.summarize)
        return
    if not args.snapshots:
        p.error("--snapshots is required (unless --summarize)")
    logging.basicConfig(level=logging.WARNING)
    box = read_data_file(args.snapshots[0])[3]
    base = FrozenMatrixSettings(
        strain_step=args.strain_step, refine_steps=3, max_strain=args.max_strain,
        shell=CUTOFF + SHELL_MARGIN,
    )  # fmt: skip
    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    rows = []
    per_block: list[pd.DataFrame] = []
    tables: dict[tuple[int, int], pd.DataFrame] = {}  # (grid, blocks) -> reference-protocol table
    stiffnesses = tuple(float(k) for k in args.thawed_k.split(","))
    for group, label, settings, width in variants(base, args.width, stiffnesses):
        if groups and group not in groups and group != "reference":
            continue
        grid = n_blocks_per_side(box, width)  # as the workflow chooses it
        blocks = args.thawed_blocks if settings.matrix == "thawed" else args.blocks
        t0, c0 = time.perf_counter(), time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            try:
                results = run_frozen_matrix(
                    args.snapshots, grid, settings, tmp, include_dir=INC, max_blocks=blocks,
                    processes=args.processes, progress_seconds=1e9,
                )  # fmt: skip
            except RuntimeError as exc:  # a failed variant is a row, not the end of the table
                print(f"FAILED: {group} {label}: {exc}", flush=True)
                rows.append({"group": group, "setting": label, "grid": grid, "error": str(exc)})
                continue
        table = local_yield_table(curves_table(results), settings.strain_step, DROP_FACTOR)
        st = yield_statistics(table)
        # the paired reference: the frozen reference protocol on the same grid and blocks
        # (run first for W = 6; for other W the frozen W row, which precedes the thawed one)
        same_blocks = tables.get((grid, blocks))
        if same_blocks is None and blocks != args.blocks:
            sub = tables.get((grid, args.blocks))
            if sub is not None:  # the thawed blocks are a subset: select_blocks(grid, n)
                same_blocks = sub.merge(table[["config", "bx", "by"]], on=["config", "bx", "by"])
        if settings.matrix == "frozen" and group in ("reference", "W"):
            tables[(grid, blocks)] = table
        shift = {}
        per_block.append(table.assign(group=group, setting=label, grid=grid))
        for col, name in (
            ("sigma_c", "dsigma_c"), ("sigma_drop", "ddrop"), ("local_modulus", "dmodulus")
        ):
            if same_blocks is not None and group != "reference":
                m, e, n = paired_shift(same_blocks, table, col)
            else:
                m, e, n = math.nan, math.nan, 0
            shift |= {name: m, f"{name}_err": e, "paired_blocks": n}
        rows.append(
            {
                "group": group, "setting": label, "grid": grid, "blocks": st["n_blocks"],
                "fraction_yielded": st["fraction_yielded"],
                "sigma_c_km": st["sigma_c_km"], "sigma_c_km_err": st["sigma_c_km_err"],
                "sigma_drop_mean": st["sigma_drop_mean"],
                "sigma_drop_mean_err": st["sigma_drop_mean_err"],
                "local_modulus": st["local_modulus_mean"],
                "local_modulus_err": st.get("local_modulus_err", math.nan), **shift,
                "wall_s": time.perf_counter() - t0, "cpu_s_parent": time.process_time() - c0,
            }
        )  # fmt: skip
        print(f"done: {group} {label} ({rows[-1]['wall_s']:.0f} s)", flush=True)
        if args.out:  # after every row: a killed run keeps the rows it finished
            pd.DataFrame(rows).to_csv(args.out, index=False)
            pd.concat(per_block).to_csv(args.out.with_suffix(".blocks.csv"), index=False)
    out = pd.DataFrame(rows)
    print(out.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.out:
        out.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
