"""Rule plot_fig5a: C_p(t) of every density at one shear rate -> fig5a.png."""

import pandas as pd

from mechnoise import io
from mechnoise.figures import plot_fig5a
from mechnoise.plasticity.event_duration import decay_times_by_density
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

curves = []
for path in sm.input.autocorr:
    run = wildcards_from_path(sm.params.pattern, path)
    rho, seed = run["rho"], run["seed"]
    curves.append(io.read_table(path).assign(density=float(rho), seed=int(seed)))
table = pd.concat(curves, ignore_index=True)
fits = decay_times_by_density(table)
fig = plot_fig5a(table, fits)
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("tau_p of the pooled curves:\n%s", fits.to_string(index=False))
