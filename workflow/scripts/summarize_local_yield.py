"""Rule summarize_local_yield: curves -> local_yield.parquet, yield_summary.parquet,
drop_rule_sensitivity.parquet and the thresholds over loading directions resolved on the flow
(flow_thresholds.parquet, flow_threshold_summary.parquet); the drop rule is applied here,
never in LAMMPS."""

from mechnoise import io
from mechnoise.frozen_matrix.analysis import (
    LOCAL_YIELD_COLUMNS,
    SENSITIVITY_COLUMNS,
    SUMMARY_COLUMNS,
    drop_rule_sensitivity,
    local_yield_table,
    summarize_local_yield,
)
from mechnoise.frozen_matrix.directions import (
    FLOW_SUMMARY_COLUMNS,
    FLOW_THRESHOLD_COLUMNS,
    flow_threshold_summary,
    flow_threshold_table,
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
flow = flow_threshold_table(local)
io.write_table(flow, sm.output.flow, FLOW_THRESHOLD_COLUMNS)
io.write_table(flow_threshold_summary(flow, rho), sm.output.flow_summary, FLOW_SUMMARY_COLUMNS)
log.info("summary:\n%s\nsensitivity:\n%s", summary.T.to_string(), sensitivity.to_string())
