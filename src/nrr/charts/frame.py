"""What a chart needs besides the rows, and how it reads a result's columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from nrr.errors import ConfigError

if TYPE_CHECKING:
    import pyarrow as pa

Row = dict[str, Any]
NO_GROUP = "(none)"


@dataclass(frozen=True)
class Frame:
    """The context of a table: its currency, its group columns, whether its money is MRR
    or ARR (labels only: the table's values are drawn as they are), and the period names
    (``period_start -> "2024 Q1"``; an unnamed period shows its ISO date)."""

    currency: str
    by: tuple[str, ...] = ()
    unit: str = "mrr"
    labels: Mapping[date, str] = field(default_factory=dict)

    @property
    def money_name(self) -> str:
        """ "MRR" or "ARR", as the labels say it."""
        return self.unit.upper()

    def label(self, start: date) -> str:
        return self.labels.get(start) or start.isoformat()

    def group_name(self, row: Row) -> str:
        """The name of a row's group ("Enterprise · EMEA"); a null value is "(none)"."""
        if not self.by:
            return "All"
        return " · ".join(NO_GROUP if row.get(g) is None else str(row[g]) for g in self.by)


def money_column(table: pa.Table, name: str) -> str:
    """The column of a money measure, in MRR (``starting_mrr``) or ARR (``starting_arr``):
    a table converted to ARR names its columns so."""
    for candidate in (name, name.replace("mrr", "arr")):
        if candidate in table.column_names:
            return candidate
    raise ConfigError(f"the table has no {name} column (nor its ARR twin)")


def rows_of(table: pa.Table) -> list[Row]:
    rows: list[Row] = table.to_pylist()
    return rows


def periods_of(rows: Sequence[Row]) -> list[date]:
    return sorted({row["period_start"] for row in rows})


def require(table: pa.Table, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ConfigError(f"the table has no {', '.join(missing)} column: is it the right result?")
