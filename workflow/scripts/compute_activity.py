"""Rule compute_activity: frames + D2min -> activity.parquet, clusters.parquet (paper §3.2)."""

from mechnoise import io, plasticity
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

frames = io.read_frames(sm.input.frames)
d2min = io.read_table(sm.input.d2min, columns=["frame", "id", "d2min"])
coarse_width = None if sm.params.from_cluster_size else sm.params.coarse_width
activity, clusters = plasticity.activity_tables(
    frames, d2min, sm.params.threshold, sm.params.activity_block, coarse_width
)
io.write_table(activity, sm.output.activity, plasticity.ACTIVITY_COLUMNS)
io.write_table(clusters, sm.output.clusters, plasticity.CLUSTER_COLUMNS)
log.info(
    "%d frames, %d clusters, mean N_pl %.4g",
    len(activity),
    len(clusters),
    activity["n_active"].mean(),
)
