"""Cohorts x age: how much of each acquisition cohort's revenue (or logos) it keeps."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from nrr.charts.frame import Frame, rows_of
from nrr.charts.style import heat_scale, layout
from nrr.charts.text import metric_title, metric_value
from nrr.definitions import PERCENT_METRICS
from nrr.errors import ConfigError

if TYPE_CHECKING:
    import plotly.graph_objects as go
    import pyarrow as pa

MONEY_SCALE = [[0.0, "#f2f5fb"], [1.0, "#2456d6"]]


def cohort_heatmap(table: pa.Table, frame: Frame, *, metric: str = "nrr") -> go.Figure:
    """One row per cohort (per group and cohort for a grouped table), one column per age
    in the cohort table's periods; a percent metric is coloured by the NRR bands' edges."""
    import plotly.graph_objects as go

    column = _column(table, metric)
    for needed in ("cohort", "age", *frame.by):
        if needed not in table.column_names:
            raise ConfigError(f"the table has no {needed} column: is it a cohort table?")
    rows = rows_of(table)
    keys: dict[tuple[str, date], str] = {}
    for row in sorted(rows, key=lambda r: (frame.group_name(r), r["cohort"])):
        name = frame.label(row["cohort"])
        keys[(frame.group_name(row), row["cohort"])] = (
            f"{frame.group_name(row)} · {name}" if frame.by else name
        )
    ages = sorted({row["age"] for row in rows})
    index = {key: i for i, key in enumerate(keys)}
    z: list[list[float | None]] = [[None] * len(ages) for _ in keys]
    for row in rows:
        z[index[(frame.group_name(row), row["cohort"])]][ages.index(row["age"])] = row[column]
    text = [
        ["" if v is None else metric_value(metric, v, frame.currency) for v in line] for line in z
    ]
    x = [str(age) for age in ages]
    y = list(keys.values())
    title = metric_title(metric).replace("MRR", frame.money_name)
    trace: dict[str, Any] = {
        "x": x,
        "y": y,
        "z": z,
        "text": text,
        "texttemplate": "%{text}",
        "xgap": 2,
        "ygap": 2,
        "hoverongaps": False,
        "hovertemplate": "Cohort %{y}, age %{x}: %{text}<extra></extra>",
        "colorbar": {"title": {"text": title}, "thickness": 12, "outlinewidth": 0},
    }
    if metric in PERCENT_METRICS:
        scale, zmin, zmax = heat_scale()
        trace.update(colorscale=scale, zmin=zmin, zmax=zmax)
        trace["colorbar"]["ticksuffix"] = "%"
    else:
        trace["colorscale"] = MONEY_SCALE
    money = "" if metric in PERCENT_METRICS else f" ({frame.money_name} in {frame.currency})"
    return go.Figure(
        [go.Heatmap(**trace)],
        layout(
            f"{title} of each cohort by age{money}",
            xaxis={
                "type": "category",
                "title": {"text": "Age (periods since acquisition)"},
                "side": "top",
                "showgrid": False,
            },
            yaxis={
                "type": "category",
                "title": {"text": "Cohort"},
                "autorange": "reversed",
                "showgrid": False,
                "automargin": True,
            },
            margin={"l": 96, "r": 10, "t": 96, "b": 20},
            height=max(320, len(y) * 26 + 140),
        ),
    )


def _column(table: pa.Table, metric: str) -> str:
    for candidate in (metric, metric.replace("mrr", "arr")):
        if candidate in table.column_names:
            return candidate
    raise ConfigError(f"the cohort table has no {metric} column")
