"""Rule collect_plasticity: every run's plasticity_summary -> results/plasticity_summary.parquet."""

import pandas as pd

from mechnoise import io, plasticity
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

rows = []
for path in sm.input:
    run = wildcards_from_path(sm.params.pattern, path)
    rho, rate, seed = run["rho"], run["rate"], run["seed"]
    row = io.read_table(path)
    row.insert(0, "seed", int(seed))
    row.insert(0, "shear_rate", float(rate))
    row.insert(0, "density", float(rho))
    rows.append(row)
table = pd.concat(rows, ignore_index=True)
io.write_table(table, sm.output[0], plasticity.COLLECTED_SUMMARY_COLUMNS)
log.info("collected %d runs", len(table))
