"""Plastic activity (paper §3, Eq. 5; §3.2–3.3), one module per step of the analysis.

- :mod:`~mechnoise.plasticity.neighbors`: periodic neighbour pairs and minimum images;
- :mod:`~mechnoise.plasticity.d2min`: Falk–Langer D²min per frame pair;
- :mod:`~mechnoise.plasticity.clusters`: active particles and blocks, periodic clusters,
  ⟨l_pl⟩, the coarse active fraction φ;
- :mod:`~mechnoise.plasticity.event_duration`: C_p(t) and τ_p;
- :mod:`~mechnoise.plasticity.rate`: the activity rate Γ;
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
from mechnoise.plasticity.d2min import D2MIN_COLUMNS, d2min, d2min_frames, lagged_frame_pairs
from mechnoise.plasticity.event_duration import (
    AUTOCORR_COLUMNS,
    d2min_autocorrelation,
    fit_decay_time,
)
from mechnoise.plasticity.neighbors import as_positions, minimum_image, neighbor_pairs
from mechnoise.plasticity.rate import activity_rate
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
    "SUMMARY_COLUMNS",
    "activity_rate",
    "activity_tables",
    "as_positions",
    "cluster_sizes",
    "d2min",
    "d2min_autocorrelation",
    "d2min_frames",
    "fit_decay_time",
    "label_periodic",
    "lagged_frame_pairs",
    "minimum_image",
    "neighbor_pairs",
    "summarize_activity",
    "summarize_plasticity",
]
