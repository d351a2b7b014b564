"""Rule plot_fig5a: C_p(t) (literal) and C(t) (time-resolved) of every density -> fig5a.png."""

import pandas as pd

from mechnoise.figures import plot_fig5a
from mechnoise.plasticity.event_duration import decay_times_by_density, event_durations_by_density
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821


def gather(paths):
    """One table of every run's curve, with its density and seed."""
    parts = []
    for path, run in zip(paths, sm.params.runs, strict=True):
        rho, _rate, seed = run.split()
        parts.append(pd.read_parquet(path).assign(density=float(rho), seed=int(seed)))
    return pd.concat(parts, ignore_index=True)


table = gather(sm.input.autocorr)
events = gather(sm.input.event_autocorr)
fits = decay_times_by_density(table)
event_fits = event_durations_by_density(events)
fig = plot_fig5a(table, fits, event_curves=events, event_fits=event_fits)
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("tau_p_window of the pooled C_p:\n%s", fits.to_string(index=False))
log.info("tau_p of the pooled time-resolved C:\n%s", event_fits.to_string(index=False))
