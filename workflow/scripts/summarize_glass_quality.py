"""Rule summarize_glass_quality: one row per glass, a warning for every crystallised one."""

import pandas as pd

from mechnoise import io, structure
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
quality = structure.summarize_glass_quality(
    pd.concat([io.read_table(p) for p in sm.input], ignore_index=True),
    sm.params.psi6_threshold,
    sm.params.max_crystalline_fraction,
)
io.write_table(quality, sm.output[0], structure.GLASS_QUALITY_COLUMNS)
for message in structure.crystallisation_warnings(quality):
    log.warning("%s", message)
log.info("%d glasses, %d crystallised", len(quality), int(quality["crystallised"].sum()))
