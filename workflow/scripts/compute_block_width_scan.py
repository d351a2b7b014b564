"""Rule compute_block_width_scan: frames + onsets -> block_width_scan.parquet (D_sigma, Gamma,
in-flow threshold and drop for every coarse block width W of analysis.inflow.widths) and
block_width_onsets.parquet (the onsets of the in-flow means on every grid)."""

from mechnoise import diffusion, io, plasticity
from mechnoise.plasticity import block_scan
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

frames = io.read_frames(sm.input.frames)
events = io.read_table(sm.input.events)
g0, _ = diffusion.shear_modulus_for_density(
    io.read_table(sm.input.modulus), float(sm.wildcards.rho)
)
keep = plasticity.persistent_onsets(
    events, min_particles=sm.params.min_particles, min_duration=sm.params.min_duration
)
scan, onsets = block_scan.block_width_scan(
    frames,
    events,
    io.read_table(sm.input.activity),
    keep,
    widths=sm.params.widths,
    shear_modulus=g0,
    max_lag=sm.params.max_lag,
    fit_window=sm.params.fit_window,
    drop_delay=sm.params.drop_delay,
    level_width=sm.params.level_width,
    n_segments=sm.params.n_segments,
    percolated=bool(io.read_table(sm.input.plasticity)["Gamma_note"].iloc[0]),
)
io.write_table(onsets, sm.output.onsets, block_scan.BLOCK_SCAN_ONSET_COLUMNS)
io.write_table(scan, sm.output.scan, block_scan.BLOCK_SCAN_COLUMNS)
log.info("block-size scan:\n%s", scan.to_string(index=False))
