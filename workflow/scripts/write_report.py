"""Rule write_report: one HTML page with Table 1, the flow curves, fits, every figure and the
cost of each kind of job (the benchmark files of the jobs upstream)."""

from pathlib import Path

import pandas as pd

from mechnoise import io
from mechnoise.report import cost_table, read_benchmarks, report_html
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
out = Path(sm.output[0])
figures = [Path(f).resolve().relative_to(out.parent.resolve()) for f in sm.input.figures]
html = report_html(
    io.read_table(sm.input.summary),
    io.read_table(sm.input.flow),
    io.read_table(sm.input.fit),
    [str(f) for f in figures],
    runs=io.read_table(sm.input.runs),
    extra_tables={
        "Drop-rule sensitivity (frozen matrix, stored curves re-analysed; bootstrap errors)": (
            pd.concat([io.read_table(p) for p in sm.input.sensitivity], ignore_index=True)
        ),
        "HL stationary curve fitted to the flow curves": io.read_table(sm.input.hl_fit),
        "Modified HL with measured ingredients vs MD (no fitted parameter; band: 16-84 % "
        "bootstrap over the ingredients; docs/modified_hl.md)": io.read_table(
            sm.input.modified_hl
        ),
        "Modified HL: which single change of ingredient moves the prediction how far "
        "(lowest rate; errors paired bootstrap)": io.read_table(sm.input.modified_ingredients),
    },
    glass_quality=io.read_table(sm.input.glass_quality),
    cost=cost_table(read_benchmarks(sm.params.benchmarks)),
)
out.write_text(html)
log.info("wrote %s", out)
