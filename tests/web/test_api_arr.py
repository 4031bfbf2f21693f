"""ARR over the JSON API: ``unit=arr`` on the data endpoints and in a widget's spec (12 x
every amount, the same ratios, the columns named for the unit), and widget specs stored
before the unit existed read back as MRR."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from nrr.api import Dataset
from tests.web.helpers import TestClient, widget_body

MONEY = ("starting", "expansion", "contraction", "churn", "ending", "new", "reactivation")


def _report(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/report", params={"period": "quarter", **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_report_in_arr_is_twelve_times_the_mrr_report(client: TestClient) -> None:
    mrr, arr = _report(client), _report(client, unit="arr")
    assert (mrr["unit"], arr["unit"]) == ("mrr", "arr")
    assert arr["request"]["unit"] == "arr"
    assert len(arr["rows"]) == len(mrr["rows"]) > 2
    for old, new in zip(mrr["rows"] + mrr["totals"], arr["rows"] + arr["totals"], strict=True):
        assert not [key for key in new if "mrr" in key]
        for name in MONEY:
            assert new[f"{name}_arr"] == pytest.approx(12 * old[f"{name}_mrr"], rel=1e-12)
        for ratio in ("nrr", "grr", "logo_retention"):  # to the last bits of DuckDB's sums
            assert new[ratio] == pytest.approx(old[ratio], rel=1e-9)
        for same in ("customers_start", "band", "label"):
            assert new[same] == old[same]
    for step in ("start", "new", "expansion", "contraction", "churn", "end"):
        assert arr["bridge"][step] == pytest.approx(12 * mrr["bridge"][step], rel=1e-12)
    assert arr["kpis"]["mrr"]["value"] == pytest.approx(12 * mrr["kpis"]["mrr"]["value"])
    assert arr["kpis"]["nrr"]["value"] == pytest.approx(mrr["kpis"]["nrr"]["value"], rel=1e-9)


def test_report_csv_in_arr(client: TestClient) -> None:
    response = client.get("/api/report", params={"period": "year", "unit": "arr", "format": "csv"})
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.text)))
    assert "starting_arr" in header and "total_arr_end" in header
    assert not [name for name in header if "mrr" in name]


def test_customers_and_cohorts_in_arr(client: TestClient, dataset: Dataset) -> None:
    params = {"period": "quarter", "start": "2024-01-01", "end": "2024-04-01", "unit": "arr"}
    body = client.get("/api/customers", params=params).json()
    assert body["unit"] == "arr" and body["rows"]
    report = _report(client, start="2024-01-01", end="2024-04-01", unit="arr")["rows"][0]
    total = sum(row["arr_start"] for row in body["rows"])
    assert not body["truncated"]
    assert total == pytest.approx(report["total_arr_start"], abs=0.005)
    cohorts = client.get("/api/cohorts", params={"grain": "quarter", "unit": "arr"}).json()
    plain = client.get("/api/cohorts", params={"grain": "quarter"}).json()
    assert cohorts["unit"] == "arr"
    for old, new in zip(plain["rows"], cohorts["rows"], strict=True):
        assert new["arr"] == pytest.approx(12 * old["mrr"], rel=1e-12)
        assert new["nrr"] == pytest.approx(old["nrr"], rel=1e-9)


def test_a_bad_unit_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/report", params={"unit": "yearly"})
    assert response.status_code == 422
    assert response.json()["errors"][0].startswith("unit:")
    # The forecast works in MRR: it takes no unit rather than ignore one.
    assert client.get("/api/forecast", params={"unit": "arr"}).status_code == 422


def _board(client: TestClient) -> int:
    response = client.post("/api/dashboards", json={"name": "Board"})
    board_id: int = response.json()["dashboard"]["id"]
    return board_id


def test_widget_spec_with_a_unit_round_trips(client: TestClient) -> None:
    board = _board(client)
    body = widget_body("ARR by segment", metric="mrr", chart="line", group_by="segment", unit="arr")
    created = client.post(f"/api/dashboards/{board}/widgets", json=body)
    assert created.status_code == 201, created.text
    widget = created.json()["widget"]
    assert widget["spec"]["unit"] == "arr"
    again = client.get(f"/api/widgets/{widget['id']}").json()["widget"]
    assert again["spec"]["unit"] == "arr"
    data = client.get(f"/api/widgets/{widget['id']}/data").json()
    assert data["unit"] == "arr" and data["column"] == "total_arr_end"
    mrr_body = widget_body("MRR by segment", metric="mrr", chart="line", group_by="segment")
    mrr = client.post("/api/widgets/preview", json=mrr_body["spec"]).json()
    assert mrr["unit"] == "mrr" and mrr["column"] == "total_mrr_end"
    for old, new in zip(mrr["rows"], data["rows"], strict=True):
        assert new["value"] == pytest.approx(12 * old["value"], rel=1e-12)
    exported = client.get(f"/api/dashboards/{board}/export").json()
    assert exported["widgets"][0]["spec"]["unit"] == "arr"
    imported = client.post("/api/dashboards/import", json=exported)
    assert imported.json()["dashboard"]["widgets"][0]["spec"]["unit"] == "arr"


def test_waterfall_and_kpi_widgets_in_arr(client: TestClient) -> None:
    for chart, metric in (("waterfall", "nrr"), ("kpi", "churn_mrr")):
        spec = widget_body(chart=chart, metric=metric, group_by=None, unit="arr")["spec"]
        arr = client.post("/api/widgets/preview", json=spec).json()
        plain = client.post("/api/widgets/preview", json={**spec, "unit": "mrr"}).json()
        if chart == "waterfall":
            assert arr["bridge"]["end"] == pytest.approx(12 * plain["bridge"]["end"])
        else:
            assert arr["column"] == "churn_arr"
            assert arr["kpi"][0]["value"] == pytest.approx(12 * plain["kpi"][0]["value"])


def test_a_spec_stored_before_the_unit_reads_as_mrr(client: TestClient) -> None:
    """No migration: specs are JSON validated on read, and a missing unit is MRR."""
    board = _board(client)
    created = client.post(f"/api/dashboards/{board}/widgets", json=widget_body(metric="mrr"))
    widget_id = created.json()["widget"]["id"]
    store = client.app.state.nrr.store  # type: ignore[attr-defined]
    old = {key: value for key, value in widget_body(metric="mrr")["spec"].items()}
    assert "unit" not in old
    store.update_widget(widget_id, spec=old)
    data = client.get(f"/api/widgets/{widget_id}/data").json()
    assert data["unit"] == "mrr" and data["column"] == "total_mrr_end"
    assert data["spec"]["unit"] == "mrr"
