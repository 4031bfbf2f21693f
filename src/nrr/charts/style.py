"""How every chart looks: colours, the NRR bands, the 100% line and the shared layout.

The band edges come from ``definitions.BAND_FLOORS`` (through ``Band.ranges``), never
typed here (tests/test_one_home.py); only the colours are this module's. They are the
dashboard's (web/static/js/core.js, charts.js), so a chart looks the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nrr.definitions import BAND_FLOORS, Band

INK = "#1c2430"
GRID = "#e9edf2"
ACCENT = "#2456d6"
SERIES = (
    "#2456d6",
    "#d9730d",
    "#2a9d8f",
    "#8e44ad",
    "#c0392b",
    "#16a085",
    "#7f8c8d",
    "#b7950b",
    "#34495e",
    "#e67e22",
    "#1abc9c",
    "#9b59b6",
)
BAND_COLORS = {
    Band.EXCEPTIONAL: "#137a4a",
    Band.HEALTHY: "#3b9e62",
    Band.CONCERNING: "#d48a12",
    Band.CRITICAL: "#cc3d33",
}
BAND_FILLS = {
    Band.EXCEPTIONAL: "rgba(19,122,74,0.09)",
    Band.HEALTHY: "rgba(59,158,98,0.07)",
    Band.CONCERNING: "rgba(212,138,18,0.09)",
    Band.CRITICAL: "rgba(204,61,51,0.07)",
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
# Retention's benchmark: a customer base that keeps exactly its revenue. It is where the
# healthy band begins, so it is read from the bands rather than typed again.
BENCHMARK = next(floor for band, floor, _ in BAND_FLOORS if band is Band.HEALTHY)
BENCHMARK_NAME = "100% benchmark"
# Percent heatmaps: the colour scale spans HEAT_RANGE and turns at the band edges.
HEAT_RANGE = (60.0, 140.0)
HEAT_LOW = "#cc3d33"
HEAT_HIGH = "#137a4a"
HEAT_EDGES = ("#f3c98b", "#f7f7f2", "#a9dbbb")  # the colours at the band edges, lowest first
# Bars of money and counts have no band: one colour.
PLAIN = ACCENT


def layout(title: str, **extra: Any) -> dict[str, Any]:
    """The layout every chart starts from: a readable title, no plotly chrome."""
    base: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 12, "color": INK},
        "margin": {"l": 70, "r": 24, "t": 56, "b": 60},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"font": {"family": FONT}},
        "showlegend": False,
    }
    base.update(extra)
    return base


def percent_range(values: Iterable[float | None]) -> tuple[float, float]:
    """A y range that shows every value and the 100% line, with some air."""
    shown = [v for v in values if v is not None and v == v] + [BENCHMARK]
    low, high = min(shown), max(shown)
    pad = max(2.0, (high - low) * 0.18)
    return low - pad, high + pad


def band_shapes(span: tuple[float, float]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The NRR bands as shaded strips (clipped to ``span``) with their names, and the
    dashed 100% line on top."""
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for band, low, high in Band.ranges():
        y0 = span[0] if low is None else max(low, span[0])
        y1 = span[1] if high is None else min(high, span[1])
        if y1 <= y0:
            continue
        shapes.append(
            {
                "type": "rect",
                "name": band.value,
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": y0,
                "y1": y1,
                "fillcolor": BAND_FILLS[band],
                "line": {"width": 0},
                "layer": "below",
            }
        )
        if y1 - y0 > (span[1] - span[0]) * 0.07:
            notes.append(
                {
                    "xref": "paper",
                    "x": 1,
                    "xanchor": "right",
                    "yref": "y",
                    "y": (y0 + y1) / 2,
                    "text": band.value,
                    "showarrow": False,
                    "font": {"size": 10, "color": BAND_COLORS[band]},
                }
            )
    shapes.append(benchmark_line())
    return shapes, notes


def benchmark_line(vertical: bool = False) -> dict[str, Any]:
    """The dashed 100% line (upright across horizontal bars)."""
    line: dict[str, Any] = {
        "type": "line",
        "name": BENCHMARK_NAME,
        "line": {"color": INK, "width": 1.5, "dash": "dash"},
        "layer": "above",
    }
    if vertical:
        line.update(xref="x", x0=BENCHMARK, x1=BENCHMARK, yref="paper", y0=0, y1=1)
    else:
        line.update(xref="paper", x0=0, x1=1, yref="y", y0=BENCHMARK, y1=BENCHMARK)
    return line


def band_color(nrr: float | None) -> str:
    band = Band.of(nrr)
    return PLAIN if band is None else BAND_COLORS[band]


def heat_scale() -> tuple[list[list[Any]], float, float]:
    """Red to green over HEAT_RANGE, turning at the NRR band edges."""
    zmin, zmax = HEAT_RANGE
    edges = sorted({e for _, low, high in Band.ranges() for e in (low, high) if e is not None})
    turns = [[(edge - zmin) / (zmax - zmin), HEAT_EDGES[i]] for i, edge in enumerate(edges)]
    return [[0.0, HEAT_LOW], *turns, [1.0, HEAT_HIGH]], zmin, zmax


def series_color(index: int, count: int) -> str:
    return ACCENT if count == 1 else SERIES[index % len(SERIES)]
