"""One bar per group for one period: NRR coloured by band, as the dashboard's widget."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from nrr.charts.frame import Frame, money_column, periods_of, require, rows_of
from nrr.charts.style import GRID, PLAIN, band_color, benchmark_line, layout, percent_range
from nrr.charts.text import metric_title, metric_value
from nrr.definitions import PERCENT_METRICS
from nrr.errors import ConfigError

if TYPE_CHECKING:
    import plotly.graph_objects as go
    import pyarrow as pa


def bars(
    table: pa.Table, frame: Frame, *, metric: str = "nrr", period: date | None = None
) -> go.Figure:
    """The groups of ``period`` (default: the last), best first. A percent metric is
    drawn on a scale around the 100% line; money and counts from zero."""
    import plotly.graph_objects as go

    column = metric if metric in table.column_names else money_column(table, metric)
    require(table, ["period_start", *frame.by])
    rows = rows_of(table)
    starts = periods_of(rows)
    if not starts:
        raise ConfigError("the table has no period to draw")
    if period is None:
        period = starts[-1]
    elif period not in starts:
        known = ", ".join(s.isoformat() for s in starts)
        raise ConfigError(f"no period starts on {period.isoformat()} (periods: {known})")
    chosen = [r for r in rows if r["period_start"] == period and r[column] is not None]
    chosen.sort(key=lambda r: r[column], reverse=True)
    percent = metric in PERCENT_METRICS
    names = [frame.group_name(r) for r in chosen]
    values = [r[column] for r in chosen]
    colors = [band_color(v) if metric == "nrr" else PLAIN for v in values]
    trace = go.Bar(
        x=names,
        y=values,
        marker={"color": colors},
        text=[metric_value(metric, v, frame.currency) for v in values],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    title = metric_title(metric).replace("MRR", frame.money_name)
    value_axis: dict[str, Any] = {"gridcolor": GRID, "title": {"text": title}}
    extra: dict[str, Any] = {}
    if percent:
        value_axis.update(range=list(percent_range(values)), ticksuffix="%", zeroline=False)
        extra["shapes"] = [benchmark_line()]
    else:
        value_axis.update(rangemode="tozero", tickformat=",.0f")
        if not column.startswith("customers"):
            value_axis["title"] = {"text": f"{title} ({frame.currency})"}
    grouped = ", ".join(frame.by) if frame.by else "all customers"
    return go.Figure(
        [trace],
        layout(
            f"{title} by {grouped}, {frame.label(period)}"
            + ("" if percent else f" ({frame.money_name} in {frame.currency})"),
            xaxis={
                "type": "category",
                "title": {"text": grouped},
                "automargin": True,
                "tickangle": -35 if len(names) > 8 else 0,
            },
            yaxis=value_axis,
            bargap=0.35,
            **extra,
        ),
    )
