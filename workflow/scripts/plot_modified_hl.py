"""Rule plot_modified_hl: modified HL vs MD figures (<sigma>, P(sigma), P(x), Gamma)."""

from mechnoise import io
from mechnoise.figures import (
    plot_modified_hl_activity,
    plot_modified_hl_distance_distribution,
    plot_modified_hl_stress,
    plot_modified_hl_stress_distribution,
)
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
prediction = io.read_table(sm.input.prediction)
distributions = io.read_table(sm.input.distributions)
plot_modified_hl_stress(prediction).savefig(sm.output.stress, dpi=sm.params.dpi)
plot_modified_hl_activity(prediction).savefig(sm.output.activity, dpi=sm.params.dpi)
plot_modified_hl_stress_distribution(distributions).savefig(
    sm.output.stress_distribution, dpi=sm.params.dpi
)
plot_modified_hl_distance_distribution(distributions).savefig(
    sm.output.distance_distribution, dpi=sm.params.dpi
)
log.info("wrote the modified-HL figures")
