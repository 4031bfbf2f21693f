"""The board report's tables as data: one ``Sheet`` per table, read by the HTML page and
the workbook alike, so both show the same columns with the same names.

Values stay numbers (percentages in percent points, as the results hold them); each
column's ``kind`` says how to show it: money in the report's currency, percent, count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from nrr.charts.frame import Frame, money_column
from nrr.charts.text import money, percent
from nrr.definitions import Band

if TYPE_CHECKING:
    import pyarrow as pa

Row = dict[str, Any]
KINDS = ("text", "date", "count", "money", "percent")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"


@dataclass(frozen=True)
class Sheet:
    """A titled table: the board's section and the workbook's sheet of the same name."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


# The report's columns as the board shows them, in the bridge's order; "MRR" in a title
# becomes "ARR" for an ARR report.
REPORT_COLUMNS = (
    Column("customers_start", "Customers at start", "count"),
    Column("total_mrr_start", "MRR at start", "money"),
    Column("new_mrr", "New", "money"),
    Column("reactivation_mrr", "Reactivation", "money"),
    Column("expansion_mrr", "Expansion", "money"),
    Column("contraction_mrr", "Contraction", "money"),
    Column("churn_mrr", "Churn", "money"),
    Column("total_mrr_end", "MRR at end", "money"),
    Column("nrr", "NRR", "percent"),
    Column("grr", "GRR", "percent"),
    Column("logo_retention", "Logo retention", "percent"),
    Column("customers_churned", "Customers churned", "count"),
    Column("customers_new", "New customers", "count"),
)
COHORT_COLUMNS = (
    Column("customers", "Customers", "count"),
    Column("customers_active", "Still active", "count"),
    Column("initial_mrr", "Initial MRR", "money"),
    Column("mrr", "MRR", "money"),
    Column("nrr", "NRR", "percent"),
    Column("logo_retention", "Logo retention", "percent"),
)


def cell(value: Any, kind: str, currency: str) -> str:
    """A value as the page prints it."""
    if value is None:
        return "n/a" if kind in ("money", "percent") else ""
    if kind == "money":
        return money(value, currency)
    if kind == "percent":
        return percent(value)
    if kind == "count":
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _report_columns(table: pa.Table, frame: Frame) -> tuple[Column, ...]:
    """The report columns present in ``table`` (money under its MRR or ARR name)."""
    found = []
    for column in REPORT_COLUMNS:
        key = money_column(table, column.key) if column.kind == "money" else column.key
        if key in table.column_names:
            found.append(Column(key, column.title.replace("MRR", frame.money_name), column.kind))
    return tuple(found)


def breakdown(table: pa.Table, frame: Frame) -> Sheet:
    """One row per period: the bridge and the ratios."""
    columns = (Column("period", "Period"), *_report_columns(table, frame))
    rows = tuple({"period": frame.label(row["period_start"]), **row} for row in table.to_pylist())
    unit = frame.money_name
    return Sheet("Breakdown", f"Breakdown per period ({unit} in {frame.currency})", columns, rows)


def by_group(table: pa.Table, frame: Frame) -> Sheet:
    """One row per period and group."""
    groups = tuple(Column(g, g.replace("_", " ").capitalize()) for g in frame.by)
    columns = (Column("period", "Period"), *groups, *_report_columns(table, frame))
    rows = tuple({"period": frame.label(row["period_start"]), **row} for row in table.to_pylist())
    title = f"By {', '.join(frame.by)} ({frame.money_name} in {frame.currency})"
    return Sheet("By segment", title, columns, rows)


def cohorts(table: pa.Table, frame: Frame) -> Sheet:
    """One row per cohort and age."""
    present = []
    for column in COHORT_COLUMNS:
        key = column.key
        if key not in table.column_names:
            key = key.replace("mrr", "arr")
        if key in table.column_names:
            present.append(Column(key, column.title.replace("MRR", frame.money_name), column.kind))
    columns = (Column("cohort", "Cohort", "date"), Column("age", "Age", "count"), *present)
    return Sheet(
        "Cohorts",
        f"Acquisition cohorts ({frame.money_name} in {frame.currency})",
        columns,
        tuple(table.to_pylist()),
    )


def definitions(pairs: Sequence[tuple[str, str]]) -> Sheet:
    columns = (Column("term", "Term"), Column("meaning", "Meaning"))
    rows = tuple({"term": term, "meaning": meaning} for term, meaning in pairs)
    return Sheet("Definitions", "Definitions used", columns, rows)


@dataclass(frozen=True)
class Tile:
    """A KPI tile: the last period's value and its change since the previous period."""

    name: str
    kind: str
    value: float | None
    previous: float | None
    band: str  # the colour class: a band's name, or "" for none

    def shown(self, currency: str) -> str:
        return cell(self.value, self.kind, currency)

    def change(self, currency: str) -> str:
        """Ratios move in percentage points, money in money; "" with no previous period."""
        if self.value is None or self.previous is None:
            return ""
        moved = self.value - self.previous
        if self.kind == "percent":
            shown, rounded = f"{abs(moved):.1f} pts", round(abs(moved), 1)
        else:
            shown, rounded = money(abs(moved), currency), round(abs(moved))
        if rounded == 0:
            return f"±{shown}"  # a change that rounds to nothing has no direction
        return ("+" if moved > 0 else "−") + shown


def tiles(table: pa.Table, frame: Frame) -> tuple[Tile, ...]:
    """NRR, GRR, logo retention and MRR (or ARR) at the end of the last period of an
    ungrouped report."""
    rows = table.to_pylist()
    if not rows:
        return ()
    last = rows[-1]
    before = rows[-2] if len(rows) > 1 else {}
    end = money_column(table, "total_mrr_end")
    nrr_band = Band.of(last["nrr"])
    grr_band = Band.of_grr(last["grr"])
    return (
        Tile("NRR", "percent", last["nrr"], before.get("nrr"), nrr_band.value if nrr_band else ""),
        Tile("GRR", "percent", last["grr"], before.get("grr"), grr_band.value if grr_band else ""),
        Tile("Logo retention", "percent", last["logo_retention"], before.get("logo_retention"), ""),
        Tile(f"{frame.money_name} at end", "money", last[end], before.get(end), ""),
    )


def summary(table: pa.Table, frame: Frame) -> Sheet:
    """The KPI tiles as a table: the last period and the one before, a column per tile."""
    found = tiles(table, frame)
    rows = table.to_pylist()
    columns = (Column("period", "Period"), *(Column(t.name, t.name, t.kind) for t in found))
    shown: list[Row] = []
    if found:
        shown.append({"period": frame.label(rows[-1]["period_start"])})
        shown[0].update({t.name: t.value for t in found})
    if len(rows) > 1:
        shown.append({"period": frame.label(rows[-2]["period_start"])})
        shown[1].update({t.name: t.previous for t in found})
    return Sheet("Summary", "Key figures of the last two periods", columns, tuple(shown))
