"""Custom dashboards over the API: CRUD, widgets, order, export/import, read-only, restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nrr.api import Dataset
from tests.web.helpers import TestClient, assert_close, client_for, widget_body


def create(client: TestClient, name: str = "CS weekly") -> dict[str, Any]:
    response = client.post("/api/dashboards", json={"name": name})
    assert response.status_code == 201
    dashboard: dict[str, Any] = response.json()["dashboard"]
    return dashboard


def add(client: TestClient, dashboard_id: int, **spec: Any) -> dict[str, Any]:
    title = spec.pop("title", "NRR per CSM")
    response = client.post(
        f"/api/dashboards/{dashboard_id}/widgets", json=widget_body(title, **spec)
    )
    assert response.status_code == 201, response.text
    widget: dict[str, Any] = response.json()["widget"]
    return widget


def test_create_rename_list_delete(client: TestClient) -> None:
    board = create(client, "  CS weekly  ")
    assert board["name"] == "CS weekly" and board["widgets"] == [] and board["slug"]
    renamed = client.patch(f"/api/dashboards/{board['id']}", json={"name": "CS Monday"}).json()
    assert renamed["dashboard"]["name"] == "CS Monday"
    names = [d["name"] for d in client.get("/api/dashboards").json()["dashboards"]]
    assert names == ["CS Monday"]
    assert client.delete(f"/api/dashboards/{board['id']}").json() == {
        "ok": True,
        "deleted": board["id"],
    }
    assert client.get(f"/api/dashboards/{board['id']}").status_code == 404


def test_names_are_validated(client: TestClient) -> None:
    for body in ({"name": ""}, {"name": "   "}, {"name": "x" * 121}, {}, {"name": "a", "x": 1}):
        response = client.post("/api/dashboards", json=body)
        assert response.status_code == 422, body
        assert response.json()["errors"]


def test_widgets_add_edit_reorder_remove(client: TestClient) -> None:
    board = create(client)
    first = add(client, board["id"])
    second = add(client, board["id"], title="MRR trend", metric="mrr", chart="line", group_by=None)
    third = add(client, board["id"], title="Bridge", chart="waterfall", group_by=None)
    ids = [
        w["id"] for w in client.get(f"/api/dashboards/{board['id']}").json()["dashboard"]["widgets"]
    ]
    assert ids == [first["id"], second["id"], third["id"]]

    order = [third["id"], first["id"], second["id"]]
    moved = client.put(f"/api/dashboards/{board['id']}/order", json={"widget_ids": order})
    assert [w["id"] for w in moved.json()["dashboard"]["widgets"]] == order
    bad = client.put(f"/api/dashboards/{board['id']}/order", json={"widget_ids": order[:2]})
    assert bad.status_code == 400

    edited = client.patch(
        f"/api/widgets/{first['id']}",
        json={"title": "NRR per segment", "spec": widget_body(group_by="segment")["spec"]},
    ).json()
    assert edited["widget"]["title"] == "NRR per segment"
    assert edited["widget"]["spec"]["group_by"] == "segment"
    assert client.patch(f"/api/widgets/{first['id']}", json={}).status_code == 400

    assert client.delete(f"/api/widgets/{second['id']}").json()["ok"] is True
    left = client.get(f"/api/dashboards/{board['id']}").json()["dashboard"]["widgets"]
    assert [w["id"] for w in left] == [third["id"], first["id"]]


@pytest.mark.parametrize(
    ("spec", "status", "needle"),
    [
        ({"group_by": "shoe_size"}, 400, "unknown attribute 'shoe_size'"),
        ({"filters": [{"attribute": "planet", "value": "Mars"}]}, 400, "unknown attribute"),
        ({"currency": "JPY"}, 400, "JPY"),
        ({"metric": "arr"}, 422, "metric"),
        ({"chart": "pie"}, 422, "chart"),
        ({"target": "people"}, 422, "target"),
        ({"chart": "waterfall"}, 422, "waterfall shows one MRR bridge"),
        ({"timeframe": {"grain": "quarter", "mode": "last", "last": 0}}, 422, "last"),
        (
            {
                "timeframe": {
                    "grain": "month",
                    "mode": "range",
                    "start": "2024-06-01",
                    "end": "2024-01-01",
                }
            },
            422,
            "before its end",
        ),
    ],
)
def test_widget_specs_are_validated(
    client: TestClient, spec: dict[str, Any], status: int, needle: str
) -> None:
    board = create(client)
    response = client.post(f"/api/dashboards/{board['id']}/widgets", json=widget_body(**spec))
    assert response.status_code == status, response.text
    assert needle in response.json()["error"]
    assert client.get(f"/api/dashboards/{board['id']}").json()["dashboard"]["widgets"] == []


def test_bar_widget_by_csm_shows_the_report_numbers(client: TestClient, dataset: Dataset) -> None:
    board = create(client)
    widget = add(client, board["id"])
    data = client.get(f"/api/widgets/{widget['id']}/data").json()
    request = data["request"]
    assert request["period"] == "quarter" and request["by"] == ["csm"]
    assert (request["start"], request["end"]) == ("2024-10-01", "2025-01-01")
    expected = dataset.report(
        period="quarter", start=request["start"], end=request["end"], by=["csm"]
    ).to_pylist()
    assert len(data["rows"]) == len(expected) == 16
    for got, want in zip(data["rows"], expected, strict=True):
        assert got["group"] == want["csm"]
        assert_close({"value": got["value"]}, {"value": want["nrr"]})


@pytest.mark.parametrize(
    ("chart", "metric", "group_by", "grain", "last"),
    [
        ("line", "mrr", None, "month", 6),
        ("line", "grr", "segment", "ttm", 3),
        ("table", "logo_retention", "region", "year", 2),
        ("kpi", "nrr", None, "quarter", 2),
        ("kpi", "churn_mrr", "size", "quarter", 2),
        ("waterfall", "nrr", None, "quarter", 4),
        ("heatmap", "expansion_mrr", "channel", "month", 3),
        ("bar", "new_mrr", "product", "quarter", 2),
        ("bar", "contraction_mrr", None, "month", 3),
    ],
)
def test_every_chart_type_gets_its_data(
    client: TestClient, chart: str, metric: str, group_by: str | None, grain: str, last: int
) -> None:
    spec = {
        "chart": chart,
        "metric": metric,
        "group_by": group_by,
        "timeframe": {"grain": grain, "mode": "last", "last": last},
    }
    data = client.post("/api/widgets/preview", json=widget_body(**spec)["spec"]).json()
    assert data["ok"] is True and len(data["periods"]) == last
    column = "total_mrr_end" if metric == "mrr" else metric
    assert all(row["value"] == row[column] for row in data["rows"])
    if chart == "waterfall":
        assert data["bridge"]["label"] == "Whole timeframe"
    if chart == "kpi":
        assert data["kpi"] and all("change" in tile for tile in data["kpi"])


def test_range_timeframe_and_organizations(client: TestClient) -> None:
    spec = widget_body(
        target="organizations",
        chart="line",
        group_by=None,
        currency="EUR",
        filters=[{"attribute": "segment", "value": "SMB"}],
        timeframe={"grain": "month", "mode": "range", "start": "2024-01-01", "end": "2024-07-01"},
    )["spec"]
    data = client.post("/api/widgets/preview", json=spec).json()
    assert data["request"]["level"] == "organization" and data["currency"] == "EUR"
    assert data["request"]["filters"] == [["segment", "SMB"]]
    assert [p["label"] for p in data["periods"]][:2] == ["Jan 2024", "Feb 2024"]
    assert len(data["periods"]) == 6


def test_export_import_round_trip(client: TestClient) -> None:
    board = create(client, "Exec: NRR / GRR")
    add(client, board["id"])
    add(client, board["id"], title="Bridge", chart="waterfall", group_by=None)
    response = client.get(f"/api/dashboards/{board['id']}/export")
    assert 'filename="exec-nrr-grr.nrr-dashboard.json"' in response.headers["content-disposition"]
    document = response.json()
    assert document["format"] == "nrr-dashboard" and document["version"] == 1
    assert "id" not in document and [w["title"] for w in document["widgets"]] == [
        "NRR per CSM",
        "Bridge",
    ]

    imported = client.post("/api/dashboards/import", json=document)
    assert imported.status_code == 201
    copy = imported.json()["dashboard"]
    assert copy["id"] != board["id"] and copy["slug"] != board["slug"]
    assert [w["spec"] for w in copy["widgets"]] == [w["spec"] for w in document["widgets"]]


def test_import_rejects_foreign_or_broken_documents(client: TestClient) -> None:
    good = {"format": "nrr-dashboard", "version": 1, "name": "x", "widgets": [widget_body()]}
    assert client.post("/api/dashboards/import", json={**good, "version": 2}).status_code == 422
    assert (
        client.post("/api/dashboards/import", json={**good, "format": "grafana"}).status_code == 422
    )
    unknown = {**good, "widgets": [widget_body(group_by="favourite_colour")]}
    response = client.post("/api/dashboards/import", json=unknown)
    assert response.status_code == 400 and "favourite_colour" in response.json()["error"]
    assert client.get("/api/dashboards").json()["dashboards"] == []


def test_read_only_pages(client: TestClient) -> None:
    board = create(client, "Shared <b>board</b>")
    add(client, board["id"])
    editor = client.get(f"/dashboards/{board['id']}").text
    assert 'id="add-widget"' in editor and 'id="editor"' in editor
    for path in (f"/dashboards/{board['id']}/view", f"/d/{board['slug']}"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Read-only dashboard" in page.text
        assert 'id="add-widget"' not in page.text and 'id="editor"' not in page.text
        assert "Shared &lt;b&gt;board&lt;/b&gt;" in page.text
    missing = client.get("/d/not-a-slug")
    assert missing.status_code == 404 and "no dashboard is shared" in missing.text


def test_dashboards_survive_a_restart(dataset: Dataset, store_path: Path) -> None:
    with client_for(dataset, store_path) as first:
        board = create(first)
        widget = add(first, board["id"])
        before = first.get(f"/api/widgets/{widget['id']}/data").json()["rows"]
    with client_for(dataset, store_path) as second:
        again = second.get(f"/api/dashboards/{board['id']}").json()["dashboard"]
        assert [w["title"] for w in again["widgets"]] == ["NRR per CSM"]
        after = second.get(f"/api/widgets/{widget['id']}/data").json()["rows"]
    assert [r["group"] for r in after] == [r["group"] for r in before]
    for got, want in zip(after, before, strict=True):
        assert_close(got, {"value": want["value"]})


def test_stored_spec_that_no_longer_validates_is_a_400(client: TestClient) -> None:
    board = create(client)
    widget = add(client, board["id"])
    store = client.app.state.nrr.store  # type: ignore[attr-defined]
    store.update_widget(widget["id"], spec={"chart": "sparkline"})
    response = client.get(f"/api/widgets/{widget['id']}/data")
    assert response.status_code == 400 and "cannot read" in response.json()["error"]
