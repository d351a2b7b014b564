"""Rule collect_block_noise: every run's block_noise -> results/block_noise.parquet."""

import pandas as pd

from mechnoise import io
from mechnoise.noise import BLOCK_NOISE_COLUMNS, NOISE_JACKKNIFE_COLUMNS
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
jack = pd.concat([io.read_table(p) for p in sm.input.jackknife], ignore_index=True)
io.write_table(jack, sm.output.jackknife, NOISE_JACKKNIFE_COLUMNS)
table = pd.concat([io.read_table(p) for p in sm.input.noise], ignore_index=True)
table = table.sort_values(["density", "shear_rate", "seed"], ignore_index=True)
io.write_table(table, sm.output.noise, BLOCK_NOISE_COLUMNS)
log.info(
    "D_noise, D_all per run:\n%s",
    table[["density", "shear_rate", "D_noise", "D_noise_err", "D_all", "D_all_err"]].to_string(),
)
