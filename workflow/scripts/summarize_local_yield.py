"""Rule summarize_local_yield: curves -> local_yield.parquet, yield_summary.parquet and
drop_rule_sensitivity.parquet (the drop rule is applied here, never in LAMMPS)."""

from mechnoise import io
from mechnoise.frozen_matrix.analysis import (
    LOCAL_YIELD_COLUMNS,
    SENSITIVITY_COLUMNS,
    SUMMARY_COLUMNS,
    drop_rule_sensitivity,
    local_yield_table,
    summarize_local_yield,
)
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
curves = io.read_table(sm.input.curves)
step, factor = sm.params.strain_step, sm.params.drop_factor
local = local_yield_table(curves, step, factor)
rho = float(sm.wildcards.rho)
summary = summarize_local_yield(curves, rho, step, factor)
sensitivity = drop_rule_sensitivity(curves, rho, step, factor)
io.write_table(local, sm.output.local, LOCAL_YIELD_COLUMNS)
io.write_table(summary, sm.output.summary, SUMMARY_COLUMNS)
io.write_table(sensitivity, sm.output.sensitivity, SENSITIVITY_COLUMNS)
log.info("summary:\n%s\nsensitivity:\n%s", summary.T.to_string(), sensitivity.to_string())
