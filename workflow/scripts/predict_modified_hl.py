"""Rule predict_modified_hl: modified-HL flow curves from each density's measured ingredients."""

import numpy as np

from mechnoise import io
from mechnoise.report import table1 as summary
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
rate_min, rate_max, n_rates = sm.params.rate_range
rates = np.geomspace(rate_min, rate_max, n_rates)
table = summary.modified_hl_prediction(io.read_table(sm.input[0]), rates)
io.write_table(table, sm.output[0], summary.PREDICTION_COLUMNS)
log.info("modified HL prediction:\n%s", table.to_string())
