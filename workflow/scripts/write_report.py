"""Rule write_report: one HTML page with Table 1, the flow curves, fits and every figure."""

from pathlib import Path

from mechnoise import io
from mechnoise.report import report_html
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
    glass_quality=io.read_table(sm.input.glass_quality),
)
out.write_text(html)
log.info("wrote %s", out)
