"""Rule plot_fig4a: thermo.parquet + activity.parquet of one run -> fig4a.png."""

from mechnoise import io
from mechnoise.figures.plasticity import plot_fig4a
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

fig = plot_fig4a(io.read_thermo(sm.input.thermo[0]), io.read_table(sm.input.activity[0]))
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("wrote %s", sm.output[0])
