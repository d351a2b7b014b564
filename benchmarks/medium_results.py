"""Print a finished run's results beside the paper's, and copy Figs. 2 and 3 to docs/.

Made for the medium preset (docs/medium_vs_paper.md), but it reads any results folder:

    .venv/bin/snakemake --cores 2 --configfile workflow/presets/medium.yaml
    .venv/bin/python benchmarks/medium_results.py results --docs docs/medium

It prints, as Markdown: the flow curves with the step between neighbouring rates in units
of its error (the monotonicity check), the Herschel–Bulkley fits (n free and n = 1/2),
the per-density quantities that enter the HL comparison, and Table 1 beside the paper's.
Nothing is fitted here: every number comes from the workflow's tables.
"""

from __future__ import annotations

import argparse
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise.report import paper

FIGURES = ("fig2.png", "fig2_rescaled.png", "fig3.png")
MAX_FIGURE_BYTES = 200_000


def pm(value: float, err: float, digits: int = 2) -> str:
    """'value ± err' with ``digits`` significant digits of the error."""
    if not math.isfinite(value):
        return "–"
    if not math.isfinite(err) or err <= 0:
        return f"{value:.3g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(err)))
    return f"{value:.{decimals}f} ± {err:.{decimals}f}"


def flow_steps(flow: pd.DataFrame) -> pd.DataFrame:
    """Per density and pair of neighbouring rates: the stress step, its combined error and
    whether the error bars are apart (step > err_lo + err_hi)."""
    rows = []
    for rho, part in flow.sort_values("shear_rate").groupby("density"):
        s, e, r = (part[c].to_numpy() for c in ("stress", "stress_err", "shear_rate"))
        for i in range(len(s) - 1):
            step = s[i + 1] - s[i]
            rows.append(
                {
                    "density": rho,
                    "rates": f"{r[i]:g} → {r[i + 1]:g}",
                    "step": step,
                    "z": step / math.hypot(e[i], e[i + 1]),
                    "bars_apart": step > e[i] + e[i + 1],
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="?", default=Path("results"))
    parser.add_argument("--docs", type=Path, help="copy Figs. 2 and 3 here")
    args = parser.parse_args()
    res: Path = args.results

    flow = pd.read_parquet(res / "flow_curve.parquet")
    print("## Flow curves (steady stress ± error, ε/σ²)\n")
    rates = sorted(flow["shear_rate"].unique())
    print("| ρ | " + " | ".join(f"γ̇ = {r:g}" for r in rates) + " |")
    print("|---|" + "---|" * len(rates))
    for rho, part in flow.groupby("density"):
        by = part.set_index("shear_rate")
        cells = [pm(by.at[r, "stress"], by.at[r, "stress_err"]) for r in rates]
        print(f"| {rho:g} | " + " | ".join(cells) + " |")
    steps = flow_steps(flow)
    print("\nStep between neighbouring rates, in units of its combined error (z):\n")
    print("| ρ | " + " | ".join(steps["rates"].unique()) + " | monotonic, bars apart |")
    print("|---|" + "---|" * (steps["rates"].nunique() + 1))
    for rho, part in steps.groupby("density"):
        ok = bool((part["step"] > 0).all() and part["bars_apart"].all())
        zs = " | ".join(f"{z:.1f}" for z in part["z"])
        print(f"| {rho:g} | {zs} | {'yes' if ok else 'no'} |")

    hb = pd.read_parquet(res / "hb_fit.parquet")
    print("\n## Herschel–Bulkley fits\n")
    print("| ρ | n (free) | σ_Y (n = 1/2) | A (n = 1/2) | χ²_red (n free / 1/2) |")
    print("|---|---|---|---|---|")
    for rho, part in hb.groupby("density"):
        free = part[part["exponent_mode"] == "free"].iloc[0]
        half = part[part["exponent_mode"] == "fixed"].iloc[0]
        print(
            f"| {rho:g} | {pm(free.exponent, free.exponent_err)} | "
            f"{pm(half.sigma_y, half.sigma_y_err)} | {pm(half.prefactor, half.prefactor_err)} | "
            f"{free.chi2_red:.2g} / {half.chi2_red:.2g} |"
        )
    print(f"\nPaper: n {paper.QUOTED['n_free'][0]}.")

    summary = pd.read_parquet(res / "summary.parquet").set_index("density")
    plast = pd.read_parquet(res / "plasticity_summary.parquet")
    low = plast.loc[plast.groupby("density")["shear_rate"].idxmin()].set_index("density")
    print(f"\n## Per density, at the lowest rate (γ̇ = {summary['shear_rate'].min():g})\n")
    print(
        "| ρ | l_pl (σ) | τ_p (τ0) | τ_p_window (τ0) | ⟨σ_c^m⟩ (rel. err.) | blocks | yielded | "
        "Δσ/σ_c | G0 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for rho, row in summary.iterrows():
        pl = low.loc[rho]
        rel = row.sigma_c_err / row.sigma_c
        blocks = pd.read_parquet(res / f"yield/rho{rho:g}/yield_summary.parquet")["n_blocks"]
        print(
            f"| {rho:g} | {pm(pl.l_pl, pl.l_pl_err)} | {pm(row.tau_p, row.tau_p_err)} | "
            f"{pm(row.tau_p_window, row.tau_p_window_err)} | "
            f"{pm(row.sigma_c, row.sigma_c_err)} ({100 * rel:.1f} %) | {int(blocks.iloc[0])} | "
            f"{100 * row.fraction_yielded:.0f} % | {pm(row.drop_ratio, row.drop_ratio_err)} | "
            f"{pm(row.G0, row.G0_err)} |"
        )
    print(
        f"\nPaper: l_pl {paper.QUOTED['l_pl'][0]}; τ_p {paper.QUOTED['tau_p'][0]}; "
        f"Δσ/σ_c {paper.QUOTED['drop_ratio'][0]}."
    )

    print("\n## Table 1: HL couplings\n")
    print(
        "| ρ | α_micro | paper | α_flow | paper | α_micro_dhl = α_micro/2 | α_flow_hl | "
        "α_κ | α_micro^HL |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for rho, row in summary.iterrows():
        pm_micro = paper.ALPHA_MICRO.get(round(float(rho), 3), (np.nan, np.nan))
        pm_flow = paper.ALPHA_FLOW.get(round(float(rho), 3), (np.nan, np.nan))
        print(
            f"| {rho:g} | {pm(row.alpha_micro, row.alpha_micro_err)} | {pm(*pm_micro)} | "
            f"{pm(row.alpha_flow, row.alpha_flow_err)} | {pm(*pm_flow)} | "
            f"{pm(row.alpha_micro_dhl, row.alpha_micro_dhl_err)} | "
            f"{pm(row.alpha_flow_hl, row.alpha_flow_hl_err)} | "
            f"{pm(row.alpha_kappa, row.alpha_kappa_err)} | "
            f"{pm(row.alpha_micro_hl, row.alpha_micro_hl_err)} |"
        )
    print(
        f"\nPaper means: α_micro {pm(*paper.ALPHA_MICRO_MEAN)}, "
        f"α_flow {pm(*paper.ALPHA_FLOW_MEAN)}; α_micro^HL {paper.QUOTED['alpha_micro_hl'][0]}."
    )

    if args.docs:
        args.docs.mkdir(parents=True, exist_ok=True)
        for name in FIGURES:
            src = res / "figures" / name
            if not src.exists():
                print(f"\n{src}: not made by this run")
                continue
            size = src.stat().st_size
            if size > MAX_FIGURE_BYTES:
                raise SystemExit(f"{src}: {size} bytes, over the {MAX_FIGURE_BYTES} allowed")
            shutil.copyfile(src, args.docs / name)
            print(f"\ncopied {src} ({size / 1000:.0f} kB) to {args.docs / name}")


if __name__ == "__main__":
    main()
