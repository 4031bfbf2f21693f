"""The dashboard in a real browser, served by a real ``nrr serve`` process.

Covers the issue's acceptance: the overview's trend chart with its 100% line; a dashboard
with a bar widget by CSM built through the UI, surviving a restart, showing the numbers of
``nrr report --by csm --format json`` for the same request; drill-down from a bar.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.server import Server

pytestmark = pytest.mark.playwright

BARS = """(selector) => {
  const gd = document.querySelector(selector);
  const trace = gd.data[0];
  const [names, values] = trace.orientation === "h" ? [trace.y, trace.x] : [trace.x, trace.y];
  return {
    names,
    values: values.map((v, i) => v + (trace.base ? trace.base[i] : 0)),
    labels: [...gd.querySelectorAll(".bartext")].map((t) => t.textContent),
  };
}"""


def shown_bars(page: Page, selector: str) -> dict[str, Any]:
    page.wait_for_selector(f"{selector} .bartext")
    bars: dict[str, Any] = page.evaluate(BARS, selector)
    return bars


def cli_report(data: Path, request: dict[str, Any]) -> list[dict[str, Any]]:
    """``nrr report --format json`` for the request the widget says it ran."""
    args = [
        sys.executable,
        "-m",
        "nrr",
        "report",
        str(data),
        "--period",
        request["period"],
        "--from",
        request["start"],
        "--to",
        request["end"],
        "--level",
        request["level"],
        "--format",
        "json",
        "--quiet",
    ]
    for group in request["by"]:
        args += ["--by", group]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def test_overview_draws_the_trend_with_the_100_percent_line(server: Server, page: Page) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector("#trend .main-svg")
    layout = page.evaluate("document.getElementById('trend').layout")
    benchmark = [s for s in layout["shapes"] if s["type"] == "line"]
    assert len(benchmark) == 1
    assert benchmark[0]["y0"] == benchmark[0]["y1"] == 100
    assert benchmark[0]["line"]["dash"] == "dash"
    bands = [s for s in layout["shapes"] if s["type"] == "rect"]
    assert sorted((b["y0"], b["y1"]) for b in bands)[1:3] == [(90, 100), (100, 110)]
    assert layout["xaxis"]["dtick"] == "M1"
    assert page.locator("#trend .shapelayer path").count() >= 1
    expect(page.locator("[data-kpi=nrr] .kpi-value")).to_have_text(re.compile(r"^\d+\.\d%$"))
    expect(page.locator("[data-kpi=mrr] .kpi-value")).to_have_text(re.compile(r"^\$[\d,]+$"))
    nrr_tile = page.locator("[data-kpi=nrr]")
    assert nrr_tile.get_attribute("data-band") in {
        "exceptional",
        "healthy",
        "concerning",
        "critical",
    }
    assert page.locator("#breakdown tbody tr").count() == 24
    page.wait_for_selector("#bridge .main-svg")
    screenshot(page, "overview")

    page.select_option("select[name=period]", "quarter")
    expect(page.locator("#breakdown tbody tr")).to_have_count(8)
    assert "period=quarter" in page.url
    csv = page.get_attribute("#csv", "href")
    assert csv is not None and "format=csv" in csv and "period=quarter" in csv


def test_invalid_range_says_what_is_wrong(server: Server, page: Page) -> None:
    page.goto(server.url + "/?start=2024-06&through=2024-01")
    expect(page.locator("#notice")).to_contain_text("“From” must not be after “Through”")


def build_widget_through_the_ui(page: Page, base: str) -> int:
    page.goto(base + "/dashboards")
    expect(page.locator("#dashboard-list .empty")).to_contain_text("No dashboards yet")
    screenshot(page, "dashboards-empty")
    page.fill("#new-name", "CS weekly review")
    page.click("text=Create dashboard")
    page.wait_for_url("**/dashboards/*")
    dashboard_id = int(page.url.rstrip("/").split("/")[-1])
    page.click("#add-widget")
    form = page.locator("#widget-form")
    form.locator("input[name=title]").fill("NRR per CSM")
    form.locator("select[name=target]").select_option("accounts")
    form.locator("select[name=metric]").select_option("nrr")
    form.locator("select[name=chart]").select_option("bar")
    form.locator("select[name=group_by]").select_option("csm")
    form.locator("select[name=grain]").select_option("quarter")
    form.locator("select[name=mode]").select_option("last")
    form.locator("input[name=last]").fill("1")
    page.click("#editor-save")
    expect(page.locator("#editor")).to_be_hidden()
    return dashboard_id


def test_bar_widget_by_csm_survives_a_restart_with_the_cli_numbers(
    demo_dir: Path, tmp_path: Path, page: Page
) -> None:
    store, log = tmp_path / "dashboards.sqlite", tmp_path / "serve.log"
    with Server(demo_dir, store, log) as first:
        dashboard_id = build_widget_through_the_ui(page, first.url)
        before = shown_bars(page, "[data-widget] .js-plotly-plot")
        screenshot(page, "dashboard")
        widget = httpx.get(f"{first.url}/api/dashboards/{dashboard_id}").json()
        widget_id = widget["dashboard"]["widgets"][0]["id"]
        request = httpx.get(f"{first.url}/api/widgets/{widget_id}/data").json()["request"]

    with Server(demo_dir, store, log) as second:
        page.goto(f"{second.url}/dashboards/{dashboard_id}/view")
        expect(page.locator("h1")).to_have_text("CS weekly review")
        expect(page.locator("#add-widget")).to_have_count(0)
        after = shown_bars(page, "[data-widget] .js-plotly-plot")
        screenshot(page, "dashboard-readonly")

    assert after["names"] == before["names"] and after["labels"] == before["labels"]
    assert request["by"] == ["csm"] and request["period"] == "quarter"
    rows = cli_report(demo_dir, request)
    expected = {row["csm"]: row["nrr"] for row in rows if row["nrr"] is not None}
    assert len(after["names"]) == len(expected) == 16
    shown = dict(zip(after["names"], after["labels"], strict=True))
    assert shown == {name: f"{nrr:.1f}%" for name, nrr in expected.items()}
    for name, value in zip(after["names"], after["values"], strict=True):
        assert value == pytest.approx(expected[name], rel=1e-9)
    assert after["values"] == sorted(after["values"], reverse=True)


def test_drill_down_opens_from_a_bar(server: Server, page: Page) -> None:
    page.goto(server.url + "/segments")
    page.wait_for_selector("#bars .main-svg")
    bars = shown_bars(page, "#bars")
    first = page.locator("#bars g.point path").first
    box = first.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    drill = page.locator("#drilldown")
    expect(drill).to_be_visible()
    expect(page.locator("#drill-title")).to_contain_text(f"csm = {bars['names'][0]}")
    rows = page.locator("#drill-table tbody tr[data-category]")
    expect(rows.first).to_be_visible()
    categories = set(rows.evaluate_all("rows => rows.map(r => r.dataset.category)"))
    assert categories <= {"churn", "contraction", "expansion", "flat", "new", "reactivation"}
    page.click("#drill-categories button[data-cat=expansion]")
    only = page.locator("#drill-table tbody tr[data-category]")
    assert set(only.evaluate_all("rows => rows.map(r => r.dataset.category)")) <= {"expansion"}
    screenshot(page, "segments-drilldown")


def test_cohorts_heatmap(server: Server, page: Page) -> None:
    page.goto(server.url + "/cohorts")
    page.wait_for_selector("#heatmap .main-svg")
    trace = page.evaluate("document.getElementById('heatmap').data[0]")
    assert trace["type"] == "heatmap"
    assert trace["y"][0] == "2023 Q1" and trace["x"][0] == "0"
    assert trace["z"][0][0] == pytest.approx(100.0)
    # The colour scale turns at the band edges the API sends (90, 100, 110 over 60-140).
    assert (trace["zmin"], trace["zmax"]) == (60, 140)
    assert [stop for stop, _ in trace["colorscale"]] == [0, 0.375, 0.5, 0.625, 1]
    screenshot(page, "cohorts")


def test_editing_a_dashboard_in_the_ui(server: Server, page: Page, tmp_path: Path) -> None:
    api = httpx.Client(base_url=server.url)
    board = api.post("/api/dashboards", json={"name": "Team"}).json()["dashboard"]
    page.goto(f"{server.url}/dashboards/{board['id']}")
    expect(page.locator("#empty")).to_be_visible()

    page.click("#rename")
    page.fill("#rename-form input[name=name]", "Team review")
    page.click("#rename-form button[type=submit]")
    expect(page.locator("#dashboard-name")).to_have_text("Team review")

    for title, chart in (("MRR trend", "line"), ("Bridge", "waterfall")):
        page.click("#add-widget")
        page.fill("#widget-form input[name=title]", title)
        page.select_option("#widget-form select[name=chart]", chart)
        page.select_option("#widget-form select[name=group_by]", "")
        page.click("#editor-save")
        expect(page.locator("#editor")).to_be_hidden()
    titles = page.locator("[data-widget] h2")
    expect(titles).to_have_text(["MRR trend", "Bridge"])
    page.wait_for_selector("[data-chart=waterfall] .main-svg")

    page.click("button[aria-label='Move Bridge up']")
    expect(titles).to_have_text(["Bridge", "MRR trend"])

    page.click("button[aria-label='Edit MRR trend']")
    page.fill("#widget-form input[name=title]", "NRR by month")
    page.select_option("#widget-form select[name=grain]", "month")
    page.fill("#widget-form input[name=last]", "6")
    page.click("#editor-save")
    expect(titles).to_have_text(["Bridge", "NRR by month"])
    expect(page.locator("[data-chart=line] .caption")).to_contain_text("last 6 months")

    page.click("#add-widget")  # a bad spec keeps the dialog open with the server's message
    page.fill("#widget-form input[name=title]", "Broken")
    page.select_option("#widget-form select[name=chart]", "waterfall")
    page.select_option("#widget-form select[name=group_by]", "csm")
    page.click("#editor-save")
    expect(page.locator("#editor-error")).to_contain_text("waterfall shows one MRR bridge")
    page.click("#editor-cancel")

    page.click("button[aria-label='Remove Bridge']")
    page.click("#confirm-ok")
    expect(titles).to_have_text(["NRR by month"])
    screenshot(page, "dashboard-edited")

    exported = tmp_path / "team.json"
    exported.write_text(api.get(f"/api/dashboards/{board['id']}/export").text)
    page.goto(f"{server.url}/dashboards")
    page.set_input_files("#import-file", str(exported))
    page.wait_for_url(re.compile(r".*/dashboards/\d+$"))
    expect(page.locator("#dashboard-name")).to_have_text("Team review")
    expect(page.locator("[data-widget] h2")).to_have_text(["NRR by month"])

    page.click("#delete-dashboard")
    page.click("#confirm-ok")
    page.wait_for_url(re.compile(r".*/dashboards$"))
    expect(page.locator("[data-dashboard]")).to_have_count(1)
    screenshot(page, "dashboards")
    api.close()
