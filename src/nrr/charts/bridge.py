"""The MRR bridge: start + new + reactivation + expansion − contraction − churn = end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from nrr.charts.frame import Frame, Row, money_column, rows_of
from nrr.charts.style import ACCENT, BAND_COLORS, GRID, layout
from nrr.charts.text import money, signed_money
from nrr.definitions import Band
from nrr.errors import ConfigError

if TYPE_CHECKING:
    import plotly.graph_objects as go
    import pyarrow as pa

# (step, the report's column, its sign in the bridge)
MOVES = (
    ("New", "new_mrr", 1),
    ("Reactivation", "reactivation_mrr", 1),
    ("Expansion", "expansion_mrr", 1),
    ("Contraction", "contraction_mrr", -1),
    ("Churn", "churn_mrr", -1),
)
# Between two periods, actual-rate conversion revalues the book (docs/definitions.md: one
# period's total_mrr_end need not equal the next one's total_mrr_start); a whole-range
# bridge shows that move as a step of its own, so the bars still end on the report's end.
REVALUED = "FX between periods"
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Steps:
    """The bars of a bridge: ``(name, value, measure)``; the last is the end, a total."""

    title: str
    steps: tuple[tuple[str, float, str], ...]


def bridge(table: pa.Table, frame: Frame, *, period: date | None = None) -> go.Figure:
    """The bridge of one period, or (``period=None``) of the whole range: the first
    period's start, every move summed, the last period's end (overlapping trailing-twelve-
    month windows: the last one's). A grouped table is summed per period first (by
    product, a customer's move into a product is new there)."""
    import plotly.graph_objects as go

    found = steps(table, frame, period)
    names = [s[0] for s in found.steps]
    values = [s[1] for s in found.steps]
    measures = [s[2] for s in found.steps]
    text = [
        money(v, frame.currency) if m != "relative" else signed_money(v, frame.currency)
        for _, v, m in found.steps
    ]
    trace = go.Waterfall(
        x=names,
        y=values,
        measure=measures,
        text=text,
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{text}<extra></extra>",
        increasing={"marker": {"color": BAND_COLORS[Band.HEALTHY]}},
        decreasing={"marker": {"color": BAND_COLORS[Band.CRITICAL]}},
        totals={"marker": {"color": ACCENT}},
        connector={"line": {"color": "#b8c0cc", "width": 1}},
    )
    levels = _levels(found.steps)
    low, high = min(levels), max(levels)
    floor = max(0.0, low - (high - low) * 1.2)
    unit = frame.money_name
    return go.Figure(
        [trace],
        layout(
            f"{unit} bridge, {found.title} ({frame.currency})",
            xaxis={"type": "category"},
            yaxis={
                "title": {"text": f"{unit} ({frame.currency})"},
                "range": [floor, high + (high - floor) * 0.12],
                "tickformat": ",.0f",
                "gridcolor": GRID,
            },
        ),
    )


def steps(table: pa.Table, frame: Frame, period: date | None = None) -> Steps:
    """The bridge's bars as data (the board's table of the bridge reads them too)."""
    rows = rows_of(table)
    sums = _period_sums(table, rows)
    if not sums:
        raise ConfigError("the table has no period to draw a bridge of")
    starts = sorted(sums)
    if period is not None:
        if period not in sums:
            known = ", ".join(s.isoformat() for s in starts)
            raise ConfigError(f"no period starts on {period.isoformat()} (periods: {known})")
        starts = [period]
    elif _overlapping(rows):
        starts = starts[-1:]  # trailing windows share months: their moves cannot be summed
    first, last = sums[starts[0]], sums[starts[-1]]
    bars: list[tuple[str, float, str]] = [("Start", first["start"], "absolute")]
    for name, column, sign in MOVES:
        bars.append((name, sign * sum(sums[s][column] for s in starts), "relative"))
    moved = sum(value for _, value, _ in bars)
    gap = last["end"] - moved
    if abs(gap) > TOLERANCE * max(1.0, abs(last["end"])):
        bars.append((REVALUED, gap, "relative"))
    bars.append(("End", last["end"], "total"))
    title = frame.label(starts[0])
    if len(starts) > 1:
        title = f"{title} to {frame.label(starts[-1])}"
    return Steps(title, tuple(bars))


def _overlapping(rows: Sequence[Row]) -> bool:
    """Periods that share months (trailing twelve months): a period ends after the next
    one starts."""
    ends = {row["period_start"]: row.get("period_end") for row in rows}
    starts = sorted(ends)
    return any(ends[a] is not None and ends[a] > b for a, b in pairwise(starts))


def _period_sums(table: pa.Table, rows: Sequence[Row]) -> dict[date, dict[str, float]]:
    """Per period start, the bridge's columns summed over the groups (a total row)."""
    columns = {name: money_column(table, name) for _, name, _ in MOVES}
    start, end = money_column(table, "total_mrr_start"), money_column(table, "total_mrr_end")
    sums: dict[date, dict[str, float]] = {}
    for row in rows:
        into = sums.setdefault(row["period_start"], dict.fromkeys(["start", "end", *columns], 0.0))
        into["start"] += row[start] or 0.0
        into["end"] += row[end] or 0.0
        for name, column in columns.items():
            into[name] += row[column] or 0.0
    return sums


def _levels(bars: Sequence[tuple[str, float, str]]) -> list[float]:
    """The running level after each bar, as the waterfall draws it."""
    level, levels = 0.0, []
    for _, value, measure in bars:
        level = level + value if measure == "relative" else (level if measure == "total" else value)
        levels.append(level)
    return levels
