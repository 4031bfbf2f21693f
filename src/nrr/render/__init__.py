"""Renderers: turn a computed result into text or files. They never compute a metric."""

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
