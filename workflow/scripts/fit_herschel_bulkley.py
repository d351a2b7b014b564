"""Rule fit_herschel_bulkley: HB fits per density (n free, n = 1/2) -> hb_fit.parquet, and the
HL stationary curve fitted to each flow curve -> hl_fit.parquet."""

import math

import pandas as pd

from mechnoise import io, rheology
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
flow = io.read_table(sm.input[0])
rate_min, rate_max = sm.params.rate_min, sm.params.rate_max
rows, hl_rows = [], []
for rho, g in flow.groupby("density"):
    g = g.sort_values("shear_rate")
    lo = float(g["shear_rate"].min()) if rate_min is None else float(rate_min)
    hi = 10.0 * lo if rate_max is None else float(rate_max)
    low = g[(g["shear_rate"] >= lo * (1 - 1e-9)) & (g["shear_rate"] <= hi * (1 + 1e-9))]
    # n free: every rate (the exponent needs the range); n = 1/2 (A, sigma_Y for Table 1):
    # the rates of analysis.flow.hb_rate_range, by default the lowest-rate decade
    for mode, n, sel in (("free", None, g), ("fixed", 0.5, low)):
        needed = 3 if n is None else 2
        if len(sel) < needed:
            log.warning(
                "density %g: %d rates, too few for the %s-exponent fit", rho, len(sel), mode
            )
            fit = rheology.HBFit(*([math.nan] * 7), n_rates=len(sel))
        else:
            fit = rheology.fit_herschel_bulkley(
                sel["shear_rate"], sel["stress"], sel["stress_err"], n=n
            )
        rows.append(
            {
                "density": rho,
                "exponent_mode": mode,
                **fit.as_dict(),
                "rate_min": float(sel["shear_rate"].min()) if len(sel) else math.nan,
                "rate_max": float(sel["shear_rate"].max()) if len(sel) else math.nan,
            }
        )
    try:
        hl_fit = rheology.fit_hl_flow_curve(g["shear_rate"], g["stress"], g["stress_err"])
        hl_rows.append({"density": rho, **hl_fit.as_dict()})
    except ValueError as exc:
        log.warning("density %g: no HL fit (%s)", rho, exc)
        hl_rows.append({"density": rho, **{k: math.nan for k in rheology.HL_FIT_COLUMNS}})
        hl_rows[-1].update(density=rho, n_rates=len(g))
table = pd.DataFrame(rows)
io.write_table(table, sm.output.hb, rheology.HB_FIT_COLUMNS)
io.write_table(pd.DataFrame(hl_rows), sm.output.hl, rheology.HL_FIT_COLUMNS)
log.info("fits:\n%s\nHL fits:\n%s", table.to_string(), pd.DataFrame(hl_rows).to_string())
