"""Rule summarize_plasticity: activity, clusters, events, C_p, tau_p -> plasticity_summary."""

from mechnoise import io, plasticity
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

row = plasticity.summarize_plasticity(
    io.read_table(sm.input.activity),
    io.read_table(sm.input.clusters),
    io.read_table(sm.input.autocorr),
    io.read_table(sm.input.durations),
    io.read_table(sm.input.events),
    threshold=sm.params.threshold,
    lag=sm.params.lag,
    min_particles=sm.params.min_particles,
    min_duration=sm.params.min_duration,
    percolation_limit=sm.params.percolation_limit,
)
io.write_table(row, sm.output[0], plasticity.SUMMARY_COLUMNS)
log.info("summary: %s", row.iloc[0].to_dict())
