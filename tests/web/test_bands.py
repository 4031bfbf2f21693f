"""The dashboard colours by the bands the API sends; it holds no threshold of its own."""

from __future__ import annotations

from nrr.definitions import Band
from tests.web.helpers import TestClient, widget_body

BAND_NAMES = {band.value for band in Band}


def _edges(bands: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(b["name"], b["low"], b["high"]) for b in bands]


def expected_edges() -> list[tuple[object, object, object]]:
    return [(band.value, low, high) for band, low, high in Band.ranges()]


def test_report_rows_carry_their_band_and_the_payload_the_edges(client: TestClient) -> None:
    body = client.get("/api/report", params={"period": "quarter", "by": ["segment"]}).json()
    assert body["rows"] and body["totals"]
    for row in [*body["rows"], *body["totals"]]:
        band = Band.of(row["nrr"])
        assert row["band"] == (band.value if band else None)
    assert _edges(body["bands"]) == expected_edges()
    assert {b["name"] for b in body["bands"]} == BAND_NAMES


def test_cohort_rows_carry_their_band(client: TestClient) -> None:
    body = client.get("/api/cohorts", params={"grain": "quarter"}).json()
    assert body["rows"]
    for row in body["rows"]:
        band = Band.of(row["nrr"])
        assert row["band"] == (band.value if band else None)
    assert _edges(body["bands"]) == expected_edges()


def test_widget_data_carries_band_and_edges(client: TestClient) -> None:
    spec = widget_body(
        chart="line", group_by=None, timeframe={"grain": "month", "mode": "last", "last": 4}
    )["spec"]
    data = client.post("/api/widgets/preview", json=spec).json()
    assert data["ok"] is True and len(data["rows"]) == 4
    for row in data["rows"]:
        band = Band.of(row["nrr"])
        assert row["band"] == (band.value if band else None)
    assert _edges(data["bands"]) == expected_edges()


def test_band_edges_are_the_thresholds_of_band_of() -> None:
    """Each range's edges classify as Band.of does: the API sends the one definition."""
    for band, low, high in Band.ranges():
        inside = (low if low is not None else -1000.0, high if high is not None else 1000.0)
        middle = sum(inside) / 2
        assert Band.of(middle) is band
