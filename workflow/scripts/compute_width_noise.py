"""Rule compute_width_noise: D_noise, D_all and Gamma of a run on every grid of the block-size
scan, from its LAMMPS block series, and the in-flow means of the scan's onsets, with their
delete-one values over the same segments."""

from mechnoise import io, plasticity
from mechnoise.hl import width_scan
from mechnoise.lammps.schedule import plan_shear
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
plan = plan_shear(float(sm.wildcards.rate), *sm.params.plan)
events = io.read_table(sm.input.events)
scan = io.read_table(sm.input.scan, columns=["W", "M"])
# onsets are known from the first to the last D2min reference frame of each frame window
# (as in compute_block_noise)
coverage = [(w.start * plan.dt, w.stop * plan.dt - sm.params.margin) for w in plan.windows]
noise, jack = width_scan.width_noise(
    io.read_table(sm.input.series),
    events,
    plasticity.persistent_onsets(
        events, min_particles=sm.params.min_particles, min_duration=sm.params.min_duration
    ),
    list(zip(scan["W"].astype(float), scan["M"].astype(int), strict=True)),
    fit_window=sm.params.fit_window,
    margin=sm.params.margin,
    coverage=coverage,
    n_segments=sm.params.n_segments,
    gamma_note=str(io.read_table(sm.input.plasticity)["Gamma_note"].iloc[0]),
    inflow_onsets=io.read_table(sm.input.onsets),
)
io.write_table(jack, sm.output.jackknife, width_scan.WIDTH_NOISE_JACKKNIFE_COLUMNS)
io.write_table(noise, sm.output.noise, width_scan.WIDTH_NOISE_COLUMNS)
log.info("noise per block width:\n%s", noise.to_string(index=False))
