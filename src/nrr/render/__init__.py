"""Renderers: turn a computed Report into text or files. They never compute a metric."""

from nrr.render.files import FORMATS, render_bytes
from nrr.render.table import report_table

__all__ = ["FORMATS", "render_bytes", "report_table"]
