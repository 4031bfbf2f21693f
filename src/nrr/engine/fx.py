"""Exchange rates in force at the request's instants.

No as-of join (Spark has none): rates become validity intervals ``[valid_from, next
valid_from)`` range-joined to the instants, which are few.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from nrr.engine.sources import FOREVER


def rates_at(fx: ir.Table, instants: ir.Table, reporting: str) -> ir.Table:
    """``(currency, t, factor)``: reporting-currency units per unit of ``currency`` at ``t``.

    Rates quote into the base currency; another reporting currency goes through a cross
    rate (divide by its own rate at the same instant).
    """
    window = ibis.window(group_by=fx.currency, order_by=fx.valid_from)
    intervals = fx.mutate(valid_to=fx.valid_from.lead().over(window).fill_null(FOREVER))
    in_force = intervals.join(
        instants,
        [intervals.valid_from <= instants.t, intervals.valid_to > instants.t],
    ).select("currency", "t", "rate")
    target = in_force.filter(in_force.currency == reporting).select("t", reporting_rate="rate")
    crossed = in_force.join(target, "t")
    return crossed.select(
        "currency", "t", factor=(crossed.rate / crossed.reporting_rate).cast("float64")
    )
