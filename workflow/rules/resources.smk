# Resources of the LAMMPS rules (cores, MPI ranks, wall time, memory) as functions of the
# job's size: N, strain, rate and time step from the config, and the Snakemake attempt.
# Included right after common.smk. Wall times follow mechnoise.lammps.cost: atom-steps
# divided by a conservative per-core throughput (execution.atom_steps_per_second), times a safety
# factor and the attempt number, so a job killed at its wall time is retried (--retries)
# with more time; capped at execution.max_segment_hours when that is set. Memory grows
# with the rows of frames a job converts, times the attempt. Units: runtime in minutes,
# mem_mb in MB (Snakemake's conventions). Resources are no rerun trigger: a finished job is
# kept when any of them changes.
import math

from mechnoise.lammps.cost import (
    CONSERVATIVE_ATOM_STEPS_PER_SECOND,
    WALL_TIME_SAFETY,
    run_seconds,
)
from mechnoise.lammps.protocols import PREPARE_EXTRA_STEPS

#: Seconds added to every LAMMPS job: Python start-up, LAMMPS set-up, parquet conversion.
JOB_OVERHEAD_SECONDS = 180
#: Peak bytes per frame row while a dump is parsed and written as parquet (13 columns).
BYTES_PER_FRAME_ROW = 400
#: Memory of a LAMMPS run of N particles and the Python around it: base + per particle.
BASE_MEM_MB = 1000
MEM_MB_PER_PARTICLE = 0.02


def get_lammps_ranks(wildcards=None):
    """MPI ranks of one LAMMPS run (execution.mpi_ranks; 1 = serial)."""
    return int(config["execution"].get("mpi_ranks", 1))


def get_mpi_launcher(wildcards=None):
    """`mpi` resource of the SLURM executor: the launcher for MPI jobs, "" for serial ones.

    A job with a non-empty `mpi` resource is started as a plain batch job and launches its
    own ranks (`srun -n {tasks}`); a serial job runs under `srun -n 1` by the executor.
    """
    if get_lammps_ranks() <= 1:
        return ""
    launcher = config["execution"].get("launcher") or ["srun"]
    return " ".join(launcher)


def _throughput():
    engine = config["execution"]
    return float(
        engine.get("atom_steps_per_second", CONSERVATIVE_ATOM_STEPS_PER_SECOND)
    )


def _minutes(seconds, attempt):
    """Wall time in whole minutes: estimate x safety + overhead, times the attempt."""
    total = (seconds * WALL_TIME_SAFETY + JOB_OVERHEAD_SECONDS) * attempt
    minutes = max(5, math.ceil(total / 60))
    cap = float(config["execution"].get("max_segment_hours", 0) or 0)
    return min(minutes, math.ceil(cap * 60)) if cap > 0 else minutes


def _segment_steps_and_frames(wildcards):
    plan = get_shear_plan(wildcards)
    k = int(wildcards.segment)
    a, b = plan.segment_start(k), plan.segment_ends[k]
    frames = sum(1 for w in plan.windows for s in w.steps if a < s <= b or s == a == 0)
    return b - a, frames


def get_shear_runtime(wildcards, attempt):
    """Wall time (min) of one shear segment: N x its steps / (ranks x throughput)."""
    steps, frames = _segment_steps_and_frames(wildcards)
    n = config["system"]["n_particles"]
    seconds = run_seconds(
        n, steps, atom_steps_per_second=_throughput(), ranks=get_lammps_ranks()
    )
    convert = frames * n * BYTES_PER_FRAME_ROW / 50e6  # parquet conversion, ~50 MB/s
    return _minutes(seconds + convert, attempt)


def get_shear_mem_mb(wildcards, attempt):
    """Memory (MB) of one shear segment: LAMMPS ranks + the frames it converts."""
    _, frames = _segment_steps_and_frames(wildcards)
    n = config["system"]["n_particles"]
    lammps_mb = get_lammps_ranks() * (BASE_MEM_MB / 2 + MEM_MB_PER_PARTICLE * n)
    frames_mb = frames * n * BYTES_PER_FRAME_ROW / 1e6
    return math.ceil((BASE_MEM_MB + lammps_mb + frames_mb) * attempt)


def get_quench_runtime(wildcards, attempt):
    """Wall time (min) of one glass preparation (equilibration + quench + minimizations)."""
    quench = config["quench"]
    steps = (quench["equilibration_time"] + quench["quench_time"]) / quench["timestep"]
    seconds = run_seconds(
        config["system"]["n_particles"],
        round(steps) + PREPARE_EXTRA_STEPS,
        atom_steps_per_second=_throughput(),
    )
    return _minutes(seconds, attempt)


def get_quench_mem_mb(wildcards, attempt):
    """Memory (MB) of one glass preparation."""
    n = config["system"]["n_particles"]
    return math.ceil((BASE_MEM_MB + MEM_MB_PER_PARTICLE * n) * attempt)


def _run_frame_rows(wildcards):
    plan = get_shear_plan(wildcards)
    frames = sum(len(w.steps) for w in plan.windows)
    return frames * config["system"]["n_particles"]


def get_merge_runtime(wildcards, attempt):
    """Wall time (min) of merging a run's segments (reading and writing all frames)."""
    rows = _run_frame_rows(wildcards)
    return max(5, math.ceil((60 + rows * BYTES_PER_FRAME_ROW / 20e6) * attempt / 60))


def get_merge_mem_mb(wildcards, attempt):
    """Memory (MB) of merging a run: all its frame rows, concatenated and sorted (x 2.5)."""
    rows = _run_frame_rows(wildcards)
    return math.ceil((BASE_MEM_MB + 2.5 * rows * BYTES_PER_FRAME_ROW / 1e6) * attempt)
