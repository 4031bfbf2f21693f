"""One error shape for every API endpoint: ``{"ok": false, "error", "errors", "status"}``.

Why one shape: the pages (and any script) handle failures with one code path, and a test
walks every endpoint to pin it. FastAPI's own 404/405/422 answers are re-shaped by the
handlers installed here; pages (not ``/api``) get the same message as an HTML page instead.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from nrr.errors import ConfigError, InputError, NrrError, RequestError
from nrr.store import NotFoundError, StoreUnavailableError

log = logging.getLogger("nrr.web")

_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    422: "Invalid request",
    500: "Something went wrong",
    501: "Not available yet",
    503: "Unavailable for now",
}


class NotAvailableError(NrrError):
    """A feature whose engine support is not in this version of nrr (HTTP 501)."""


class DataUnavailableError(NrrError):
    """The data changed under a running server and cannot be loaded again (HTTP 503).

    The server keeps answering, with this error, until the files are fixed: showing the
    figures of the old files as if they were current would be worse.
    """

    def __init__(self, source: str, problems: Sequence[str], reason: str = "") -> None:
        self.problems = list(problems)
        super().__init__(
            f"the data in {source} changed and {reason or 'no longer satisfies the contract'}; "
            f"the dashboard answers again once `nrr validate {source}` passes"
        )


class EngineBusyError(NrrError):
    """The engine stayed busy with other queries for a request's whole budget (HTTP 503)."""

    def __init__(self, budget: float) -> None:
        super().__init__(
            f"the engine was busy with other queries for this request's whole {budget:g} s "
            "budget; try again in a moment"
        )


class QueryTimeoutError(NrrError):
    """A query ran past its time budget and was cancelled (HTTP 503).

    The engine is free again at once: the next request runs as usual.
    """

    def __init__(self, budget: float) -> None:
        super().__init__(
            f"the query ran past its {budget:g} s budget and was cancelled; ask for a "
            "shorter range, a coarser period or fewer groups (`nrr serve --query-timeout` "
            "sets the budget)"
        )


UNAVAILABLE = (DataUnavailableError, EngineBusyError, QueryTimeoutError, StoreUnavailableError)


class ErrorBody(BaseModel):
    """The one error shape, documented in ``/openapi.json`` as every operation's failure."""

    ok: Literal[False] = False
    error: str
    errors: list[str]
    status: int


def error_body(status: int, error: str, errors: Sequence[str] = ()) -> dict[str, Any]:
    return {"ok": False, "error": error, "errors": list(errors), "status": status}


def wants_json(request: Request) -> bool:
    """API paths answer JSON; pages answer HTML so a person sees a readable page."""
    path = request.url.path
    return path.startswith(("/api/", "/static/")) or path in ("/api", "/openapi.json")


def error_response(
    request: Request, status: int, error: str, errors: Sequence[str] = ()
) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(status, error, errors), status_code=status)
    templates = request.app.state.templates
    context = {
        "status": status,
        "title": _TITLES.get(status, "Error"),
        "error": error,
        "errors": list(errors),
        "page": "error",
        "meta": request.app.state.nrr.meta,
    }
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "error.html", context, status_code=status
    )


def _location(loc: Sequence[Any]) -> str:
    parts = [str(part) for part in loc if part not in ("query", "body", "path")]
    return ".".join(parts)


def validation_messages(errors: Sequence[Any]) -> list[str]:
    """``field: message`` lines (pydantic's "Value error, " prefix dropped)."""
    lines = []
    for error in errors:
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        where = _location(error.get("loc", ()))
        lines.append(f"{where}: {message}" if where else message)
    return lines


async def on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    messages = validation_messages(exc.errors())
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and "json" not in content_type:
        messages.insert(0, "send the body as JSON, with Content-Type: application/json")
    return error_response(request, 422, "invalid request: " + "; ".join(messages), messages)


async def on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path}"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    response = error_response(request, exc.status_code, detail)
    response.headers.update(exc.headers or {})
    return response


def status_of(exc: NrrError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, NotAvailableError):
        return 501
    if isinstance(exc, UNAVAILABLE):
        return 503
    if isinstance(exc, ConfigError | InputError):
        return 400
    return 500


# What the web calls a request's parts (``nrr.web.models``): the query strings of the data
# endpoints, and the widget spec of the dashboard endpoints. Unnamed parts keep the
# library's name, which the queries share (start, end, by, level, currency, ...).
QUERY_FIELDS = {"filters": "filter"}
SPEC_FIELDS = {
    "start": "timeframe.start",
    "end": "timeframe.end",
    "period": "timeframe.grain",
    "fiscal_year_start": "timeframe.fiscal_year_start",
    "by": "group_by",
    "level": "target",
}


def web_words(exc: NrrError, path: str) -> tuple[str, list[str]]:
    """The message and the ``field: message`` lines the web answers ``exc`` with at
    ``path``: a request error names the field of that endpoint's query or widget spec."""
    if not isinstance(exc, RequestError):
        return str(exc).splitlines()[0], []
    spec = path.startswith(("/api/widgets", "/api/dashboards"))
    names = SPEC_FIELDS if spec else QUERY_FIELDS
    message = exc.worded(names)
    return message, [f"{names.get(exc.field, exc.field)}: {message}"]


async def on_nrr(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NrrError)
    message, errors = web_words(exc, request.url.path)
    if isinstance(exc, InputError):
        errors = [issue.render() for issue in exc.issues]
    if isinstance(exc, DataUnavailableError):
        errors = exc.problems
    return error_response(request, status_of(exc), message, errors)


async def on_store(request: Request, exc: Exception) -> Response:
    """A SQLite failure the store did not name itself: still the store's, still 503."""
    assert isinstance(exc, sqlite3.OperationalError)
    return error_response(request, 503, f"the dashboard store cannot be used: {exc}")


async def on_unexpected(request: Request, exc: Exception) -> Response:
    """Log the traceback on the server; tell the client one line, never local values."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(request, 500, f"unexpected {type(exc).__name__}; see the server log")


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Make ``/openapi.json`` tell the truth about failures.

    FastAPI documents its own 422 body (``{"detail": [...]}``), which this app never sends;
    every operation instead documents ``ErrorBody`` for 422 and for any other failure.
    """
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {"description": "Invalid request", "content": content}
            responses["default"] = {"description": "Any failure", "content": content}
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(NrrError, on_nrr)
    app.add_exception_handler(sqlite3.OperationalError, on_store)
    app.add_exception_handler(Exception, on_unexpected)
