"""The period report: one plan in (engine/plan.py), one Arrow table of report rows
(docs/definitions.md) out."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from nrr.definitions import COUNT_METRICS, PERCENT_METRICS, PRODUCT, REPORT_METRICS, FxMode
from nrr.engine import attributes, fx, metrics, movements, totals
from nrr.engine.mrr import (
    converted_levels,
    first_positive,
    native_snapshots,
    normalized,
    units,
)
from nrr.engine.plan import Plan
from nrr.engine.sources import KEY, NO_VALUE, Sources

REPORT_COLUMNS = ("period_start", "period_end")


def unit_movements(
    sources: Sources, plan: Plan, only: ir.Table | None = None
) -> tuple[ir.Table, list[str]]:
    """Every unit's m0, m1, category and group values per period; the drill-down's source.

    ``only`` (a table of ``unit`` ids) restricts it to those units.
    """
    keys = list(plan.keys)
    keyed = units(selected_lines(sources, plan), sources.customers, plan.level, plan.by_product)
    if only is not None:
        keyed = keyed.semi_join(only, "unit")
    rates = fx.rates_at(sources.fx_rates, plan.instant_table, plan.currency)
    if plan.fx is FxMode.CONSTANT:
        native = native_snapshots(keyed, plan.numbered_instants, keys)
        both = movements.per_period(native, plan.period_table, [*keys, "currency"])
        values = movements.convert_at_start(both, rates, keys)
    else:
        levels = converted_levels(keyed, plan.numbered_instants, rates, keys)
        values = movements.per_period(levels, plan.period_table, keys)
    rows = metrics.classify(values, first_positive(keyed, keys), keys)
    customers, history = sources.customers, sources.history
    if only is not None:  # look up only their attributes: a hash table of theirs, not all
        customers = customers.semi_join(only, customers.customer_id == only.unit)
        history = history.semi_join(only, history.customer_id == only.unit)
    # Each attribute is attached once (attaching the same one twice would join two identical
    # interval tables, which Ibis rightly calls ambiguous); filters reuse grouping columns.
    for attribute, column in plan.columns:
        rows = attributes.attach(rows, customers, history, attribute, column)
    for column, value in plan.attribute_filters:
        rows = rows.filter(rows[column] == ibis.literal(value, "string"))
    return (rows.drop(*plan.helpers) if plan.helpers else rows), plan.groups


def selected_lines(sources: Sources, plan: Plan) -> ir.Table:
    """The lines with their monthly value, in the request's products only."""
    lines = normalized(sources.lines)
    for value in plan.products:
        lines = lines.filter(lines[PRODUCT] == value)
    return lines


def period_sums(sources: Sources, plan: Plan) -> ir.Table:
    """The report sums per period and group, without a row per unit and period where
    possible (engine/totals.py).

    Products are part of the unit. Attributes are too, for the units whose attributes hold
    still from the first period start to the last: those are nearly all units, as
    attributes change rarely. The few others take the per-unit path, which looks their
    attributes up at every period start.
    """
    columns = plan.column_of
    if not columns:
        return _totals(sources, plan, plan.groups)
    starts = [p.start for p in plan.computed]
    moving = attributes.varying(sources.history, list(columns), min(starts), max(starts))
    steady = attributes.profile(sources.customers, sources.history, columns, min(starts), moving)
    groups = [columns.get(g, g) for g in plan.groups]
    sums = _totals(sources, plan, [*groups, *plan.helpers], steady)
    for column, value in plan.attribute_filters:
        sums = sums.filter(sums[column] == ibis.literal(value, "string"))
    rows, _ = unit_movements(sources, plan, only=moving.select(unit="customer_id"))
    rows = rows.mutate(**{c: rows[c].fill_null(NO_VALUE) for c in columns.values() if c in groups})
    return totals.sum_parts([metrics.sums_of(rows, groups), sums], groups)


def _totals(
    sources: Sources, plan: Plan, groups: list[str], steady: ir.Table | None = None
) -> ir.Table:
    """The totals path; ``steady`` (KEY plus attribute columns) adds those columns to the
    unit and keeps only its units."""
    keys = list(plan.keys)
    lines = totals.coded(selected_lines(sources, plan))
    keyed = units(lines, sources.customers, plan.level, plan.by_product, True)
    if steady is not None:
        keyed = keyed.join(steady, keyed.unit == steady[KEY]).drop(KEY)
        keys = [*keys, *(c for c in steady.columns if c != KEY)]
    rates = totals.coded_rates(sources, plan.instant_table, plan.currency)
    return totals.totals_expr(
        keyed,
        plan.numbered_instants,
        totals.PeriodIndex.build(plan.computed, plan.instants),
        sources.backend.small,
        rates,
        keys,
        groups,
        plan.fx,
    )


def report_expr(sources: Sources, plan: Plan) -> ir.Table:
    table = period_sums(sources, plan)
    groups = plan.groups
    if not groups:  # ungrouped: every period has a row, even when nothing is active
        joined = plan.period_table.left_join(table, ["period_start", "period_end"])
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
