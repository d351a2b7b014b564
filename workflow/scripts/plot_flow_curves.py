"""Rule plot_flow_curves: Fig. 2 (flow curves per density with Herschel-Bulkley fits)."""

from mechnoise import io
from mechnoise.figures.flow import plot_flow_curves
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
fig = plot_flow_curves(io.read_table(sm.input.flow), io.read_table(sm.input.fit))
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("wrote %s", sm.output[0])
