"""Renderers: turn a computed Report into text or files. They never compute a metric."""

from nrr.render.files import FORMATS, write_report
from nrr.render.table import report_table

__all__ = ["FORMATS", "report_table", "write_report"]
