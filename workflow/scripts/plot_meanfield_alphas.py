"""Rule plot_meanfield_alphas: alpha_flow and every measured alpha against density."""

from mechnoise import io
from mechnoise.figures import plot_meanfield_alphas
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
plot_meanfield_alphas(io.read_table(sm.input.summary)).savefig(sm.output[0], dpi=sm.params.dpi)
log.info("wrote %s", sm.output[0])
