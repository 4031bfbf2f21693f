"""The HTML pages. Each is a shell: the browser fills it from the JSON API.

Why shells: the pages and the tests use the same API, so what a test checks is what a person
sees. The server embeds only what every page needs at once (attributes, currencies, the
data's range, and the dashboard being shown) to avoid a blank first paint. All of it is
taken when the data is loaded (``WebState.described``) or from the store: a page never waits
for the engine, whatever query runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from nrr.store import Dashboard
from nrr.web.state import WebState, state_of

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(state_of)]


def render(request: Request, state: WebState, template: str, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    response = templates.TemplateResponse(
        request, template, {"meta": state.meta, "readonly": False, **context}
    )
    assert isinstance(response, HTMLResponse)
    return response


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, state: State) -> HTMLResponse:
    return render(request, state, "overview.html", page="overview", title="Overview")


@router.get("/segments", response_class=HTMLResponse)
def segments(request: Request, state: State) -> HTMLResponse:
    return render(request, state, "segments.html", page="segments", title="Segments")


@router.get("/cohorts", response_class=HTMLResponse)
def cohorts(request: Request, state: State) -> HTMLResponse:
    return render(request, state, "cohorts.html", page="cohorts", title="Cohorts")


@router.get("/signals", response_class=HTMLResponse)
def signals(request: Request, state: State) -> HTMLResponse:
    names = list(state.described.signal_names)
    return render(
        request, state, "signals.html", page="signals", title="Signals", signal_names=names
    )


@router.get("/dashboards", response_class=HTMLResponse)
def dashboards(request: Request, state: State) -> HTMLResponse:
    return render(request, state, "dashboards.html", page="dashboards", title="Dashboards")


def _dashboard_page(
    request: Request, state: WebState, dashboard: Dashboard, readonly: bool
) -> HTMLResponse:
    return render(
        request,
        state,
        "dashboard.html",
        page="dashboards",
        title=dashboard.name,
        dashboard=dashboard.to_dict(),
        readonly=readonly,
    )


@router.get("/dashboards/{dashboard_id:int}", response_class=HTMLResponse)
def dashboard(dashboard_id: int, request: Request, state: State) -> HTMLResponse:
    return _dashboard_page(request, state, state.store.dashboard(dashboard_id), False)


@router.get("/dashboards/{dashboard_id:int}/view", response_class=HTMLResponse)
def dashboard_view(dashboard_id: int, request: Request, state: State) -> HTMLResponse:
    return _dashboard_page(request, state, state.store.dashboard(dashboard_id), True)


@router.get("/d/{slug}", response_class=HTMLResponse)
def shared(slug: str, request: Request, state: State) -> HTMLResponse:
    return _dashboard_page(request, state, state.store.dashboard_by_slug(slug), True)
