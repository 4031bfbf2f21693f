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

from collections.abc import Callable
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from nrr.api import Dataset
from nrr.api_requests import cohort_request
from nrr.definitions import CustomersRequest
from nrr.errors import ConfigError
from nrr.render import render_bytes
from nrr.render.workbook import Sheet, workbook_bytes
from nrr.results import Report
from nrr.web.api import stored_spec
from nrr.web.cache import Answer
from nrr.web.file_parts import FORMATS, MEDIA, about_sheet, attachment, file_name, with_labels
from nrr.web.models import CohortsQuery, CustomersQuery, ReportQuery, SignalsQuery
from nrr.web.queries import report_request
from nrr.web.signal_files import SHEETS, signals
from nrr.web.state import WebState, state_of
from nrr.web.widgets import widget_request

router = APIRouter(prefix="/api", tags=["downloads"])
State = Annotated[WebState, Depends(state_of)]


def _respond(state: WebState, key: tuple[str, ...], compute: Callable[[], Answer]) -> Response:
    """A file kept like the JSON answers, computed under the engine lock and its budget."""
    answer = state.answered(("file", *key), compute)
    return Response(answer.body, media_type=answer.media_type, headers=dict(answer.headers))


def report_file(
    state: WebState, report: Report, view: str, fmt: str, raw_csv: bool = False
) -> Answer:
    """A report's rows: CSV as ``nrr report --format csv``; XLSX with its totals and an About
    sheet."""
    name = file_name(state, view, report.request, fmt)
    if fmt == "csv":
        body = render_bytes(report.table, "csv", escape_formulas=not raw_csv)
        return attachment(body, fmt, name, report.table.num_rows)
    sheets = [Sheet("Report", with_labels(report, report.table), report.currency)]
    totals = state.dataset.totals(report)
    if totals is not None:
        sheets.append(Sheet("Totals", totals.table, report.currency))
    sheets.append(about_sheet(state, view, report.request, {"currency": report.currency}))
    return attachment(workbook_bytes(sheets), fmt, name, report.table.num_rows)


def report(fmt: str, query: ReportQuery, state: WebState) -> Response:
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


def customers(fmt: str, query: CustomersFileQuery, state: WebState) -> Response:
    def compute() -> Answer:
        table, total, result = customers_table(state.dataset, query)
        view = "-".join(
            ["customers", *([query.category] if query.category else [])]
            + ([f"{query.unset}-unset"] if query.unset else [])
        )
        name = file_name(state, view, result.request, fmt)
        if fmt == "csv":
            body = render_bytes(table, "csv", escape_formulas=not query.raw_csv)
            return attachment(body, fmt, name, table.num_rows)
        cut = " (the limit: narrow the request)" if total > table.num_rows else ""
        shown = f"{table.num_rows:,} of {total:,}{cut}"
        about = about_sheet(state, view, result.request, {"rows": shown})
        sheets = [Sheet("Customers", table, result.currency), about]
        return attachment(workbook_bytes(sheets), fmt, name, table.num_rows)

    return _respond(state, ("customers", fmt, query.model_dump_json()), compute)


def cohorts(fmt: str, query: CohortsQuery, state: WebState) -> Response:
    def compute() -> Answer:
        request = cohort_request(query.grain, query.start, query.end, query.by, query.level)
        result = state.dataset.run(request)
        name = file_name(state, "cohorts", result.request, fmt)
        if fmt == "csv":
            return attachment(render_bytes(result.table, "csv"), fmt, name, result.table.num_rows)
        sheets = [
            Sheet("Cohorts", result.table, result.currency),
            about_sheet(state, "cohorts", result.request, {"currency": result.currency}),
        ]
        return attachment(workbook_bytes(sheets), fmt, name, result.table.num_rows)

    return _respond(state, ("cohorts", fmt, query.model_dump_json()), compute)


def widget(fmt: str, widget_id: int, state: WebState) -> Response:
    stored = state.store.widget(widget_id)
    spec = stored_spec(stored)

    def compute() -> Answer:
        ds = state.dataset
        report = ds.run(widget_request(ds, spec))
        return report_file(state, report, f"widget-{widget_id}-{stored.title}", fmt)

    key = ("widget", fmt, str(widget_id), stored.title, spec.model_dump_json())
    return _respond(state, key, compute)


# --- the routes: one per file type, so a path names its file and nothing else is served ------
Route = Callable[..., Response]


def _report_route(fmt: str) -> Route:
    def route(query: Annotated[ReportQuery, Query()], state: State) -> Response:
        return report(fmt, query, state)

    return route


def _customers_route(fmt: str) -> Route:
    def route(query: Annotated[CustomersFileQuery, Query()], state: State) -> Response:
        return customers(fmt, query, state)

    return route


def _cohorts_route(fmt: str) -> Route:
    def route(query: Annotated[CohortsQuery, Query()], state: State) -> Response:
        return cohorts(fmt, query, state)

    return route


def _widget_route(fmt: str) -> Route:
    def route(widget_id: int, state: State) -> Response:
        return widget(fmt, widget_id, state)

    return route


def _signals_route(fmt: str, part: str) -> Route:
    def route(query: Annotated[SignalsQuery, Query()], state: State) -> Response:
        return signals(fmt, part, query, state)

    return route


def _add_routes() -> None:
    """``/api/VIEW.csv`` and ``/api/VIEW.xlsx`` for every view: literal paths, so an unknown
    file type is an unknown path and a route's checks (a widget's id) run as on its JSON."""
    for fmt in FORMATS:
        kind = fmt.upper()
        routes: list[tuple[str, Route, str]] = [
            (f"/report.{fmt}", _report_route(fmt), f"The report as {kind}"),
            (f"/customers.{fmt}", _customers_route(fmt), f"The drill-down as {kind}"),
            (f"/cohorts.{fmt}", _cohorts_route(fmt), f"The cohorts as {kind}"),
            (
                f"/widgets/{{widget_id:int}}/data.{fmt}",
                _widget_route(fmt),
                f"What a widget draws, as {kind}",
            ),
        ]
        routes += [
            (f"/signals/{part}.{fmt}", _signals_route(fmt, part), f"Signals: {part} as {kind}")
            for part in SHEETS
        ]
        for path, route, summary in routes:
            router.add_api_route(
                path,
                route,
                methods=["GET"],
                summary=summary,
                responses={200: {"content": {MEDIA[fmt]: {}}}},
            )


_add_routes()
