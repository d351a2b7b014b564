"""`make test-slurm`: the tiny preset through the SLURM profile on a real (local) SLURM cluster.

Needs a running cluster (tests/cluster/start_slurm.sh) and snakemake-executor-plugin-slurm.
Steps, each in its own directory under a temporary root:

1. ``local``: the tiny preset with the local executor (``--cores 2``), the reference.
2. ``slurm``: the same through ``--profile workflow/profiles/slurm``: every job is an sbatch
   job. Serial LAMMPS with the same seeds gives the same glasses and bit-identical runs, so
   every parquet table under results/ must match the local one to ``SERIAL_ATOL`` (the
   flow curve at least must exist).
3. ``slurm_mpi``: one shear segment again through SLURM with ``execution.mpi_ranks: 2``
   (``tasks=2``, ``mpi=srun``: the job launches ``srun -n 2``), starting from the glass of
   step 2. Its stress trace must match the serial segment to ``MPI_ATOL`` (tests/test_mpi.py
   documents why 2 ranks differ from 1 by round-off that grows with strain).
4. ``slurm_kill``: a slow run (rate ``KILL_RATE``) through SLURM; its second segment's job is
   killed with ``scancel`` while LAMMPS runs (what SLURM does at a wall time: SIGTERM, then
   SIGKILL). Snakemake's retry must run that segment again from the first segment's restart
   file, which must not be recomputed, and the run must end with complete tables.

Exit status 0 on success; prints the time of each step. Usage:
    python tests/cluster/check_slurm.py [--keep] [--root DIR] [--targets T ...]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(os.environ.get("MECHNOISE_ROOT", Path(__file__).resolve().parents[2]))
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
#: Serial runs through SLURM are the same computation as local ones: equal to round-off.
SERIAL_ATOL = 1e-12
#: 2 MPI ranks vs serial over the first segment of the tiny preset (strain 0.3, N = 400):
#: measured ~1e-10 (tests/test_mpi.py); the round-off grows with strain in plastic flow.
MPI_ATOL = 1e-6
#: The run whose first segment is repeated on 2 ranks.
MPI_RUN = "results/shear/rho1.149/rate0.01/seed1"
#: A rate slow enough that a tiny segment runs ~10-20 s, long enough to kill it mid-way.
KILL_RATE = 0.0003
KILL_RUN = f"results/shear/rho1.149/rate{KILL_RATE:g}/seed1"

log = logging.getLogger("check_slurm")


def snakemake(workdir: Path, *args: str) -> str:
    """Run the workflow in ``workdir`` with the tiny preset; return its output."""
    cmd = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(workdir),
        "--configfile",
        str(ROOT / "workflow/presets/tiny.yaml"),
        *args,
    ]
    log.info("$ %s", " ".join(cmd))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    out = proc.stdout + proc.stderr
    (workdir / "snakemake.out").write_text(out)
    if proc.returncode != 0:
        raise SystemExit(f"snakemake failed in {workdir} ({proc.returncode}):\n{out[-6000:]}")
    return out


def slurm_args() -> list[str]:
    """Profile plus the options this test cluster needs (no accounts, squeue polling)."""
    return [
        "--profile",
        str(ROOT / "workflow/profiles/slurm"),
        "--slurm-no-account",
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--slurm-keep-successful-logs",
        "--jobs",
        "4",
        "--cores",
        "2",  # group jobs must fit the 2-CPU test node
        "--latency-wait",
        "10",
    ]


def result_tables(workdir: Path) -> dict[str, Path]:
    """Parquet tables under results/ (per-segment intermediates excluded)."""
    base = workdir / "results"
    return {
        str(p.relative_to(base)): p
        for p in sorted(base.rglob("*.parquet"))
        if "segments" not in p.parts and "frozen_matrix" not in p.parts
    }


def compare_tables(a: Path, b: Path, atol: float) -> float:
    """Largest absolute difference of the numeric columns; raises if the tables differ."""
    x, y = pd.read_parquet(a), pd.read_parquet(b)
    if list(x.columns) != list(y.columns) or len(x) != len(y):
        raise AssertionError(f"{a.name}: columns or lengths differ: {x.shape} vs {y.shape}")
    worst = 0.0
    for col in x.columns:
        if pd.api.types.is_numeric_dtype(x[col]) and not pd.api.types.is_bool_dtype(x[col]):
            u, v = x[col].to_numpy(float), y[col].to_numpy(float)
            same_nan = np.isnan(u) == np.isnan(v)
            if not same_nan.all():
                raise AssertionError(f"{a}: column {col}: NaNs at different rows")
            d = np.abs(u - v)[~np.isnan(u)]
            worst = max(worst, float(d.max()) if d.size else 0.0)
        elif not x[col].equals(y[col]):
            raise AssertionError(f"{a}: column {col} differs")
    if worst > atol:
        raise AssertionError(f"{a}: max |difference| {worst:.3g} > {atol:g}")
    return worst


def kill_second_segment(proc: subprocess.Popen[str], timeout: float = 600) -> str:
    """Wait until the SLURM job of segment 1 of KILL_RUN runs LAMMPS, then scancel it."""
    comment = re.compile(rf"rule_run_shear_segment_wildcards_1\.149_{KILL_RATE:g}_1_1$")
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise AssertionError("snakemake ended before segment 1 could be killed")
        out = subprocess.run(
            ["squeue", "-h", "-o", "%i|%T|%k"], capture_output=True, text=True, check=True
        ).stdout
        for line in out.splitlines():
            job, state, note = line.split("|", 2)
            if state == "RUNNING" and comment.search(note.strip()):
                time.sleep(4)  # LAMMPS is running now
                subprocess.run(["scancel", job], check=True)
                log.info("killed SLURM job %s (segment 1, running)", job)
                return job
        time.sleep(0.5)
    raise AssertionError("segment 1 never ran")


def check_kill_and_resume(workdir: Path) -> None:
    """Step 4: kill a running segment's job; the retry resumes from the previous segment."""
    workdir.mkdir(parents=True, exist_ok=True)
    extra = workdir / "slow.yaml"
    extra.write_text(f"system:\n  densities: [1.149]\nshear:\n  shear_rates: [{KILL_RATE}]\n")
    target = f"{KILL_RUN}/thermo.parquet"
    cmd = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(workdir),
        *slurm_args(),
        target,
        "--configfile",
        str(ROOT / "workflow/presets/tiny.yaml"),
        str(extra),
    ]
    log.info("$ %s", " ".join(cmd))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with open(workdir / "snakemake.out", "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
        try:
            kill_second_segment(proc)
            seg0 = workdir / KILL_RUN / "segments/seg0.restart"
            seg0_mtime = seg0.stat().st_mtime_ns
            code = proc.wait(timeout=900)
        finally:
            if proc.poll() is None:
                proc.terminate()
    text = (workdir / "snakemake.out").read_text()
    if code != 0:
        raise AssertionError(f"snakemake failed after the kill:\n{text[-4000:]}")
    if not re.search(r"CANCELLED|failed", text):
        raise AssertionError("snakemake did not see the killed job fail")
    if seg0.stat().st_mtime_ns != seg0_mtime:
        raise AssertionError("segment 0 was recomputed instead of resumed from")
    seg1_log = (workdir / KILL_RUN / "segments/shear1.log").read_text()
    if "read_restart" not in seg1_log or str(seg0.resolve()) not in seg1_log:
        raise AssertionError("the retried segment 1 did not start from seg0.restart")
    # The retry asked for more: runtime and memory scale with the attempt (resources.smk).
    seg1 = rf"wildcards: rho=1\.149, rate={KILL_RATE:g}, seed=1, segment=1\n\s+resources: (.*)"
    mems = sorted({int(m) for r in re.findall(seg1, text) for m in re.findall(r"mem_mb=(\d+)", r)})
    if len(mems) != 2 or mems[1] != 2 * mems[0]:
        raise AssertionError(f"the retry's memory did not double: mem_mb {mems}")
    # The same run without a kill (local executor) must give identical tables.
    reference = workdir.parent / (workdir.name + "_reference")
    reference.mkdir(exist_ok=True)
    tiny = str(ROOT / "workflow/presets/tiny.yaml")
    snakemake(reference, "--cores", "2", target, "--configfile", tiny, str(extra))
    worst = 0.0
    for name in ("thermo.parquet", "frames.parquet"):
        path = f"{KILL_RUN}/{name}"
        worst = max(worst, compare_tables(reference / path, workdir / path, SERIAL_ATOL))
    log.info(
        "kill + retry (mem_mb %d -> %d): segment 1 resumed from seg0.restart; thermo and "
        "frames equal to an uninterrupted run (max |difference| %.3g)",
        *mems,
        worst,
    )


def submitted_jobs(output: str) -> int:
    return len(re.findall(r"has been submitted with SLURM jobid", output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="keep the runs in this directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--targets", nargs="*", default=[], help="targets (default: all)")
    parser.add_argument("--only-kill", action="store_true", help="only step 4 (kill + resume)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[check_slurm] %(message)s")
    for tool in ("sbatch", "squeue", "scontrol"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found: run tests/cluster/start_slurm.sh first")
    if args.root is not None and args.root.exists() and any(args.root.iterdir()):
        raise SystemExit(f"--root {args.root} is not empty: the runs must start from scratch")
    top = args.root or Path(tempfile.mkdtemp(prefix="mechnoise_slurm_"))
    top.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    passed = False
    try:
        local, slurm, mpi = top / "local", top / "slurm", top / "slurm_mpi"
        if args.only_kill:
            check_kill_and_resume(top / "slurm_kill_only")
            passed = True
            return 0
        for d in (local, slurm, mpi):
            d.mkdir(exist_ok=True)

        t = time.monotonic()
        snakemake(local, "--cores", "2", *args.targets)
        times["local run"] = time.monotonic() - t

        t = time.monotonic()
        out = snakemake(slurm, *slurm_args(), *args.targets)
        times["SLURM run"] = time.monotonic() - t
        n_jobs = submitted_jobs(out)
        log.info("SLURM run: %d sbatch jobs", n_jobs)
        if n_jobs == 0:
            raise AssertionError("no job was submitted to SLURM")

        local_tables, slurm_tables = result_tables(local), result_tables(slurm)
        if "flow_curve.parquet" not in local_tables:
            raise AssertionError("the local run made no results/flow_curve.parquet")
        if set(local_tables) != set(slurm_tables):
            raise AssertionError(
                f"different tables: {sorted(set(local_tables) ^ set(slurm_tables))}"
            )
        worst = 0.0
        for name, path in local_tables.items():
            worst = max(worst, compare_tables(path, slurm_tables[name], SERIAL_ATOL))
        log.info(
            "SLURM vs local: %d tables equal, max |difference| %.3g (tolerance %g)",
            len(local_tables),
            worst,
            SERIAL_ATOL,
        )

        # One segment on 2 MPI ranks, from the glass of the serial SLURM run.
        glass = Path("results/glass/rho1.149/seed1/glass.data")
        (mpi / glass).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(slurm / glass, mpi / glass)
        (mpi / "mpi2.yaml").write_text("execution:\n  kind: python\n  mpi_ranks: 2\n")
        t = time.monotonic()
        target = f"{MPI_RUN}/segments/thermo0.parquet"
        # The glass is copied, not remade (execution settings are no rerun trigger; mtime only
        # to be sure nothing else is).
        out = snakemake(
            mpi,
            *slurm_args(),
            target,
            "--configfile",
            str(ROOT / "workflow/presets/tiny.yaml"),
            str(mpi / "mpi2.yaml"),
            "--rerun-triggers",
            "mtime",
        )
        times["SLURM 2-rank segment"] = time.monotonic() - t
        seg_log = (mpi / MPI_RUN / "segments/shear0.log").read_text()
        if "2 by 1 by 1 MPI processor grid" not in seg_log:
            raise AssertionError("the MPI segment did not run on 2 ranks")
        prov = (mpi / MPI_RUN / "segments/shear0.provenance.json").read_text()
        if '"srun"' not in prov:
            raise AssertionError("the MPI segment was not launched with srun")
        diff = compare_tables(mpi / target, slurm / target, MPI_ATOL)
        log.info(
            "2 ranks (srun in a SLURM job) vs serial: max |d sigma| %.3g (tol %g)", diff, MPI_ATOL
        )

        t = time.monotonic()
        kill = top / "slurm_kill"
        kill.mkdir(exist_ok=True)
        check_kill_and_resume(kill)
        times["SLURM kill + resume"] = time.monotonic() - t
        passed = True
    finally:
        for k, v in times.items():
            log.info("time: %-22s %7.1f s", k, v)
        if passed and args.root is None and not args.keep:
            shutil.rmtree(top, ignore_errors=True)
        else:  # a failed check keeps its runs for inspection
            log.info("runs kept in %s", top)
    log.info("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
