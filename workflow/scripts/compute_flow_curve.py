"""Rule compute_flow_curve: steady-state stress per (density, rate) -> flow_curve.parquet."""

import pandas as pd

from mechnoise import io, rheology, stats
from mechnoise.scripting import start_logging, wildcards_from_path

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
rows = []
for path in sm.input.thermo:
    run = wildcards_from_path(sm.params.pattern, path)
    rho, rate = run["rho"], run["rate"]
    mean, err, span = rheology.steady_state_stress(io.read_thermo(path), sm.params.n_blocks)
    rows.append(
        {"density": float(rho), "shear_rate": float(rate), "mean": mean, "err": err, "span": span}
    )
per_run = pd.DataFrame(rows)
out = []
for (rho, rate), g in per_run.groupby(["density", "shear_rate"]):
    mean, err = stats.combine_runs(g["mean"], g["err"])
    out.append(
        {
            "density": rho,
            "shear_rate": rate,
            "stress": mean,
            "stress_err": err,
            "n_seeds": len(g),
            "strain_span": float(g["span"].mean()),
        }
    )
table = pd.DataFrame(out).sort_values(["density", "shear_rate"])
io.write_table(table, sm.output[0], rheology.FLOW_CURVE_COLUMNS)
log.info("flow curve:\n%s", table.to_string())
