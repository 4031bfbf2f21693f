"""Each unit's MRR at both ends of each period, ``(m0, m1)``: what ``metrics`` classifies.

The categories and sums built on these rows are defined in ``engine/metrics.py``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def per_period(snapshots: ir.Table, periods: ir.Table, keys: list[str]) -> ir.Table:
    """``(period_start, period_end, keys, m0, m1)`` for units with MRR > 0 at t0 or t1.

    Each instant is the start of some periods and the end of others; one join against a
    small (instant, period, role) table reads the snapshots once instead of twice.
    """
    zero = ibis.literal(0.0, "float64")
    roles = periods.select("period_start", "period_end", t="period_start", starts=True).union(
        periods.select("period_start", "period_end", t="period_end", starts=False),
        distinct=False,
    )
    joined = snapshots.join(roles, "t")
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
