"""Local yield stresses from frozen-matrix tests (paper §3.4, Fig. 5b).

Not to be confused with the macroscopic (Herschel–Bulkley) yield stress σ_Y of
:mod:`mechnoise.rheology`. In pipeline order:

- :mod:`~mechnoise.frozen_matrix.snapshots`: steady-state snapshots as LAMMPS data files;
- :mod:`~mechnoise.frozen_matrix.protocol`: the quasi-static loading of one block with its
  surroundings frozen (LAMMPS, coarse steps then bisection of each drop);
- :mod:`~mechnoise.frozen_matrix.runs`: every block of every snapshot, in worker processes;
- :mod:`~mechnoise.frozen_matrix.analysis`: σ_c^m, Δσ^m, x, x_post and local moduli from the
  curves (the drop rule is applied here), censored estimates and the drop-rule sensitivity.

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
    "drop_rule_sensitivity",
    "fit_gaussian",
    "local_yield_table",
    "prepare_snapshots",
    "read_data_file",
    "run_block_test",
    "run_frozen_matrix",
    "select_blocks",
    "summarize_local_yield",
    "write_data_file",
    "yield_statistics",
]
