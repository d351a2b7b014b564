"""Glass preparation and segmented steady shear: LAMMPS runs and their conversion to parquet.

These functions take explicit parameters (no config dict, no Snakemake) and are what the
workflow's scripts call. Each writes its outputs only after LAMMPS finished cleanly, through
temporary names, so a killed or failed run never leaves a file that looks complete.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise import io
from mechnoise.block_series import (
    BLOCK_SERIES_COLUMNS,
    BlockSeriesSpec,
    read_segment_series,
    render_block_series,
)
from mechnoise.lammps.engine import (
    EngineSpec,
    Progress,
    RunLimits,
    RunResult,
    run_lammps,
)
from mechnoise.lammps.schedule import ShearPlan, render_segment_schedule

log = logging.getLogger(__name__)

#: Upper bound of the steps of in.prepare outside its timed runs (soft push-off: 2000 steps,
#: and minimizations of up to 10000 iterations each); also its longest stretch without
#: thermo output.
PREPARE_EXTRA_STEPS = 20000

#: LJ parameters of the paper: (epsilon, sigma) per pair.
PAIR_SIGMA = {"aa": 1.0, "ab": 0.8, "bb": 0.88}


@dataclass(frozen=True)
class Model:
    """The binary LJ model: particle numbers and cutoffs (LJ units)."""

    n_particles: int
    fraction_a: float
    cutoff: float = 2.5
    cutoff_mode: str = "uniform"

    @property
    def n_a(self) -> int:
        return int(round(self.n_particles * self.fraction_a))

    def cutoffs(self) -> dict[str, float]:
        """``cutoff_aa/ab/bb`` LAMMPS variables."""
        if self.cutoff_mode == "uniform":
            return {f"cutoff_{p}": self.cutoff for p in PAIR_SIGMA}
        if self.cutoff_mode == "scaled":
            return {f"cutoff_{p}": self.cutoff * s for p, s in PAIR_SIGMA.items()}
        raise ValueError(f"cutoff_mode must be 'uniform' or 'scaled', got {self.cutoff_mode!r}")

    def box_side(self, density: float) -> float:
        """Side of the square box at ``density`` (sigma)."""
        return float(np.sqrt(self.n_particles / density))


def prepare_glass(
    model: Model,
    density: float,
    seed: int,
    data_out: Path,
    *,
    script: Path,
    temperature: float,
    equilibration_time: float,
    quench_time: float,
    dt: float,
    skin: float = 0.3,
    engine: EngineSpec | None = None,
    limits: RunLimits | None = None,
) -> RunResult:
    """Quench a random liquid into a minimized T = 0 glass.

    ``script`` is ``lammps_inputs/in.prepare`` (its includes are read from ``include/``
    beside it); the other keywords are its variables. The glass gets a SHA-256 sidecar
    (``glass.data.sha256``) that the shear run checks before LAMMPS reads it. ``limits``
    bound the run's wall time and silence (:class:`~mechnoise.lammps.engine.RunLimits`,
    default: the defaults).
    """
    data_out = Path(data_out)
    engine = engine or EngineSpec()
    limits = limits or RunLimits()
    steps = round((equilibration_time + quench_time) / dt) + PREPARE_EXTRA_STEPS
    tmp = data_out.with_name(data_out.name + ".partial")
    variables = {
        "n_particles": model.n_particles,
        "n_a": model.n_a,
        "rho": float(density),
        "seed": int(seed),
        "temperature": float(temperature),
        "t_equil": float(equilibration_time),
        "t_quench": float(quench_time),
        "dt": float(dt),
        "skin": float(skin),
        "data_out": str(tmp.resolve()),
        **model.cutoffs(),
    }
    result = run_lammps(
        script,
        variables,
        workdir=data_out.parent,
        name=f"prepare rho={density:g} seed={seed}",
        engine=engine,
        expected_outputs=[tmp],
        log_name="prepare.log",
        watchdog=limits.watchdog(
            model.n_particles * steps,
            model.n_particles * PREPARE_EXTRA_STEPS,
            ranks=engine.mpi_ranks,
            progress=Progress(data_out.parent / "prepare.log", 0, steps, model.n_particles),
        ),
    )
    io.write_checksum(tmp, name=data_out.name)
    tmp.replace(data_out)
    return result


def run_shear_segment(
    model: Model,
    plan: ShearPlan,
    k: int,
    *,
    script: Path,
    glass: Path,
    restart_in: Path | None,
    restart_out: Path,
    thermo_out: Path,
    frames_out: Path,
    workdir: Path,
    damping: str,
    damping_time: float,
    skin: float,
    seed: int,
    engine: EngineSpec | None = None,
    density: float | None = None,
    limits: RunLimits | None = None,
    block_series: BlockSeriesSpec | None = None,
    blocks_out: Path | None = None,
) -> RunResult:
    """Run segment ``k`` of a shear run and convert its thermo and frames to parquet.

    ``script`` is ``lammps_inputs/in.shear`` (includes from ``include/`` beside it). The
    glass (k = 0) or the previous restart file is checked against its SHA-256 sidecar
    before LAMMPS reads it, and the new restart file gets one. ``density`` only names the
    run in messages and progress lines; ``limits`` bound its wall time and silence and set
    how often it reports strain reached, throughput and ETA in the job's log.

    The segment starts from ``glass`` (k = 0), from ``restart_in`` (k > 0), or, in a rate
    cascade, from ``restart_in`` given for k = 0: the end state of the run at the next higher
    rate, with the step counter (time and strain) reset to 0. It ends with a restart file.
    ``thermo_out`` / ``frames_out`` are per-segment parquet files with the columns of
    :data:`io.THERMO_COLUMNS` and :data:`io.FRAME_COLUMNS` (frame and window indices are filled
    in by :func:`merge_segments`). The exact schedule include is kept in ``workdir`` beside the
    log, so ``lmp -in in.shear -var …`` reruns it by hand. With ``block_series`` the segment
    also writes the per-block stress series (:mod:`mechnoise.block_series`) to ``blocks_out``
    (its rendered include ``blocks{k}.lmp`` is kept beside the schedule).
    """
    if (block_series is None) != (blocks_out is None):
        raise ValueError("block_series and blocks_out go together")
    if damping not in ("viscous", "langevin"):
        raise ValueError(f"damping must be 'viscous' or 'langevin', got {damping!r}")
    if k > 0 and restart_in is None:
        raise ValueError(f"segment {k} needs the restart file of segment {k - 1}")
    # in.shear: 0 = from the glass, 1 = resume a run, 2 = new run from another run's end state
    resume = 0 if restart_in is None else (1 if k > 0 else 2)
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    schedule = workdir / f"schedule{k}.lmp"
    schedule.write_text(render_segment_schedule(plan, k))
    dump = workdir / f"frames{k}.dump"
    thermo_txt = workdir / f"thermo{k}.txt"
    restart_tmp = Path(restart_out).with_name(Path(restart_out).name + ".partial").resolve()
    series_prefix = str(workdir / f"blocks{k}_")
    series_files = [Path(series_prefix + "box.txt")]
    if block_series is not None:
        series_files += [
            Path(f"{series_prefix}{i}.txt") for i in range(1, len(block_series.widths) + 1)
        ]
    for stale in (dump, thermo_txt, *series_files):
        if stale.exists():
            stale.unlink()
    variables: dict[str, object] = {
        "resume": resume,
        "data_in": str(Path(glass).resolve()),
        "restart_in": str(Path(restart_in).resolve()) if restart_in else "none",
        "rate": float(plan.rate),
        "dt": float(plan.dt),
        "end_step": plan.segment_ends[k],
        "damping": damping,
        "damping_time": float(damping_time),
        "seed": int(seed),
        "skin": float(skin),
        "thermo_every": plan.thermo_every,
        "thermo_out": str(thermo_txt),
        "dump_out": str(dump),
        "schedule": str(schedule),
        "restart_out": str(restart_tmp),
        **model.cutoffs(),
    }
    extra_inputs = [schedule]
    if block_series is not None:
        series_include = workdir / f"blocks{k}.lmp"
        # LAMMPS runs in ``workdir``: a relative prefix keeps a path with spaces or other
        # special characters out of the rendered commands (as the engine does for -var)
        series_include.write_text(render_block_series(block_series, f"blocks{k}_"))
        variables["block_series"] = str(series_include)
        extra_inputs.append(series_include)
    engine = engine or EngineSpec()
    limits = limits or RunLimits()
    start, end = plan.segment_start(k), plan.segment_ends[k]
    n = model.n_particles
    rho = f"rho={density:g} " if density is not None else ""
    result = run_lammps(
        script,
        variables,
        workdir=workdir,
        name=f"shear {rho}rate={plan.rate:g} seed={seed} segment {k}",
        engine=engine,
        expected_outputs=[restart_tmp, thermo_txt]
        + (series_files if block_series is not None else []),
        extra_inputs=extra_inputs,
        checked_inputs=[Path(glass) if k == 0 else Path(restart_in)],  # type: ignore[arg-type]
        log_name=f"shear{k}.log",
        watchdog=limits.watchdog(
            n * (end - start),
            n * plan.thermo_every,
            ranks=engine.mpi_ranks,
            progress=Progress(thermo_txt, start, end, n, strain_per_step=plan.rate * plan.dt),
            watch_files=[thermo_txt, dump],
        ),
    )
    thermo = io.read_thermo_file(thermo_txt)
    thermo["steady"] = thermo["step"] >= plan.steady_step
    _write_segment_frames(dump, frames_out, plan)
    if block_series is not None and blocks_out is not None:
        series = read_segment_series(series_prefix, block_series, plan.dt, plan.rate)
        io.write_table(series, blocks_out, BLOCK_SERIES_COLUMNS)
    io.write_table(thermo, thermo_out, io.THERMO_COLUMNS)
    io.write_checksum(restart_tmp, name=Path(restart_out).name)
    restart_tmp.replace(restart_out)
    thermo_txt.unlink()
    for done in (dump, *series_files):
        if done.exists():
            done.unlink()
    return result


def _write_segment_frames(dump: Path, frames_out: Path, plan: ShearPlan) -> None:
    if dump.exists():
        frames = io.read_dump(dump)
    else:  # a segment without any frame window writes no dump
        frames = pd.DataFrame({c: pd.Series(dtype="float64") for c in io.DUMP_COLUMNS})
    frames["time"] = frames["step"] * plan.dt
    frames["strain"] = frames["time"] * plan.rate
    frames["frame"] = -1
    frames["window"] = [plan.window_of_step(int(s)) for s in frames["step"]]
    io.write_table(frames, frames_out, io.FRAME_COLUMNS)


def merge_segments(
    thermo_parts: Sequence[Path],
    frame_parts: Sequence[Path],
    thermo_out: Path,
    frames_out: Path,
    *,
    expected_frames: int | None = None,
) -> None:
    """Concatenate per-segment tables, drop the rows repeated at segment boundaries,
    number the frames, and check the frame count.

    Raises
    ------
    ValueError
        If steps are not strictly increasing after de-duplication, or the number of frames
        differs from ``expected_frames``.
    """
    thermo = pd.concat([io.read_thermo(p) for p in thermo_parts], ignore_index=True)
    thermo = thermo.drop_duplicates("step", keep="first").sort_values("step")
    frames = pd.concat([io.read_frames_table(p) for p in frame_parts], ignore_index=True)
    frames = frames.drop_duplicates(["step", "id"], keep="first").sort_values(["step", "id"])
    steps = np.sort(frames["step"].unique())
    index = {int(s): i for i, s in enumerate(steps)}
    frames["frame"] = frames["step"].map(index).astype("int32")
    counts = frames.groupby("frame")["id"].count()
    if len(counts) and counts.nunique() != 1:
        raise ValueError(f"frames hold different atom counts: {sorted(counts.unique())}")
    if expected_frames is not None and len(steps) != expected_frames:
        raise ValueError(f"expected {expected_frames} frames, found {len(steps)}")
    io.write_table(thermo.reset_index(drop=True), thermo_out, io.THERMO_COLUMNS)
    io.write_table(frames.reset_index(drop=True), frames_out, io.FRAME_COLUMNS)
