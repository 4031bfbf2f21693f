"""The public Python API: ``nrr.load(path).report(...)``.

Everything the CLI and the web dashboard show goes through ``Dataset.run`` with one frozen
request (a ``ReportRequest``, a ``CustomersRequest`` for the drill-down or a
``CohortRequest``), so a number cannot differ between a notebook and the terminal. The
keyword helpers (``report``, ``customers``, ``cohorts``, ``request``) only build that
request (``nrr.api_requests``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import pyarrow as pa

from nrr import api_requests
from nrr.api_requests import keywords_of, resolved
from nrr.data_values import unmatched_filters
from nrr.dataset import Issue, StagedData, read_dataset
from nrr.dataset.mapping import Mapping as ColumnMapping
from nrr.dataset.mapping import find_mapping, load_mapping
from nrr.definitions import (
    CohortRequest,
    CustomersRequest,
    FxMode,
    Grain,
    Level,
    Method,
    Period,
    ReportRequest,
    Unit,
)
from nrr.errors import RequestError
from nrr.results import CohortTable, CustomerTable, Report, marked_scheduled

if TYPE_CHECKING:
    from nrr.engine import Backend, Plan, Sources

AnyRequest = ReportRequest | CustomersRequest | CohortRequest


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

    @property
    def as_of(self) -> date:
        """The data's as-of date: the first month start on or after its latest line start
        (or event). A period ending after it holds only scheduled movements
        (docs/definitions.md, "Scheduled is not happened")."""
        return api_requests.default_end(self.staged)

    def __repr__(self) -> str:
        s = self.staged
        return (
            f"<Dataset {s.source} ({s.revenue_table}): {s.table_rows.get('customers', 0)} "
            f"customers, {s.table_rows.get(s.revenue_table, 0)} {s.revenue_table} rows, "
            f"{s.first_date} to {s.last_date}, base currency {s.base_currency}>"
        )

    # --- requests in, results out ----------------------------------------------------------
    @overload
    def run(self, request: ReportRequest) -> Report: ...
    @overload
    def run(self, request: CustomersRequest) -> CustomerTable: ...
    @overload
    def run(self, request: CohortRequest) -> CohortTable: ...

    def run(self, request: AnyRequest) -> Report | CustomerTable | CohortTable:
        """Compute a request: the one entry point behind the keyword helpers, the CLI and
        the web layer.

        A range left open (``start``/``end`` None) spans the data; the request is checked
        against the data (its attributes, its currency's rates) before anything runs.
        """
        if isinstance(request, CustomersRequest):
            return self._customers(request)
        if isinstance(request, CohortRequest):
            return self._cohorts(request)
        return self._report(self.resolve(request))

    def unmatched_filters(self, request: ReportRequest) -> list[tuple[str, str]]:
        """The filters of ``request`` whose value occurs nowhere in the data (a likely typo:
        such a filter gives a report of zeros)."""
        return unmatched_filters(self.staged, request)

    def resolve(self, request: ReportRequest) -> ReportRequest:
        """``request`` with the data's range where it has none, checked against the data."""
        return resolved(self.staged, request)

    @keywords_of(api_requests.report_request)
    def request(self, built: ReportRequest) -> ReportRequest:
        """Build and check a request, filling the date range from the data."""
        return self.resolve(built)

    @keywords_of(api_requests.report_request)
    def report(self, request: ReportRequest) -> Report:
        """NRR, GRR and the MRR bridge per period (and group): docs/definitions.md.

        Takes ``request``'s keywords; the same as ``run(request(...))``.
        """
        return self._report(self.resolve(request))

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
        unit: str | Unit = Unit.MRR,
    ) -> CustomerTable:
        """The units behind a report: their MRR at both ends, the change and its category.

        For every report row, the sums of these rows are its figures. With ``lines``, the
        subscription lines (or events) active at either end of each listed period instead.
        The same as ``run(CustomersRequest(request(...), categories, lines))``.
        """
        report = self.request(
            period, start, end, by, level, filters, currency, fiscal_year_start, fx=fx, unit=unit
        )
        categories = [category] if isinstance(category, str) else list(category or ())
        return self._customers(CustomersRequest(report, tuple(categories), lines), report)

    def cohorts(
        self,
        grain: str | Grain = Grain.MONTH,
        start: date | str | None = None,
        end: date | str | None = None,
        by: str | None = None,
        level: str | Level = Level.ACCOUNT,
        currency: str | None = None,
        fiscal_year_start: int = 1,
        unit: str | Unit = Unit.MRR,
    ) -> CohortTable:
        """Acquisition cohorts: customers, MRR and NRR by cohort and age (docs/definitions.md).

        The same as ``run(CohortRequest(...))``.
        """
        return self._cohorts(
            api_requests.cohort_request(
                grain, start, end, by, level, currency, fiscal_year_start, unit
            )
        )

    def explain(self, request: ReportRequest) -> str:
        """The definitions in force and the SQL the engine runs for ``request``."""
        from nrr import engine as core

        request = self.resolve(request)
        plan = self._plan(request, self.periods(request))
        return core.explain(self.backend, self.sources, plan, self.staged.base_currency)

    def totals(self, report: Report) -> Report | None:
        """What a "Total" row shows under a report.

        Grouped: the ungrouped report of the same periods and filters (the whole population,
        so an account with two products counts once). Ungrouped, several month, quarter or
        year periods: one period spanning them all. A ttm report has no total: its windows
        overlap.
        """
        request = report.request
        if request.by:
            return self._report(replace(request, by=()), report.periods)
        if request.grain is Grain.TTM or len(report.periods) < 2:
            return None
        whole = Period(report.periods[0].start, report.periods[-1].end, "Total")
        return self._report(request, [whole])

    def periods(self, request: ReportRequest | CohortRequest) -> list[Period]:
        """The whole periods of a request whose range is filled in (see ``request``)."""
        return api_requests.spine(request)

    # --- the three computations, on resolved requests -------------------------------------
    def _plan(self, request: ReportRequest, spine: Sequence[Period]) -> Plan:
        from nrr import engine as core

        currency = request.currency or self.staged.base_currency
        return core.Plan.resolve(self.sources, request, spine, currency)

    def _report(self, request: ReportRequest, spine: Sequence[Period] | None = None) -> Report:
        """``request``'s report; ``spine`` overrides its periods (for whole-range totals)."""
        from nrr import engine as core

        plan = self._plan(request, self.periods(request) if spine is None else spine)
        expr = core.report_expr(self.sources, plan)
        if not plan.periods:
            empty = core.in_unit(self.backend.execute(expr.limit(0)), request.unit)
            return Report(empty, request, (), plan.currency, self.as_of)
        table = core.finish(self.backend.execute(expr), request.by)
        if request.method is Method.COMPOUNDED and request.grain is not Grain.MONTH:
            table = core.compound(table, self._monthly(request, plan.periods).table, request.by)
        table = marked_scheduled(core.in_unit(table, request.unit), self.as_of)
        return Report(table, request, plan.periods, plan.currency, self.as_of)

    def _monthly(self, request: ReportRequest, spine: Sequence[Period]) -> Report:
        """The snapshot monthly report covering ``spine``, for the compounded method."""
        monthly = replace(
            request,
            grain=Grain.MONTH,
            method=Method.SNAPSHOT,
            unit=Unit.MRR,  # only its ratios are read
            start=min(p.start for p in spine),
            end=max(p.end for p in spine),
        )
        return self._report(monthly)

    def _customers(
        self, request: CustomersRequest, report: ReportRequest | None = None
    ) -> CustomerTable:
        """The drill-down; ``report`` is ``request.report`` when already resolved."""
        from nrr import engine as core

        report = report or self.resolve(request.report)
        plan = self._plan(report, self.periods(report))
        expr = core.customers_expr(self.sources, plan, request.categories)
        if request.lines:
            expr = core.lines_expr(expr, self.sources, plan)
        if not plan.periods:  # like an empty report: the columns, no rows
            empty = core.in_unit(self.backend.execute(expr.limit(0)), report.unit)
            return CustomerTable(empty, report, (), plan.currency, self.as_of)
        unit = core.unit_column(report.level)
        order = [*report.by, unit, *(["start_date"] if request.lines else [])]
        table = core.finish(self.backend.execute(expr), report.by, order)
        table = marked_scheduled(core.in_unit(table, report.unit), self.as_of)
        return CustomerTable(table, report, plan.periods, plan.currency, self.as_of)

    def _cohorts(self, request: CohortRequest) -> CohortTable:
        from nrr import engine as core

        request = resolved(self.staged, request)
        assert request.start is not None and request.end is not None
        reporting = request.currency or self.staged.base_currency
        grid = core.CohortGrid.build(self.periods(request), request.grain, request.end)
        if not grid.cells:
            raise RequestError(
                "cohort-none",
                "no whole {grain} cohort lies inside [{first}, {last}); widen {start}/{end}",
                ("start", "end"),
                {"grain": request.grain.value, "first": request.start, "last": request.end},
            )
        expr = core.cohorts_expr(self.sources, request, grid, reporting)
        groups = [request.by] if request.by else []
        table = core.finish(
            self.backend.execute(expr), groups, ["cohort", *groups, "age"], leading=()
        )
        # A cell is measured at its instant: scheduled when that lies after the as-of date.
        instants = {(cohort, age): t for cohort, age, t in grid.cells}
        keys = zip(table.column("cohort").to_pylist(), table.column("age").to_pylist(), strict=True)
        table = marked_scheduled(table, self.as_of, [instants.get(key) for key in keys])
        return CohortTable(core.in_unit(table, request.unit), request, reporting, self.as_of)


