"""Renderers: turn a computed result into text or files. They never compute a metric.

table     Rich tables of reports, customers and cohorts; money, percent, band colours
files     csv, json and parquet bytes (pyarrow loads only when bytes are made)
insights  Rich tables of forecasts, backtests and signals; not re-exported here, since
          it imports the insights' result types and with them numpy and pandas
board     the board report (nrr export): board (the self-contained HTML page),
          board_tables (its tables as data), board_xlsx (the workbook), pdf (Chromium);
          not re-exported: they load Jinja, plotly and openpyxl when a board is made
"""

from nrr.render.files import FORMATS, render_bytes
from nrr.render.table import (
    cohort_triangle,
    interpretation,
    period_label,
    plain_table,
    report_table,
)

__all__ = [
    "FORMATS",
    "cohort_triangle",
    "interpretation",
    "period_label",
    "plain_table",
    "render_bytes",
    "report_table",
]
