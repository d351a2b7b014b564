"""Rule plot_fig5a: C_p(t) (literal) and C(t) (time-resolved) of every density -> fig5a.png."""

import pandas as pd

from mechnoise import io
from mechnoise.figures import plot_fig5a
from mechnoise.plasticity.decay_fit import decay_times_by_density, event_durations_by_density
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821



def gather(paths, pattern):
    """One table of every run's curve, with its density and seed."""
    parts = []
    for path in paths:
        run = wildcards_from_path(pattern, path)
        parts.append(
            io.read_table(path).assign(density=float(run["rho"]), seed=int(run["seed"]))
        )
    return pd.concat(parts, ignore_index=True)


table = gather(sm.input.autocorr, sm.params.pattern)
events = gather(sm.input.event_autocorr, sm.params.event_pattern)
fits = decay_times_by_density(table)
event_fits = event_durations_by_density(events)
fig = plot_fig5a(table, fits, event_curves=events, event_fits=event_fits)
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("tau_p_window of the pooled C_p:\n%s", fits.to_string(index=False))
log.info("tau_p of the pooled time-resolved C:\n%s", event_fits.to_string(index=False))
