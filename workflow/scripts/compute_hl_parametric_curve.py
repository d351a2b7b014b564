"""Rule compute_hl_parametric_curve: σ_Y(α), A(α) over 0 < α < 1/2 -> parametric_curve.parquet."""

from mechnoise import hl, io
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
table = hl.parametric_curve(hl.PARAMETRIC_ALPHAS)
io.write_table(table, sm.output[0], hl.PARAMETRIC_CURVE_COLUMNS)
log.info("parametric curve, %d couplings:\n%s", len(table), table.to_string())
