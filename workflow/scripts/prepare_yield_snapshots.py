"""Rule prepare_yield_snapshots: steady-state frames -> minimized snapshot data files."""

from pathlib import Path

from mechnoise import io
from mechnoise.frozen_matrix.snapshots import prepare_snapshots
from mechnoise.lammps.engine import EngineSpec
from mechnoise.lammps.protocols import Model
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
system = sm.params.system
model = Model(system["n_particles"], system["fraction_a"], system["cutoff"], system["cutoff_mode"])
cut = model.cutoffs()
paths = prepare_snapshots(
    io.read_frames_table(sm.input.frames),
    sm.params.n_configs,
    Path(sm.params.workdir),
    cutoffs=(cut["cutoff_aa"], cut["cutoff_ab"], cut["cutoff_bb"]),
    engine=EngineSpec.from_config(sm.params.engine, mpi_ranks=1),  # a one-core job
)
expected = [Path(p).resolve() for p in sm.output]
if [p.resolve() for p in paths] != expected:
    raise RuntimeError(f"snapshots {paths} differ from the rule's outputs {expected}")
log.info("wrote %d snapshots", len(paths))
