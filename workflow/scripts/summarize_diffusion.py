"""Rule summarize_diffusion: MSD samples + plasticity summary + G0 -> diffusion_summary.parquet."""

import math

from mechnoise import diffusion, io, run_summary
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
wc = sm.wildcards

fit = diffusion.fit_stress_diffusion(io.read_table(sm.input.samples), *sm.params.fit_window)
plasticity = io.read_table(sm.input.plasticity)
if len(plasticity) != 1:
    raise ValueError(f"{sm.input.plasticity}: expected one row, found {len(plasticity)}")
p = plasticity.iloc[0]
g0, g0_err = diffusion.shear_modulus_for_density(io.read_table(sm.input.modulus), float(wc.rho))
grid = io.read_table(sm.input.block_stress, columns=["bx", "block_area"])
summary = run_summary.diffusion_summary(
    fit,
    plasticity=p.to_dict(),
    shear_modulus=g0,
    shear_modulus_err=g0_err,
    n_blocks=int(grid["bx"].max()) + 1,
    block_side=math.sqrt(float(grid["block_area"].iloc[0])),
    density=float(wc.rho),
    shear_rate=float(wc.rate),
    seed=int(wc.seed),
)
io.write_table(summary, sm.output[0], run_summary.DIFFUSION_SUMMARY_COLUMNS)
log.info("diffusion summary:\n%s", summary.T.to_string())
