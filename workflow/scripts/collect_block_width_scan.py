"""Rule collect_block_width_scan: every run's scan -> results/block_width_scan.parquet."""

import pandas as pd

from mechnoise import io
from mechnoise.plasticity import block_scan
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

rows = []
for path in sm.input:
    run = wildcards_from_path(sm.params.pattern, path)
    part = io.read_table(path)
    part.insert(0, "seed", int(run["seed"]))
    part.insert(0, "shear_rate", float(run["rate"]))
    part.insert(0, "density", float(run["rho"]))
    rows.append(part)
table = pd.concat(rows, ignore_index=True)
io.write_table(table, sm.output[0], block_scan.COLLECTED_BLOCK_SCAN_COLUMNS)
log.info("collected %d rows", len(table))
