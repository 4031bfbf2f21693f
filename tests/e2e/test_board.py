"""The board report in a real browser, opened from disk with the network cut off.

Acceptance (issue 15, point 5): the exported HTML renders (every chart draws its SVG), the
KPI tiles show the worked example's hand-derived figures (tests/test_export.py says how),
there is no console error, no request leaves the page, the printed page fits a landscape
Letter sheet (the narrower of A4 and Letter), and the PDF is a PDF. A screenshot is kept in
artifacts/screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from nrr.cli import cli
from tests.e2e.conftest import screenshot
from tests.test_export import Q1_MONTHS, TILES, WORKED

pytestmark = pytest.mark.playwright
# Per chart: its traces, the marks drawn in its SVG, and its shapes' names and heights.
DRAWN = """() => {
  const marks = ".point, .bars path, .heatmaplayer image";
  return Object.fromEntries([...document.querySelectorAll("[data-figure]")].map((gd) => [
    gd.dataset.figure,
    {
      traces: gd.data.length,
      marks: gd.querySelectorAll(marks).length,
      shapes: (gd.layout.shapes || []).map((s) => [s.name, s.y0]),
    },
  ]));
}"""
# Letter landscape (279.4 mm) less the page's 10 mm margins, at 96 px per inch.
PRINTABLE_WIDTH = round((279.4 - 20) / 25.4 * 96)


def export(folder: Path, *extra: str) -> Path:
    page = folder / "board.html"
    result = CliRunner().invoke(
        cli, ["export", str(WORKED), *Q1_MONTHS, "--html", str(page), *extra]
    )
    assert result.exit_code == 0, result.stderr
    return page


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A page that may read files only: every other request is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    left: list[str] = []

    def only_files(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page, errors, left
    context.close()


def test_the_board_renders_offline(
    offline_page: tuple[Page, list[str], list[str]], tmp_path: Path
) -> None:
    page, errors, left = offline_page
    page.goto(export(tmp_path).as_uri())
    for figure in ("trend", "bridge", "cohorts"):
        page.wait_for_selector(f'[data-figure="{figure}"] svg.main-svg')
    drawn = page.evaluate(DRAWN)
    assert drawn["trend"]["traces"] == 2 and drawn["trend"]["marks"] >= 6
    assert ["100% benchmark", 100] in drawn["trend"]["shapes"]
    assert drawn["bridge"]["marks"] >= 6
    assert drawn["cohorts"]["marks"] == 1
    for name, (value, change, band) in TILES.items():
        tile = page.locator(f'[data-kpi="{name}"]')
        assert tile.locator(".value").inner_text() == value
        assert tile.locator(".change").inner_text() == change
        if band:
            assert tile.locator(".band").inner_text().lower() == band
    screenshot(page, "board")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": 700})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the printed page is wider than a landscape Letter sheet"
    assert errors == [] and left == []


def test_the_pdf_is_printed(tmp_path: Path) -> None:
    out = tmp_path / "board.pdf"
    export(tmp_path, "--pdf", str(out))
    head = out.read_bytes()[:5]
    assert head == b"%PDF-"
    assert out.stat().st_size > 20_000  # charts, not an empty page
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", out.read_bytes())
    assert boxes and all(float(w) > float(h) for w, h in boxes)  # landscape pages
    assert len(re.findall(rb"/Type\s*/Page[^s]", out.read_bytes())) >= 4  # a page a section
