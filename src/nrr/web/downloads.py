"""Files of what the dashboard shows: ``/api/report.csv``, ``/api/customers.xlsx``, ...

Why a file per view rather than a client-side export: the file must hold the figures the
library computed (unrounded, the CLI's columns), be bounded like every request (the row
budget and the time budget: the same ``Dataset.run`` through the engine lock), and be the
same for a script with ``curl`` as for the button. Each route takes exactly the query of the
JSON endpoint it mirrors, so a view's URL state plus a suffix is its file.

CSV is ``nrr report --format csv``'s (text formula-escaped, ``raw_csv`` as there); XLSX
(``nrr.render.workbook``) has the same rows with real number formats, and a sheet saying
what was asked (dataset, range, filters), since a file outlives the screen it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from nrr.api import Dataset
from nrr.api_requests import cohort_request
from nrr.definitions import CustomersRequest, ReportRequest
from nrr.errors import ConfigError
from nrr.insights.health import signal_report
from nrr.insights.signals import leading_indicators
from nrr.render import render_bytes
from nrr.render.workbook import Kind, Sheet, lines_sheet, workbook_bytes
from nrr.results import Report
from nrr.web.api import stored_spec
from nrr.web.cache import Answer
from nrr.web.insights import _history as signal_history  # as /api/signals reads them
from nrr.web.insights import _request as signal_request
from nrr.web.models import CohortsQuery, CustomersQuery, ReportQuery, SignalsQuery
from nrr.web.queries import report_request
from nrr.web.state import WebState, state_of
from nrr.web.widgets import widget_request

router = APIRouter(prefix="/api", tags=["downloads"])
State = Annotated[WebState, Depends(state_of)]
Format = Literal["csv", "xlsx"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILES: dict[int | str, dict[str, Any]] = {200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}}}}


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


def _answer(body: bytes, fmt: str, name: str, rows: int) -> Answer:
    headers = (("content-disposition", f'attachment; filename="{name}"'), ("x-nrr-rows", str(rows)))
    return Answer(body, MEDIA[fmt], headers)


def _respond(state: WebState, key: tuple[str, ...], compute: Callable[[], Answer]) -> Response:
    """A file kept like the JSON answers, computed under the engine lock and its budget."""
    answer = state.answered(("file", *key), compute)
    return Response(answer.body, media_type=answer.media_type, headers=dict(answer.headers))


def with_labels(report: Report, table: pa.Table) -> pa.Table:
    """The table with the period's name first ("2024 Q1"), for people reading the sheet."""
    labels = [report.label(start) for start in table.column("period_start").to_pylist()]
    return table.add_column(0, "period", pa.array(labels, pa.string()))


def report_file(
    state: WebState, report: Report, view: str, fmt: str, raw_csv: bool = False
) -> Answer:
    """A report's rows: CSV as ``nrr report --format csv``; XLSX with its totals and an About
    sheet."""
    name = file_name(state, view, report.request, fmt)
    if fmt == "csv":
        body = render_bytes(report.table, "csv", escape_formulas=not raw_csv)
        return _answer(body, fmt, name, report.table.num_rows)
    sheets = [Sheet("Report", with_labels(report, report.table), report.currency)]
    totals = state.dataset.totals(report)
    if totals is not None:
        sheets.append(Sheet("Totals", totals.table, report.currency))
    sheets.append(about_sheet(state, view, report.request, {"currency": report.currency}))
    return _answer(workbook_bytes(sheets), fmt, name, report.table.num_rows)


@router.get("/report.{fmt}", summary="The report as a CSV or XLSX file", responses=FILES)
def report(fmt: Format, query: Annotated[ReportQuery, Query()], state: State) -> Response:
    def compute() -> Answer:
        ds = state.dataset
        return report_file(state, ds.run(report_request(ds, query)), "report", fmt, query.raw_csv)

    return _respond(state, ("report", fmt, query.model_dump_json()), compute)


class CustomersFileQuery(CustomersQuery):
    """``/api/customers``' query, plus the unset group a filter cannot name."""

    unset: str | None = Field(
        None,
        description="only the rows whose (grouped) attribute is unset: the '(unset)' group",
    )


