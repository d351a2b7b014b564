"""Table 1 (one row per density), per-run couplings (R, κ), the modified-HL prediction and
report.html."""

from mechnoise.report.html import (
    COST_COLUMNS,
    cost_table,
    read_benchmarks,
    report_html,
    table1_html,
)
from mechnoise.report.prediction import (
    DISTRIBUTION_COLUMNS,
    INGREDIENT_TABLE_COLUMNS,
    PREDICTION_COLUMNS,
)
from mechnoise.report.runs import RUN_COUPLING_COLUMNS, run_couplings
from mechnoise.report.table1 import (
    SUMMARY_COLUMNS,
    summary_row,
    summary_table,
)

__all__ = [
    "COST_COLUMNS",
    "cost_table",
    "read_benchmarks",
    "DISTRIBUTION_COLUMNS",
    "INGREDIENT_TABLE_COLUMNS",
    "PREDICTION_COLUMNS",
    "RUN_COUPLING_COLUMNS",
    "SUMMARY_COLUMNS",
    "report_html",
    "run_couplings",
    "summary_row",
    "summary_table",
    "table1_html",
]
