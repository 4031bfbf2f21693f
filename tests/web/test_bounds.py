"""Every endpoint's work is bounded by the library (issue 14): a range far past the data,
too many filters or too many widgets is HTTP 400 (or 422 for a malformed body) naming the
limit, before any query runs."""

from __future__ import annotations

import time

import pytest

from nrr.api_requests import HORIZON_MONTHS, SLACK_MONTHS
from nrr.definitions import MAX_FILTERS
from nrr.web.models import MAX_WIDGETS
from tests.web.helpers import TestClient, widget_body

FAR = "2999-12-01"


@pytest.mark.parametrize("path", ["/api/report", "/api/customers", "/api/cohorts", "/api/signals"])
def test_an_end_far_past_the_data_is_400(client: TestClient, path: str) -> None:
    response = client.get(path, params={"end": FAR})
    assert response.status_code == 400, response.text
    assert f"{HORIZON_MONTHS} months after" in response.json()["error"]


def test_a_start_far_before_the_data_is_400(client: TestClient) -> None:
    for path in ("/api/report", "/api/customers", "/api/cohorts"):
        response = client.get(path, params={"start": "1901-01-01"})
        assert response.status_code == 400, response.text
        assert f"{SLACK_MONTHS} months before" in response.json()["error"]


def test_forecast_is_bounded(client: TestClient) -> None:
    pytest.importorskip("statsmodels")
    response = client.get("/api/forecast", params={"end": FAR})
    assert response.status_code == 400, response.text
    assert "months after" in response.json()["error"]


def test_thousands_of_filters_are_refused_fast(client: TestClient) -> None:
    """3,000 in a query string (what fits a URL), 10,000 in a widget spec."""
    began = time.monotonic()
    params = [("filter", f"segment={i}") for i in range(3_000)]
    response = client.get("/api/customers", params=params)
    assert response.status_code == 400
    assert f"at most {MAX_FILTERS}" in response.json()["error"]
    filters = [{"attribute": "segment", "value": str(i)} for i in range(10_000)]
    response = client.post("/api/widgets/preview", json=widget_body(filters=filters)["spec"])
    assert response.status_code == 400
    assert f"at most {MAX_FILTERS}" in response.json()["error"]
    assert time.monotonic() - began < 10


def _document(widgets: list[dict[str, object]]) -> dict[str, object]:
    return {"format": "nrr-dashboard", "version": 1, "name": "Imported", "widgets": widgets}


def test_a_widget_ending_in_2999_is_refused_at_import(client: TestClient) -> None:
    far = widget_body(timeframe={"grain": "month", "mode": "range", "end": FAR})
    response = client.post("/api/dashboards/import", json=_document([far]))
    assert response.status_code == 400, response.text
    assert "timeframe.end" in response.json()["error"]
    assert client.get("/api/dashboards").json()["dashboards"] == []


def test_a_stored_widget_ending_in_2999_is_refused_at_run_time(client: TestClient) -> None:
    """A spec written before the bound (or by hand into the store) is refused when run."""
    far = widget_body(timeframe={"grain": "month", "mode": "range", "end": FAR})
    store = client.app.state.nrr.store  # type: ignore[attr-defined]
    board = store.create_dashboard("Old", [(far["title"], far["spec"])])
    response = client.get(f"/api/widgets/{board.widgets[0].id}/data")
    assert response.status_code == 400, response.text
    assert "months after" in response.json()["error"]


def test_a_dashboard_holds_at_most_max_widgets(client: TestClient) -> None:
    response = client.post("/api/dashboards/import", json=_document([widget_body()] * 5_000))
    assert response.status_code == 422
    assert f"at most {MAX_WIDGETS}" in response.text
    full = client.post("/api/dashboards/import", json=_document([widget_body()] * MAX_WIDGETS))
    assert full.status_code == 201, full.text
    board = full.json()["dashboard"]["id"]
    more = client.post(f"/api/dashboards/{board}/widgets", json=widget_body())
    assert more.status_code == 400 and f"at most {MAX_WIDGETS}" in more.json()["error"]
