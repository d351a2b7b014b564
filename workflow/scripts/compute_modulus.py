"""Rule compute_modulus: G0 from the elastic branches (and initial loading) -> modulus.parquet."""

import numpy as np
import pandas as pd

from mechnoise import io, rheology, stats
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
per_density = {}
for path in sm.input.thermo:
    run = wildcards_from_path(sm.params.pattern, path)
    rho, rate = run["rho"], run["rate"]
    thermo = io.read_thermo(path)
    steady = thermo[thermo["steady"]]
    g0, g0_err, n_branches = rheology.elastic_branch_modulus(steady["strain"], steady["stress"])
    gi, gi_err = float("nan"), float("nan")  # a cascaded run has no initial loading
    if sm.params.from_glass:
        gi, gi_err = rheology.initial_modulus(
            thermo["strain"], thermo["stress"], sm.params.elastic_strain_max
        )
    per_density.setdefault(float(rho), []).append((g0, g0_err, n_branches, gi, gi_err, float(rate)))
rows = []
for rho, values in sorted(per_density.items()):
    v = np.array(values)
    g0, g0_err = stats.combine_runs(v[:, 0], np.nan_to_num(v[:, 1], nan=0.0))
    gi, gi_err = stats.combine_runs(v[:, 3], v[:, 4])
    rows.append(
        {
            "density": rho,
            "G0": g0,
            "G0_err": g0_err,
            "n_branches": int(v[:, 2].sum()),
            "G0_initial": gi,
            "G0_initial_err": gi_err,
            "shear_rate": v[0, 5],
        }
    )
table = pd.DataFrame(rows)
io.write_table(table, sm.output[0], rheology.MODULUS_COLUMNS)
log.info("moduli:\n%s", table.to_string())
