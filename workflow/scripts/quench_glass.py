"""Rule quench_glass: prepare one glass with in.prepare."""

from pathlib import Path

from mechnoise.lammps.engine import EngineSpec, RunLimits
from mechnoise.lammps.protocols import Model, prepare_glass
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
system, quench = sm.params.system, sm.params.quench
model = Model(system["n_particles"], system["fraction_a"], system["cutoff"], system["cutoff_mode"])
result = prepare_glass(
    model,
    float(sm.wildcards.rho),
    int(sm.wildcards.seed),
    Path(sm.output.data),
    temperature=quench["temperature"],
    equilibration_time=quench["equilibration_time"],
    quench_time=quench["quench_time"],
    dt=quench["timestep"],
    skin=sm.params.skin,
    engine=EngineSpec.from_config(sm.params.engine),
    limits=RunLimits.from_config(sm.config["shear"]["engine"]),
)
log.info("glass written in %.1f s: %s", result.seconds, sm.output.data)
