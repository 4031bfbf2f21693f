"""What the API returns: Arrow tables with the request that produced them.

Every result converts the same way (``to_arrow``, ``to_pandas``, ``to_pylist``) so
notebooks, renderers and the web layer treat them alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from nrr.definitions import SCHEDULED, SCHEDULED_NOTE, Band, CohortRequest, Period, ReportRequest

if TYPE_CHECKING:  # pandas is imported by Arrow's to_pandas, when it is asked for
    import pandas as pd


def marked_scheduled(
    table: pa.Table, as_of: date | None, ends: Sequence[date | None] | None = None
) -> pa.Table:
    """``table`` with a ``scheduled`` column when a row is measured after ``as_of``.

    Why: past the data's as-of date (docs/definitions.md) the data holds only the ends
    already scheduled, so a period reaching past it shows those cancellations as churn
    although they have not happened. Such rows are marked, never dropped or changed. Why
    only then: a report inside the data's range keeps exactly the contract's columns.
    ``ends`` gives each row's measuring date; by default its ``period_end``.
    """
    if as_of is None or table.num_rows == 0:
        return table
    if ends is None:
        if "period_end" not in table.column_names:
            return table
        ends = table.column("period_end").to_pylist()
    flags = [end is not None and end > as_of for end in ends]
    if not any(flags) or SCHEDULED in table.column_names:
        return table
    return table.append_column(SCHEDULED, pa.array(flags, pa.bool_()))


def scheduled_rows(table: pa.Table) -> int:
    """How many rows ``marked_scheduled`` marked (0 when it added no column)."""
    if SCHEDULED not in table.column_names:
        return 0
    return sum(bool(v) for v in table.column(SCHEDULED).to_pylist())


@dataclass(frozen=True)
class Result:
    table: pa.Table

    def to_arrow(self) -> pa.Table:
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        frame: pd.DataFrame = self.table.to_pandas()
        return frame

    def to_pylist(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.table.to_pylist()
        return rows

    def __len__(self) -> int:
        return int(self.table.num_rows)


@dataclass(frozen=True)
class Report(Result):
    """A period report: the contract's section-3 rows."""

    request: ReportRequest
    periods: tuple[Period, ...]
    currency: str
    as_of: date | None = None  # the data's as-of date: rows after it are ``scheduled``

    @property
    def scheduled(self) -> int:
        """How many rows end after the data's as-of date (their movements are scheduled)."""
        return scheduled_rows(self.table)

    @property
    def groups(self) -> tuple[str, ...]:
        return self.request.by

    def label(self, start: date) -> str:
        """The human name of the period starting at ``start`` (e.g. "2024 Q1")."""
        return next((p.label for p in self.periods if p.start == start), start.isoformat())

    def __repr__(self) -> str:
        req = self.request
        head = (
            f"<Report {req.grain.value} {req.level.value}-level NRR in {self.currency}, "
            f"{len(self)} rows"
            + (f", by {', '.join(req.by)}" if req.by else "")
            + (f", {req.method.value} method" if req.method.value != "snapshot" else "")
            + ">"
        )
        lines = [head]
        for row in self.table.slice(0, 12).to_pylist():
            group = " ".join(f"{g}={row[g]}" for g in req.by)
            nrr = row["nrr"]
            band = Band.of(nrr)
            shown = f"{nrr:6.1f}% ({band.value})" if band else "   n/a"
            lines.append(
                f"  {self.label(row['period_start']):<14} {group} NRR {shown}"
                f"  start {row['starting_mrr']:,.2f}  end {row['ending_mrr']:,.2f}"
                + ("  (scheduled)" if row.get(SCHEDULED) else "")
            )
        if len(self) > 12:
            lines.append(f"  ... {len(self) - 12} more rows")
        if self.scheduled:
            lines.append(f"  {SCHEDULED_NOTE} ({self.as_of})")
        return "\n".join(lines)


@dataclass(frozen=True)
class CohortTable(Result):
    """Acquisition cohorts: one row per cohort (and group) and age."""

    request: CohortRequest
    currency: str
    as_of: date | None = None  # cells measured after it are ``scheduled``

    def __repr__(self) -> str:
        cohorts = len(set(self.table.column("cohort").to_pylist())) if len(self) else 0
        return (
            f"<CohortTable {self.request.grain.value} cohorts, {cohorts} cohorts, "
            f"{len(self)} rows, MRR in {self.currency}>"
        )


@dataclass(frozen=True)
class CustomerTable(Result):
    """The units behind a report: one row per unit and period (or per line with lines)."""

    request: ReportRequest
    periods: tuple[Period, ...]
    currency: str
    as_of: date | None = None  # rows of periods ending after it are ``scheduled``

    def __repr__(self) -> str:
        return f"<CustomerTable {len(self)} rows, MRR in {self.currency}>"