def customers_table(ds: Dataset, query: CustomersFileQuery) -> tuple[pa.Table, int, Any]:
    """The drill-down rows ``/api/customers`` lists, in its order and up to its limit, with
    the total before the limit."""
    categories = (query.category,) if query.category else ()
    result = ds.run(CustomersRequest(report_request(ds, query), categories))
    table = result.table
    if query.unset:
        name = query.unset.lower()
        if name not in table.column_names:
            raise ConfigError(f"unset={query.unset} needs by={query.unset}: group by it")
        table = table.filter(pc.is_null(table[name]))
    if "unit" not in table.column_names:
        unit = "customer_id" if "customer_id" in table.column_names else "organization_id"
        table = table.append_column("unit", pc.cast(table[unit], pa.string()))
    change = pc.negate(pc.abs(pc.fill_null(table["delta"], 0.0)))
    keyed = table.append_column("__change", change)
    order = pc.sort_indices(
        keyed,
        sort_keys=[("period_start", "ascending"), ("__change", "ascending"), ("unit", "ascending")],
    )
    ordered = table.take(order)
    return ordered.slice(0, query.limit), table.num_rows, result


@router.get("/customers.{fmt}", summary="The drill-down as a CSV or XLSX file", responses=FILES)
def customers(fmt: Format, query: Annotated[CustomersFileQuery, Query()], state: State) -> Response:
    def compute() -> Answer:
        table, total, result = customers_table(state.dataset, query)
        view = "-".join(
            ["customers", *([query.category] if query.category else [])]
            + ([f"{query.unset}-unset"] if query.unset else [])
        )
        name = file_name(state, view, result.request, fmt)
        if fmt == "csv":
            body = render_bytes(table, "csv", escape_formulas=not query.raw_csv)
            return _answer(body, fmt, name, table.num_rows)
        cut = " (the limit: narrow the request)" if total > table.num_rows else ""
        shown = f"{table.num_rows:,} of {total:,}{cut}"
        about = about_sheet(state, view, result.request, {"rows": shown})
        sheets = [Sheet("Customers", table, result.currency), about]
        return _answer(workbook_bytes(sheets), fmt, name, table.num_rows)

    return _respond(state, ("customers", fmt, query.model_dump_json()), compute)


@router.get("/cohorts.{fmt}", summary="The cohorts as a CSV or XLSX file", responses=FILES)
def cohorts(fmt: Format, query: Annotated[CohortsQuery, Query()], state: State) -> Response:
    def compute() -> Answer:
        request = cohort_request(query.grain, query.start, query.end, query.by, query.level)
        result = state.dataset.run(request)
        name = file_name(state, "cohorts", result.request, fmt)
        if fmt == "csv":
            return _answer(render_bytes(result.table, "csv"), fmt, name, result.table.num_rows)
        sheets = [
            Sheet("Cohorts", result.table, result.currency),
            about_sheet(state, "cohorts", result.request, {"currency": result.currency}),
        ]
        return _answer(workbook_bytes(sheets), fmt, name, result.table.num_rows)

    return _respond(state, ("cohorts", fmt, query.model_dump_json()), compute)


@router.get(
    "/widgets/{widget_id:int}/data.{fmt}",
    summary="What a widget draws, as a CSV or XLSX file",
    responses=FILES,
)
def widget(widget_id: int, fmt: Format, state: State) -> Response:
    stored = state.store.widget(widget_id)
    spec = stored_spec(stored)

    def compute() -> Answer:
        ds = state.dataset
        report = ds.run(widget_request(ds, spec))
        return report_file(state, report, f"widget-{widget_id}-{stored.title}", fmt)

    key = ("widget", fmt, str(widget_id), stored.title, spec.model_dump_json())
    return _respond(state, key, compute)


# --- the signals page's three tables ---------------------------------------------------------
SignalsPart = Literal["indicators", "buckets", "at-risk"]
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
        result = signal_report(
            state.dataset,
            request,
            query.correlate,
            query.buckets,
            query.cuts or None,
            query.below,
            query.top,
        )
    table = result.buckets.table if part == "buckets" else result.at_risk.table
    currency = request.currency or state.dataset.staged.base_currency
    return SignalsFile(table.replace_schema_metadata(None), request, currency, None)


@router.get(
    "/signals/{part}.{fmt}",
    summary="A table of the signals page as a CSV or XLSX file",
    responses=FILES,
)
def signals(
    part: SignalsPart, fmt: Format, query: Annotated[SignalsQuery, Query()], state: State
) -> Response:
    found = signals_table(state, part, query)
    table = found.table
    view = f"signals-{part}" + (f"-{query.correlate}" if query.correlate else "")
    name = file_name(state, view, found.request, fmt)
    if fmt == "csv":
        body = render_bytes(table, "csv", escape_formulas=not query.raw_csv)
        answer = _answer(body, fmt, name, table.num_rows)
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
        answer = _answer(workbook_bytes(sheets), fmt, name, table.num_rows)
    return Response(answer.body, media_type=answer.media_type, headers=dict(answer.headers))
