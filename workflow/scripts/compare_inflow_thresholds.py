"""Rule compare_inflow_thresholds: in-flow thresholds and drops beside the frozen-matrix ones
-> results/inflow_thresholds.parquet (one row per density)."""

import pandas as pd

from mechnoise import io
from mechnoise.plasticity import triggered
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

local = pd.concat(
    [
        io.read_table(p).assign(
            density=float(wildcards_from_path(sm.params.local_pattern, p)["rho"])
        )
        for p in sm.input.local
    ],
    ignore_index=True,
)
table = triggered.inflow_thresholds(io.read_table(sm.input.inflow), local, sm.params.shear_rate)
io.write_table(table, sm.output[0], triggered.INFLOW_COLUMNS)
log.info("in-flow vs frozen-matrix thresholds:\n%s", table.T.to_string())
