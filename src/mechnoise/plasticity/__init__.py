"""Plastic activity (paper §3, Eq. 5; §3.2–3.3), one module per step of the analysis.

- :mod:`~mechnoise.plasticity.neighbors`: periodic neighbour pairs and minimum images;
- :mod:`~mechnoise.plasticity.d2min`: Falk–Langer D²min per frame pair;
- :mod:`~mechnoise.plasticity.clusters`: active particles and blocks, periodic clusters,
  ⟨l_pl⟩, the coarse active fraction φ;
- :mod:`~mechnoise.plasticity.event_duration`: τ_p, time-resolved, and the literal C_p(t);
- :mod:`~mechnoise.plasticity.decay_fit`: the decay-time fits of both correlations, per run
  and pooled per density;
- :mod:`~mechnoise.plasticity.rate`: the activity rate Γ (event onsets), the strain balance;
- :mod:`~mechnoise.plasticity.synthetic`: synthetic rearrangements of known duration (tests);
- :mod:`~mechnoise.plasticity.summary`: one run's numbers.

The public names are re-exported here.
"""

from mechnoise.plasticity.clusters import (
    ACTIVITY_COLUMNS,
    CLUSTER_COLUMNS,
    activity_tables,
    cluster_sizes,
    label_periodic,
    summarize_activity,
)
from mechnoise.plasticity.d2min import (
    D2MIN_COLUMNS,
    d2min,
    d2min_frames,
    lagged_frame_pairs,
    window_spacings,
    windows_resolving,
)
from mechnoise.plasticity.decay_fit import fit_decay_time, fit_event_duration
from mechnoise.plasticity.event_duration import (
    AUTOCORR_COLUMNS,
    EVENT_AUTOCORR_COLUMNS,
    EVENT_DURATION_COLUMNS,
    d2min_autocorrelation,
    event_autocorrelation,
    event_duration_tables,
)
from mechnoise.plasticity.neighbors import as_positions, minimum_image, neighbor_pairs
from mechnoise.plasticity.rate import (
    EVENT_COLUMNS,
    event_onsets,
    event_rate,
    occupancy_rate,
    percolation_note,
    persistent_onsets,
    strain_balance,
)
from mechnoise.plasticity.summary import (
    COLLECTED_SUMMARY_COLUMNS,
    SUMMARY_COLUMNS,
    summarize_plasticity,
)

__all__ = [
    "ACTIVITY_COLUMNS",
    "AUTOCORR_COLUMNS",
    "CLUSTER_COLUMNS",
    "COLLECTED_SUMMARY_COLUMNS",
    "D2MIN_COLUMNS",
    "EVENT_AUTOCORR_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_DURATION_COLUMNS",
    "SUMMARY_COLUMNS",
    "activity_tables",
    "as_positions",
    "cluster_sizes",
    "d2min",
    "d2min_autocorrelation",
    "d2min_frames",
    "event_autocorrelation",
    "event_duration_tables",
    "event_onsets",
    "event_rate",
    "percolation_note",
    "persistent_onsets",
    "fit_decay_time",
    "fit_event_duration",
    "label_periodic",
    "lagged_frame_pairs",
    "window_spacings",
    "windows_resolving",
    "minimum_image",
    "neighbor_pairs",
    "occupancy_rate",
    "strain_balance",
    "summarize_activity",
    "summarize_plasticity",
]
