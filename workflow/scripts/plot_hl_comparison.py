"""Rule plot_hl_comparison: Fig. 3 (HL vs MD) and the rescaled flow curves (Fig. 2 main panel)."""

from mechnoise import io
from mechnoise.figures import plot_hl_comparison, plot_rescaled_flow_curves
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
summary = io.read_table(sm.input.summary)
parametric = io.read_table(sm.input.parametric)
plot_hl_comparison(summary, parametric).savefig(sm.output.fig3, dpi=sm.params.dpi)
fig = plot_rescaled_flow_curves(
    io.read_table(sm.input.flow), summary, io.read_table(sm.input.prediction)
)
fig.savefig(sm.output.rescaled, dpi=sm.params.dpi)
log.info("wrote %s and %s", sm.output.fig3, sm.output.rescaled)
