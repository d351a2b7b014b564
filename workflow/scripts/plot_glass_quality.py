"""Rule plot_glass_quality: g_AA, g_AB, g_BB per density and P(|psi6|)."""

import pandas as pd

from mechnoise import io
from mechnoise.figures import plot_glass_quality
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
fig = plot_glass_quality(
    pd.concat([io.read_table(p) for p in sm.input.rdf], ignore_index=True),
    pd.concat([io.read_table(p) for p in sm.input.structure], ignore_index=True),
    io.read_table(sm.input.quality),
)
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("wrote %s", sm.output[0])
