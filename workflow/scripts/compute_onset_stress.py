"""Rule compute_onset_stress: block stresses + event onsets -> onset_stress.parquet (σ at onset,
drop), onset_profile.parquet (onset-triggered average), inflow_summary.parquet (run means)."""

from mechnoise import io, plasticity
from mechnoise.plasticity import triggered
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821

blocks = io.read_table(sm.input.block_stress)
events = io.read_table(sm.input.events)
m = int(io.read_table(sm.input.activity, columns=["m"])["m"].iloc[0])
keep = plasticity.persistent_onsets(
    events, min_particles=sm.params.min_particles, min_duration=sm.params.min_duration
)
onsets = triggered.onset_stress(
    blocks,
    events,
    keep,
    coarse_blocks=m,
    drop_delay=sm.params.drop_delay,
    level_width=sm.params.level_width,
    n_segments=sm.params.n_segments,
)
profile = triggered.onset_profile(blocks, events[keep], pre=sm.params.pre, post=sm.params.post)
summary = triggered.summarize_onset_stress(onsets)
io.write_table(onsets, sm.output.onsets, triggered.ONSET_STRESS_COLUMNS)
io.write_table(profile, sm.output.profile, triggered.ONSET_PROFILE_COLUMNS)
io.write_table(summary, sm.output.summary, triggered.INFLOW_SUMMARY_COLUMNS)
log.info("%d onsets, %d persistent: %s", len(events), keep.sum(), summary.iloc[0].to_dict())
