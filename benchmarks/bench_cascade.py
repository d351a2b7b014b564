"""Rate cascade against fresh starts: same steady stress, and how long the transient lasts.

Run: ``.venv/bin/python benchmarks/bench_cascade.py [--config config.yaml] [--cores 2]``
(demo scale by default: about twice the shear stage of ``make run``). Two real workflows
are run up to ``results/flow_curve.parquet`` in ``--workdir``: every run from the glass
(``fresh``), and a rate cascade (``cascade``: each rate from the end state of the next
higher one) discarding ``--transient`` strain after each switch. Prints

1. per density and rate, the steady stress of both with errors and z = difference over the
   combined error (the cascade is sound if |z| stays within ~2);
2. per cascaded run, the strain over which the stress relaxes after the switch: a fit of
   sigma(gamma) = sigma_ss + (sigma_0 - sigma_ss) exp(-gamma / gamma_c) to the first
   ``--fit-strain`` of the run, and 3 gamma_c (95 % relaxed), the transient to discard;
   "unresolved" where the rate step moves the stress less than its noise;
3. one gamma_c fitted to every run's normalised relaxation
   (sigma - sigma_ss) / (sigma_0 - sigma_ss), pooled over the runs whose step
   |sigma_0 - sigma_ss| exceeds twice the steady-state standard deviation.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


def run_workflow(workdir: Path, config: Path, cascade: bool, transient: float, cores: int) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    extra = workdir / "cascade.yaml"
    extra.write_text(
        f"shear:\n  cascade:\n    enabled: {str(cascade).lower()}\n"
        f"    transient_strain: {transient}\n"
    )
    cmd = [
        str(SNAKEMAKE), "results/flow_curve.parquet", "-s", str(ROOT / "Snakefile"),
        "-d", str(workdir),
        "--configfile", str(config), str(extra), "--cores", str(cores),
        "--rerun-incomplete", "--rerun-triggers", "mtime", "input", "params",
    ]  # fmt: skip
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def relaxation_strain(thermo: pd.DataFrame, fit_strain: float) -> tuple[float, float]:
    """gamma_c of an exponential relaxation fitted to strain <= fit_strain, and its error."""
    head = thermo[thermo["strain"] <= fit_strain]
    x, y = head["strain"].to_numpy(), head["stress"].to_numpy()
    tail = thermo[thermo["strain"] > fit_strain]["stress"].mean()

    def model(g: np.ndarray, s_ss: float, s0: float, gc: float) -> np.ndarray:
        return s_ss + (s0 - s_ss) * np.exp(-g / gc)

    try:
        popt, pcov = curve_fit(model, x, y, p0=(tail, y[0], 0.01), maxfev=20000)
    except RuntimeError:
        return math.nan, math.nan
    return float(popt[2]), float(np.sqrt(pcov[2, 2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mechnoise_bench_cascade"))
    parser.add_argument("--transient", type=float, default=0.1)
    parser.add_argument("--fit-strain", type=float, default=0.1)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    fresh, cascade = args.workdir / "fresh", args.workdir / "cascade"
    run_workflow(fresh, args.config, False, args.transient, args.cores)
    if (fresh / "results" / "glass").is_dir() and not (cascade / "results" / "glass").exists():
        shutil.copytree(fresh / "results" / "glass", cascade / "results" / "glass")
    run_workflow(cascade, args.config, True, args.transient, args.cores)

    a = pd.read_parquet(fresh / "results" / "flow_curve.parquet")
    b = pd.read_parquet(cascade / "results" / "flow_curve.parquet")
    both = a.merge(b, on=["density", "shear_rate"], suffixes=("_fresh", "_cascade"))
    both["z"] = (both["stress_cascade"] - both["stress_fresh"]) / np.hypot(
        both["stress_err_fresh"], both["stress_err_cascade"]
    )
    print("steady stress, fresh start vs rate cascade (eps/sigma^2)")
    cols = ["density", "shear_rate", "stress_fresh", "stress_err_fresh", "stress_cascade",
            "stress_err_cascade", "z"]  # fmt: skip
    print(both[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"max |z| = {both['z'].abs().max():.2f} over {len(both)} (density, rate) pairs; "
          f"|z| > 2 in {(both['z'].abs() > 2).sum()}")

    print(f"\nrelaxation after the switch (fit of the first strain {args.fit_strain})")
    rows = []
    pooled: list[pd.DataFrame] = []
    highest = float(b["shear_rate"].max())  # the only rate that starts from the glass
    for path in sorted((cascade / "results" / "shear").glob("rho*/rate*/seed*/thermo.parquet")):
        if math.isclose(float(path.parent.parent.name[len("rate") :]), highest):
            continue
        thermo = pd.read_parquet(path)
        gc, gc_err = relaxation_strain(thermo, args.fit_strain)
        resolved = math.isfinite(gc_err) and gc_err < gc
        steady = thermo[thermo["strain"] > args.fit_strain]["stress"]
        step = float(thermo["stress"].iloc[0] - steady.mean())
        rows.append({"run": str(path.parent.relative_to(cascade / "results" / "shear")),
                     "gamma_c": gc if resolved else math.nan,
                     "gamma_c_err": gc_err if resolved else math.nan,
                     "step/noise": step / float(steady.std())})
        if abs(step) > 2 * float(steady.std()):
            head = thermo[thermo["strain"] <= args.fit_strain]
            pooled.append(pd.DataFrame({"strain": head["strain"],
                                        "y": (head["stress"] - steady.mean()) / step}))
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}", na_rep="unresolved"))
    both_y = pd.concat(pooled, ignore_index=True)
    popt, pcov = curve_fit(lambda g, gc: np.exp(-g / gc), both_y["strain"], both_y["y"], p0=(0.02,))
    gc, gc_err = float(popt[0]), float(np.sqrt(pcov[0, 0]))
    print(f"pooled over {len(pooled)} runs: gamma_c = {gc:.3g} +- {gc_err:.2g}; 3 gamma_c = "
          f"{3 * gc:.3g} (95 % relaxed), 5 gamma_c = {5 * gc:.3g} (99 %); transient "
          f"discarded: {args.transient}")


if __name__ == "__main__":
    main()
