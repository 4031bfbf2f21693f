"""The period report: one request in, one Arrow table of report rows (docs/definitions.md) out."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from nrr.definitions import (
    COUNT_METRICS,
    PERCENT_METRICS,
    PRODUCT,
    REPORT_METRICS,
    FxMode,
    Period,
    ReportRequest,
)
from nrr.engine import attributes, fx, metrics, movements, totals
from nrr.engine.changepoints import Instants
from nrr.engine.mrr import (
    converted_levels,
    first_positive,
    native_snapshots,
    normalized,
    unit_keys,
    units,
)
from nrr.engine.sources import KEY, NO_VALUE, Sources

REPORT_COLUMNS = ("period_start", "period_end")


def spine(periods: Sequence[Period]) -> tuple[pa.Table, pa.Table]:
    """The periods and the distinct instants (their bounds) as small Arrow tables."""
    instants = sorted({p.start for p in periods} | {p.end for p in periods})
    return (
        pa.table(
            {
                "period_start": pa.array([p.start for p in periods], pa.date32()),
                "period_end": pa.array([p.end for p in periods], pa.date32()),
            }
        ),
        pa.table({"t": pa.array(instants, pa.date32())}),
    )


def unit_movements(
    sources: Sources,
    request: ReportRequest,
    periods: Sequence[Period],
    reporting: str,
    only: ir.Table | None = None,
) -> tuple[ir.Table, list[str]]:
    """Every unit's m0, m1, category and group values per period; the drill-down's source.

    ``only`` (a table of ``unit`` ids) restricts it to those units.
    """
    period_data, instant_data = spine(periods)
    instant_spine = Instants.build(sources.backend.small, instant_data.column("t").to_pylist())
    period_table = sources.backend.small(period_data)
    instant_table = sources.backend.small(instant_data)
    by_product = PRODUCT in request.by
    keys = unit_keys(by_product)
    lines = normalized(sources.lines)
    for attribute, value in request.filters:
        if attribute == PRODUCT:
            lines = lines.filter(lines.product == value)
    keyed = units(lines, sources.customers, request.level, by_product)
    if only is not None:
        keyed = keyed.semi_join(only, "unit")
    rates = fx.rates_at(sources.fx_rates, instant_table, reporting)
    if request.fx is FxMode.CONSTANT:
        native = native_snapshots(keyed, instant_spine, keys)
        both = movements.per_period(native, period_table, [*keys, "currency"])
        values = movements.convert_at_start(both, rates, keys)
    else:
        levels = converted_levels(keyed, instant_spine, rates, keys)
        values = movements.per_period(levels, period_table, keys)
    rows = metrics.classify(values, first_positive(keyed, keys), keys)
    columns = attribute_columns(request)
    customers, history = sources.customers, sources.history
    if only is not None:  # look up only their attributes: a hash table of theirs, not all
        customers = customers.semi_join(only, customers.customer_id == only.unit)
        history = history.semi_join(only, history.customer_id == only.unit)
    # Each attribute is attached once (attaching the same one twice would join two identical
    # interval tables, which Ibis rightly calls ambiguous); filters reuse grouping columns.
    for attribute, column in columns.items():
        rows = attributes.attach(rows, customers, history, attribute, column)
    for attribute, value in request.filters:
        if attribute != PRODUCT:
            rows = rows.filter(rows[columns[attribute]] == ibis.literal(value, "string"))
    helpers = [c for a, c in columns.items() if a not in request.by]
    return (rows.drop(*helpers) if helpers else rows), list(request.by)


def period_sums(
    sources: Sources, request: ReportRequest, periods: Sequence[Period], reporting: str
) -> ir.Table:
    """The report sums per period and group, without a row per unit and period where
    possible (engine/totals.py).

    Products are part of the unit. Attributes are too, for the units whose attributes hold
    still from the first period start to the last: those are nearly all units, as
    attributes change rarely. The few others take the per-unit path, which looks their
    attributes up at every period start.
    """
    columns = attribute_columns(request)
    if not columns:
        return _totals(sources, request, periods, reporting, list(request.by))
    starts = [p.start for p in periods]
    moving = attributes.varying(sources.history, list(columns), min(starts), max(starts))
    steady = attributes.profile(
        sources.customers, sources.history, columns, min(starts), moving
    )
    groups = [columns.get(g, g) for g in request.by]
    helpers = [c for a, c in columns.items() if a not in request.by]
    sums = _totals(sources, request, periods, reporting, [*groups, *helpers], steady)
    for attribute, value in request.filters:
        if attribute in columns:
            sums = sums.filter(sums[columns[attribute]] == ibis.literal(value, "string"))
    rows, _ = unit_movements(
        sources, request, periods, reporting, only=moving.select(unit="customer_id")
    )
    rows = rows.mutate(
        **{c: rows[c].fill_null(NO_VALUE) for c in columns.values() if c in groups}
    )
    return totals.sum_parts([metrics.sums_of(rows, groups), sums], groups)


def attribute_columns(request: ReportRequest) -> dict[str, str]:
    """Attribute -> its column: the attribute's name when grouped by, else a helper column
    (as ``unit_movements`` names them)."""
    columns = {a: a for a in request.by if a != PRODUCT}
    for attribute, _ in request.filters:
        if attribute != PRODUCT:
            columns.setdefault(attribute, f"_filter_{attribute}")
    return columns


def _totals(
    sources: Sources,
    request: ReportRequest,
    periods: Sequence[Period],
    reporting: str,
    groups: list[str],
    steady: ir.Table | None = None,
) -> ir.Table:
    """The totals path; ``steady`` (KEY plus attribute columns) adds those columns to the
    unit and keeps only its units."""
    instant_data = spine(periods)[1]
    dates = instant_data.column("t").to_pylist()
    instant_spine = Instants.build(sources.backend.small, dates)
    by_product = PRODUCT in request.by
    keys = unit_keys(by_product)
    lines = normalized(sources.lines)
    for attribute, value in request.filters:
        if attribute == PRODUCT:
            lines = lines.filter(lines[attribute] == value)
    keyed = units(totals.coded(lines), sources.customers, request.level, by_product, True)
    if steady is not None:
        keyed = keyed.join(steady, keyed.unit == steady[KEY]).drop(KEY)
        keys = [*keys, *(c for c in steady.columns if c != KEY)]
    rates = totals.coded_rates(sources, sources.backend.small(instant_data), reporting)
    return totals.totals_expr(
        keyed,
        instant_spine,
        totals.PeriodIndex.build(periods, dates),
        sources.backend.small,
        rates,
        keys,
        groups,
        request.fx,
    )


def report_expr(
    sources: Sources, request: ReportRequest, periods: Sequence[Period], reporting: str
) -> ir.Table:
    table = period_sums(sources, request, periods, reporting)
    groups = list(request.by)
    if not groups:  # ungrouped: every period has a row, even when nothing is active
        period_table = sources.backend.small(spine(periods)[0])
        joined = period_table.left_join(table, ["period_start", "period_end"])
        table = joined.select(
            "period_start",
            "period_end",
            **{
                m: joined[m].fill_null(0 if m in COUNT_METRICS else 0.0)
                for m in REPORT_METRICS
                if m not in PERCENT_METRICS
            },
        )
    table = metrics.ratios(table)
    return table.select(*REPORT_COLUMNS, *groups, *REPORT_METRICS)


def finish(
    result: pa.Table,
    groups: Sequence[str],
    order: Sequence[str] | None = None,
    leading: Sequence[str] = REPORT_COLUMNS,
) -> pa.Table:
    """Sort (null groups first) and turn the null sentinel back into null."""
    for column in {*groups, PRODUCT} & set(result.column_names):
        values = result[column]
        index = result.column_names.index(column)
        result = result.set_column(
            index, column, pc.if_else(pc.equal(values, NO_VALUE), None, values)
        )
    columns = [*leading, *(groups if order is None else order)]
    keys = [(c, "ascending", "at_start") for c in columns]
    order = pc.sort_indices(result, sort_keys=keys)
    return result.take(order)
