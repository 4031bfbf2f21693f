"""One error shape for every API endpoint, walked over the app's own route table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from nrr.api import Dataset
from nrr.web import api, downloads
from tests.web.helpers import TestClient, client_for, widget_body

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
EXPECTED_ROUTES = {
    ("GET", "/api/attributes"),
    ("GET", "/api/attributes/{name}/values"),
    ("GET", "/api/periods"),
    ("GET", "/api/report"),
    ("GET", "/api/cohorts"),
    ("GET", "/api/customers"),
    ("GET", "/api/forecast"),
    ("GET", "/api/signals"),
    ("GET", "/api/dashboards"),
    ("POST", "/api/dashboards"),
    ("POST", "/api/dashboards/import"),
    ("GET", "/api/dashboards/{dashboard_id}"),
    ("PATCH", "/api/dashboards/{dashboard_id}"),
    ("DELETE", "/api/dashboards/{dashboard_id}"),
    ("GET", "/api/dashboards/{dashboard_id}/export"),
    ("PUT", "/api/dashboards/{dashboard_id}/order"),
    ("POST", "/api/dashboards/{dashboard_id}/widgets"),
    ("GET", "/api/widgets/{widget_id}"),
    ("PATCH", "/api/widgets/{widget_id}"),
    ("DELETE", "/api/widgets/{widget_id}"),
    ("GET", "/api/widgets/{widget_id}/data"),
    ("POST", "/api/widgets/preview"),
} | {
    # each view as a file (nrr.web.downloads)
    ("GET", f"/api/{view}.{fmt}")
    for fmt in ("csv", "xlsx")
    for view in (
        "report",
        "customers",
        "cohorts",
        "widgets/{widget_id}/data",
        "signals/indicators",
        "signals/buckets",
        "signals/at-risk",
    )
}


def assert_error_shape(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"ok", "error", "errors", "status"}, body
    assert body["ok"] is False
    assert body["status"] == response.status_code
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list) and all(isinstance(e, str) for e in body["errors"])
    return body


# A body that is valid, so that an unknown id (and nothing else) makes the request fail.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "/api/dashboards/{dashboard_id}": {"name": "x"},
    "/api/dashboards/{dashboard_id}/order": {"widget_ids": []},
    "/api/dashboards/{dashboard_id}/widgets": widget_body(),
    "/api/widgets/{widget_id}": {"title": "t"},
}


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """Every API operation as the public schema (/openapi.json) describes it."""
    schema = client.get("/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
    ]


def fill(path: str, value: str) -> str:
    return re.sub(r"\{[a-z_]+\}", value, path)


def failing_requests(
    method: str, path: str, operation: dict[str, Any], allowed: set[str]
) -> list[dict[str, Any]]:
    """Requests that must fail on this route: bad ids, unknown ids, bad input, wrong method."""
    has_body = "requestBody" in operation
    queries = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    out: list[dict[str, Any]] = []
    if "_id}" in path:
        bogus = {"bogus": 1} if has_body else None
        out.append({"method": method, "url": fill(path, "abc"), "json": bogus, "expect": 404})
        out.append(
            {
                "method": method,
                "url": fill(path, "999999"),
                "json": VALID_BODIES.get(path) if has_body else None,
                "expect": 404,
            }
        )
    elif "{name}" in path:
        out.append({"method": method, "url": fill(path, "nope"), "expect": 400})
    if has_body:
        out.append({"method": method, "url": fill(path, "1"), "json": {"bogus": 1}, "expect": 422})
        out.append(
            {
                "method": method,
                "url": fill(path, "1"),
                "content": b"not json",
                "headers": {"content-type": "application/json"},
                "expect": 422,
            }
        )
    if queries:
        out.append({"method": method, "url": f"{path}?bogus=1", "expect": 422})
    wrong = next(m for m in METHODS if m not in allowed)
    out.append({"method": wrong, "url": fill(path, "1"), "expect": 405})
    return out


def test_the_route_table_is_the_documented_api(client: TestClient) -> None:
    assert {(m, p) for m, p, _ in operations(client)} == EXPECTED_ROUTES
    served = {
        (m, r.path.replace(":int}", "}"))
        for r in [*api.router.routes, *downloads.router.routes]
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    assert served == EXPECTED_ROUTES


def test_every_endpoint_answers_errors_in_one_shape(client: TestClient) -> None:
    board = client.post("/api/dashboards", json={"name": "walk"}).json()["dashboard"]
    assert board["id"] == 1  # so "1" in a path names something that exists
    ops = operations(client)
    assert len(ops) == len(EXPECTED_ROUTES)
    allowed: dict[str, set[str]] = {}
    for method, path, _ in ops:
        allowed.setdefault(path, set()).add(method)
    walked = 0
    for method, path, operation in ops:
        requests = failing_requests(method, path, operation, allowed[path])
        assert requests, (method, path)
        for request in requests:
            expect = request.pop("expect")
            response = client.request(**request)
            assert response.status_code == expect, (method, path, request, response.text)
            assert_error_shape(response)
            walked += 1
    assert walked >= 2 * len(ops)


def test_unknown_api_paths_and_methods(client: TestClient) -> None:
    body = assert_error_shape(client.get("/api/nope"))
    assert body["status"] == 404 and "/api/nope" in body["error"]
    body = assert_error_shape(client.delete("/api/report"))
    assert body["status"] == 405 and "DELETE" in body["error"]
    assert_error_shape(client.get("/static/nope.js"))


def test_validation_errors_list_every_field(client: TestClient) -> None:
    body = assert_error_shape(
        client.get(
            "/api/report", params={"period": "week", "level": "team", "fiscal_year_start": 13}
        )
    )
    assert body["status"] == 422 and len(body["errors"]) == 3
    assert any(e.startswith("period:") for e in body["errors"])


def test_unexpected_failures_are_one_line(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "postgresql://user:hunter2@db/prod"

    def explode(*args: object, **kwargs: object) -> None:
        url = secret  # a local value that must never reach the client
        raise RuntimeError(f"engine broke on {url}")

    with client_for(dataset, tmp_path / "s.sqlite", raise_errors=False) as client:
        monkeypatch.setattr(dataset, "run", explode)
        response = client.get("/api/report")
    body = assert_error_shape(response)
    assert body["status"] == 500 and "RuntimeError" in body["error"]
    assert "hunter2" not in response.text


def test_pages_answer_errors_as_html(client: TestClient) -> None:
    response = client.get("/dashboards/12345")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no dashboard with id 12345" in response.text
    assert client.get("/no-such-page").status_code == 404


def test_a_body_that_is_not_json_says_so(client: TestClient) -> None:
    response = client.post(
        "/api/dashboards", content=b'{"name": "x"}', headers={"content-type": "text/plain"}
    )
    body = assert_error_shape(response)
    assert body["status"] == 422 and "Content-Type: application/json" in body["error"]
