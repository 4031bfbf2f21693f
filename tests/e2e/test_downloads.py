"""Downloads as a person gets them: a button beside the table, a file on disk."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.server import Server

pytestmark = pytest.mark.playwright


def test_download_buttons_give_the_views_files(server: Server, page: Page) -> None:
    page.goto(server.url + "/segments")
    page.wait_for_selector("#bars .main-svg")
    page.select_option("select[name=by]", "segment")
    groups = page.locator("#groups-downloads a[data-format=csv]")
    expect(groups).to_have_attribute("href", re.compile(r"by=segment"), timeout=60000)
    expect(page.locator("#groups tbody tr")).to_have_count(3, timeout=60000)
    # the keyboard reaches the link and Enter downloads
    groups.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    assert "-report-quarter-" in download.suggested_filename
    assert "-by-segment" in download.suggested_filename
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    shown = page.locator("#groups tbody tr").count()
    assert len(rows) == shown
    assert {r["segment"] for r in rows} == {"Enterprise", "Mid-Market", "SMB"}

    # the drill-down's XLSX: the same customers the table lists, readable by a spreadsheet
    page.locator("#groups tbody tr[data-group=SMB] button").click()
    expect(page.locator("#drill-table tbody tr").first).to_be_visible()
    with page.expect_download() as info:
        page.locator("#drill-downloads a[data-format=xlsx]").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    sheet = book["Customers"]
    header = [c.value for c in sheet[1]]
    segments = {row[header.index("segment")] for row in sheet.iter_rows(2, values_only=True)}
    assert segments == {"SMB"}
    assert sheet.max_row - 1 == page.locator("#drill-table tbody tr").count()

    # a movement picked on screen picks the file's rows too
    page.locator("#drill-categories button[data-cat=churn]").click()
    href = page.get_attribute("#drill-downloads a[data-format=csv]", "href")
    assert href is not None and "category=churn" in href
    answer = httpx.get(server.url + href)
    churned = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["category"] for r in churned} == {"churn"}
    assert len(churned) == page.locator("#drill-table tbody tr").count()

    # the signals page: its indicators table as a file, the same rows
    page.goto(server.url + "/signals")
    link = page.locator("#indicator-downloads a[data-format=csv]")
    expect(link).to_be_visible(timeout=60000)
    href = link.get_attribute("href")
    assert href is not None and href.startswith("/api/signals/indicators.csv?")
    indicators = list(csv.DictReader(io.StringIO(httpx.get(server.url + href).text)))
    assert len(indicators) == page.locator("#indicators tbody tr").count()


SCHEDULED_DATA = Path(__file__).parents[1] / "scenarios" / "scheduled_cancellation" / "data"


def test_scheduled_periods_are_marked_on_the_overview(page: Page, tmp_path: Path) -> None:
    """A range past the data's as-of date (2024-03-01): the three later months are
    hatched and starred, and the note says why (docs/definitions.md)."""
    with Server(SCHEDULED_DATA, tmp_path / "store.sqlite", tmp_path / "serve.log") as server:
        page.goto(server.url + "/?period=month&start=2024-01&through=2024-05")
        expect(page.locator("#breakdown tbody tr")).to_have_count(5, timeout=60000)
        marked = page.locator("#breakdown tbody tr.scheduled th")
        expect(marked).to_have_text(["Mar 2024 *", "Apr 2024 *", "May 2024 *"])
        note = page.locator("[data-testid=scheduled-note]")
        expect(note).to_be_visible()
        expect(note).to_contain_text("committed, not yet happened (as of Mar 2024)")
        expect(page.locator("#trend-scheduled")).to_be_visible()
        page.goto(server.url + "/?period=month")
        expect(page.locator("#breakdown tbody tr")).to_have_count(2, timeout=60000)
        expect(note).to_be_hidden()
