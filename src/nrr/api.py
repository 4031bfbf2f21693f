"""The public Python API: ``nrr.load(path).report(...)``.

Everything the CLI and the web dashboard show goes through ``Dataset.report`` with a
``ReportRequest``, so a number cannot differ between a notebook and the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from nrr import periods
from nrr.dataset import Issue, StagedData, read_dataset
from nrr.definitions import (
    CATEGORIES,
    PRODUCT,
    CohortRequest,
    FxMode,
    Grain,
    Level,
    Method,
    Period,
    ReportRequest,
)
from nrr.errors import ConfigError
from nrr.results import CohortTable, CustomerTable, Report

if TYPE_CHECKING:
    from nrr.engine import Backend, Sources

# A spine for compiling an empty result's columns when no whole period is in range.
PLACEHOLDER = (Period(date(2000, 1, 1), date(2000, 2, 1), ""),)


class Dataset:
    """A validated dataset bound to an engine. Create it with ``nrr.load``."""

    def __init__(self, staged: StagedData, backend: Backend) -> None:
        self.staged = staged
        self.backend = backend

    @cached_property
    def sources(self) -> Sources:
        from nrr.engine import Sources

        return Sources.register(self.backend, self.staged)

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
        method: str | Method = Method.SNAPSHOT,
        fx: str | FxMode = FxMode.ACTUAL,
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
            method=_enum(Method, method, "method"),
            fx=_enum(FxMode, fx, "fx"),
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
        method: str | Method = Method.SNAPSHOT,
        fx: str | FxMode = FxMode.ACTUAL,
    ) -> Report:
        """NRR, GRR and the MRR bridge per period (and group): the contract's section 3."""
        request = self.request(
            period, start, end, by, level, filters, currency, fiscal_year_start, method, fx
        )
        return self.run(request)

    def run(self, request: ReportRequest, spine: Sequence[Period] | None = None) -> Report:
        """Compute a checked request; the one entry point the CLI and web layer call.

        ``spine`` overrides the request's periods (used for whole-range totals).
        """
        from nrr import engine as core

        spine = list(self.periods(request) if spine is None else spine)
        reporting = request.currency or self.staged.base_currency
        if not spine:
            expr = core.report_expr(self.sources, request, PLACEHOLDER, reporting)
            return Report(self.backend.execute(expr.limit(0)), request, (), reporting)
        expr = core.report_expr(self.sources, request, spine, reporting)
        table = core.finish(self.backend.execute(expr), request.by)
        if request.method is Method.COMPOUNDED and request.grain is not Grain.MONTH:
            table = core.compound(table, self._monthly(request, spine).table, request.by)
        return Report(table, request, tuple(spine), reporting)

    def _monthly(self, request: ReportRequest, spine: Sequence[Period]) -> Report:
        """The snapshot monthly report covering ``spine``, for the compounded method."""
        monthly = replace(
            request, grain=Grain.MONTH, method=Method.SNAPSHOT,
            start=min(p.start for p in spine), end=max(p.end for p in spine),
        )
        return self.run(monthly)

    def customers(
        self,
        period: str | Grain = Grain.MONTH,
        start: date | str | None = None,
        end: date | str | None = None,
        by: Sequence[str] | str = (),
        level: str | Level = Level.ACCOUNT,
        filters: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        currency: str | None = None,
        fiscal_year_start: int = 1,
        fx: str | FxMode = FxMode.ACTUAL,
        category: str | Sequence[str] | None = None,
        lines: bool = False,
    ) -> CustomerTable:
        """The units behind a report: their MRR at both ends, the change and its category.

        For every report row, the sums of these rows are its figures. With ``lines``, the
        subscription lines (or events) active at either end of each listed period instead.
        """
        from nrr import engine as core

        request = self.request(
            period, start, end, by, level, filters, currency, fiscal_year_start, fx=fx
        )
        categories = [category] if isinstance(category, str) else list(category or ())
        unknown = [c for c in categories if c not in CATEGORIES]
        if unknown:
            raise ConfigError(
                f"category must be one of {', '.join(CATEGORIES)}, got {unknown[0]!r}"
            )
        spine = self.periods(request)
        reporting = request.currency or self.staged.base_currency
        expr = core.customers_expr(
            self.sources, request, spine or PLACEHOLDER, reporting, categories
        )
        if lines:
            expr = core.lines_expr(expr, self.sources, request)
        if not spine:  # like an empty report: the columns, no rows
            return CustomerTable(self.backend.execute(expr.limit(0)), request, (), reporting)
        unit = core.unit_column(request.level)
        order = [*request.by, unit] if not lines else [*request.by, unit, "start_date"]
        table = core.finish(self.backend.execute(expr), request.by, order)
        return CustomerTable(table, request, tuple(spine), reporting)

    def cohorts(
        self,
        grain: str | Grain = Grain.MONTH,
        start: date | str | None = None,
        end: date | str | None = None,
        by: str | None = None,
        level: str | Level = Level.ACCOUNT,
        currency: str | None = None,
        fiscal_year_start: int = 1,
    ) -> CohortTable:
        """Acquisition cohorts: customers, MRR and NRR by cohort and age (contract §2)."""
        from nrr import engine as core

        request = CohortRequest(
            grain=_enum(Grain, grain, "grain"),
            start=_date(start, "start") or self._default_start(),
            end=_date(end, "end") or self._default_end(),
            by=by.lower() if by else None,
            level=_enum(Level, level, "level"),
            currency=currency.upper() if currency else None,
            fiscal_year_start=fiscal_year_start,
        )
        self._check_attributes([request.by] if request.by else [])
        assert request.start is not None and request.end is not None
        spine = periods.periods(
            request.grain, request.start, request.end, request.fiscal_year_start
        )
        reporting = request.currency or self.staged.base_currency
        if request.currency and request.currency != self.staged.base_currency and spine:
            self._check_currency(request.currency, spine[0].start)
        grid = core.CohortGrid.build(spine, request.grain, request.end)
        if not grid.cells:
            raise ConfigError(
                f"no whole {request.grain.value} cohort lies inside [{request.start}, "
                f"{request.end}); widen --from/--to"
            )
        expr = core.cohorts_expr(self.sources, request, grid, reporting)
        groups = [request.by] if request.by else []
        table = core.finish(
            self.backend.execute(expr), groups, ["cohort", *groups, "age"], leading=()
        )
        return CohortTable(table, request, reporting)

    def explain(self, request: ReportRequest) -> str:
        """The definitions in force and the SQL the engine runs for ``request``."""
        from nrr import engine as core

        spine = self.periods(request)
        reporting = request.currency or self.staged.base_currency
        return core.explain(
            self.backend, self.sources, request, spine, reporting, self.staged.base_currency
        )

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
        self._check_attributes([*request.by, *(name for name, _ in request.filters)])
        currency = request.currency
        spine = self.periods(request)
        if currency and currency != self.staged.base_currency and spine:
            self._check_currency(currency, spine[0].start)

    def _check_attributes(self, asked: Sequence[str]) -> None:
        known = set(self.staged.attributes) | {PRODUCT}
        unknown = [name for name in asked if name not in known]
        if unknown:
            raise ConfigError(
                f"unknown attribute {unknown[0]!r}; available: "
                + ", ".join(sorted(known))
            )

    def _check_currency(self, currency: str, first: date) -> None:
        fx = self.staged.fx_rates.to_pandas()
        dates = fx.loc[fx["currency"] == currency, "valid_from"]
        if dates.empty:
            raise ConfigError(
                f"cannot report in {currency}: fx_rates has no {currency} rate "
                f"(currencies with rates: {', '.join(sorted(set(fx['currency'])))})"
            )
        if min(dates) > first:
            raise ConfigError(
                f"cannot report in {currency}: no {currency} rate in force on "
                f"{first.isoformat()} (first rate {min(dates).isoformat()})"
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


def load(
    path: str | Path,
    *,
    engine: str = "duckdb",
    session: Any = None,
    master: str | None = None,
    engine_name: str | None = None,
) -> Dataset:
    """Read and validate a dataset: a folder of CSV/Parquet files, a DuckDB file, or a
    ``postgresql://user@host/db?schema=billing`` URL (kept a string: ``Path`` would fold
    its ``//``).

    ``engine="spark"`` computes on PySpark: pass your own ``session`` (a SparkSession), or
    a ``master`` URL (``local[2]`` by default, ``spark://host:7077`` for a cluster).
    ``engine_name`` is the same as ``engine``, kept for callers of earlier versions.

    Raises ``InputError`` listing every problem of the data, in which case nothing is
    computed, and ``ConfigError`` when the source cannot be opened.
    """
    staged = read_dataset(path if isinstance(path, str) else Path(path))
    # Validation's temporary arrays are freed but stay with Arrow's allocator; hand them
    # back before the engine needs memory (about 400 MB at 1M customers).
    pa.default_memory_pool().release_unused()
    # The engine (Ibis, DuckDB) is imported only now: ``nrr validate`` and data that fails
    # the rules never pay for it. (Importing it on a second thread while the files are read
    # was tried: the imports hold the GIL and slowed the reading as much as they saved.)
    from nrr import engine as core

    options = {k: v for k, v in (("session", session), ("master", master)) if v is not None}
    return Dataset(staged, core.connect(engine_name or engine, **options))


__all__ = ["CohortTable", "CustomerTable", "Dataset", "Report", "load"]
