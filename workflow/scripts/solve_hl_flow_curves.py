"""Rule solve_hl_flow_curves: exact HL flow curves for every configured α -> flow_curves.parquet."""

import numpy as np

from mechnoise import hl, io
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
rate_min, rate_max, n_rates = sm.params.rate_range
rates = np.geomspace(rate_min, rate_max, n_rates)
table = hl.flow_curve_table(sm.params.alphas, rates)
io.write_table(table, sm.output[0], hl.FLOW_CURVE_COLUMNS)
log.info("HL flow curves:\n%s", table.to_string())
