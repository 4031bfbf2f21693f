"""``/api/forecast``, ``/api/signals`` and the signals page: the CLI's numbers, over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nrr.api import Dataset
from nrr.cli import cli
from nrr.web import insights
from tests.web.helpers import TestClient, assert_close


def cli_json(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--quiet"])
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_forecast_is_the_cli_forecast(client: TestClient, demo_dir: Path) -> None:
    body = client.get(
        "/api/forecast", params={"period": "quarter", "horizon": 2, "metric": ["nrr", "grr"]}
    ).json()
    expected = cli_json(
        "forecast",
        str(demo_dir),
        "--period",
        "quarter",
        "--horizon",
        "2",
        "--metric",
        "nrr",
        "--metric",
        "grr",
    )
    assert body["ok"] is True and body["horizon"] == 2
    assert body["history"] == {"periods": 8, "last": "2024 Q4"}
    assert [p["label"] for p in body["periods"]] == ["2025 Q1", "2025 Q2"]
    assert len(body["rows"]) == len(expected) == 4
    for got, want in zip(body["rows"], expected, strict=True):
        assert_close(got, want)
    nrr_rows = [r for r in body["rows"] if r["metric"] == "nrr"]
    assert all(r["industry_band"] in {"average", "below average", "good"} for r in nrr_rows)
    csv_text = client.get(
        "/api/forecast", params={"period": "quarter", "horizon": 2, "format": "csv"}
    ).text
    assert csv_text.splitlines()[0].startswith('"metric","period_start","period_end","label"')


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"period": "ttm"}, 400, "forecasts are by month or quarter, not ttm"),
        ({"start": "2024-09-01"}, 400, "NRR has 4 period(s) of history (Sep 2024 to Dec 2024)"),
        ({"metric": "mrr"}, 422, "metric"),
        ({"horizon": 0}, 422, "horizon"),
    ],
)
def test_bad_forecast_requests_say_why(
    client: TestClient, params: dict[str, Any], status: int, needle: str
) -> None:
    response = client.get("/api/forecast", params=params)
    assert response.status_code == status
    assert needle in response.json()["error"]


def test_forecast_without_statsmodels_is_501(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(insights.importlib.util, "find_spec", lambda name: None)
    body = client.get("/api/forecast").json()
    assert body["status"] == 501 and "pip install 'nrr[forecast]'" in body["error"]


def test_signals_are_the_cli_indicators(client: TestClient, demo_dir: Path) -> None:
    body = client.get("/api/signals", params={"period": "quarter", "by": "segment"}).json()
    expected = cli_json("signals", str(demo_dir), "--period", "quarter", "--by", "segment")
    assert len(body["rows"]) == len(expected) == 24
    for got, want in zip(body["rows"], expected, strict=True):
        assert_close(got, want)
    assert body["warnings"] == sum(r["early_warning"] for r in expected)
    assert body["signals"] == ["health_score"] and body["correlation"] is None
    assert body["benchmark"]["label"] == "2024 Q4"
    assert body["benchmark"]["industry_band"] in {"average", "below average"}


def test_signal_buckets_and_at_risk_are_the_cli_ones(
    client: TestClient, demo_dir: Path, dataset: Dataset
) -> None:
    params = {"period": "quarter", "correlate": "health_score", "top": 5}
    found = client.get("/api/signals", params=params).json()["correlation"]
    expected = cli_json(
        "signals", str(demo_dir), "--period", "quarter", "--correlate", "health_score"
    )
    assert [b["bucket"] for b in found["buckets"]] == [b["bucket"] for b in expected]
    for got, want in zip(found["buckets"], expected, strict=True):
        assert_close(got, want)
    assert found["below"] == found["edges"][0] and len(found["at_risk"]) == 5
    mrr = [r["mrr"] for r in found["at_risk"]]
    assert mrr == sorted(mrr, reverse=True)
    assert all(r["signal_value"] < found["below"] for r in found["at_risk"])
    # Low health is followed by lower NRR on the demo data (its scores are drawn that way).
    assert found["buckets"][0]["nrr"] < found["buckets"][-1]["nrr"]


def test_report_tiles_carry_the_industry_benchmark(client: TestClient) -> None:
    kpis = client.get("/api/report", params={"period": "quarter"}).json()["kpis"]
    found = kpis["benchmark"]
    assert found["industry_band"] in {"best-in-class", "good", "average", "below average"}
    assert found["quadrant"] and found["sentence"].startswith(
        f"NRR {kpis['nrr']['value']:.1f}% is "
    )


def test_the_signals_page_lists_the_signals(client: TestClient) -> None:
    page = client.get("/signals")
    assert page.status_code == 200
    assert '<option value="health_score" selected>health_score</option>' in page.text
    assert 'href="/signals" aria-current="page"' in page.text
    assert "/static/js/signals.js?v=" in page.text
