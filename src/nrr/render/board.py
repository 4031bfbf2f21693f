"""The board report: one self-contained HTML page (and the workbook's sheets) from a
report, its segments and its cohorts.

Self-contained means plotly.js is inlined from the installed wheel (``charts.bundle``),
the figures are inlined as JSON, the CSS is inline and the fonts are the reader's own: the
file opens offline, in a mail client's preview or years later, and asks nothing of any
server. The figures are ``nrr.charts``'s, so the board shows what a notebook's
``.plot()`` shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nrr import charts
from nrr.charts.bundle import plotly_bundle
from nrr.charts.frame import Frame
from nrr.definitions import Band
from nrr.render import board_tables
from nrr.render.board_tables import Sheet, cell

if TYPE_CHECKING:
    from nrr.results import CohortTable, Report

TEMPLATES = Path(__file__).parent / "templates"
# Sized to fit a landscape A4 or Letter page inside its margins (print CSS: @page).
CHART_WIDTH = 940
CHART_HEIGHT = 400
PAGE_HEIGHT = 620
# Past this many cohorts the heatmap's cells are too small for their numbers: hover only.
CELL_TEXT_COHORTS = 18


@dataclass(frozen=True)
class Board:
    """What the board shows. ``report`` is ungrouped (the KPIs, trend, bridge and
    breakdown); ``segments`` is the same report grouped (None without --by)."""

    report: Report
    segments: Report | None
    cohorts: CohortTable | None
    definitions: tuple[tuple[str, str], ...]
    source: str
    generated: date
    cohort_labels: Mapping[date, str] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return str(getattr(self.report, "unit", "mrr"))

    def frame(self, report: Report | None = None) -> Frame:
        shown = report or self.report
        labels = {p.start: p.label for p in shown.periods}
        return Frame(shown.currency, tuple(shown.request.by), self.unit, labels)


def sheets(board: Board) -> list[Sheet]:
    """The board's tables, in the page's order: the workbook writes one sheet each."""
    frame = board.frame()
    found = [
        board_tables.summary(board.report.table, frame),
        board_tables.breakdown(board.report.table, frame),
    ]
    if board.segments is not None:
        found.append(board_tables.by_group(board.segments.table, board.frame(board.segments)))
    if board.cohorts is not None and len(board.cohorts):
        found.append(board_tables.cohorts(board.cohorts.table, _cohort_frame(board)))
    found.append(board_tables.definitions(board.definitions))
    return found


def html(board: Board) -> str:
    """The whole page as one string."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["cell"] = cell
    env.filters["band_class"] = _band_class
    frame = board.frame()
    report = board.report
    request = report.request
    has_rows = len(report) > 0
    figures: dict[str, str] = {}
    if has_rows:
        figures["trend"] = _spec(charts.trend(report.table, frame))
        figures["bridge"] = _spec(charts.bridge(report.table, frame))
    if board.segments is not None and len(board.segments):
        grouped = board.frame(board.segments)
        figures["segments"] = _spec(charts.bars(board.segments.table, grouped))
        figures["segment_trend"] = _spec(charts.trend(board.segments.table, grouped))
    if board.cohorts is not None and len(board.cohorts):
        figures["cohorts"] = _spec(_heatmap(board))
    path, version = plotly_bundle()
    tables = {s.name: s for s in sheets(board)}
    first = report.periods[0].label if report.periods else ""
    last = report.periods[-1].label if report.periods else ""
    return env.get_template("board.html").render(
        title=f"Net revenue retention, {first} to {last}" if first else "Net revenue retention",
        board=board,
        request=request,
        currency=report.currency,
        unit=frame.money_name,
        tiles=board_tables.tiles(report.table, frame),
        last_label=last,
        previous_label=report.periods[-2].label if len(report.periods) > 1 else "",
        tables=tables,
        figures=figures,
        plotly_js=_inline_js(path.read_text(encoding="utf-8")),
        plotly_version=version,
    )


def _band_class(nrr: float | None) -> str:
    band = Band.of(nrr)
    return band.value if band else ""


def _cohort_frame(board: Board) -> Frame:
    assert board.cohorts is not None
    return Frame(board.cohorts.currency, (), board.unit, board.cohort_labels)


def _heatmap(board: Board) -> Any:
    assert board.cohorts is not None
    figure = charts.cohort_heatmap(board.cohorts.table, _cohort_frame(board))
    count = len(figure.data[0].y)
    height = min(PAGE_HEIGHT, max(CHART_HEIGHT, count * 26 + 140))
    if count > CELL_TEXT_COHORTS:
        figure.update_traces(texttemplate=None)
    figure.update_layout(height=height)
    return figure


def _spec(figure: Any) -> str:
    """A figure as JSON safe inside a <script> element, sized for the printed page."""
    figure.update_layout(width=CHART_WIDTH)
    if figure.layout.height is None:
        figure.update_layout(height=CHART_HEIGHT)
    text: str = figure.to_json()
    return _inline_script(text)


def _inline_script(text: str) -> str:
    """Text that cannot close the <script> element it is inlined in."""
    return text.replace("</", "<\\/")


def _inline_js(text: str) -> str:
    """A script that cannot end its <script> element early (JS reads "<\\/" as "</")."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def write_html(board: Board, path: Path) -> None:
    path.write_text(html(board), encoding="utf-8")


__all__ = ["Board", "html", "sheets", "write_html"]
