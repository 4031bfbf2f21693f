"""Every number's definition, once: the movement categories, the period sums and the ratios.

Why one module: "where is churn defined?" must have one answer (docs/definitions.md,
"Movements of a period" and "Where each number is computed"). Every path that produces a
figure calls into here: the general per-unit path (``categorize``, ``sums_of``), the totals
path's units that only move with their currency (``uniform_sums``), cohorts
(``cohort_ratios``), the report (``ratios``), the compounded method (``compounded``), the
pandas callers in ``nrr.insights`` (``nrr_of``, ``grr_of``, ``percent``), and ARR
(``in_unit``: every amount of a result times ``MONTHS_PER_YEAR``). Why not
``movements.py``: that module pairs MRR snapshots into ``(m0, m1)`` per period, which is
plumbing, not a definition.

The ratio formulas are plain arithmetic written once (``percent``, ``nrr_of``, ``grr_of``,
``logo_retention_of``): the Ibis builders call them with column expressions, the insights
with pandas columns, anyone with floats, so the formula text cannot drift between them.
Whether a ratio is defined (a non-empty cohort) is said in each caller's own terms: null in
SQL, NaN in pandas.

The interpretation bands of an NRR figure are ``nrr.definitions.Band``: the CLI's --help
path imports them, and this module needs Ibis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from nrr.definitions import Unit

if TYPE_CHECKING:
    import pandas as pd

# Sums of the same floats in another order differ in the last bits; a unit whose MRR did
# not change must not show as a sliver of expansion or contraction.
RELATIVE_TOLERANCE = 1e-9

# A number, a pandas column or (untyped, so any) an Ibis column expression.
Amount = TypeVar("Amount", float, "pd.Series[float]")

ZERO = ibis.literal(0.0, "float64")
NULL = ibis.null().cast("float64")


# --- the ratios as arithmetic ---------------------------------------------------------------
def percent(part: Amount, whole: Amount) -> Amount:
    """``part`` as a percentage of ``whole``: the shape of every ratio and rate."""
    return part / whole * 100.0


def nrr_of(starting_mrr: Amount, ending_mrr: Amount) -> Amount:
    """NRR: what the starting cohort pays at t1, over what it paid at t0."""
    return percent(ending_mrr, starting_mrr)


def grr_of(starting_mrr: Amount, contraction_mrr: Amount, churn_mrr: Amount) -> Amount:
    """GRR: the starting MRR the cohort kept (expansion does not count), over it."""
    return percent(starting_mrr - contraction_mrr - churn_mrr, starting_mrr)


def logo_retention_of(customers_start: Amount, customers_churned: Amount) -> Amount:
    """Logo retention: the share of the starting cohort's units that did not churn."""
    return percent(customers_start - customers_churned, customers_start)


def compounded(ratios: Sequence[float | None]) -> float | None:
    """The compounded method: the product of monthly ratios (in %); None when one is
    missing or undefined (NaN)."""
    result = 1.0
    for ratio in ratios:
        if ratio is None or ratio != ratio:
            return None
        result *= ratio / 100.0
    return result * 100.0


# --- the movement categories ----------------------------------------------------------------
def moved(before: ir.NumericValue, after: ir.NumericValue) -> tuple[ir.Value, ir.Value]:
    """``(up, down)``: ``after`` above or below ``before`` by more than the tolerance.

    Of a unit's MRR for expansion and contraction; of an exchange rate for the units the
    totals path knows only move with their currency (``uniform_sums``).
    """
    tolerance = before * RELATIVE_TOLERANCE
    return after > before + tolerance, after < before - tolerance


def categorize(rows: ir.Table) -> ir.Table:
    """Add ``category`` to rows of ``(period_start, m0, m1, first_start)``: churn,
    expansion, contraction, flat for the starting cohort (m0 > 0), else reactivation when
    the unit paid before the period, else new."""
    in_cohort = rows.m0 > 0
    up, down = moved(rows.m0, rows.m1)
    category = ibis.cases(
        (in_cohort & (rows.m1 == 0), "churn"),
        (in_cohort & up, "expansion"),
        (in_cohort & down, "contraction"),
        (in_cohort, "flat"),
        (rows.first_start < rows.period_start, "reactivation"),
        else_="new",
    )
    return rows.mutate(category=category)


def classify(rows: ir.Table, first: ir.Table, keys: list[str]) -> ir.Table:
    """``categorize`` rows that lack ``first_start``: ``first`` is ``(keys, first_start)``."""
    return categorize(rows.left_join(first, keys).select(*rows.columns, "first_start"))


# --- the period sums ------------------------------------------------------------------------
def _sum_if(rows: ir.Table, category: str, value: ir.Value) -> ir.Value:
    return ibis.ifelse(rows.category == category, value, ZERO).sum()


def _count_if(rows: ir.Table, category: str) -> ir.Value:
    return ibis.ifelse(rows.category == category, 1, 0).sum().cast("int64")


