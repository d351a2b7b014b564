"""Rule compute_d2min_autocorr: d2min.parquet -> d2min_autocorr.parquet (C_p(t), §3.3)."""

from mechnoise import io, plasticity
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

d2min = io.read_table(sm.input[0])
table = plasticity.d2min_autocorrelation(d2min, sm.params.threshold, sm.params.max_lag)
io.write_table(table, sm.output[0], plasticity.AUTOCORR_COLUMNS)
log.info("C_p at %d lags, n(0) = %d", len(table), int(table["n"].iloc[0]) if len(table) else 0)
