"""Rule run_shear_segment: one restartable strain segment of a shear run."""

from pathlib import Path

from mechnoise.block_series import BlockSeriesSpec
from mechnoise.lammps.engine import RunLimits
from mechnoise.lammps.protocols import Model, run_shear_segment
from mechnoise.lammps.schedule import plan_shear
from mechnoise.scripting import execution_engine, start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
damping, damping_time, skin = sm.params.dynamics
k = int(sm.wildcards.segment)
interval, widths = sm.params.block_series
plan = plan_shear(float(sm.wildcards.rate), *sm.params.plan)
result = run_shear_segment(
    Model(*sm.params.model),
    plan,
    k,
    script=Path(sm.input.script),
    glass=Path(sm.input.glass),
    restart_in=Path(sm.input.restart) if sm.input.restart else None,
    restart_out=Path(sm.output.restart),
    thermo_out=Path(sm.output.thermo),
    frames_out=Path(sm.output.frames),
    workdir=Path(sm.params.workdir),
    damping=damping,
    damping_time=damping_time,
    skin=skin,
    seed=int(sm.wildcards.seed),
    engine=execution_engine(sm.config),
    density=float(sm.wildcards.rho),
    limits=RunLimits.from_config(sm.config["execution"]),
    block_series=BlockSeriesSpec.from_interval(
        [float(w) for w in widths.split()], interval, plan.dt
    ),
    blocks_out=Path(sm.output.blocks),
)
log.info("segment %d done in %.1f s", k, result.seconds)
