"""Rule plot_hl_comparison: Fig. 3 (HL vs MD) and the rescaled flow curves (Fig. 2 main panel)."""

import pandas as pd

from mechnoise.figures import plot_hl_comparison, plot_rescaled_flow_curves
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
summary = pd.read_parquet(sm.input.summary)
parametric = pd.read_parquet(sm.input.parametric)
plot_hl_comparison(summary, parametric).savefig(sm.output.fig3, dpi=sm.params.dpi)
fig = plot_rescaled_flow_curves(
    pd.read_parquet(sm.input.flow), summary, pd.read_parquet(sm.input.prediction)
)
fig.savefig(sm.output.rescaled, dpi=sm.params.dpi)
log.info("wrote %s and %s", sm.output.fig3, sm.output.rescaled)
