"""Rule summarize_width_alphas: per-run noise per W + block-size scan + G0 + frozen-matrix
thresholds -> results/width_alphas.parquet (every alpha per W, lowest rate)."""

import numpy as np
import pandas as pd

from mechnoise import diffusion, io
from mechnoise.blocks import block_width
from mechnoise.hl import width_scan
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

scan = io.read_table(sm.input.scan)
modulus = io.read_table(sm.input.modulus)
thresholds = {
    float(wildcards_from_path(sm.params.yield_pattern, p)["rho"]): width_scan.frozen_threshold(
        io.read_table(p)
    )
    for p in sm.input.yield_summary
}
# analysis.blocks.from_cluster_size: the frozen-matrix grid used the <l_pl> of its run
cluster = {
    float(wildcards_from_path(sm.params.cluster_pattern, p)["rho"]): float(
        io.read_table(p, columns=["l_pl"])["l_pl"].iloc[0]
    )
    for p in sm.input.cluster_size
}
parts = []
for noise_path, jack_path in zip(sm.input.noise, sm.input.jackknife, strict=True):
    run = wildcards_from_path(sm.params.pattern, noise_path)
    rho, rate, seed = float(run["rho"]), float(run["rate"]), int(run["seed"])
    own = scan[
        np.isclose(scan["density"], rho)
        & np.isclose(scan["shear_rate"], rate)
        & (scan["seed"] == seed)
    ]
    frozen_m = width_scan.frozen_grid(
        float(own["block_side"].iloc[0]),
        int(own["M"].iloc[0]),
        block_width(sm.params.frozen_width, cluster.get(rho)),
    )
    part = width_scan.width_alphas(
        io.read_table(noise_path),
        io.read_table(jack_path),
        own,
        g0=diffusion.shear_modulus_for_density(modulus, rho),
        shear_rate=rate,
        sigma_c=thresholds[rho],
        frozen_m=frozen_m,
    )
    part.insert(0, "seed", seed)
    part.insert(0, "shear_rate", rate)
    part.insert(0, "density", rho)
    parts.append(part)
table = pd.concat(parts, ignore_index=True)
io.write_table(table, sm.output[0], width_scan.WIDTH_ALPHA_COLUMNS)
log.info("alphas per block width:\n%s", table.to_string(index=False))
