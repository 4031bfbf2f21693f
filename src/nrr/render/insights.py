"""Terminal tables of the insights (``nrr forecast``, ``nrr signals``): they format
computed results and never compute one.

Percentages have one decimal, money two with separators, like ``nrr report``; NRR cells
carry the contract's band colour and the industry band in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text

from nrr.insights.backtest import Backtest
from nrr.insights.benchmarks import BAND_RANGES, IndustryBand, benchmark
from nrr.insights.forecast import PERCENT_METRICS, Forecast
from nrr.insights.health import AtRisk, SignalBuckets
from nrr.insights.series import METRIC_NAMES
from nrr.insights.signals import Indicators
from nrr.render.table import money, nrr_cell, percent


def _new(title: str, *columns: tuple[str, bool]) -> Table:
    """A table with ``(name, numeric)`` columns; numbers are right-aligned."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for name, numeric in columns:
        table.add_column(name, justify="right" if numeric else "left", no_wrap=True)
    return table


def _group_cells(row: dict[str, Any], by: Sequence[str]) -> list[str]:
    return ["(unset)" if row.get(g) is None else str(row[g]) for g in by]


def _value(metric: str) -> Callable[[float | None], str]:
    return percent if metric in PERCENT_METRICS else money


def _growth(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:+.1f}%"


def forecast_table(result: Forecast, title: str) -> Table:
    by = result.request.by
    table = _new(
        title,
        ("Period", False),
        *((g, False) for g in by),
        ("Metric", False),
        ("Forecast", True),
        ("80% interval", True),
        ("95% interval", True),
        ("Industry band", False),
    )
    for row in result.to_pylist():
        show = _value(row["metric"])
        band = IndustryBand.of(row["forecast"]) if row["metric"] == "nrr" else None
        table.add_row(
            row["label"],
            *_group_cells(row, by),
            METRIC_NAMES[row["metric"]],
            show(row["forecast"]),
            f"{show(row['lower_80'])} – {show(row['upper_80'])}",
            f"{show(row['lower_95'])} – {show(row['upper_95'])}",
            f"{band.value} ({BAND_RANGES[band]})" if band else "",
        )
    return table


def forecast_notes(result: Forecast, history_end: str) -> Text:
    """One line per series: the model, how much history it saw, the last actual value."""
    text = Text()
    seen: set[tuple[Any, ...]] = set()
    by = result.request.by
    for row in result.to_pylist():
        key = (*(row[g] for g in by), row["metric"])
        if key in seen:
            continue
        seen.add(key)
        where = ", ".join(_group_cells(row, by))
        text.append(
            f"{METRIC_NAMES[row['metric']]}{f' ({where})' if where else ''}: ", style="bold"
        )
        text.append(
            f"{row['model']} fitted on {row['history']} periods; last actual "
            f"{_value(row['metric'])(row['last_actual'])} ({history_end})\n"
        )
    for note in result.skipped:
        text.append(f"not forecast, too little history: {note}\n", style="dim")
    text.rstrip()
    return text


def backtest_table(result: Backtest, title: str) -> Table:
    by = result.request.by
    table = _new(
        title,
        *((g, False) for g in by),
        ("Metric", False),
        ("Method", False),
        ("MAE", True),
        ("MAPE", True),
    )
    for row in result.to_pylist():
        percent_points = row["metric"] in PERCENT_METRICS
        mae = f"{row['mae']:.2f} pp" if percent_points else money(row["mae"])
        table.add_row(
            *_group_cells(row, by),
            METRIC_NAMES[row["metric"]],
            row["model"],
            mae,
            percent(row["mape"]),
        )
    return table


def verdict_notes(result: Backtest) -> Text:
    text = Text()
    for line in result.verdicts:
        style = "green" if "beats the naive" in line else "bold yellow"
        text.append(line + "\n", style=style)
    for note in result.skipped:
        text.append(f"not backtested, too little history: {note}\n", style="dim")
    text.rstrip()
    return text


def indicators_table(result: Indicators, label: Callable[[date], str], title: str) -> Table:
    by = result.request.by
    table = _new(
        title,
        ("Period", False),
        *((g, False) for g in by),
        ("NRR", True),
        ("Industry band", False),
        ("Exp. growth", True),
        ("Contr. growth", True),
        ("Churn growth", True),
        ("Expanding", True),
        ("Contracting", True),
        ("Churned", True),
        ("Contr. rate (avg)", True),
        ("Churn rate (avg)", True),
        ("Early warning", False),
    )
    for row in result.to_pylist():
        warning = Text(f"⚠ {row['warning']}", style="bold yellow") if row["warning"] else ""
        table.add_row(
            label(row["period_start"]),
            *_group_cells(row, by),
            nrr_cell(row["nrr"]),
            row["industry_band"] or "",
            _growth(row["expansion_growth"]),
            _growth(row["contraction_growth"]),
            _growth(row["churn_growth"]),
            percent(row["expanding_share"]),
            percent(row["contracting_share"]),
            percent(row["churned_share"]),
            f"{percent(row['contraction_rate'], 2)} ({percent(row['contraction_baseline'], 2)})",
            f"{percent(row['churn_rate'], 2)} ({percent(row['churn_baseline'], 2)})",
            warning,
        )
    return table


def benchmark_line(rows: Sequence[dict[str, Any]], label: Callable[[date], str]) -> Text:
    """The latest period against industry bands and the NRR–GRR quadrant."""
    text = Text()
    if rows:
        last = rows[-1]
        text.append(f"{label(last['period_start'])}: ", style="bold")
        text.append(benchmark(last["nrr"], last["grr"]).sentence())
    return text


def buckets_table(result: SignalBuckets, title: str) -> Table:
    by = result.request.by
    table = _new(
        title,
        *((g, False) for g in by),
        (result.signal, False),
        ("Customers", True),
        ("Unit-periods", True),
        ("Starting MRR", True),
        ("NRR", True),
        ("GRR", True),
        ("Logo churn", True),
    )
    for row in result.to_pylist():
        table.add_row(
            *_group_cells(row, by),
            row["bucket"],
            f"{row['customers']:,}",
            f"{row['unit_periods']:,}",
            money(row["starting_mrr"]),
            nrr_cell(row["nrr"]),
            percent(row["grr"]),
            percent(row["logo_churn"]),
        )
    return table


def at_risk_table(result: AtRisk, unit: str, title: str) -> Table:
    by = result.request.by
    table = _new(
        title,
        (unit, False),
        *((g, False) for g in by),
        ("MRR", True),
        (result.signal, True),
        ("Measured", False),
    )
    for row in result.to_pylist():
        table.add_row(
            row[unit],
            *_group_cells(row, by),
            money(row["mrr"]),
            f"{row['signal_value']:g}",
            row["signal_date"].isoformat(),
        )
    if not len(result):
        table.add_row("(none)", *([""] * (len(by) + 3)))
    return table
