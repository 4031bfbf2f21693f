"""The terminal table: readable money, one-decimal percentages, NRR coloured by band."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text

from nrr.definitions import SCHEDULED, SCHEDULED_NOTE, Band, Period, Unit, diagnose

BAND_STYLES = {
    Band.EXCEPTIONAL: "bold green",
    Band.HEALTHY: "green",
    Band.CONCERNING: "yellow",
    Band.CRITICAL: "bold red",
}

# Amount columns named for MRR, and their headers ("{unit}" is MRR or ARR): a report in
# ARR has ``starting_arr`` under "Starting ARR" (``Unit.column``, ``Unit.label``).
MONEY_COLUMNS = (
    ("starting_mrr", "Starting {unit}"),
    ("expansion_mrr", "Expansion"),
    ("contraction_mrr", "Contraction"),
    ("churn_mrr", "Churn"),
    ("ending_mrr", "Ending {unit}"),
)
TAIL_COLUMNS = (
    ("new_mrr", "New"),
    ("reactivation_mrr", "Reactivation"),
    ("total_mrr_end", "Total {unit} end"),
)


def scheduled_caption(rows: Sequence[dict[str, Any]], as_of: date | None) -> str | None:
    """The footnote of a table with scheduled rows (marked ``*``): docs/definitions.md."""
    if not any(row.get(SCHEDULED) for row in rows):
        return None
    return f"* {SCHEDULED_NOTE}" + (f" ({as_of.isoformat()})" if as_of else "")


def _mark(name: str, row: dict[str, Any]) -> str:
    return f"{name} *" if row.get(SCHEDULED) else name


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
    total_label: str = "Total",
    unit: Unit = Unit.MRR,
    as_of: date | None = None,
) -> Table:
    """A Rich table of report rows (amounts in ``unit``); ``totals`` rows are shown bold
    after their period.

    Rows after the data's as-of date are marked ``*`` and dimmed, with a footnote."""
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption=scheduled_caption([*rows, *totals], as_of),
        caption_justify="left",
    )
    table.add_column("Period", no_wrap=True)
    for group in groups:
        table.add_column(group, no_wrap=True)
    table.add_column("Customers", justify="right")
    for _, name in MONEY_COLUMNS:
        table.add_column(name.format(unit=unit.label), justify="right")
    table.add_column("NRR", justify="right", no_wrap=True)
    table.add_column("GRR", justify="right")
    table.add_column("Logo ret.", justify="right")
    for _, name in TAIL_COLUMNS:
        table.add_column(name.format(unit=unit.label), justify="right")
    by_period: dict[date, list[dict[str, Any]]] = {}
    for total in totals:
        by_period.setdefault(total["period_start"], []).append(total)
    previous: date | None = None
    for row in rows:
        start = row["period_start"]
        if previous is not None and start != previous and groups:
            _add_totals(table, by_period.pop(previous, []), groups, total_label, unit)
        table.add_row(
            *_cells(row, groups, label(start), unit), style="dim" if row.get(SCHEDULED) else None
        )
        previous = start
    if previous is not None and groups:
        _add_totals(table, by_period.pop(previous, []), groups, total_label, unit)
    for leftovers in by_period.values():
        _add_totals(table, leftovers, groups, total_label, unit)
    return table


def _add_totals(
    table: Table,
    totals: list[dict[str, Any]],
    groups: Sequence[str],
    total_label: str,
    unit: Unit,
) -> None:
    for total in totals:
        cells = _cells(total, [], total_label, unit, len(groups))
        table.add_row(*cells, style="bold", end_section=True)


def _cells(
    row: dict[str, Any], groups: Sequence[str], name: str, unit: Unit, blank_groups: int = 0
) -> list[str | Text]:
    cells: list[str | Text] = [_mark(name, row)]
    cells += ["(unset)" if row.get(g) is None else str(row[g]) for g in groups]
    cells += [""] * blank_groups
    cells.append(f"{row['customers_start']:,}")
    cells += [money(row[unit.column(key)]) for key, _ in MONEY_COLUMNS]
    cells.append(nrr_cell(row["nrr"]))
    cells.append(percent(row["grr"]))
    cells.append(percent(row["logo_retention"]))
    cells += [money(row[unit.column(key)]) for key, _ in TAIL_COLUMNS]
    return cells


