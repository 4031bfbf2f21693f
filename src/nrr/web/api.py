"""The JSON API under ``/api``: what the pages use, and what scripts and tests call.

Routes are plain ``def`` (FastAPI runs them on a thread pool) and one line of work each:
parse with a pydantic model, call ``queries``/``widgets`` or the store, return JSON. Every
success carries ``"ok": true``; every failure has the shape in ``nrr.web.errors``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from nrr.errors import ConfigError
from nrr.store import Dashboard, Widget
from nrr.web import insights, queries
from nrr.web.cache import Answer
from nrr.web.errors import validation_messages
from nrr.web.models import (
    MAX_WIDGETS,
    CohortsQuery,
    CustomersQuery,
    DashboardDocument,
    DashboardIn,
    ForecastQuery,
    OrderIn,
    PeriodsQuery,
    ReportQuery,
    SignalsQuery,
    WidgetIn,
    WidgetPatch,
    WidgetSpec,
)
from nrr.web.state import WebState, state_of
from nrr.web.widgets import widget_payload, widget_request

router = APIRouter(prefix="/api", tags=["api"])
State = Annotated[WebState, Depends(state_of)]
Row = dict[str, Any]


# --- data -----------------------------------------------------------------------------------
@router.get("/attributes", summary="Attributes, currencies and the data's date range")
def attributes(state: State) -> Row:
    return state.meta  # taken when the data was loaded: never waits for the engine


@router.get(
    "/attributes/{name}/values",
    summary="Values an attribute takes (filter pickers)",
    response_model=Row,
)
def attribute_values(name: str, state: State) -> Response:
    return _cached(
        state,
        ("values", name.lower()),
        lambda: queries.attribute_values(state.dataset, name.lower()),
    )


@router.get("/periods", summary="The periods a grain and range cover", response_model=Row)
def periods(query: Annotated[PeriodsQuery, Query()], state: State) -> Response:
    return _cached(
        state,
        ("periods", query.model_dump_json()),
        lambda: queries.periods_payload(state.dataset, query),
    )


@router.get(
    "/report",
    summary="NRR, GRR and the MRR bridge per period (and group)",
    response_model=Row,
    responses={200: {"content": {"text/csv": {}}}},
)
def report(query: Annotated[ReportQuery, Query()], state: State) -> Response:
    key = ("report", query.model_dump_json())
    if query.format == "json":
        return _cached(state, key, lambda: queries.report_payload(state.dataset, query))
    disposition = f'attachment; filename="nrr-{query.period.value}.csv"'
    return _respond(
        state.answered(
            key,
            lambda: Answer(
                queries.report_csv(state.dataset, query),
                "text/csv; charset=utf-8",
                (("content-disposition", disposition),),
            ),
        )
    )


@router.get("/cohorts", summary="Acquisition cohorts by age", response_model=Row)
def cohorts(query: Annotated[CohortsQuery, Query()], state: State) -> Response:
    return _cached(
        state,
        ("cohorts", query.model_dump_json()),
        lambda: queries.cohorts_payload(state.dataset, query),
    )


@router.get(
    "/customers",
    summary="The customers behind a report's figures (drill-down)",
    response_model=Row,
)
def customers(query: Annotated[CustomersQuery, Query()], state: State) -> Response:
    return _cached(
        state,
        ("customers", query.model_dump_json()),
        lambda: queries.customers_payload(state.dataset, query),
    )


def _cached(state: WebState, key: tuple[str, str], compute: Callable[[], Row]) -> Response:
    """A JSON answer kept per data fingerprint and request (``nrr.web.cache``)."""
    return _respond(state.answered(key, lambda: json_answer(compute())))


def json_answer(payload: Row) -> Answer:
    """The body FastAPI would send for ``payload``, encoded once."""
    return Answer(bytes(JSONResponse(jsonable_encoder(payload)).body))


def _respond(answer: Answer) -> Response:
    return Response(answer.body, media_type=answer.media_type, headers=dict(answer.headers))


def _csv(body: bytes, name: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/forecast",
    summary="Forecast of NRR and the movements, with 80%/95% intervals",
    response_model=Row,
    responses={200: {"content": {"text/csv": {}}}},
)
def forecast(query: Annotated[ForecastQuery, Query()], state: State) -> Any:
    if query.format == "csv":
        return _csv(insights.forecast_csv(state, query), f"nrr-forecast-{query.period.value}")
    return insights.forecast_payload(state, query)


@router.get(
    "/signals",
    summary="Leading indicators, early warnings and health-signal buckets",
    response_model=Row,
    responses={200: {"content": {"text/csv": {}}}},
)
def signals(query: Annotated[SignalsQuery, Query()], state: State) -> Any:
    if query.format == "csv":
        return _csv(insights.signals_csv(state, query), f"nrr-signals-{query.period.value}")
    return insights.signals_payload(state, query)


# --- dashboards -----------------------------------------------------------------------------
def _dashboard(dashboard: Dashboard, status: int = 200) -> JSONResponse:
    return JSONResponse({"ok": True, "dashboard": dashboard.to_dict()}, status_code=status)


def _checked(state: WebState, spec: WidgetSpec) -> dict[str, Any]:
    """A spec as stored, once the dataset accepts its attributes and currency."""
    with state.lock:
        widget_request(state.dataset, spec)
    return spec.model_dump(mode="json")


@router.get("/dashboards", summary="Every dashboard with its widgets")
def list_dashboards(state: State) -> Row:
    return {"ok": True, "dashboards": [d.to_dict() for d in state.store.dashboards()]}


@router.post("/dashboards", status_code=201, summary="Create an empty dashboard")
def create_dashboard(body: DashboardIn, state: State) -> JSONResponse:
    return _dashboard(state.store.create_dashboard(body.name), 201)


@router.post("/dashboards/import", status_code=201, summary="Create a dashboard from an export")
def import_dashboard(body: DashboardDocument, state: State) -> JSONResponse:
    widgets = [(w.title, _checked(state, w.spec)) for w in body.widgets]
    return _dashboard(state.store.create_dashboard(body.name, widgets), 201)


@router.get("/dashboards/{dashboard_id:int}", summary="One dashboard")
def get_dashboard(dashboard_id: int, state: State) -> JSONResponse:
    return _dashboard(state.store.dashboard(dashboard_id))


@router.patch("/dashboards/{dashboard_id:int}", summary="Rename a dashboard")
def rename_dashboard(dashboard_id: int, body: DashboardIn, state: State) -> JSONResponse:
    return _dashboard(state.store.rename_dashboard(dashboard_id, body.name))


@router.delete("/dashboards/{dashboard_id:int}", summary="Delete a dashboard and its widgets")
def delete_dashboard(dashboard_id: int, state: State) -> Row:
    state.store.delete_dashboard(dashboard_id)
    return {"ok": True, "deleted": dashboard_id}


@router.get("/dashboards/{dashboard_id:int}/export", summary="A dashboard as a JSON document")
def export_dashboard(dashboard_id: int, state: State) -> JSONResponse:
    dashboard = state.store.dashboard(dashboard_id)
    document = DashboardDocument(
        name=dashboard.name,
        widgets=[WidgetIn(title=w.title, spec=stored_spec(w)) for w in dashboard.widgets],
    )
    stem = re.sub(r"[^a-z0-9]+", "-", dashboard.name.lower()).strip("-") or "dashboard"
    return JSONResponse(
        document.model_dump(mode="json"),
        headers={"content-disposition": f'attachment; filename="{stem}.nrr-dashboard.json"'},
    )


@router.put("/dashboards/{dashboard_id:int}/order", summary="Reorder a dashboard's widgets")
def reorder_widgets(dashboard_id: int, body: OrderIn, state: State) -> JSONResponse:
    return _dashboard(state.store.reorder_widgets(dashboard_id, body.widget_ids))


# --- widgets --------------------------------------------------------------------------------
def stored_spec(widget: Widget) -> WidgetSpec:
    """A stored spec, re-validated: a hand-edited or foreign store gets a clear 400."""
    try:
        return WidgetSpec.model_validate(widget.spec)
    except ValidationError as exc:
        problems = "; ".join(validation_messages(exc.errors()))
        raise ConfigError(f"widget {widget.id} has a spec nrr cannot read: {problems}") from None


def _widget(state: WebState, widget_id: int, status: int = 200) -> JSONResponse:
    return JSONResponse(
        {"ok": True, "widget": state.store.widget(widget_id).to_dict()}, status_code=status
    )


@router.post("/dashboards/{dashboard_id:int}/widgets", status_code=201, summary="Add a widget")
def add_widget(dashboard_id: int, body: WidgetIn, state: State) -> JSONResponse:
    dashboard = state.store.dashboard(dashboard_id)  # 404 before a 400 about the spec
    if len(dashboard.widgets) >= MAX_WIDGETS:
        raise ConfigError(f"a dashboard holds at most {MAX_WIDGETS} widgets; this one is full")
    widget = state.store.add_widget(dashboard_id, body.title, _checked(state, body.spec))
    return _widget(state, widget.id, 201)


@router.get("/widgets/{widget_id:int}", summary="One widget")
def get_widget(widget_id: int, state: State) -> JSONResponse:
    return _widget(state, widget_id)


@router.patch("/widgets/{widget_id:int}", summary="Change a widget's title or spec")
def update_widget(widget_id: int, body: WidgetPatch, state: State) -> JSONResponse:
    if body.title is None and body.spec is None:
        raise ConfigError("nothing to change: send a title, a spec or both")
    spec = _checked(state, body.spec) if body.spec is not None else None
    state.store.update_widget(widget_id, body.title, spec)
    return _widget(state, widget_id)


@router.delete("/widgets/{widget_id:int}", summary="Remove a widget")
def delete_widget(widget_id: int, state: State) -> Row:
    state.store.delete_widget(widget_id)
    return {"ok": True, "deleted": widget_id}


@router.get("/widgets/{widget_id:int}/data", summary="What a widget draws", response_model=Row)
def widget_data(widget_id: int, state: State) -> Response:
    widget = state.store.widget(widget_id)
    spec = stored_spec(widget)
    key = ("widget", json.dumps(widget.to_dict(), sort_keys=True))
    return _cached(
        state, key, lambda: {**widget_payload(state.dataset, spec), "widget": widget.to_dict()}
    )


@router.post(
    "/widgets/preview", summary="What an unsaved widget spec would draw", response_model=Row
)
def preview_widget(spec: WidgetSpec, state: State) -> Response:
    return _cached(
        state, ("preview", spec.model_dump_json()), lambda: widget_payload(state.dataset, spec)
    )