def load(
    path: str | Path,
    *,
    engine: str = "duckdb",
    session: Any = None,
    master: str | None = None,
    engine_name: str | None = None,
    mapping: str | Path | ColumnMapping | None = None,
) -> Dataset:
    """Read and validate a dataset: a folder of CSV/Parquet files, a DuckDB file, or a
    ``postgresql://user@host/db?schema=billing`` URL (kept a string: ``Path`` would fold
    its ``//``).

    ``engine="spark"`` computes on PySpark: pass your own ``session`` (a SparkSession), or
    a ``master`` URL (``local[2]`` by default, ``spark://host:7077`` for a cluster).
    ``engine_name`` is the same as ``engine``, kept for callers of earlier versions.

    ``mapping``: a column mapping (docs/mapping.md), as a ``mapping.toml`` path or loaded
    with ``nrr.dataset.mapping.load_mapping``; without one, a ``mapping.toml`` in the data
    folder (``<stem>.mapping.toml`` beside a DuckDB file) is used if there is one
    (``Dataset.staged.mapping`` says which was used).

    Raises ``InputError`` listing every problem of the data, in which case nothing is
    computed, and ``ConfigError`` when the source or the mapping cannot be opened.
    """
    if mapping is None:
        mapping = find_mapping(path)
    if mapping is not None and not isinstance(mapping, ColumnMapping):
        mapping = load_mapping(mapping)
    staged = read_dataset(path if isinstance(path, str) else Path(path), mapping)
    # Validation's temporary arrays are freed but stay with Arrow's allocator; hand them
    # back before the engine needs memory (about 400 MB at 1M customers).
    pa.default_memory_pool().release_unused()
    # The engine (Ibis, DuckDB) is imported only now: ``nrr validate`` and data that fails
    # the rules never pay for it. (Importing it on a second thread while the files are read
    # was tried: the imports hold the GIL and slowed the reading as much as they saved.)
    from nrr import engine as core

    options = {k: v for k, v in (("session", session), ("master", master)) if v is not None}
    return Dataset(staged, core.connect(engine_name or engine, **options))


def suggest_mapping(data: str | Path, table: str | None = None) -> str:
    """A proposed ``mapping.toml`` for a folder or one file (docs/mapping.md, ``nrr map
    suggest``): text to read and check, with ``# CHECK:`` comments on every guess."""
    from nrr.dataset.suggest import suggest

    return suggest(Path(data), table)


__all__ = [
    "CohortTable",
    "CustomerTable",
    "Dataset",
    "Report",
    "find_mapping",
    "load",
    "load_mapping",
    "suggest_mapping",
]
