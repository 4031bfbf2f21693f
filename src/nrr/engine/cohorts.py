"""Acquisition cohorts: each unit belongs to the period of its first MRR > 0.

Shape: the (cohort, age, instant) grid is small and built in Python; the per-unit work is
one range join of each unit's first instant with the (few) cohort periods, and one
equality join of the change points with the unit's cohort. Change points are summed per
cohort before being accumulated to the measuring instants, so no unit x age (or unit x
instant) table is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from nrr.definitions import PRODUCT, CohortRequest, Grain, Period
from nrr.engine import attributes, metrics, totals
from nrr.engine.changepoints import Instants, change_points, expand, levels, steps
from nrr.engine.mrr import normalized, unit_keys, units
from nrr.engine.sources import NO_VALUE, Sources
from nrr.periods import month_index, month_start

COHORT_COLUMNS = (
    "customers",
    "customers_active",
    "initial_mrr",
    "mrr",
    "nrr",
    "logo_retention",
)


@dataclass(frozen=True)
class CohortGrid:
    """Cohort periods, and for each one the ages measured before ``end``."""

    cohorts: tuple[Period, ...]
    cells: tuple[tuple[date, int, date], ...]  # (cohort start, age, measuring instant)

    @classmethod
    def build(cls, cohorts: Sequence[Period], grain: Grain, end: date) -> CohortGrid:
        step = 3 if grain is Grain.QUARTER else 1
        cells = []
        for cohort in cohorts:
            first = month_index(cohort.end)
            for age in range((month_index(end) - first) // step + 1):
                cells.append((cohort.start, age, month_start(first + age * step)))
        return cls(tuple(cohorts), tuple(cells))

    def tables(self) -> tuple[pa.Table, pa.Table, pa.Table]:
        periods = pa.table(
            {
                "cohort": pa.array([c.start for c in self.cohorts], pa.date32()),
                "cohort_end": pa.array([c.end for c in self.cohorts], pa.date32()),
            }
        )
        cells = pa.table(
            {
                "cohort": pa.array([c[0] for c in self.cells], pa.date32()),
                "age": pa.array([c[1] for c in self.cells], pa.int64()),
                "t": pa.array([c[2] for c in self.cells], pa.date32()),
            }
        )
        instants = pa.table({"t": pa.array(sorted({c[2] for c in self.cells}), pa.date32())})
        return periods, cells, instants


def cohorts_expr(
    sources: Sources, request: CohortRequest, grid: CohortGrid, reporting: str
) -> ir.Table:
    """``cohort, age, [group], customers, customers_active, initial_mrr, mrr, nrr, ...``."""
    period_data, cell_data, instant_data = grid.tables()
    periods = sources.backend.small(period_data)
    cells = sources.backend.small(cell_data)
    by_product = request.by == PRODUCT
    keys = unit_keys(by_product)
    # Integer unit keys unless an attribute is looked up by customer id.
    numbered = not request.by or by_product
    lines = totals.coded(normalized(sources.lines))
    keyed = units(lines, sources.customers, request.level, by_product, numbered)
    members = _members(totals.unit_facts(keyed, keys), periods, keys)
    groups: list[str] = []
    if request.by and not by_product:
        members = attributes.attach(
            members, sources.customers, sources.history, request.by, request.by, at="first_start"
        )
        members = members.mutate(**{request.by: members[request.by].fill_null(NO_VALUE)})
    if request.by:
        groups = [request.by]
    dates = instant_data.column("t").to_pylist()
    instants = Instants.build(sources.backend.small, dates)
    rates = totals.coded_rates(sources, sources.backend.small(instant_data), reporting)
    values = _values(keyed, members, cells, instants, rates, keys, groups)
    sizes = members.group_by(["cohort", *groups]).aggregate(customers=members.count().cast("int64"))
    triangle = sizes.join(cells.select("cohort", "age"), "cohort")
    full = triangle.left_join(values, ["cohort", *groups, "age"]).select(
        "cohort",
        "age",
        *groups,
        "customers",
        customers_active=ibis.coalesce(values.customers_active, 0),
        mrr=ibis.coalesce(values.mrr, ibis.literal(0.0, "float64")),
    )
    return _ratios(full, groups)


def _values(
    keyed: ir.Table,
    members: ir.Table,
    cells: ir.Table,
    instants: Instants,
    rates: ir.Table,
    keys: list[str],
    groups: list[str],
) -> ir.Table:
    """``(cohort, groups, age, customers_active, mrr)`` without a unit x instant table.

    A cohort's MRR at ``t`` is the sum of its members' levels there, and a sum of levels is
    the running sum of their changes: so change points are summed per (cohort, currency,
    instant) first, and only those few sums are accumulated and converted. Members with
    lines in several currencies are counted active once, so they take the per-instant path.
    """
    columns = list(dict.fromkeys([*keys, "cohort", *groups, "multi_currency"]))
    changes = change_points(keyed, instants, keys).join(members.select(*columns), keys)
    moves = steps(changes, keys)
    one_currency = moves.filter(~moves.multi_currency)
    flows = totals.net_flows(one_currency, ["cohort", *groups, "currency"])
    indexed = cells.join(instants.table, "t")
    so_far = flows.join(indexed, [flows.cohort == indexed.cohort, flows.i <= indexed.i])
    at_cells = so_far.group_by(["cohort", *groups, "age", "currency", "t"]).aggregate(
        value=so_far.value.sum(), units=so_far.units.sum()
    )
    priced = at_cells.join(rates, ["currency", "t"])
    one_currency_values = priced.group_by(["cohort", *groups, "age"]).aggregate(
        customers_active=priced.units.sum(), mrr=(priced.value * priced.factor).sum()
    )
    native = expand(levels(moves.filter(moves.multi_currency), keys), instants, keys)
    converted = native.join(rates, ["currency", "t"]).select(
        *keys, "t", mrr=native.mrr * rates.factor
    )
    per_unit = converted.group_by([*keys, "t"]).aggregate(mrr=converted.mrr.sum())
    multi = members.filter(members.multi_currency)  # before the join: cells x members is 23M
    active = per_unit.filter(per_unit.mrr > 0).join(multi, keys).join(cells, ["cohort", "t"])
    multi_values = active.group_by(["cohort", *groups, "age"]).aggregate(
        customers_active=active.count().cast("int64"), mrr=active.mrr.sum()
    )
    both = one_currency_values.union(
        multi_values.select(*one_currency_values.columns), distinct=False
    )
    return both.group_by(["cohort", *groups, "age"]).aggregate(
        customers_active=both.customers_active.sum().cast("int64"),
        mrr=both.mrr.sum().cast("float64"),
    )


def _members(facts: ir.Table, periods: ir.Table, keys: list[str]) -> ir.Table:
    """Units whose first MRR > 0 falls inside a listed cohort period, with that cohort."""
    joined = facts.join(
        periods,
        [periods.cohort <= facts.first_start, periods.cohort_end > facts.first_start],
    )
    return joined.select(*keys, "first_start", "cohort", "multi_currency")


def _ratios(full: ir.Table, groups: list[str]) -> ir.Table:
    """Each row's NRR against its cohort's age-0 MRR.

    A window, not a self-join: joining ``full`` to a filtered copy of itself makes Ibis
    resolve both sides' ``mrr`` to the same column, which silently gives NRR 100 everywhere.
    """
    zero = ibis.literal(0.0, "float64")
    window = ibis.window(group_by=[full.cohort, *(full[g] for g in groups)])
    joined = full.mutate(initial_mrr=ibis.ifelse(full.age == 0, full.mrr, zero).max().over(window))
    return metrics.cohort_ratios(joined).select("cohort", "age", *groups, *COHORT_COLUMNS)
