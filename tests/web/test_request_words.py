"""Request errors in the web's words: the fields of the endpoint's query or widget spec."""

from __future__ import annotations

import pytest

from nrr.definitions import ReportRequest
from nrr.errors import ConfigError, RequestError
from nrr.web.errors import web_words
from tests.web.helpers import TestClient, widget_body


def test_a_query_error_names_the_query_field(client: TestClient) -> None:
    response = client.get("/api/report", params={"by": "segment,segment"})
    body = response.json()
    assert response.status_code == 400 == body["status"]
    assert body["error"] == "attribute 'segment' appears twice in by"
    assert body["errors"] == ["by: attribute 'segment' appears twice in by"]
    assert "--" not in body["error"]


def test_a_filter_is_named_as_the_query_names_it(client: TestClient) -> None:
    body = client.get("/api/report", params={"filter": "planet=mars"}).json()
    assert body["status"] == 400 and body["errors"][0].startswith("filter: unknown attribute")


def test_a_widget_error_names_the_spec_field(client: TestClient) -> None:
    timeframe = {"grain": "month", "mode": "range", "start": "2990-01-01"}
    response = client.post("/api/widgets/preview", json=widget_body(timeframe=timeframe)["spec"])
    body = response.json()
    assert response.status_code == 400, body
    assert body["error"].startswith("timeframe.start 2990-01-01 must be before timeframe.end ")
    assert body["errors"][0].startswith("timeframe.start: ")


def test_web_words_per_endpoint() -> None:
    with pytest.raises(RequestError) as caught:
        ReportRequest(by=("region", "region"))
    assert web_words(caught.value, "/api/dashboards/1/widgets")[1] == [
        "group_by: attribute 'region' appears twice in group_by"
    ]
    assert web_words(ConfigError("first\nsecond"), "/api/report") == ("first", [])
