"""The HTML a notebook shows for a result: a compact table, NRR and GRR coloured by band.

Why plain strings: a computing part may not use an interface library (Jinja), and a table
of a few dozen cells does not need one. Every value passes through ``html.escape``, so an
attribute value or customer name such as ``<script>`` shows as text. The bands come from
``definitions.Band`` (the one home of the thresholds); this module only picks colours.

The table is built from the Arrow schema: a column's name says how to show it (money in
the result's currency, a percentage with one decimal, a count with separators). Long tables
show their first and last rows around a "N more rows" line, so a 10,000-row drill-down
renders as fast as a four-quarter report.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa

from nrr.definitions import (
    GRR_HEALTHY,
    PERCENT_METRICS,
    Band,
    CohortRequest,
    FxMode,
    Period,
    ReportRequest,
)

MAX_ROWS = 20  # rows shown before a table is cut: the first and the last half of them

# Background of an NRR or GRR cell per band; the text stays dark on every notebook theme.
BAND_COLOURS: Mapping[Band, str] = {
    Band.EXCEPTIONAL: "#9fd8a8",
    Band.HEALTHY: "#d7efd9",
    Band.CONCERNING: "#fbe7a6",
    Band.CRITICAL: "#f4b3ad",
}
SYMBOLS: Mapping[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}

MONEY_NAMES = frozenset(
    {
        "mrr",
        "mrr_start",
        "mrr_end",
        "delta",
        "amount",
        "monthly_value",
        "last_actual",
        "total_mrr_start",
        "total_mrr_end",
    }
)
PERCENT_SUFFIXES = ("_growth", "_share", "_rate", "_baseline")
PERCENT_NAMES = PERCENT_METRICS | {"logo_churn", "mape"}
# In a forecast or backtest the unit of these columns is the unit of the row's ``metric``.
METRIC_VALUED = frozenset(
    {"forecast", "lower_80", "upper_80", "lower_95", "upper_95", "last_actual", "mae"}
)
BANDED: Mapping[str, Callable[[float | None], Band | None]] = {
    "nrr": Band.of,
    "grr": Band.of_grr,
}

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    band: Band | None = None


@dataclass(frozen=True)
class Column:
    title: str
    cell: Callable[[Row], Cell]


def money(value: float | None, currency: str) -> str:
    """``$1,234.50``, ``-€20.00`` or ``1,234.50 CHF``: two decimals, thousands separated."""
    if value is None or value != value:
        return ""
    sign, amount = ("-" if value < 0 else ""), f"{abs(value):,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def percent(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:,.1f}%"


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return "" if value != value else f"{value:,.2f}"
    return str(value)


def _is_money(name: str) -> bool:
    """MRR columns, and their ARR twins when a result is shown as ARR (``starting_arr``)."""
    return name.replace("arr", "mrr") in MONEY_NAMES or name.endswith(("_mrr", "_arr"))


def _is_percent(name: str) -> bool:
    return name in PERCENT_NAMES or name.endswith(PERCENT_SUFFIXES)


def _column(name: str, currency: str, metric_valued: bool) -> Column:
    """How column ``name`` shows, from its name alone."""
    banded = BANDED.get(name)
    if metric_valued and name in METRIC_VALUED:

        def by_metric(row: Row) -> Cell:
            metric, value = row.get("metric"), row[name]
            if metric in PERCENT_METRICS:
                band = BANDED[metric](value) if metric in BANDED and name == "forecast" else None
                return Cell(percent(value), True, band)
            return Cell(money(value, currency), True)

        return Column(name, by_metric)
    if banded is not None:
        return Column(name, lambda row: Cell(percent(row[name]), True, banded(row[name])))
    if _is_percent(name):
        return Column(name, lambda row: Cell(percent(row[name]), True))
    if _is_money(name):
        # a subscription line is in its own currency; every other amount in the result's
        return Column(
            name, lambda row: Cell(money(row[name], row.get("currency") or currency), True)
        )
    return Column(name, lambda row: Cell(plain(row[name]), isinstance(row[name], int | float)))


def columns_of(
    schema: pa.Schema,
    currency: str,
    labels: Mapping[date, str] | None = None,
    hidden: Sequence[str] = (),
) -> list[Column]:
    """A column per field of ``schema`` but ``hidden``; with ``labels``, the period's name
    (e.g. "2024 Q1") stands for its start and end dates."""
    names = [n for n in schema.names if n not in hidden]
    metric_valued = "metric" in names
    columns = []
    for name in names:
        if labels is not None and name == "period_start":
            columns.append(
                Column(
                    "period",
                    lambda row: Cell(labels.get(row["period_start"], plain(row["period_start"]))),
                )
            )
        elif not (labels is not None and name == "period_end"):
            columns.append(_column(name, currency, metric_valued))
    return columns


def _td(cell: Cell) -> str:
    style = ["text-align:right"] if cell.numeric else ["text-align:left"]
    attributes = ""
    if cell.band is not None:
        style.append(f"background-color:{BAND_COLOURS[cell.band]};color:#1b1b1b")
        attributes = f' class="nrr-band-{cell.band.value}" title="{cell.band.value}"'
    return f'<td{attributes} style="{";".join(style)}">{html.escape(cell.text)}</td>'


def _row(columns: Sequence[Column], row: Row) -> str:
    return "<tr>" + "".join(_td(column.cell(row)) for column in columns) + "</tr>"


def _swatch(band: Band, text: str) -> str:
    return (
        f'<span style="background-color:{BAND_COLOURS[band]};color:#1b1b1b;'
        f'padding:0 0.4em;margin-right:0.4em">{html.escape(text)}</span>'
    )


def legend(grr: bool) -> str:
    """The bands with their colours and edges, read from ``Band.ranges`` (and, with
    ``grr``, GRR's split at ``GRR_HEALTHY``)."""
    items = []
    for band, low, high in Band.ranges():
        edges = (
            f"> {low:g}%"
            if high is None
            else f"< {high:g}%"
            if low is None
            else f"{low:g}–{high:g}%"
        )
        items.append(_swatch(band, f"{band.value} {edges}"))
    if grr:
        items.append(" GRR: ")
        items.append(_swatch(Band.HEALTHY, f"{Band.HEALTHY.value} ≥ {GRR_HEALTHY:g}%"))
        items.append(_swatch(Band.CONCERNING, f"{Band.CONCERNING.value} below"))
    return (
        '<div class="nrr-legend" style="font-size:0.85em">NRR bands: ' + "".join(items) + "</div>"
    )


def table_html(
    table: pa.Table, columns: Sequence[Column], caption: str, limit: int = MAX_ROWS
) -> str:
    """The whole table, or its first and last ``limit // 2`` rows around "N more rows"."""
    total = table.num_rows
    if total > limit:
        half = max(limit // 2, 1)
        head, tail = table.slice(0, half).to_pylist(), table.slice(total - half).to_pylist()
    else:
        head, tail = table.to_pylist(), []
    body = [_row(columns, row) for row in head]
    if tail:
        hidden = total - len(head) - len(tail)
        body.append(
            f'<tr class="nrr-more"><td colspan="{len(columns)}" style="text-align:center">'
            f"… {hidden:,} more rows …</td></tr>"
        )
        body.extend(_row(columns, row) for row in tail)
    header = "".join(f"<th>{html.escape(column.title)}</th>" for column in columns)
    banded = any(name in BANDED for name in table.schema.names) or "forecast" in table.schema.names
    return (
        '<div class="nrr-result">'
        '<table class="nrr-table" style="font-variant-numeric:tabular-nums">'
        f'<caption style="caption-side:top;text-align:left">{html.escape(caption)}</caption>'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        + (legend("grr" in table.schema.names) if banded else "")
        + "</div>"
    )


def report_caption(
    title: str,
    request: ReportRequest,
    periods: Sequence[Period],
    currency: str,
    rows: int,
    unit: str = "mrr",
) -> str:
    """What was asked, in one line: grain, range, level, groups, filters, currency, method."""
    parts = [f"{title}, {request.grain.value}"]
    if periods:
        first, last = periods[0], periods[-1]
        shown = first.label if first == last else f"{first.label} – {last.label}"
        parts.append(f"{shown} [{first.start.isoformat()}, {last.end.isoformat()})")
    elif request.start and request.end:
        parts.append(f"[{request.start.isoformat()}, {request.end.isoformat()})")
    parts.append(f"{request.level.value} level")
    if request.by:
        parts.append("by " + ", ".join(request.by))
    if request.filters:
        parts.append(
            "where " + " and ".join(f"{name} = {value}" for name, value in request.filters)
        )
    parts.append(currency if unit == "mrr" else f"{unit.upper()} in {currency}")
    method = f"{request.method.value} method"
    parts.append(method if request.fx is FxMode.ACTUAL else f"{method}, {request.fx.value} fx")
    parts.append(f"{rows:,} rows")
    return " · ".join(parts)


def cohort_caption(request: CohortRequest, currency: str, rows: int) -> str:
    parts = [f"Cohorts, {request.grain.value}"]
    if request.start and request.end:
        parts.append(f"[{request.start.isoformat()}, {request.end.isoformat()})")
    parts.append(f"{request.level.value} level")
    if request.by:
        parts.append(f"by {request.by}")
    parts += [currency, f"{rows:,} rows"]
    return " · ".join(parts)
