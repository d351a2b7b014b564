"""Rule merge_shear_run: one thermo and one frames table per run, checked."""

from pathlib import Path

from mechnoise.lammps.protocols import merge_segments
from mechnoise.lammps.schedule import plan_shear
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
plan = plan_shear(float(sm.wildcards.rate), *sm.params.plan)
merge_segments(
    [Path(p) for p in sm.input.thermo],
    [Path(p) for p in sm.input.frames],
    Path(sm.output.thermo),
    Path(sm.output.frames),
    expected_frames=sum(len(w.steps) for w in plan.windows),
)
log.info("merged %d segments", len(sm.input.thermo))
