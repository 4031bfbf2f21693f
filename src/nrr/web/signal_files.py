"""The signals page's three tables as files: indicators, buckets and the at-risk list.

They are read as ``/api/signals`` reads them (``nrr.web.insights``): the engine lock is
taken inside, and bucketing runs under it, so these answers are not kept in the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from fastapi import Response

from nrr.definitions import ReportRequest
from nrr.errors import ConfigError
from nrr.insights.signals import leading_indicators
from nrr.render import render_bytes
from nrr.render.workbook import Kind, Sheet, workbook_bytes
from nrr.results import Report
from nrr.web.file_parts import about_sheet, attachment, file_name, with_labels
from nrr.web.insights import _history as signal_history  # as /api/signals reads them
from nrr.web.insights import _request as signal_request
from nrr.web.insights import correlated
from nrr.web.models import SignalsQuery
from nrr.web.state import WebState

SHEETS = {"indicators": "Indicators", "buckets": "Buckets", "at-risk": "At risk"}
# Rates of the signals tables in percent points that the workbook's name rules do not know.
POINTS = ("_growth", "_share", "_baseline", "logo_churn")


@dataclass(frozen=True)
class SignalsFile:
    table: pa.Table
    request: ReportRequest
    currency: str
    report: Report | None  # the history, when the table has its periods (indicators)


def signals_table(state: WebState, part: str, query: SignalsQuery) -> SignalsFile:
    """The table the signals page shows as ``part``; the engine lock is taken inside, as
    ``/api/signals`` takes it."""
    if part == "indicators":
        report = signal_history(state, query)
        table = leading_indicators(report, query.threshold, query.window).table
        return SignalsFile(table, report.request, report.currency, report)
    if not query.correlate:
        raise ConfigError(f"the {part} table needs a signal: add correlate=NAME")
    request = signal_request(state, query)
    with state.lock:
        result = correlated(state, request, query)
    table = result.buckets.table if part == "buckets" else result.at_risk.table
    currency = request.currency or state.dataset.staged.base_currency
    return SignalsFile(table.replace_schema_metadata(None), request, currency, None)


def signals(fmt: str, part: str, query: SignalsQuery, state: WebState) -> Response:
    found = signals_table(state, part, query)
    table = found.table
    view = f"signals-{part}" + (f"-{query.correlate}" if query.correlate else "")
    name = file_name(state, view, found.request, fmt)
    if fmt == "csv":
        body = render_bytes(table, "csv", escape_formulas=not query.raw_csv)
        answer = attachment(body, fmt, name, table.num_rows)
    else:
        points: dict[str, Kind] = {
            f.name: "percent"
            for f in table.schema
            if pa.types.is_floating(f.type) and f.name.endswith(POINTS)
        }
        shown = with_labels(found.report, table) if found.report else table
        extra = {"signal": query.correlate} if query.correlate else {}
        sheets = [
            Sheet(SHEETS[part], shown, found.currency, points),
            about_sheet(state, view, found.request, {**extra, "currency": found.currency}),
        ]
        answer = attachment(workbook_bytes(sheets), fmt, name, table.num_rows)
    return Response(answer.body, media_type=answer.media_type, headers=dict(answer.headers))
