"""The MRR/ARR toggle in a browser: the overview's amounts become 12 times larger and say ARR,
ratios stay, the choice lives in the address bar; a widget saved with ARR draws ARR."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.server import Server

SLOW = 60_000  # ms: the machine running the tests may be busy


def _dollars(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_overview_toggles_between_mrr_and_arr(server: Server, page: Page) -> None:
    page.goto(server.url + "/?period=quarter")
    page.wait_for_selector("#bridge .main-svg", timeout=SLOW)
    mrr_tile = page.locator("[data-kpi=mrr] .kpi-value")
    expect(mrr_tile).to_have_text(re.compile(r"^\$[\d,]+$"))
    mrr = _dollars(mrr_tile.inner_text())
    nrr = page.locator("[data-kpi=nrr] .kpi-value").inner_text()
    first_start = page.locator("#breakdown tbody tr").first.locator("td").first.inner_text()

    page.select_option("select[name=unit]", "arr")
    expect(page.locator("#subtitle")).to_contain_text("USD ARR", timeout=SLOW)
    expect(page.locator("[data-kpi=mrr] h2")).to_have_text("ARR")
    expect(page.locator("#breakdown thead")).to_contain_text("Starting ARR")
    assert "unit=arr" in page.url
    arr = _dollars(mrr_tile.inner_text())
    assert abs(arr - 12 * mrr) <= 12  # both shown rounded to the dollar
    assert page.locator("[data-kpi=nrr] .kpi-value").inner_text() == nrr
    arr_start = page.locator("#breakdown tbody tr").first.locator("td").first.inner_text()
    assert abs(_dollars(arr_start) - 12 * _dollars(first_start)) <= 12
    bridge = page.evaluate("document.getElementById('bridge').layout.yaxis.title.text")
    assert bridge.startswith("ARR")
    assert "ARR" in page.evaluate("document.getElementById('bridge').data[0].hovertemplate")
    csv = page.get_attribute("#csv", "href")
    assert csv is not None and "unit=arr" in csv
    screenshot(page, "overview-arr")

    page.reload()  # the address bar keeps the choice
    expect(page.locator("select[name=unit]")).to_have_value("arr")
    expect(page.locator("[data-kpi=mrr] h2")).to_have_text("ARR", timeout=SLOW)


def test_a_widget_saved_in_arr(server: Server, page: Page) -> None:
    with httpx.Client(base_url=server.url) as api:
        board = api.post("/api/dashboards", json={"name": "Board"}).json()["dashboard"]
    page.goto(f"{server.url}/dashboards/{board['id']}")
    page.click("#add-widget")
    page.fill("#widget-form input[name=title]", "Revenue run rate")
    page.select_option("#widget-form select[name=metric]", "mrr")
    page.select_option("#widget-form select[name=chart]", "line")
    page.select_option("#widget-form select[name=group_by]", "")
    page.select_option("#widget-form select[name=unit]", "arr")
    page.click("#editor-save")
    expect(page.locator("#editor")).to_be_hidden()
    page.wait_for_selector("[data-chart=line] .main-svg", timeout=SLOW)
    expect(page.locator("[data-chart=line] .caption")).to_contain_text("ARR")
    with httpx.Client(base_url=server.url) as api:
        stored = api.get(f"/api/dashboards/{board['id']}").json()["dashboard"]["widgets"][0]
    assert stored["spec"]["unit"] == "arr"
    axis = page.evaluate(
        "document.querySelector('[data-chart=line] .js-plotly-plot').layout.yaxis.title.text"
    )
    assert axis.startswith("ARR")
    page.click("button[aria-label='Edit Revenue run rate']")
    expect(page.locator("#widget-form select[name=unit]")).to_have_value("arr")
    page.click("#editor-cancel")


def test_segments_and_their_drilldown_in_arr(server: Server, page: Page) -> None:
    page.goto(server.url + "/segments?unit=arr")
    page.wait_for_selector("#bars .main-svg", timeout=SLOW)
    expect(page.locator("select[name=unit]")).to_have_value("arr")
    expect(page.locator("#groups thead")).to_contain_text("Starting ARR")
    page.locator("#groups tbody tr button").first.click()
    expect(page.locator("#drill-summary")).to_contain_text("starting ARR")
    expect(page.locator("#drill-table thead")).to_contain_text("ARR at start")
    expect(page.locator("#drill-table tbody tr[data-category]").first).to_be_visible(timeout=SLOW)
