"""Rule plot_width_alphas: D_noise and every alpha against the block width (lowest rate, seeds
combined), with alpha_flow of Table 1 for reference."""

from mechnoise import io
from mechnoise.figures.inflow import plot_width_alphas
from mechnoise.hl.width_scan import combine_seeds
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
combined = combine_seeds(io.read_table(sm.input.alphas))
plot_width_alphas(combined, io.read_table(sm.input.summary)).savefig(
    sm.output[0], dpi=sm.params.dpi
)
log.info("alphas per block width (seeds combined):\n%s", combined.to_string(index=False))
