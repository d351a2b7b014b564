"""Rule compute_stress_msd: block_stress + modulus -> stress_msd(.parquet, _blocks.parquet)."""

from mechnoise import diffusion, io
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

block_stress = io.read_table(sm.input.block_stress)
g0, _ = diffusion.shear_modulus_for_density(
    io.read_table(sm.input.modulus), float(sm.wildcards.rho)
)
samples = diffusion.stress_msd_samples(block_stress, g0, sm.params.max_lag)
pooled = diffusion.pool_stress_msd(samples)
io.write_table(samples, sm.output.samples, diffusion.STRESS_MSD_SAMPLE_COLUMNS)
io.write_table(pooled, sm.output.msd, diffusion.STRESS_MSD_COLUMNS)
log.info("G0 = %.5g; pooled MSD:\n%s", g0, pooled.to_string())
