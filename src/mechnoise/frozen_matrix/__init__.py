"""Local yield stresses from frozen-matrix tests (paper §3.4, Fig. 5b).

Not to be confused with the macroscopic (Herschel–Bulkley) yield stress σ_Y of
:mod:`mechnoise.rheology`. In pipeline order:

- :mod:`~mechnoise.frozen_matrix.snapshots`: steady-state snapshots as LAMMPS data files;
- :mod:`~mechnoise.frozen_matrix.loading`: the loading directions (simple shear rotated by
  an angle θ) and the stress resolved on them;
- :mod:`~mechnoise.frozen_matrix.protocol`: the quasi-static loading of one block with its
  surroundings frozen (LAMMPS, coarse steps then bisection of each drop; its LAMMPS session
  in :mod:`~mechnoise.frozen_matrix.session`);
- :mod:`~mechnoise.frozen_matrix.runs`: every block of every snapshot, in worker processes;
- :mod:`~mechnoise.frozen_matrix.analysis`: σ_c^m, Δσ^m, x, x_post and local moduli from the
  curves (:mod:`~mechnoise.frozen_matrix.curves`; the drop rule is applied here), censored
  estimates and the drop-rule sensitivity;
- :mod:`~mechnoise.frozen_matrix.directions`: thresholds over loading directions resolved on
  the flow (Barbot et al. 2018), σ_c^+ and σ_c^−.

The public names are re-exported here.
"""

from mechnoise.frozen_matrix.analysis import (
    CURVE_COLUMNS,
    LOCAL_YIELD_COLUMNS,
    SENSITIVITY_COLUMNS,
    SENSITIVITY_RULES,
    SUMMARY_COLUMNS,
    CurveResult,
    analyze_curve,
    curves_table,
    drop_rule_sensitivity,
    fit_gaussian,
    local_yield_table,
    summarize_local_yield,
    yield_statistics,
)
from mechnoise.frozen_matrix.directions import (
    FLOW_SUMMARY_COLUMNS,
    FLOW_THRESHOLD_COLUMNS,
    flow_threshold_summary,
    flow_threshold_table,
    resolve_on_flow,
)
from mechnoise.frozen_matrix.loading import (
    PAPER_ANGLES,
    deformation_gradient,
    loading_angles,
    resolved_stress,
)
from mechnoise.frozen_matrix.protocol import BlockCurve, FrozenMatrixSettings, run_block_test
from mechnoise.frozen_matrix.runs import run_frozen_matrix, select_blocks
from mechnoise.frozen_matrix.snapshots import (
    choose_frames,
    prepare_snapshots,
    read_data_file,
    write_data_file,
)

__all__ = [
    "CURVE_COLUMNS",
    "FLOW_SUMMARY_COLUMNS",
    "FLOW_THRESHOLD_COLUMNS",
    "PAPER_ANGLES",
    "LOCAL_YIELD_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "SENSITIVITY_RULES",
    "SUMMARY_COLUMNS",
    "BlockCurve",
    "CurveResult",
    "FrozenMatrixSettings",
    "analyze_curve",
    "choose_frames",
    "curves_table",
    "deformation_gradient",
    "drop_rule_sensitivity",
    "fit_gaussian",
    "flow_threshold_summary",
    "flow_threshold_table",
    "loading_angles",
    "local_yield_table",
    "prepare_snapshots",
    "read_data_file",
    "resolve_on_flow",
    "resolved_stress",
    "run_block_test",
    "run_frozen_matrix",
    "select_blocks",
    "summarize_local_yield",
    "write_data_file",
    "yield_statistics",
]