def interpretation(rows: Sequence[dict[str, Any]], label: Callable[[date], str]) -> Text:
    """One line per period: NRR band and what the NRR/GRR pair says (docs/definitions.md)."""
    text = Text()
    for row in rows:
        band = Band.of(row["nrr"])
        name = _mark(label(row["period_start"]), row)
        if band is None:
            text.append(f"{name}: ", style="bold")
            text.append(diagnose(None, None) + "\n", style="dim")
            continue
        text.append(f"{name}: ", style="bold")
        text.append(f"NRR {percent(row['nrr'])} {band.value}", style=BAND_STYLES[band])
        text.append(f", GRR {percent(row['grr'])} — {diagnose(row['nrr'], row['grr'])}\n")
    text.rstrip()
    return text


def period_label(periods: Sequence[Period]) -> Callable[[date], str]:
    names = {p.start: p.label for p in periods}
    return lambda start: names.get(start, start.isoformat())


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return money(value)
    return str(value)


def plain_table(
    rows: Sequence[dict[str, Any]],
    title: str,
    label: Callable[[date], str],
    as_of: date | None = None,
) -> Table:
    """Any result as a table: money with separators, the period by its name."""
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption=scheduled_caption(rows, as_of),
        caption_justify="left",
    )
    if not rows:
        table.add_column("(no rows)")
        return table
    columns = [c for c in rows[0] if c != "period_end"]
    for column in columns:
        numeric = isinstance(rows[0][column], (int, float)) and column != "period_start"
        table.add_column(
            "period" if column == "period_start" else column,
            justify="right" if numeric else "left",
            no_wrap=True,
        )
    for row in rows:
        table.add_row(
            *(_mark(label(row[c]), row) if c == "period_start" else _plain(row[c]) for c in columns)
        )
    return table


def cohort_triangle(
    rows: Sequence[dict[str, Any]],
    grain: str,
    title: str,
    by: str | None,
    unit: Unit = Unit.MRR,
    as_of: date | None = None,
) -> Table:
    """The classic triangle: cohorts as rows, ages as columns, NRR % coloured by band;
    a cell measured after the data's as-of date is marked ``*``."""
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption=scheduled_caption(rows, as_of),
        caption_justify="left",
    )
    table.add_column("Cohort", no_wrap=True)
    if by:
        table.add_column(by, no_wrap=True)
    table.add_column("Customers", justify="right")
    table.add_column(f"Initial {unit.label}", justify="right")
    ages = sorted({row["age"] for row in rows})
    for age in ages:
        table.add_column(f"{'M' if grain == 'month' else 'Q'}{age}", justify="right")
    cohorts: dict[tuple[date, Any], dict[int, dict[str, Any]]] = {}
    for row in rows:
        cohorts.setdefault((row["cohort"], row[by] if by else None), {})[row["age"]] = row
    for (start, group), by_age in cohorts.items():
        first = by_age[min(by_age)]
        cells: list[str | Text] = [_cohort_name(start, grain)]
        if by:
            cells.append("(unset)" if group is None else str(group))
        cells += [f"{first['customers']:,}", money(first[unit.column("initial_mrr")], 0)]
        for age in ages:
            cell = by_age.get(age)
            shown = _cohort_cell(cell["nrr"]) if cell else Text("")
            cells.append(shown + " *" if cell and cell.get(SCHEDULED) else shown)
        table.add_row(*cells)
    return table


def _cohort_name(start: date, grain: str) -> str:
    if grain == "month":
        return f"{start:%b %Y}"
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def _cohort_cell(value: float | None) -> Text:
    band = Band.of(value)
    if band is None:
        return Text("n/a", style="dim")
    return Text(f"{value:.0f}%", style=BAND_STYLES[band])
