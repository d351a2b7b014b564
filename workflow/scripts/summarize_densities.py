"""Rule summarize_densities: Table 1 of the paper -> results/summary.parquet."""

import pandas as pd

from mechnoise import io
from mechnoise.report import table1 as summary
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
table = summary.summary_table(
    io.read_table(sm.input.modulus),
    io.read_table(sm.input.fit),
    pd.concat([io.read_table(p) for p in sm.input.yield_summary], ignore_index=True),
    io.read_table(sm.input.diffusion),
    sm.params.shear_rate,
    io.read_table(sm.input.hl_fit),
    inflow=io.read_table(sm.input.inflow),
    run_couplings=io.read_table(sm.input.run_couplings),
)
io.write_table(table, sm.output[0], summary.SUMMARY_COLUMNS)
log.info("Table 1:\n%s", table.T.to_string())
