"""Seed-to-seed spread of a flow curve at one density: per-seed and combined free-n fits.

Reads the thermo tables of finished runs (any results folders) and prints, for one density,
each seed's steady stress per rate with its within-run error, each seed's free Herschel–Bulkley
fit, the fits of seeds combined as the workflow combines them (``stats.combine_runs``, then
``rheology.fit_herschel_bulkley`` over every rate), and per rate the chi-square of the seeds'
stresses against their within-run errors (an honest within-run error gives about 1 per degree
of freedom). Used for the medium preset's rho = 1.322 (docs/medium_vs_paper.md, "Where it
does not, and why"):

    .venv/bin/python benchmarks/medium_seeds.py --density 1.322 \\
        --run 1=/work/medium/results --run 2=/work/medium_seeds/results \\
        --run 3=/work/medium_seeds/results
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise import io, rheology, stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--density", required=True, help="density as in the run folders, e.g. 1.322")
    ap.add_argument("--run", action="append", required=True, metavar="SEED=RESULTS",
                    help="a seed and the results folder holding it (repeat)")
    ap.add_argument("--n-blocks", type=int, default=5, help="analysis.flow.n_error_blocks")
    args = ap.parse_args()
    rows = []
    for spec in args.run:
        seed, folder = spec.split("=", 1)
        base = Path(folder) / "shear" / f"rho{args.density}"
        for rate_dir in sorted(base.glob("rate*")):
            path = rate_dir / f"seed{seed}" / "thermo.parquet"
            if not path.exists():
                raise SystemExit(f"{path}: no such thermo table (is the run finished?)")
            mean, err, _ = rheology.steady_state_stress(io.read_thermo(path), args.n_blocks)
            rows.append({"seed": int(seed), "rate": float(rate_dir.name[4:]), "stress": mean,
                         "err": err})
    per = pd.DataFrame(rows)
    table = per.pivot(index="rate", columns="seed", values="stress").round(3).astype(str)
    table += " ± " + per.pivot(index="rate", columns="seed", values="err").round(3).astype(str)
    print(f"rho = {args.density}: steady stress ± within-run error, per seed\n")
    print(table.to_string())

    def fit(g: pd.DataFrame) -> str:
        g = g.sort_values("rate")
        f = rheology.fit_herschel_bulkley(g["rate"], g["stress"], g["err"], n=None)
        return (f"n = {f.exponent:.3f} ± {f.exponent_err:.3f}, chi2_red {f.chi2_red:.2f}, "
                f"sigma_Y {f.sigma_y:.3f}")

    print("\nfree Herschel-Bulkley fit, every rate")
    seeds = sorted(per["seed"].unique())
    for k in range(1, len(seeds) + 1):
        for group in itertools.combinations(seeds, k):
            part = per[per["seed"].isin(group)]
            comb = [
                (rate, *stats.combine_runs(g["stress"], g["err"]))
                for rate, g in part.groupby("rate")
            ]
            curve = pd.DataFrame(comb, columns=["rate", "stress", "err"])
            print(f"  seeds {', '.join(map(str, group)):10s} {fit(curve)}")
    if len(seeds) > 1:
        print("\nbetween seeds, per rate (chi2 of the stresses with their within-run errors)")
        for rate, g in per.groupby("rate"):
            m, e = g["stress"].to_numpy(), g["err"].to_numpy()
            chi2 = float(np.sum((m - np.average(m, weights=e**-2)) ** 2 / e**2))
            print(f"  {rate:g}: sd {m.std(ddof=1):.3f}, mean within-run error {e.mean():.3f}, "
                  f"chi2 {chi2:.1f} on {len(m) - 1} dof")


if __name__ == "__main__":
    main()
