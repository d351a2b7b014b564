"""Rule compute_event_duration: frames + D2min -> event_autocorr.parquet, event_duration.parquet.

The time-resolved event duration tau_p (C(t) of the short-lag non-affine amplitude on active
particles, background-subtracted, fitted with a plateau) at the short lags ds, 2 ds, ...
"""


from mechnoise import io, plasticity
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
p = sm.params

# only windows whose spacing divides the short lag enter tau_p (the dense ones, not the
# survey windows): build Frame objects for those only
table = io.read_frames_table(sm.input.frames)
dense = plasticity.windows_resolving(table[["window", "time"]].drop_duplicates(), p.short_lag)
table = table[table["window"].isin(dense)]
curves, durations = plasticity.event_duration_tables(
    list(io.iter_frames(table)),
    io.read_table(sm.input.d2min),
    threshold=p.threshold,
    lag=p.lag,
    short_lag=p.short_lag,
    n_short_lags=p.n_short_lags,
    max_lag=p.max_lag,
    r_max=p.r_max,
)
io.write_table(curves, sm.output.curves, plasticity.EVENT_AUTOCORR_COLUMNS)
io.write_table(durations, sm.output.durations, plasticity.EVENT_DURATION_COLUMNS)
log.info("tau_p against the short lag:\n%s", durations.to_string(index=False))
