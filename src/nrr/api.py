"""The public Python API: ``nrr.load(path).report(...)``.

Everything the CLI and the web dashboard show goes through ``Dataset.report`` with a
``ReportRequest``, so a number cannot differ between a notebook and the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from nrr import engine, periods
from nrr.dataset import Issue, StagedData, read_dataset
from nrr.definitions import PRODUCT, Band, Grain, Level, Period, ReportRequest
from nrr.errors import ConfigError


@dataclass(frozen=True)
class Report:
    """A period report: section-3 rows as an Arrow table, plus what produced them."""

    table: pa.Table
    request: ReportRequest
    periods: tuple[Period, ...]
    currency: str

    def to_arrow(self) -> pa.Table:
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        frame: pd.DataFrame = self.table.to_pandas()
        return frame

    def to_pylist(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.table.to_pylist()
        return rows

    @property
    def groups(self) -> tuple[str, ...]:
        return self.request.by

    def label(self, start: date) -> str:
        """The human name of the period starting at ``start`` (e.g. "2024 Q1")."""
        return next((p.label for p in self.periods if p.start == start), start.isoformat())

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def __repr__(self) -> str:
        req = self.request
        head = (
            f"<Report {req.grain.value} {req.level.value}-level NRR in {self.currency}, "
            f"{len(self)} rows"
            + (f", by {', '.join(req.by)}" if req.by else "")
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
            )
        if len(self) > 12:
            lines.append(f"  ... {len(self) - 12} more rows")
        return "\n".join(lines)


class Dataset:
    """A validated dataset bound to an engine. Create it with ``nrr.load``."""

    def __init__(self, staged: StagedData, backend: engine.Backend) -> None:
        self.staged = staged
        self.backend = backend

    @cached_property
    def sources(self) -> engine.Sources:
        return engine.Sources.register(self.backend, self.staged)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return self.staged.warnings

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.staged.attributes

    def __repr__(self) -> str:
        s = self.staged
        return (
            f"<Dataset {s.source} ({s.revenue_table}): {s.table_rows.get('customers', 0)} "
            f"customers, {s.table_rows.get(s.revenue_table, 0)} {s.revenue_table} rows, "
            f"{s.first_date} to {s.last_date}, base currency {s.base_currency}>"
        )

    def request(
        self,
        period: str | Grain = Grain.MONTH,
        start: date | str | None = None,
        end: date | str | None = None,
        by: Sequence[str] | str = (),
        level: str | Level = Level.ACCOUNT,
        filters: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        currency: str | None = None,
        fiscal_year_start: int = 1,
    ) -> ReportRequest:
        """Build and check a request, filling the date range from the data."""
        request = ReportRequest(
            grain=_enum(Grain, period, "period"),
            start=_date(start, "start") or self._default_start(),
            end=_date(end, "end") or self._default_end(),
            by=tuple([by] if isinstance(by, str) else by),
            level=_enum(Level, level, "level"),
            filters=tuple(
                (filters or {}).items() if isinstance(filters, Mapping) else filters or ()
            ),
            currency=currency.upper() if currency else None,
            fiscal_year_start=fiscal_year_start,
        )
        self._check(request)
        return request

    def report(
        self,
        period: str | Grain = Grain.MONTH,
        start: date | str | None = None,
        end: date | str | None = None,
        by: Sequence[str] | str = (),
        level: str | Level = Level.ACCOUNT,
        filters: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        currency: str | None = None,
        fiscal_year_start: int = 1,
    ) -> Report:
        """NRR, GRR and the MRR bridge per period (and group): the contract's section 3."""
        request = self.request(
            period, start, end, by, level, filters, currency, fiscal_year_start
        )
        return self.run(request)

    def run(self, request: ReportRequest, spine: Sequence[Period] | None = None) -> Report:
        """Compute a checked request; the one entry point the CLI and web layer call.

        ``spine`` overrides the request's periods (used for whole-range totals).
        """
        spine = list(self.periods(request) if spine is None else spine)
        reporting = request.currency or self.staged.base_currency
        if spine:
            expr = engine.report_expr(self.sources, request, spine, reporting)
            table = engine.finish(self.backend.execute(expr), request.by)
        else:
            table = engine.report_expr(
                self.sources, request, [Period(date(2000, 1, 1), date(2000, 2, 1), "")],
                reporting,
            )
            table = self.backend.execute(table.limit(0))
        return Report(table, request, tuple(spine), reporting)

    def totals(self, report: Report) -> Report | None:
        """What a "Total" row shows under a report.

        Grouped: the ungrouped report of the same periods and filters (the whole population,
        so an account with two products counts once). Ungrouped, several month, quarter or
        year periods: one period spanning them all. A ttm report has no total: its windows
        overlap.
        """
        request = report.request
        if request.by:
            return self.run(replace(request, by=()), report.periods)
        if request.grain is Grain.TTM or len(report.periods) < 2:
            return None
        whole = Period(report.periods[0].start, report.periods[-1].end, "Total")
        return self.run(request, [whole])

    def periods(self, request: ReportRequest) -> list[Period]:
        assert request.start is not None and request.end is not None
        return periods.periods(
            request.grain, request.start, request.end, request.fiscal_year_start
        )

    def _default_start(self) -> date:
        first = self.staged.first_date or date.today()
        return first.replace(day=1)

    def _default_end(self) -> date:
        """The first month start on or after the latest line start (or event).

        Scheduled future end dates do not stretch the range: the data says nothing yet about
        revenue starting after its latest start, so later periods would only show churn.
        """
        last = self.staged.last_start or date.today()
        end = periods.month_start(periods.first_boundary_on_or_after(last))
        if end <= self._default_start():
            end = periods.month_start(periods.month_index(last) + 1)
        return end

    def _check(self, request: ReportRequest) -> None:
        known = set(self.staged.attributes) | {PRODUCT}
        asked = [*request.by, *(name for name, _ in request.filters)]
        unknown = [name for name in asked if name not in known]
        if unknown:
            raise ConfigError(
                f"unknown attribute {unknown[0]!r}; available: "
                + ", ".join(sorted(known))
            )
        currency = request.currency
        if currency and currency != self.staged.base_currency:
            self._check_currency(currency, request)

    def _check_currency(self, currency: str, request: ReportRequest) -> None:
        fx = self.staged.fx_rates.to_pandas()
        dates = fx.loc[fx["currency"] == currency, "valid_from"]
        if dates.empty:
            raise ConfigError(
                f"cannot report in {currency}: fx_rates has no {currency} rate "
                f"(currencies with rates: {', '.join(sorted(set(fx['currency'])))})"
            )
        spine = self.periods(request)
        if spine and min(dates) > spine[0].start:
            raise ConfigError(
                f"cannot report in {currency}: no {currency} rate in force on "
                f"{spine[0].start.isoformat()} (first rate {min(dates).isoformat()})"
            )


def _enum(kind: Any, value: Any, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise ConfigError(f"{name} must be one of {choices}, got {value!r}") from None


def _date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name} must be a date in YYYY-MM-DD form, got {value!r}") from None


def load(path: str | Path, *, engine_name: str = "duckdb", **options: Any) -> Dataset:
    """Read and validate a dataset (folder of CSV/Parquet files or a DuckDB file).

    Raises ``InputError`` listing every problem of the data, in which case nothing is
    computed.
    """
    staged = read_dataset(Path(path))
    return Dataset(staged, engine.connect(engine_name, **options))
