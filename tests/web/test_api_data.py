"""The data endpoints: the same figures as the Python API and the CLI, labelled for display."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nrr.api import Dataset
from nrr.cli import cli
from nrr.definitions import CATEGORIES
from nrr.web.models import Category
from tests.web.helpers import TestClient, assert_close


def cli_json(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["report", *args, "--format", "json", "--quiet"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _number(text: str) -> object:
    try:
        return float(text)
    except ValueError:
        return text


def test_attributes_lists_groupings_currencies_and_range(client: TestClient) -> None:
    body = client.get("/api/attributes").json()
    assert body["ok"] is True
    assert {"csm", "segment", "region", "size", "channel", "product"} <= set(body["attributes"])
    assert body["base_currency"] == "USD" and "EUR" in body["currencies"]
    assert body["range"] == {"start": "2023-01-01", "end": "2025-01-01"}


def test_attribute_values_feed_the_filter_pickers(client: TestClient) -> None:
    body = client.get("/api/attributes/segment/values").json()
    assert body["values"] == ["Enterprise", "Mid-Market", "SMB"]
    assert client.get("/api/attributes/nope/values").status_code == 400


def test_periods_follow_grain_and_fiscal_year(client: TestClient) -> None:
    body = client.get("/api/periods", params={"period": "quarter", "fiscal_year_start": 4}).json()
    assert [p["label"] for p in body["periods"][:2]] == ["FY2023 Q4", "FY2024 Q1"]
    assert all(p["start"] < p["end"] for p in body["periods"])


def test_report_rows_equal_the_cli_json(client: TestClient, demo_dir: Path) -> None:
    params = {"period": "quarter", "start": "2024-01-01", "end": "2025-01-01", "by": "csm"}
    body = client.get("/api/report", params=params).json()
    expected = cli_json(
        str(demo_dir),
        "--period",
        "quarter",
        "--from",
        "2024-01-01",
        "--to",
        "2025-01-01",
        "--by",
        "csm",
    )
    assert len(body["rows"]) == len(expected) > 0
    for got, want in zip(body["rows"], expected, strict=True):
        assert_close(got, want)
        assert got["label"].startswith("2024 Q")
    assert body["totals"][0]["label"] == "Total"
    assert body["kpis"] is None and body["bridge"] is None  # grouped: no headline tiles


def test_report_headline_tiles_and_bridge(client: TestClient, dataset: Dataset) -> None:
    body = client.get("/api/report", params={"period": "month"}).json()
    rows = dataset.report(period="month").to_pylist()
    last, previous = rows[-1], rows[-2]
    kpis = body["kpis"]
    assert kpis["nrr"]["value"] == pytest.approx(last["nrr"], rel=1e-9)
    assert kpis["nrr"]["change"] == pytest.approx(last["nrr"] - previous["nrr"])
    assert kpis["nrr"]["band"] in {"exceptional", "healthy", "concerning", "critical"}
    assert kpis["mrr"]["value"] == pytest.approx(last["total_mrr_end"], rel=1e-9)
    bridge = body["bridge"]
    assert body["totals"][0]["label"] == "Whole range" == bridge["label"]
    moved = bridge["new"] + bridge["reactivation"] + bridge["expansion"]
    moved -= bridge["contraction"] + bridge["churn"]
    assert bridge["start"] + moved == pytest.approx(bridge["end"])
    assert body["rows"][0]["band"] is not None


def test_report_csv_is_the_cli_csv(client: TestClient, demo_dir: Path) -> None:
    response = client.get("/api/report", params={"period": "year", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    result = CliRunner().invoke(
        cli, ["report", str(demo_dir), "--period", "year", "--format", "csv", "--quiet"]
    )
    got = list(csv.DictReader(io.StringIO(response.text)))
    want = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(got[0]) == list(want[0]) and list(got[0])[:2] == ["period_start", "period_end"]
    assert len(got) == len(want) == 2
    for got_row, want_row in zip(got, want, strict=True):
        assert_close(
            {k: _number(v) for k, v in got_row.items()},
            {k: _number(v) for k, v in want_row.items()},
        )


def test_report_options_reach_the_engine(client: TestClient, dataset: Dataset) -> None:
    params: dict[str, Any] = {
        "period": "quarter",
        "level": "organization",
        "currency": "eur",
        "filter": ["segment=SMB"],
        "by": "region,channel",
    }
    body = client.get("/api/report", params=params).json()
    expected = dataset.report(
        period="quarter",
        level="organization",
        currency="EUR",
        filters={"segment": "SMB"},
        by=["region", "channel"],
    )
    assert body["currency"] == "EUR"
    assert body["request"]["filters"] == [["segment", "SMB"]]
    assert len(body["rows"]) == len(expected) > 0
    for got, want in zip(body["rows"], expected.to_pylist(), strict=True):
        assert got["nrr"] == pytest.approx(want["nrr"], rel=1e-9)


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"by": "shoe_size"}, 400, "unknown attribute 'shoe_size'"),
        ({"currency": "JPY"}, 400, "no JPY rate"),
        ({"period": "week"}, 422, "period"),
        ({"start": "2024-05-01", "end": "2024-02-01"}, 422, "must be before"),
        ({"filter": "segment"}, 422, "ATTRIBUTE=VALUE"),
        ({"start": "May 2024"}, 422, "start"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_bad_report_requests_say_what_is_wrong(
    client: TestClient, params: dict[str, str], status: int, needle: str
) -> None:
    response = client.get("/api/report", params=params)
    body = response.json()
    assert response.status_code == status == body["status"]
    assert body["ok"] is False and needle in body["error"]


def test_cohorts_rows(client: TestClient, dataset: Dataset) -> None:
    body = client.get("/api/cohorts", params={"grain": "quarter"}).json()
    expected = dataset.cohorts(grain="quarter").to_pylist()
    assert len(body["rows"]) == len(expected) > 0
    first = body["rows"][0]
    assert {"cohort", "age", "customers", "nrr"} <= set(first)
    assert first["age"] == 0 and first["nrr"] == pytest.approx(100.0)


def test_customers_add_up_to_the_report(client: TestClient) -> None:
    params = {
        "period": "quarter",
        "start": "2024-10-01",
        "end": "2025-01-01",
        "by": "csm",
        "filter": "csm=Avery Brooks",
    }
    report = client.get("/api/report", params=params).json()["rows"][0]
    body = client.get("/api/customers", params=params).json()
    assert body["total"] == len(body["rows"]) and not body["truncated"]
    churn = sum(r["mrr_start"] for r in body["rows"] if r["category"] == "churn")
    assert churn == pytest.approx(report["churn_mrr"])
    starting = [r for r in body["rows"] if r["mrr_start"] > 0]
    assert len(starting) == report["customers_start"]
    assert all(r["unit"] and r["csm"] == "Avery Brooks" for r in body["rows"])


def test_customers_one_category_and_limit(client: TestClient) -> None:
    body = client.get("/api/customers", params={"category": "churn", "limit": 3}).json()
    assert len(body["rows"]) == 3 and body["truncated"] and body["total"] > 3
    assert {r["category"] for r in body["rows"]} == {"churn"}
    assert client.get("/api/customers", params={"category": "gone"}).status_code == 422


def test_category_choices_match_the_definitions() -> None:
    assert set(Category.__args__) == set(CATEGORIES)
