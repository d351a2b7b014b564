"""Rule collect_inflow: every run's inflow_summary -> results/inflow_summary.parquet."""

import pandas as pd

from mechnoise import io
from mechnoise.plasticity import triggered
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

rows = []
for path in sm.input:
    run = wildcards_from_path(sm.params.pattern, path)
    row = io.read_table(path)
    row.insert(0, "seed", int(run["seed"]))
    row.insert(0, "shear_rate", float(run["rate"]))
    row.insert(0, "density", float(run["rho"]))
    rows.append(row)
table = pd.concat(rows, ignore_index=True)
io.write_table(table, sm.output[0], triggered.COLLECTED_INFLOW_COLUMNS)
log.info("collected %d runs", len(table))
