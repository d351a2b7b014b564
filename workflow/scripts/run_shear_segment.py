"""Rule run_shear_segment: one restartable strain segment of a shear run."""

from pathlib import Path

from mechnoise.lammps.engine import EngineSpec, RunLimits
from mechnoise.lammps.protocols import Model, run_shear_segment
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
system, shear = sm.params.system, sm.params.shear
model = Model(system["n_particles"], system["fraction_a"], system["cutoff"], system["cutoff_mode"])
k = int(sm.wildcards.segment)
result = run_shear_segment(
    model,
    sm.params.plan,
    k,
    glass=Path(sm.input.glass),
    restart_in=Path(sm.input.restart) if sm.input.restart else None,
    restart_out=Path(sm.output.restart),
    thermo_out=Path(sm.output.thermo),
    frames_out=Path(sm.output.frames),
    workdir=Path(sm.params.workdir),
    damping=shear["damping"],
    damping_time=shear["damping_time"],
    skin=shear["neighbor_skin"],
    seed=int(sm.wildcards.seed),
    engine=EngineSpec.from_config(shear["engine"]),
    density=float(sm.wildcards.rho),
    limits=RunLimits.from_config(sm.config["shear"]["engine"]),
)
log.info("segment %d done in %.1f s", k, result.seconds)
