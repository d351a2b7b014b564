"""Rule predict_modified_hl: modified HL from measured ingredients vs MD (issue 20)."""

import numpy as np
import pandas as pd

from mechnoise import io
from mechnoise.report import prediction
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
#: Seed of the ingredient bootstrap (fixed: the band is reproducible).
BOOTSTRAP_SEED = 20
sets = ["frozen_matrix", "in_flow"] if sm.params.ingredients == "both" else [sm.params.ingredients]
summary = io.read_table(sm.input.summary)
# the in-flow noise D_noise (issue 19) joins each run's row of the diffusion summary
noise = io.read_table(
    sm.input.noise, columns=["density", "shear_rate", "seed", "D_noise", "D_noise_err"]
)
runs = io.read_table(sm.input.runs).merge(noise, on=["density", "shear_rate", "seed"], how="left")
local_yield = {
    float(wildcards_from_path(sm.params.local_yield_pattern, p)["rho"]): io.read_table(p)
    for p in sm.input.local_yield
}
block_stress: dict[float, list[np.ndarray]] = {}
for p in sm.input.block_stress:
    rho = float(wildcards_from_path(sm.params.block_stress_pattern, p)["rho"])
    table = io.read_table(p, columns=["strain", "stress"])
    block_stress.setdefault(rho, []).append(
        table.loc[table["strain"] > sm.params.steady_strain, "stress"].to_numpy()
    )
flow = io.read_table(sm.input.flow)
rng = np.random.default_rng(BOOTSTRAP_SEED)
tables, distributions = [], []
for name in sets:
    inputs = prediction.density_inputs(
        summary, local_yield, runs, name, summary_file=sm.input.summary, runs_file=sm.input.runs
    )
    tables.append(prediction.modified_vs_md(inputs, name, flow, runs, sm.params.n_bootstrap, rng))
    for item in inputs:
        ly = local_yield[item.density]
        x = ly.loc[(ly["direction"] == 1) & ly["yielded"], "x"].to_numpy()
        distributions.append(
            prediction.distribution_table(item, name, np.concatenate(block_stress[item.density]), x)
        )
frozen = prediction.density_inputs(summary, local_yield, runs, "frozen_matrix")
if "in_flow" in sets:
    flowing = prediction.density_inputs(summary, local_yield, runs, "in_flow")
    frozen = [
        prediction.DensityInputs(**{**f.__dict__, "in_flow": g.in_flow})
        for f, g in zip(frozen, flowing, strict=True)
    ]
changes = pd.concat(
    [prediction.ingredient_table(item, sm.params.n_bootstrap, rng) for item in frozen],
    ignore_index=True,
)
result = pd.concat(tables, ignore_index=True)
io.write_table(result, sm.output.prediction, prediction.PREDICTION_COLUMNS)
io.write_table(changes, sm.output.ingredients, prediction.INGREDIENT_TABLE_COLUMNS)
io.write_table(
    pd.concat(distributions, ignore_index=True),
    sm.output.distributions,
    prediction.DISTRIBUTION_COLUMNS,
)
log.info("modified HL vs MD:\n%s", result.to_string())
log.info("ingredient table:\n%s", changes.to_string())
