"""Rule compute_block_stress: frames.parquet -> block_stress.parquet (Eq. 6, M x M grid)."""

from mechnoise import blocks, io
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

frames = io.read_frames(sm.input.frames)
if not frames:
    raise ValueError(f"{sm.input.frames} holds no frame")
cluster_size = None
if sm.params.from_cluster_size:
    plasticity = io.read_table(sm.input.plasticity, columns=["l_pl"])
    if len(plasticity) != 1:
        raise ValueError(f"{sm.input.plasticity}: expected one row, found {len(plasticity)}")
    cluster_size = float(plasticity["l_pl"].iloc[0])
width = blocks.block_width(sm.params.width, cluster_size)
m = blocks.n_blocks_per_side(frames[0].box, width)
log.info("%d frames, W target %.4g sigma -> M = %d blocks per side", len(frames), width, m)
table = blocks.block_stress_table(frames, m)
io.write_table(table, sm.output[0], blocks.BLOCK_STRESS_COLUMNS)
