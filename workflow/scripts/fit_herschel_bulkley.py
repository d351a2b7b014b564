"""Rule fit_herschel_bulkley: HB fits per density, n free and n = 1/2 -> hb_fit.parquet."""

import math

import pandas as pd

from mechnoise import io, rheology
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
flow = io.read_table(sm.input[0])
rows = []
for rho, g in flow.groupby("density"):
    for mode, n in (("free", None), ("fixed", 0.5)):
        needed = 3 if n is None else 2
        if len(g) < needed:
            log.warning("density %g: %d rates, too few for the %s-exponent fit", rho, len(g), mode)
            fit = rheology.HBFit(*([math.nan] * 7), n_rates=len(g))
        else:
            fit = rheology.fit_herschel_bulkley(g["shear_rate"], g["stress"], g["stress_err"], n=n)
        rows.append({"density": rho, "exponent_mode": mode, **fit.as_dict()})
table = pd.DataFrame(rows)
io.write_table(table, sm.output[0], rheology.HB_FIT_COLUMNS)
log.info("fits:\n%s", table.to_string())
