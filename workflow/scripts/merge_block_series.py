"""Rule merge_block_series: one per-block stress series per run, flips numbered over the run."""

from pathlib import Path

from mechnoise import io
from mechnoise.block_series import BLOCK_SERIES_COLUMNS, merge_series
from mechnoise.lammps.protocols import Model
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
lx = Model(*sm.params.model).box_side(float(sm.wildcards.rho))
series = merge_series([io.read_table(Path(p)) for p in sm.input], lx)
io.write_table(series, Path(sm.output[0]), BLOCK_SERIES_COLUMNS)
log.info("merged %d segments: %d rows, %d flips", len(sm.input), len(series), series["epoch"].max())
