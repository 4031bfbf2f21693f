"""Classify each unit's movement over a period and aggregate the section-3 columns."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

# Sums of the same floats in another order differ in the last bits; a unit whose MRR did
# not change must not show as a sliver of expansion or contraction.
RELATIVE_TOLERANCE = 1e-9


def per_period(snaps: ir.Table, periods: ir.Table, keys: list[str]) -> ir.Table:
    """``(period_start, period_end, keys, m0, m1)`` for units with MRR > 0 at t0 or t1.

    Each instant is the start of some periods and the end of others; one join against a
    small (instant, period, role) table reads the snapshots once instead of twice.
    """
    zero = ibis.literal(0.0, "float64")
    roles = periods.select("period_start", "period_end", t="period_start", starts=True).union(
        periods.select("period_start", "period_end", t="period_end", starts=False),
        distinct=False,
    )
    joined = snaps.join(roles, "t")
    both = joined.select(
        "period_start",
        "period_end",
        *keys,
        m0=ibis.ifelse(joined.starts, joined.mrr, zero),
        m1=ibis.ifelse(joined.starts, zero, joined.mrr),
    )
    # A period is identified by its start; grouping by one date instead of two is cheaper
    # over tens of millions of rows, and the end comes back as the group's only value.
    grouped = both.group_by(["period_start", *keys]).aggregate(
        period_end=both.period_end.max(), m0=both.m0.sum(), m1=both.m1.sum()
    )
    return grouped.select("period_start", "period_end", *keys, "m0", "m1")


def convert_at_start(rows: ir.Table, rates: ir.Table, keys: list[str]) -> ir.Table:
    """Constant currency: both ends of a period at the rate in force at its start."""
    start_rates = rates.select("currency", period_start="t", factor="factor")
    joined = rows.join(start_rates, ["currency", "period_start"])
    converted = joined.select(
        "period_start",
        "period_end",
        *keys,
        m0=joined.m0 * joined.factor,
        m1=joined.m1 * joined.factor,
    )
    return converted.group_by(["period_start", "period_end", *keys]).aggregate(
        m0=converted.m0.sum(), m1=converted.m1.sum()
    )


def classify(rows: ir.Table, first: ir.Table, keys: list[str]) -> ir.Table:
    """Add the movement category of each unit (contract section 2)."""
    return categorize(rows.left_join(first, keys).select(*rows.columns, "first_start"))


def categorize(rows: ir.Table) -> ir.Table:
    """Add the category to rows that carry the unit's ``first_start`` already."""
    tolerance = rows.m0 * RELATIVE_TOLERANCE
    in_cohort = rows.m0 > 0
    category = ibis.cases(
        (in_cohort & (rows.m1 == 0), "churn"),
        (in_cohort & (rows.m1 > rows.m0 + tolerance), "expansion"),
        (in_cohort & (rows.m1 < rows.m0 - tolerance), "contraction"),
        (in_cohort, "flat"),
        (rows.first_start < rows.period_start, "reactivation"),
        else_="new",
    )
    return rows.mutate(category=category)


def _sum_if(rows: ir.Table, category: str, value: ir.Value) -> ir.Value:
    zero = ibis.literal(0.0, "float64")
    return ibis.ifelse(rows.category == category, value, zero).sum()


def _count_if(rows: ir.Table, category: str) -> ir.Value:
    return ibis.ifelse(rows.category == category, 1, 0).sum().cast("int64")


def aggregate(
    rows: ir.Table, groups: list[str], extra: dict[str, ir.Value] | None = None
) -> ir.Table:
    """One row per period and group with the section-3 sums and counts (and ``extra``
    aggregates, so a caller needing more from the same rows reads them once)."""
    in_cohort = rows.m0 > 0
    zero = ibis.literal(0.0, "float64")
    return rows.group_by(["period_start", "period_end", *groups]).aggregate(
        **(extra or {}),
        customers_start=ibis.ifelse(in_cohort, 1, 0).sum().cast("int64"),
        starting_mrr=rows.m0.sum(),
        expansion_mrr=_sum_if(rows, "expansion", rows.m1 - rows.m0),
        contraction_mrr=_sum_if(rows, "contraction", rows.m0 - rows.m1),
        churn_mrr=_sum_if(rows, "churn", rows.m0),
        ending_mrr=ibis.ifelse(in_cohort, rows.m1, zero).sum(),
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


def ratios(table: ir.Table) -> ir.Table:
    """NRR, GRR and logo retention; null, never 0, when the starting cohort is empty."""
    hundred = ibis.literal(100.0, "float64")
    has_start = table.starting_mrr > 0
    null = ibis.null().cast("float64")
    nrr = ibis.ifelse(has_start, table.ending_mrr / table.starting_mrr * hundred, null)
    grr = ibis.ifelse(
        has_start,
        (table.starting_mrr - table.contraction_mrr - table.churn_mrr)
        / table.starting_mrr
        * hundred,
        null,
    )
    logos = ibis.ifelse(
        table.customers_start > 0,
        (table.customers_start - table.customers_churned).cast("float64")
        / table.customers_start.cast("float64")
        * hundred,
        null,
    )
    return table.mutate(nrr=nrr, grr=grr, logo_retention=logos)
