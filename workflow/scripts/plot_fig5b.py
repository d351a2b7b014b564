"""Rule plot_fig5b: local yield stress distributions per density (paper Fig. 5b) and the
distributions of sigma_c^m, Delta sigma^m, x and x_post (fig5c_thresholds)."""

import pandas as pd

from mechnoise import io
from mechnoise.figures.frozen_matrix import plot_fig5b, plot_thresholds
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
local = {
    float(wildcards_from_path(sm.params.pattern, path)["rho"]): io.read_table(path)
    for path in sm.input.local
}
summary = pd.concat([io.read_table(p) for p in sm.input.summary], ignore_index=True)
plot_fig5b(local, summary).savefig(sm.output.fig5b, dpi=sm.params.dpi)
plot_thresholds(local).savefig(sm.output.thresholds, dpi=sm.params.dpi)
log.info("wrote %s and %s", sm.output.fig5b, sm.output.thresholds)
