"""The forecast overlay on the overview's NRR trend, and the signals page, in Chromium.

What a reviewer should see in artifacts/screenshots: overview-forecast-*.png (the trend
continued by a dashed line inside two shaded interval bands) and signals-*.png (rates with
early-warning markers, NRR per health-score bucket, the at-risk list).
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.server import Server

pytestmark = pytest.mark.playwright

TRACES = """(selector) => document.querySelector(selector).data.map((t) => ({
  name: t.name, x: t.x, y: t.y, fill: t.fill || null, dash: (t.line || {}).dash || null,
}))"""


def test_forecast_overlay_and_signals_page(server: Server, page: Page) -> None:
    page.goto(server.url + "/?period=quarter")
    page.wait_for_selector("#trend[data-forecast=shown] .main-svg")
    traces = page.evaluate(TRACES, "#trend")
    forecast = next(t for t in traces if t["name"] == "Forecast")
    history = next(t for t in traces if t["name"] == "NRR")
    bands = [t for t in traces if t["fill"] == "tonexty"]
    expected = httpx.get(
        f"{server.url}/api/forecast", params={"period": "quarter", "horizon": 4, "metric": "nrr"}
    ).json()
    assert forecast["dash"] == "dash"
    assert forecast["x"] == [history["x"][-1], "2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]
    assert forecast["y"][0] == pytest.approx(history["y"][-1])  # continues from the last actual
    assert forecast["y"][1:] == pytest.approx([r["forecast"] for r in expected["rows"]])
    assert sorted(b["name"] for b in bands) == ["80% interval", "95% interval"]
    lower_95 = next(b for b in bands if b["name"] == "95% interval")["y"][1:]
    assert lower_95 == pytest.approx([r["lower_95"] for r in expected["rows"]])
    layout = page.evaluate("document.getElementById('trend').layout")
    assert layout["xaxis"]["categoryarray"][-1] == "2025 Q4"
    expect(page.locator("#forecast-hint")).to_contain_text("4-quarter forecast")
    expect(page.locator("#benchmark")).to_contain_text("Against peers, 2024 Q4: NRR")
    screenshot(page, "overview-forecast")

    page.click("nav >> text=Signals")
    page.wait_for_url("**/signals")
    page.wait_for_selector("#rates .main-svg")
    page.wait_for_selector("#buckets .main-svg")
    body = httpx.get(
        f"{server.url}/api/signals",
        params={"period": "month", "correlate": "health_score", "buckets": 4},
    ).json()
    rows = page.locator("#indicators tbody tr")
    expect(rows).to_have_count(24)
    flagged = page.locator("#indicators tbody tr[data-warning=yes]")
    expect(flagged).to_have_count(body["warnings"])
    markers = next(t for t in page.evaluate(TRACES, "#rates") if t["name"] == "early warning")
    assert len(markers["x"]) == body["warnings"] > 0
    buckets = page.locator("#bucket-table tbody tr")
    expect(buckets).to_have_count(len(body["correlation"]["buckets"]))
    shown = buckets.evaluate_all("rows => rows.map((r) => r.dataset.bucket)")
    assert shown == [b["bucket"] for b in body["correlation"]["buckets"]]
    expect(page.locator("#at-risk tbody tr")).to_have_count(20)
    first = body["correlation"]["at_risk"][0]
    expect(page.locator("#at-risk tbody tr").first).to_contain_text(first["customer_id"])
    screenshot(page, "signals")
