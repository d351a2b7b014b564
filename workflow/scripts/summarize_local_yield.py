"""Rule summarize_local_yield: curves -> local_yield.parquet and yield_summary.parquet."""

from mechnoise import io
from mechnoise.frozen_matrix.analysis import (
    LOCAL_YIELD_COLUMNS,
    SUMMARY_COLUMNS,
    local_yield_table,
    summarize_local_yield,
)
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
curves = io.read_table(sm.input.curves)
step, factor = sm.params.strain_step, sm.params.drop_factor
local = local_yield_table(curves, step, factor)
summary = summarize_local_yield(curves, float(sm.wildcards.rho), step, factor)
io.write_table(local, sm.output.local, LOCAL_YIELD_COLUMNS)
io.write_table(summary, sm.output.summary, SUMMARY_COLUMNS)
log.info("summary:\n%s", summary.T.to_string())
