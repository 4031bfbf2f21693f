"""``nrr export``: the board page, its workbook and the PDF's failure without a browser.

The KPI figures are the worked example's, derived by hand in
tests/scenarios/worked_example/NOTES.md (case q1_by_month): March 2024 NRR 28295/277 =
102.148%, GRR 54595/554 = 98.547%, logo retention 94/98 = 95.918%, MRR at end 286550/3 =
95,516.67; February's 102.565%, 98.368%, 96.970% and 277000/3 = 92,333.33 give the changes
−0.4 pts, +0.2 pts, −1.1 pts and +$3,183.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nrr import glossary
from nrr.cli import cli
from nrr.demo import generate

WORKED = Path(__file__).parent / "scenarios" / "worked_example" / "data"
Q1_MONTHS = ("--period", "month", "--from", "2024-01-01", "--to", "2024-04-01")
TILES = {
    "NRR": ("102.1%", "−0.4 pts", "healthy"),
    "GRR": ("98.5%", "+0.2 pts", "healthy"),
    "Logo retention": ("95.9%", "−1.1 pts", ""),
    "MRR at end": ("$95,517", "+$3,183", ""),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("board")
    page, book = folder / "board.html", folder / "board.xlsx"
    result = run("export", str(WORKED), *Q1_MONTHS, "--html", str(page), "--xlsx", str(book))
    assert result.exit_code == 0, result.stderr
    assert f"wrote {page}" in result.stderr.replace("\n", "")
    return page.read_text(encoding="utf-8"), book


def without_plotly(page: str) -> str:
    """The page minus the inlined plotly.js (whose source names sites it never calls)."""
    start = page.index("<script>")
    return page[:start] + page[page.index("</script>", start) :]


def test_the_page_is_self_contained(board: tuple[str, Path]) -> None:
    page, _ = board
    assert page.count("<script>") == 2  # plotly.js, then the few lines that draw
    assert "var Plotly=" in page or "Plotly=" in page
    rest = without_plotly(page)
    assert not re.search(r"https?://", rest)
    assert not re.search(r"\b(src|href)\s*=", rest)
    assert "@font-face" not in rest and "@import" not in rest


def test_the_kpi_tiles_show_the_hand_derived_figures(board: tuple[str, Path]) -> None:
    page, _ = board
    for name, (value, change, band) in TILES.items():
        tile = re.search(
            rf'<div class="tile ([a-z]*)" data-kpi="{name}">(.*?)</div>\s*</div>', page, re.S
        )
        assert tile, name
        assert tile.group(1) == band
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tile.group(2)))
        assert value in text and change in text, (name, text)
    assert "Mar 2024" in page and "change vs Feb 2024" in page


def test_the_page_has_every_section(board: tuple[str, Path]) -> None:
    page, _ = board
    for figure in ("trend", "bridge", "cohorts"):
        assert f'data-figure="{figure}"' in page and f'id="figure-{figure}"' in page
    assert 'data-figure="segments"' not in page
    assert "Not grouped: run <code>nrr export</code> with <code>--by ATTRIBUTE</code>" in page
    # The breakdown: a row per month, money in the report's currency.
    assert re.search(
        r'data-column="period">Jan 2024<.*?data-column="total_mrr_start">\$83,333<', page, re.S
    )
    assert '<td class="percent healthy" data-column="nrr">102.6%</td>' in page  # February
    # The definitions come from the glossary, the one text --explain prints too.
    shown = html.unescape(page)
    assert glossary.NRR_TEXT in shown and glossary.bands_text() in shown
    assert "data as of" in page and "2024-03-27" in page
    assert "@page { size: landscape" in page and "break-before: page" in page


def test_the_bands_text_is_written_from_the_band_floors() -> None:
    assert glossary.bands_text() == (
        "NRR bands: exceptional: above 110%; healthy: from 100% up to 110%; "
        "concerning: from 90% up to 100%; critical: below 90%"
    )


def test_the_workbook_holds_the_pages_tables(board: tuple[str, Path]) -> None:
    import openpyxl

    _, book = board
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["Summary", "Breakdown", "Cohorts", "Definitions"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    breakdown = workbook["Breakdown"]
    header = [cell.value for cell in breakdown[1]]
    assert header[:3] == ["Period", "Customers at start", "MRR at start"]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in breakdown.iter_rows(2)}
    assert list(rows) == ["Jan 2024", "Feb 2024", "Mar 2024"]
    march = rows["Mar 2024"]
    assert march["NRR"].value == pytest.approx(28295 / 277 / 100)
    assert march["NRR"].number_format == "0.0%"
    assert march["MRR at end"].value == pytest.approx(286550 / 3)
    assert march["MRR at end"].number_format == "[$USD] #,##0.00"
    assert march["Customers at start"].value == 98
    assert march["Customers at start"].number_format == "#,##0"
    summary = workbook["Summary"]
    assert [c.value for c in summary[2]][:2] == ["Mar 2024", pytest.approx(28295 / 277 / 100)]
    terms = [row[0].value for row in workbook["Definitions"].iter_rows(2)]
    assert {"NRR", "GRR", "bands", "level", "method", "currency", "filters"} <= set(terms)


def test_a_grouped_board_has_the_segments(tmp_path: Path) -> None:
    import openpyxl

    data = tmp_path / "demo"
    generate(data, customers=300, months=15, seed=5)
    page, book = tmp_path / "b.html", tmp_path / "b.xlsx"
    result = run(
        "export", str(data), "--period", "quarter", "--by", "segment",
        "--html", str(page), "--xlsx", str(book),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert 'data-figure="segments"' in text and "Not grouped" not in text
    workbook = openpyxl.load_workbook(book)
    assert "By segment" in workbook.sheetnames
    header = [cell.value for cell in workbook["By segment"][1]]
    assert header[:2] == ["Period", "Segment"]


def test_export_says_where_to_write() -> None:
    result = run("export", str(WORKED))
    assert result.exit_code == 2
    assert "--html FILE, --pdf FILE and/or --xlsx FILE" in result.stderr


def test_pdf_without_chromium_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nrr.render import pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    page, out = tmp_path / "b.html", tmp_path / "b.pdf"
    result = run("export", str(WORKED), *Q1_MONTHS, "--html", str(page), "--pdf", str(out))
    assert result.exit_code == 1
    assert "--pdf needs Chromium" in result.stderr
    assert page.is_file() and not out.exists()
    assert "Traceback" not in result.output


def test_a_change_that_rounds_to_nothing_has_no_direction() -> None:
    from nrr.render.board_tables import Tile

    assert Tile("NRR", "percent", 98.51, 98.53, "").change("USD") == "±0.0 pts"
    assert Tile("NRR", "percent", 98.6, 98.5, "").change("USD") == "+0.1 pts"
    assert Tile("MRR", "money", 1000.2, 1000.0, "").change("EUR") == "±€0"
    assert Tile("MRR", "money", 900.0, 1000.0, "").change("EUR") == "−€100"
    assert Tile("MRR", "money", 900.0, None, "").change("EUR") == ""


def test_the_board_in_arr_is_twelve_times_the_mrr_with_the_same_ratios(tmp_path: Path) -> None:
    import openpyxl

    page, book = tmp_path / "board.html", tmp_path / "board.xlsx"
    result = run(
        "export", str(WORKED), *Q1_MONTHS, "--unit", "arr", "--html", str(page), "--xlsx", str(book)
    )
    assert result.exit_code == 0, result.stderr
    breakdown = openpyxl.load_workbook(book)["Breakdown"]
    header = [cell.value for cell in breakdown[1]]
    assert header[:3] == ["Period", "Customers at start", "ARR at start"]
    march = {row[0].value: dict(zip(header, row, strict=True)) for row in breakdown.iter_rows(2)}[
        "Mar 2024"
    ]
    assert march["ARR at end"].value == pytest.approx(12 * 286550 / 3)  # 12 x the MRR above
    assert march["NRR"].value == pytest.approx(28295 / 277 / 100)  # ratios do not move
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", without_plotly(page.read_text())))
    assert "ARR at end" in text and "$1,146,200" in text  # 12 x $95,517 (95,516.67)
    assert 'data-kpi="ARR at end"' in page.read_text()
    assert 'data-kpi="MRR at end"' not in page.read_text()
    assert "amounts are ARR" in text
