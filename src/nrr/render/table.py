"""The terminal table: readable money, one-decimal percentages, NRR coloured by band."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text

from nrr.definitions import Band

BAND_STYLES = {
    Band.EXCEPTIONAL: "bold green",
    Band.HEALTHY: "green",
    Band.CONCERNING: "yellow",
    Band.CRITICAL: "bold red",
}

MONEY_COLUMNS = (
    ("starting_mrr", "Starting MRR"),
    ("expansion_mrr", "Expansion"),
    ("contraction_mrr", "Contraction"),
    ("churn_mrr", "Churn"),
    ("ending_mrr", "Ending MRR"),
)
TAIL_COLUMNS = (
    ("new_mrr", "New"),
    ("reactivation_mrr", "Reactivation"),
    ("total_mrr_end", "Total MRR end"),
)


def money(value: float | None, decimals: int = 2) -> str:
    return "" if value is None else f"{value:,.{decimals}f}"


def percent(value: float | None, decimals: int = 1) -> str:
    return "n/a" if value is None or value != value else f"{value:.{decimals}f}%"


def nrr_cell(value: float | None) -> Text:
    band = Band.of(value)
    if band is None:
        return Text("n/a", style="dim")
    return Text(f"{percent(value)} {band.value}", style=BAND_STYLES[band])


def report_table(
    rows: Sequence[dict[str, Any]],
    groups: Sequence[str],
    label: Callable[[date], str],
    title: str,
    totals: Sequence[dict[str, Any]] = (),
    total_label: Callable[[dict[str, Any]], str] | None = None,
) -> Table:
    """A Rich table of report rows; ``totals`` rows are shown bold after their period."""
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("Period", no_wrap=True)
    for group in groups:
        table.add_column(group, no_wrap=True)
    table.add_column("Customers", justify="right")
    for _, name in MONEY_COLUMNS:
        table.add_column(name, justify="right")
    table.add_column("NRR", justify="right", no_wrap=True)
    table.add_column("GRR", justify="right")
    table.add_column("Logo ret.", justify="right")
    for _, name in TAIL_COLUMNS:
        table.add_column(name, justify="right")
    by_period: dict[date, list[dict[str, Any]]] = {}
    for total in totals:
        by_period.setdefault(total["period_start"], []).append(total)
    previous: date | None = None
    for row in rows:
        start = row["period_start"]
        if previous is not None and start != previous and groups:
            _add_totals(table, by_period.pop(previous, []), groups, total_label)
        table.add_row(*_cells(row, groups, label(start)))
        previous = start
    if previous is not None and groups:
        _add_totals(table, by_period.pop(previous, []), groups, total_label)
    for leftovers in by_period.values():
        _add_totals(table, leftovers, groups, total_label)
    return table


def _add_totals(
    table: Table,
    totals: list[dict[str, Any]],
    groups: Sequence[str],
    total_label: Callable[[dict[str, Any]], str] | None,
) -> None:
    for total in totals:
        name = total_label(total) if total_label else "Total"
        table.add_row(*_cells(total, [], name, len(groups)), style="bold", end_section=True)


def _cells(
    row: dict[str, Any], groups: Sequence[str], name: str, blank_groups: int = 0
) -> list[str | Text]:
    cells: list[str | Text] = [name]
    cells += ["(unset)" if row.get(g) is None else str(row[g]) for g in groups]
    cells += [""] * blank_groups
    cells.append(f"{row['customers_start']:,}")
    cells += [money(row[key]) for key, _ in MONEY_COLUMNS]
    cells.append(nrr_cell(row["nrr"]))
    cells.append(percent(row["grr"]))
    cells.append(percent(row["logo_retention"]))
    cells += [money(row[key]) for key, _ in TAIL_COLUMNS]
    return cells
