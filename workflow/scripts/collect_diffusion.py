"""Rule collect_diffusion: every run's diffusion_summary -> results/diffusion_summary.parquet."""

import pandas as pd

from mechnoise import io, run_summary
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

table = pd.concat([io.read_table(p) for p in sm.input], ignore_index=True)
table = table.sort_values(["density", "shear_rate", "seed"], ignore_index=True)
io.write_table(table, sm.output[0], run_summary.DIFFUSION_SUMMARY_COLUMNS)
log.info(
    "D_sigma, Gamma per run:\n%s",
    table[
        [
            "density",
            "shear_rate",
            "seed",
            "D_sigma",
            "D_sigma_err",
            "Gamma",
            "Gamma_err",
            "D_sigma_over_Gamma",
        ]
    ].to_string(),
)
