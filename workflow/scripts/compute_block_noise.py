"""Rule compute_block_noise: D_noise and D_all of a run from its LAMMPS block series, and the
in-flow threshold and drops (onset_stress.parquet) delete-one over the same time segments."""


from mechnoise import io
from mechnoise.lammps.schedule import plan_shear
from mechnoise.noise import (
    BLOCK_NOISE_COLUMNS,
    NOISE_JACKKNIFE_COLUMNS,
    block_noise,
    series_width_for_m,
)
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
rate = float(sm.wildcards.rate)
plan = plan_shear(rate, *sm.params.plan)
series = io.read_table(sm.input.series)
events = io.read_table(sm.input.events)
m = int(io.read_table(sm.input.activity, columns=["m"])["m"].iloc[0])
width = series_width_for_m(series, m)
# onsets are known from the first to the last D2min reference frame of each frame window
coverage = [(w.start * plan.dt, w.stop * plan.dt - sm.params.margin) for w in plan.windows]
row, jack = block_noise(
    series,
    events,
    width=width,
    fit_window=sm.params.fit_window,
    margin=sm.params.margin,
    coverage=coverage,
    n_segments=sm.params.n_segments,
    inflow=io.read_table(sm.input.onsets),
)
for table in (row, jack):
    table.insert(0, "seed", int(sm.wildcards.seed))
    table.insert(0, "shear_rate", rate)
    table.insert(0, "density", float(sm.wildcards.rho))
io.write_table(jack, sm.output.jackknife, NOISE_JACKKNIFE_COLUMNS)
io.write_table(row, sm.output.noise, BLOCK_NOISE_COLUMNS)
log.info("block noise:\n%s", row.T.to_string())
if row["pairs_noise"].iloc[0] == 0:
    log.warning(
        "no onset-free pairs: D_noise is NaN. Onsets are known only inside frame windows, "
        "and a pair needs the D2min lag (%g tau0) before it and after it inside one window, plus "
        "the lag tau itself: windows must be longer than 2 x %g + %g tau0 (the fit window's end)",
        sm.params.margin,
        sm.params.margin,
        sm.params.fit_window[1],
    )
