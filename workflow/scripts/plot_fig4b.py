"""Rule plot_fig4b: stress MSD per density at one rate + D_sigma(rho) inset -> fig4b.png."""

import pandas as pd

from mechnoise import io
from mechnoise.figures.stress import plot_fig4b
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

curves = []
for path in sm.input.msd:
    run = wildcards_from_path(sm.params.pattern, path)
    rho, seed = run["rho"], run["seed"]
    curves.append(io.read_table(path).assign(density=float(rho), seed=int(seed)))
summary = io.read_table(sm.input.summary)
fig = plot_fig4b(pd.concat(curves, ignore_index=True), summary, float(sm.params.shear_rate))
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("wrote %s", sm.output[0])
