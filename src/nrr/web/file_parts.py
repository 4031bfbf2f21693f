"""The pieces every downloaded file shares: its name, its About sheet, its answer.

Why a name that says everything: a downloaded file is renamed, mailed and opened months
later; ``nrr-acme-report-quarter-2024-01-01-2025-01-01-by-segment.csv`` still says what it
holds. The About sheet says the rest (filters, level, currency) inside the workbook.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from nrr.render.workbook import Sheet, lines_sheet
from nrr.results import Report
from nrr.web.cache import Answer
from nrr.web.state import WebState

FORMATS = ("csv", "xlsx")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def slug(text: str) -> str:
    """``text`` as a piece of a file name: lower case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def file_name(state: WebState, view: str, request: Any, fmt: str) -> str:
    """``nrr-DATASET-VIEW-PERIOD-FROM-TO[-by-...][-filtered].EXT``: what and when, at a glance.

    ``request`` is the resolved request (a report's or the cohorts'), so the dates are the
    range the file covers even when the view left them to the data.
    """
    parts = ["nrr", slug(str(state.meta.get("name", ""))), slug(view)]
    if request is not None:
        parts.append(request.grain.value)
        parts += [str(d) for d in (request.start, request.end) if d is not None]
        by = request.by if isinstance(request.by, tuple | list) else [request.by] * bool(request.by)
        if by:
            parts.append("by-" + "-".join(slug(b) for b in by))
        if getattr(request, "filters", ()):
            parts.append("filtered")
    stem = "-".join(p for p in parts if p)[:150].strip("-")
    return f"{stem}.{fmt}"


def about_sheet(state: WebState, view: str, request: Any, extra: dict[str, str]) -> Sheet:
    """What the file holds, in words: a file outlives the screen it came from."""
    lines = [("view", view), ("dataset", str(state.meta.get("name", "")))]
    for field in ("grain", "start", "end", "by", "level", "filters", "currency"):
        value = getattr(request, field, None)
        if value is None or value == ():
            continue
        value = getattr(value, "value", value)
        if field == "filters":
            value = ", ".join(f"{name} = {v}" for name, v in value)
        elif field == "by" and not isinstance(value, str):
            value = ", ".join(value)
        lines.append((field, str(value)))
    lines += list(extra.items())
    lines.append(("definitions", "docs/definitions.md"))
    return lines_sheet("About", lines, ("field", "value"))


def attachment(body: bytes, fmt: str, name: str, rows: int) -> Answer:
    headers = (("content-disposition", f'attachment; filename="{name}"'), ("x-nrr-rows", str(rows)))
    return Answer(body, MEDIA[fmt], headers)


def with_labels(report: Report, table: pa.Table) -> pa.Table:
    """The table with the period's name first ("2024 Q1"), for people reading the sheet."""
    labels = [report.label(start) for start in table.column("period_start").to_pylist()]
    return table.add_column(0, "period", pa.array(labels, pa.string()))
