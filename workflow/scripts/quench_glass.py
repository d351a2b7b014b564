"""Rule quench_glass: prepare one glass with in.prepare."""

from pathlib import Path

from mechnoise.lammps.engine import RunLimits
from mechnoise.lammps.protocols import Model, prepare_glass
from mechnoise.scripting import execution_engine, start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
temperature, equilibration_time, quench_time, dt, skin = sm.params.quench
result = prepare_glass(
    Model(*sm.params.model),
    float(sm.wildcards.rho),
    int(sm.wildcards.seed),
    Path(sm.output.data),
    script=Path(sm.input.script),
    temperature=temperature,
    equilibration_time=equilibration_time,
    quench_time=quench_time,
    dt=dt,
    skin=skin,
    engine=execution_engine(sm.config),
    limits=RunLimits.from_config(sm.config["execution"]),
)
log.info("glass written in %.1f s: %s", result.seconds, sm.output.data)