def sums_of(
    rows: ir.Table, groups: list[str], extra: dict[str, ir.Value] | None = None
) -> ir.Table:
    """One row per period and group with the report's sums and counts, from categorized
    unit rows (and ``extra`` aggregates, so a caller needing more from the same rows reads
    them once)."""
    in_cohort = rows.m0 > 0
    return rows.group_by(["period_start", "period_end", *groups]).aggregate(
        **(extra or {}),
        customers_start=ibis.ifelse(in_cohort, 1, 0).sum().cast("int64"),
        starting_mrr=rows.m0.sum(),
        expansion_mrr=_sum_if(rows, "expansion", rows.m1 - rows.m0),
        contraction_mrr=_sum_if(rows, "contraction", rows.m0 - rows.m1),
        churn_mrr=_sum_if(rows, "churn", rows.m0),
        ending_mrr=ibis.ifelse(in_cohort, rows.m1, ZERO).sum(),
        customers_expanded=_count_if(rows, "expansion"),
        customers_contracted=_count_if(rows, "contraction"),
        customers_churned=_count_if(rows, "churn"),
        new_mrr=_sum_if(rows, "new", rows.m1),
        reactivation_mrr=_sum_if(rows, "reactivation", rows.m1),
        customers_new=_count_if(rows, "new"),
        customers_reactivated=_count_if(rows, "reactivation"),
        total_mrr_start=rows.m0.sum(),
        total_mrr_end=rows.m1.sum(),
    )


def uniform_sums(unchanged: ir.Table, groups: list[str]) -> ir.Table:
    """The report's sums of units that pay the same in their own currency at both ends.

    ``unchanged`` holds per period and group the ``units`` and their native ``value``, and
    the currency's factors ``rate_start`` and ``rate_end``. All of them are in the cohort
    and none churns; they all expand or all contract as the rate moves (or stay flat), the
    same ``moved`` rule a unit of its own follows.
    """
    up, down = moved(unchanged.rate_start, unchanged.rate_end)
    at_start = unchanged.value * unchanged.rate_start
    at_end = unchanged.value * unchanged.rate_end
    none = ibis.literal(0, "int64")
    return unchanged.select(
        "period_start",
        "period_end",
        *groups,
        customers_start=unchanged.units,
        starting_mrr=at_start,
        expansion_mrr=ibis.ifelse(up, at_end - at_start, ZERO),
        contraction_mrr=ibis.ifelse(down, at_start - at_end, ZERO),
        churn_mrr=ZERO,
        ending_mrr=at_end,
        customers_expanded=ibis.ifelse(up, unchanged.units, none),
        customers_contracted=ibis.ifelse(down, unchanged.units, none),
        customers_churned=none,
        new_mrr=ZERO,
        reactivation_mrr=ZERO,
        customers_new=none,
        customers_reactivated=none,
        total_mrr_start=at_start,
        total_mrr_end=at_end,
    )


# --- the ratios as columns ------------------------------------------------------------------
def ratios(sums: ir.Table) -> ir.Table:
    """Add NRR, GRR and logo retention; null, never 0, when the starting cohort is empty."""
    has_start = sums.starting_mrr > 0
    customers = sums.customers_start.cast("float64")
    return sums.mutate(
        nrr=ibis.ifelse(has_start, nrr_of(sums.starting_mrr, sums.ending_mrr), NULL),
        grr=ibis.ifelse(
            has_start, grr_of(sums.starting_mrr, sums.contraction_mrr, sums.churn_mrr), NULL
        ),
        logo_retention=ibis.ifelse(
            sums.customers_start > 0,
            logo_retention_of(customers, sums.customers_churned.cast("float64")),
            NULL,
        ),
    )


def cohort_ratios(cells: ir.Table) -> ir.Table:
    """Add a cohort's NRR (its MRR at each age over its ``initial_mrr``, null when that is
    0) and logo retention (its paying members over its members)."""
    return cells.mutate(
        nrr=ibis.ifelse(cells.initial_mrr > 0, nrr_of(cells.initial_mrr, cells.mrr), NULL),
        logo_retention=percent(
            cells.customers_active.cast("float64"), cells.customers.cast("float64")
        ),
    )


# --- the unit of amounts --------------------------------------------------------------------
MONTHS_PER_YEAR = 12

# Every amount column of a result (report, drill-down, its lines, cohorts), named for MRR.
# Counts, ratios and a line's billed ``amount`` (per billing period, not per month) are not.
AMOUNT_COLUMNS = frozenset(
    {
        "starting_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churn_mrr",
        "ending_mrr",
        "new_mrr",
        "reactivation_mrr",
        "total_mrr_start",
        "total_mrr_end",
        "mrr_start",
        "mrr_end",
        "delta",
        "monthly_value",
        "initial_mrr",
        "mrr",
    }
)


def in_unit(table: pa.Table, unit: Unit) -> pa.Table:
    """``table`` (amounts in MRR) with its amounts in ``unit``: ARR is 12 x MRR, each amount
    renamed (``Unit.column``) so the table never says MRR over annual figures.

    Applied to finished results, after every ratio is computed: a ratio of two amounts is the
    same in both units, so none is recomputed. Each value is multiplied on its own, so a
    drill-down's ARR still sums to its report's ARR.
    """
    unit = Unit(unit)
    if unit is Unit.MRR:
        return table
    for index, name in enumerate(table.column_names):
        if name in AMOUNT_COLUMNS:
            annual = pc.multiply(table.column(index), pa.scalar(float(MONTHS_PER_YEAR)))
            table = table.set_column(index, unit.column(name), annual)
    return table
