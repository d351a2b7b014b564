"""Rule compare_inflow_thresholds: in-flow thresholds and drops beside the frozen-matrix ones
-> results/inflow_thresholds.parquet (per density) and results/figures/inflow_thresholds.png."""

import pandas as pd

from mechnoise import io
from mechnoise.figures.inflow import plot_inflow_thresholds
from mechnoise.plasticity import triggered
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821


def gather(paths, pattern):
    """One table of every file, with its density (and seed when the path has one)."""
    parts = []
    for path in paths:
        run = wildcards_from_path(pattern, path)
        parts.append(io.read_table(path).assign(density=float(run["rho"])))
    return pd.concat(parts, ignore_index=True)


local = gather(sm.input.local, sm.params.local_pattern)
table = triggered.inflow_thresholds(io.read_table(sm.input.inflow), local, sm.params.shear_rate)
io.write_table(table, sm.output.table, triggered.INFLOW_COLUMNS)
fig = plot_inflow_thresholds(
    gather(sm.input.onsets, sm.params.pattern),
    local,
    gather(sm.input.profiles, sm.params.profile_pattern),
)
fig.savefig(sm.output.figure, dpi=sm.params.dpi)
log.info("in-flow vs frozen-matrix thresholds:\n%s", table.T.to_string())
