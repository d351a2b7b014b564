"""Rule compute_d2min: frames.parquet -> d2min.parquet (D2min(i, t, lag), paper Eq. 5)."""

from mechnoise import io, plasticity
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

frames = io.read_frames(sm.input.frames)
log.info("%d frames; lag %.4g tau0, r_max %.4g sigma", len(frames), sm.params.lag, sm.params.r_max)
table = plasticity.d2min_frames(frames, sm.params.lag, sm.params.r_max)
io.write_table(table, sm.output[0], plasticity.D2MIN_COLUMNS)
log.info("wrote %d rows (%d reference frames)", len(table), table["frame"].nunique())
