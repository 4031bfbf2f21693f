"""schemathesis against the app's own ``/openapi.json``: no 500s, no answer off its schema.

Every operation of the JSON API is fuzzed in-process (ASGI), with data that fits the schema
and data that does not. The checks are schemathesis's: no server error, a documented status
code, a documented content type, and a body that matches the documented schema (failures
included: ``ErrorBody``). Ids are drawn mostly from dashboards and widgets that exist, so
the success paths are fuzzed too, not only the 404s.

The operations come from the API router rather than from a loaded schema so that pytest can
list them before any data is generated (schemathesis's lazy fixture loader does not work
with this pytest). Bounded: NRR_API_FUZZ_EXAMPLES per operation and mode (default 12).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nrr.web import api
from nrr.web.app import create_app
from tests.web.helpers import TestClient, make_demo, widget_body

EXAMPLES = int(os.environ.get("NRR_API_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = sorted(
    (method, re.sub(r":\w+}", "}", route.path))
    for route in api.router.routes
    if isinstance(route, APIRoute)
    for method in route.methods or ()
)


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data = make_demo(tmp_path_factory.mktemp("data"))
    app = create_app(data, tmp_path_factory.mktemp("store") / "s.sqlite")
    with TestClient(app) as client:
        for name in ("First", "Second"):
            created = client.post("/api/dashboards", json={"name": name}).json()["dashboard"]
            for metric in ("nrr", "mrr"):
                body = widget_body(metric=metric, group_by=None)
                client.post(f"/api/dashboards/{created['id']}/widgets", json=body)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_api_route_is_fuzzed() -> None:
    assert ("GET", "/api/report") in OPERATIONS
    assert ("POST", "/api/dashboards/{dashboard_id}/widgets") in OPERATIONS


IDS = st.one_of(st.sampled_from([1, 2, 3, 4]), st.integers(-(2**63), 2**63))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_answers_as_documented(
    api_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        for name in ("dashboard_id", "widget_id"):
            if mode is GenerationMode.POSITIVE and name in (case.path_parameters or {}):
                case.path_parameters[name] = data.draw(IDS, label=name)
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # no parameter or body that could be made invalid


def test_the_error_shape_is_documented(api_schema: Any) -> None:
    """What ``nrr.web.errors`` sends is what ``/openapi.json`` promises for failures."""
    raw = api_schema.raw_schema
    body = raw["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"error", "errors", "status"}
    report = raw["paths"]["/api/report"]["get"]["responses"]
    assert report["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorBody")
    assert "default" in report and "text/csv" in report["200"]["content"]
    assert "HTTPValidationError" not in raw["components"]["schemas"]


def test_ids_beyond_sqlite_integers_are_not_found(api_schema: Any) -> None:
    """Found by this fuzzing: an id of 2**63 reached SQLite and raised OverflowError (500)."""
    with TestClient(api_schema.app) as client:
        requests: list[tuple[str, str, dict[str, Any] | None]] = [
            ("GET", f"/api/dashboards/{2**63}", None),
            ("PUT", f"/api/dashboards/{2**63}/order", {"widget_ids": []}),
            ("DELETE", f"/api/widgets/{2**64}", None),
            ("GET", f"/api/widgets/{-(2**63) - 1}/data", None),
        ]
        for method, path, body in requests:
            response = client.request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["ok"] is False
