"""Rule solve_modified_hl_flow_curves: modified-HL flow curves -> modified_flow_curves.parquet."""

import numpy as np
import pandas as pd

from mechnoise import hl, io
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
rate_min, rate_max, n_rates = sm.params.rate_range
rates = np.geomspace(rate_min, rate_max, n_rates)
parts = []
for alpha in sm.params.alphas:
    curve = hl.modified_flow_curve(
        float(alpha),
        rates,
        threshold_width=sm.params.threshold_width,
        relaxation_fraction=sm.params.relaxation_fraction,
    )
    curve.insert(0, "alpha", float(alpha))
    curve.insert(1, "threshold_width", float(sm.params.threshold_width))
    curve.insert(2, "relaxation_fraction", float(sm.params.relaxation_fraction))
    curve.insert(3, "relaxation_width", 0.0)
    curve.insert(4, "thresholds", "renewed")
    parts.append(curve)
table = pd.concat(parts, ignore_index=True)
io.write_table(table, sm.output[0], hl.MODIFIED_FLOW_CURVE_COLUMNS)
log.info("modified HL flow curves:\n%s", table.to_string())
