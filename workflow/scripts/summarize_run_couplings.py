"""Rule summarize_run_couplings: diffusion summary + yield summaries -> run_couplings.parquet.

Per run: strain balance R = Gamma <Delta sigma^m> / (G0 gamma_dot), its HL form, and
kappa = D_HL / (G0 gamma_dot <sigma_c^m>) with the alpha = kappa tanh(1/(2 kappa)) it implies.
"""

import pandas as pd

from mechnoise import io, report
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
table = report.run_couplings(
    io.read_table(sm.input.diffusion),
    pd.concat([io.read_table(p) for p in sm.input.yield_summary], ignore_index=True),
    noise=io.read_table(sm.input.noise),
    noise_jackknife=io.read_table(sm.input.noise_jackknife),
    sigma_c_flow=io.read_table(sm.input.inflow),
    local_yield=pd.concat(
        [
            io.read_table(p).assign(density=float(d))
            for p, d in zip(
                sm.input.local_yield,
                [p.split("/rho")[1].split("/")[0] for p in sm.input.local_yield],
                strict=True,
            )
        ],
        ignore_index=True,
    ),
)
io.write_table(table, sm.output[0], report.RUN_COUPLING_COLUMNS)
log.info("per-run couplings:\n%s", table.to_string(index=False))
