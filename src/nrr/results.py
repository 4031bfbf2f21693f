"""What the API returns: Arrow tables with the request that produced them.

Every result converts the same way (``to_arrow``, ``to_pandas``, ``to_pylist``) so
notebooks, renderers and the web layer treat them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from nrr.definitions import Band, CohortRequest, Period, ReportRequest, Unit

if TYPE_CHECKING:  # pandas is imported by Arrow's to_pandas, when it is asked for
    import pandas as pd


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

    @property
    def groups(self) -> tuple[str, ...]:
        return self.request.by

    @property
    def unit(self) -> Unit:
        """MRR or ARR: the unit of every amount (amount columns are named for it)."""
        return self.request.unit

    def label(self, start: date) -> str:
        """The human name of the period starting at ``start`` (e.g. "2024 Q1")."""
        return next((p.label for p in self.periods if p.start == start), start.isoformat())

    def __repr__(self) -> str:
        req = self.request
        head = (
            f"<Report {req.grain.value} {req.level.value}-level NRR in {self.currency}"
            + (f" {self.unit.label}" if self.unit is Unit.ARR else "")
            + ", "
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
                f"  start {row[self.unit.column('starting_mrr')]:,.2f}"
                f"  end {row[self.unit.column('ending_mrr')]:,.2f}"
            )
        if len(self) > 12:
            lines.append(f"  ... {len(self) - 12} more rows")
        return "\n".join(lines)


@dataclass(frozen=True)
class CohortTable(Result):
    """Acquisition cohorts: one row per cohort (and group) and age."""

    request: CohortRequest
    currency: str

    @property
    def unit(self) -> Unit:
        """MRR or ARR: the unit of ``initial_mrr``/``mrr`` (``initial_arr``/``arr`` in ARR)."""
        return self.request.unit

    def __repr__(self) -> str:
        cohorts = len(set(self.table.column("cohort").to_pylist())) if len(self) else 0
        return (
            f"<CohortTable {self.request.grain.value} cohorts, {cohorts} cohorts, "
            f"{len(self)} rows, {self.unit.label} in {self.currency}>"
        )


@dataclass(frozen=True)
class CustomerTable(Result):
    """The units behind a report: one row per unit and period (or per line with lines)."""

    request: ReportRequest
    periods: tuple[Period, ...]
    currency: str

    @property
    def unit(self) -> Unit:
        """MRR or ARR: the unit of every amount (amount columns are named for it)."""
        return self.request.unit

    def __repr__(self) -> str:
        return f"<CustomerTable {len(self)} rows, {self.unit.label} in {self.currency}>"
