"""Rule prepare_yield_snapshots: steady-state frames -> minimized snapshot data files."""

from pathlib import Path

from mechnoise import io
from mechnoise.frozen_matrix.snapshots import prepare_snapshots
from mechnoise.scripting import execution_engine, start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
paths = prepare_snapshots(
    io.read_frames_table(sm.input.frames),
    sm.params.n_configs,
    Path(sm.params.workdir),
    script=Path(sm.input.script),
    cutoffs=sm.params.cutoffs,
    engine=execution_engine(sm.config, mpi_ranks=1),  # a one-core job
)
expected = [Path(p).resolve() for p in sm.output]
if [p.resolve() for p in paths] != expected:
    raise RuntimeError(f"snapshots {paths} differ from the rule's outputs {expected}")
log.info("wrote %d snapshots", len(paths))
