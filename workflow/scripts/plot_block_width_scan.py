"""Rule plot_block_width_scan: D_sigma, Gamma, sigma_c_flow against W at the lowest rate."""

import numpy as np

from mechnoise import io
from mechnoise.figures.inflow import plot_block_width_scan
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

scan = io.read_table(sm.input[0])
scan = scan[np.isclose(scan["shear_rate"], sm.params.shear_rate)]
cols = ["D_sigma", "Gamma", "sigma_c_flow"]
mean = scan.groupby(["density", "W"], as_index=False)[cols + [f"{c}_err" for c in cols]].mean()
fig = plot_block_width_scan(mean)
fig.savefig(sm.output[0], dpi=sm.params.dpi)
log.info("block-size scan at rate %g:\n%s", sm.params.shear_rate, mean.to_string(index=False))
