"""NRR (and GRR) per period over the interpretation bands, with the 100% line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nrr.charts.frame import Frame, Row, periods_of, require, rows_of
from nrr.charts.style import GRID, band_shapes, layout, percent_range, series_color
from nrr.charts.text import metric_title, percent
from nrr.definitions import PERCENT_METRICS
from nrr.errors import ConfigError

if TYPE_CHECKING:
    import plotly.graph_objects as go
    import pyarrow as pa

DASHES = ("solid", "dot", "dash", "dashdot")


def trend(table: pa.Table, frame: Frame, *, metrics: Sequence[str] = ("nrr", "grr")) -> go.Figure:
    """One line per metric, or, for a grouped table, one line per group of the first
    metric: a line per group and metric would be unreadable. The bands shade the NRR
    scale and are left out when NRR is not drawn."""
    import plotly.graph_objects as go

    if not metrics:
        raise ConfigError("trend needs at least one metric")
    wrong = [m for m in metrics if m not in PERCENT_METRICS]
    if wrong:
        raise ConfigError(f"trend draws ratios ({', '.join(sorted(PERCENT_METRICS))}), not {wrong}")
    shown = [metrics[0]] if frame.by else list(metrics)
    require(table, ["period_start", *frame.by, *shown])
    rows = rows_of(table)
    starts = periods_of(rows)
    x = [frame.label(s) for s in starts]
    lines = _lines(rows, frame, shown)
    traces = []
    for index, (name, metric, values) in enumerate(lines):
        color = series_color(index, len(lines))
        y = [values.get(s) for s in starts]
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                name=name,
                mode="lines+markers",
                line={"color": color, "width": 2.5, "dash": DASHES[shown.index(metric) % 4]},
                marker={"size": 6, "color": color},
                text=[f"{label} · {name}: {percent(v)}" for label, v in zip(x, y, strict=True)],
                hovertemplate="%{text}<extra></extra>",
                connectgaps=False,
            )
        )
    span = percent_range(v for _, _, values in lines for v in values.values())
    extra: dict[str, Any] = {}
    if "nrr" in shown:
        shapes, notes = band_shapes(span)
        extra = {"shapes": shapes, "annotations": notes}
    else:
        shapes, _ = band_shapes(span)
        extra = {"shapes": shapes[-1:]}  # the 100% line only
    names = " and ".join(metric_title(m) for m in shown)
    grouped = f" by {', '.join(frame.by)}" if frame.by else ""
    figure = go.Figure(
        traces,
        layout(
            f"{names} per period{grouped} ({frame.money_name} in {frame.currency})",
            xaxis={
                "title": {"text": "Period"},
                "type": "category",
                "gridcolor": GRID,
                "automargin": True,
            },
            yaxis={
                "title": {"text": f"% of starting {frame.money_name}"},
                "range": list(span),
                "ticksuffix": "%",
                "gridcolor": GRID,
                "zeroline": False,
            },
            showlegend=len(traces) > 1,
            # At the right, beside the plot: below it, a long legend meets the period labels.
            legend={"x": 1.02, "y": 1, "yanchor": "top", "font": {"size": 11}},
            **extra,
        ),
    )
    return figure


def _lines(
    rows: Sequence[Row], frame: Frame, shown: Sequence[str]
) -> list[tuple[str, str, dict[Any, float | None]]]:
    """``(name, metric, {period_start: value})`` per line, in first-seen group order."""
    found: dict[tuple[str, str], dict[Any, float | None]] = {}
    for metric in shown:
        for row in rows:
            name = frame.group_name(row) if frame.by else metric_title(metric)
            found.setdefault((name, metric), {})[row["period_start"]] = row[metric]
    return [(name, metric, values) for (name, metric), values in found.items()]
