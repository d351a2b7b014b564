"""Table 1 (one row per density), per-run couplings (R, κ), the modified-HL prediction and
report.html."""

from mechnoise.report.html import report_html, table1_html
from mechnoise.report.prediction import (
    DISTRIBUTION_COLUMNS,
    INGREDIENT_TABLE_COLUMNS,
    PREDICTION_COLUMNS,
)
from mechnoise.report.runs import RUN_COUPLING_COLUMNS, run_couplings
from mechnoise.report.table1 import (
    SUMMARY_COLUMNS,
    modified_hl_prediction,
    summary_row,
    summary_table,
)

__all__ = [
    "DISTRIBUTION_COLUMNS",
    "INGREDIENT_TABLE_COLUMNS",
    "PREDICTION_COLUMNS",
    "RUN_COUPLING_COLUMNS",
    "SUMMARY_COLUMNS",
    "modified_hl_prediction",
    "report_html",
    "run_couplings",
    "summary_row",
    "summary_table",
    "table1_html",
]
