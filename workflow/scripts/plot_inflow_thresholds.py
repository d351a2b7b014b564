"""Rule plot_inflow_thresholds: distributions of the in-flow thresholds and drops beside the
frozen-matrix ones, and the onset-triggered profile -> results/figures/inflow_thresholds.png."""

import pandas as pd

from mechnoise import io
from mechnoise.figures.inflow import plot_inflow_thresholds
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821


def gather(paths, pattern):
    """One table of every file, with its density."""
    parts = []
    for path in paths:
        run = wildcards_from_path(pattern, path)
        parts.append(io.read_table(path).assign(density=float(run["rho"])))
    return pd.concat(parts, ignore_index=True)


fig = plot_inflow_thresholds(
    gather(sm.input.onsets, sm.params.pattern),
    gather(sm.input.local, sm.params.local_pattern),
    gather(sm.input.profiles, sm.params.profile_pattern),
)
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("wrote %s", sm.output[0])
