"""What the API returns: Arrow tables with the request that produced them.

Every result converts the same way (``to_arrow``, ``to_pandas``, ``to_polars``,
``to_pylist``) so notebooks, renderers and the web layer treat them alike. In a notebook a
result shows as an HTML table (``nrr.results_html``, imported when first shown).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from nrr.definitions import (
    SCHEDULED,
    SCHEDULED_NOTE,
    Band,
    CohortRequest,
    Period,
    ReportRequest,
    Unit,
)
from nrr.errors import ConfigError

if TYPE_CHECKING:  # pandas is imported by Arrow's to_pandas, polars by to_polars, when asked
    import pandas as pd
    import plotly.graph_objects as go
    import polars as pl

    from nrr.charts import Frame
    from nrr.results_html import Column

NOTEBOOK_EXTRA = "pip install 'nrr[notebook]'"
REPORT_CHARTS = ("trend", "bridge", "bar")
# Columns a report's HTML table leaves out to stay compact (to_pandas has them all).
REPORT_HIDDEN = (
    "customers_expanded",
    "customers_contracted",
    "customers_churned",
    "customers_new",
    "customers_reactivated",
    "total_mrr_start",
    "total_arr_start",
)


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

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame (polars is optional: the ``notebook`` extra)."""
        try:
            import polars
        except ImportError as missing:
            raise ImportError(f"to_polars() needs polars: {NOTEBOOK_EXTRA}") from missing
        frame = polars.from_arrow(self.table)
        assert isinstance(frame, polars.DataFrame)  # a table, never a single column
        return frame

    def to_pylist(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.table.to_pylist()
        return rows

    def __len__(self) -> int:
        return int(self.table.num_rows)

    # --- notebooks ----------------------------------------------------------------------
    def _repr_html_(self) -> str:
        from nrr.results_html import table_html

        return table_html(self.table, self._html_columns(), self._caption())

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Plain text for a terminal, HTML for a notebook, as IPython asks for them."""
        makers = {"text/plain": self.__repr__, "text/html": self._repr_html_}
        return {
            kind: make()
            for kind, make in makers.items()
            if (include is None or kind in include) and (exclude is None or kind not in exclude)
        }

    def _html_columns(self) -> list[Column]:
        from nrr.results_html import columns_of

        return columns_of(self.table.schema, self._currency())

    def _currency(self) -> str:
        # every result but this base carries its currency (the insights' results too)
        return str(getattr(self, "currency", ""))

    def _caption(self) -> str:
        """The insights' results keep the report request they were computed from."""
        from nrr.results_html import report_caption

        request = getattr(self, "request", None)
        title = type(self).__name__
        if isinstance(request, ReportRequest):
            return report_caption(title, request, (), self._currency(), len(self))
        return f"{title} · {len(self):,} rows"


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

    @property
    def unit(self) -> Unit:
        """MRR or ARR: the unit of every amount (amount columns are named for it)."""
        return self.request.unit

    def label(self, start: date) -> str:
        """The human name of the period starting at ``start`` (e.g. "2024 Q1")."""
        return next((p.label for p in self.periods if p.start == start), start.isoformat())

    def plot(
        self,
        kind: str = "trend",
        *,
        metric: str = "nrr",
        period: date | str | None = None,
    ) -> go.Figure:
        """A Plotly figure of the report, drawn by ``nrr.charts`` like the dashboard's.

        ``kind``: "trend" (NRR and GRR per period over the bands and the 100% line; one
        line per group, of ``metric``, when grouped), "bridge" (the MRR bridge waterfall
        of ``period``, or of the whole range) or "bar" (one bar of ``metric`` per group for
        ``period``, by default the last). ``period`` is a period's start (a date or ISO
        string) or its label ("2024 Q1").
        """
        from nrr import charts

        frame, start = self._frame(), self._period(period)
        if kind == "trend":
            metrics = ("nrr", "grr") if metric == "nrr" else (metric,)
            return charts.trend(self.table, frame, metrics=metrics)
        if kind == "bridge":
            return charts.bridge(self.table, frame, period=start)
        if kind == "bar":
            return charts.bars(self.table, frame, metric=metric, period=start)
        raise ConfigError(f"kind must be one of {', '.join(REPORT_CHARTS)}, got {kind!r}")

    def _frame(self) -> Frame:
        from nrr.charts import Frame

        unit = self.unit.value
        return Frame(self.currency, self.groups, unit, {p.start: p.label for p in self.periods})

    def _period(self, period: date | str | None) -> date | None:
        """The start of the period named by its start (date or ISO string) or its label."""
        if period is None or isinstance(period, date):
            return period
        for known in self.periods:
            if period in (known.label, known.start.isoformat()):
                return known.start
        names = ", ".join(p.label for p in self.periods) or "none"
        raise ConfigError(f"period {period!r} is not one of the report's periods: {names}")

    def _html_columns(self) -> list[Column]:
        from nrr.results_html import columns_of

        labels = {p.start: p.label for p in self.periods}
        return columns_of(self.table.schema, self.currency, labels, REPORT_HIDDEN)

    def _caption(self) -> str:
        from nrr.results_html import report_caption

        unit = self.unit.value
        return report_caption("NRR", self.request, self.periods, self.currency, len(self), unit)

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

    def plot(self, *, metric: str = "nrr") -> go.Figure:
        """The cohort heatmap (cohorts x age) of ``metric``, drawn by ``nrr.charts``."""
        from nrr.charts import Frame, cohort_heatmap

        by = (self.request.by,) if self.request.by else ()
        return cohort_heatmap(self.table, Frame(self.currency, by), metric=metric)

    def _caption(self) -> str:
        from nrr.results_html import cohort_caption

        return cohort_caption(self.request, self.currency, len(self))


@dataclass(frozen=True)
class CustomerTable(Result):
    """The units behind a report: one row per unit and period (or per line with lines)."""

    request: ReportRequest
    periods: tuple[Period, ...]
    currency: str
    as_of: date | None = None  # rows of periods ending after it are ``scheduled``

    @property
    def unit(self) -> Unit:
        """MRR or ARR: the unit of every amount (amount columns are named for it)."""
        return self.request.unit

    def __repr__(self) -> str:
        return f"<CustomerTable {len(self)} rows, {self.unit.label} in {self.currency}>"

    def _html_columns(self) -> list[Column]:
        from nrr.results_html import columns_of

        labels = {p.start: p.label for p in self.periods}
        return columns_of(self.table.schema, self.currency, labels)

    def _caption(self) -> str:
        from nrr.results_html import report_caption

        unit = self.unit.value
        return report_caption(
            "Customers behind NRR", self.request, self.periods, self.currency, len(self), unit
        )
