"""Table 1 (one row per density), the modified-HL prediction and report.html."""

from mechnoise.report.html import report_html, table1_html
from mechnoise.report.table1 import (
    PREDICTION_COLUMNS,
    SUMMARY_COLUMNS,
    modified_hl_prediction,
    summary_row,
    summary_table,
)

__all__ = [
    "PREDICTION_COLUMNS",
    "SUMMARY_COLUMNS",
    "modified_hl_prediction",
    "report_html",
    "summary_row",
    "summary_table",
    "table1_html",
]
