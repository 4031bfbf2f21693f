"""The customers behind every number: one row per unit and period, and their lines."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from nrr.definitions import PRODUCT, Level
from nrr.engine.mrr import normalized, units
from nrr.engine.plan import Plan
from nrr.engine.report import unit_movements
from nrr.engine.sources import FOREVER, NO_VALUE, Sources


def unit_column(level: Level) -> str:
    return "organization_id" if level is Level.ORGANIZATION else "customer_id"


def customers_expr(sources: Sources, plan: Plan, categories: Sequence[str] = ()) -> ir.Table:
    """``period_start, period_end, groups, unit[, product], mrr_start, mrr_end, delta,
    category`` — the rows whose sums are the report's figures."""
    rows, groups = unit_movements(sources, plan)
    if categories:
        rows = rows.filter(rows.category.isin(list(categories)))
    return rows.select(
        "period_start",
        "period_end",
        *groups,
        **{unit_column(plan.level): rows.unit},
        mrr_start=rows.m0,
        mrr_end=rows.m1,
        delta=rows.m1 - rows.m0,
        category=rows.category,
    )


def lines_expr(customers: ir.Table, sources: Sources, plan: Plan) -> ir.Table:
    """The lines (or events) active at either end of each listed unit's period."""
    by_product = plan.by_product
    keyed = units(normalized(sources.lines), sources.customers, plan.level, by_product)
    unit = unit_column(plan.level)
    keys = list(plan.keys)
    listed = customers.select(
        "period_start",
        "period_end",
        "category",
        unit=customers[unit],
        **({PRODUCT: customers[PRODUCT].fill_null(NO_VALUE)} if by_product else {}),
    )
    joined = listed.join(keyed, keys)
    end = joined.end_date.fill_null(ibis.literal(FOREVER))
    at_start = (joined.start_date <= joined.period_start) & (end > joined.period_start)
    at_end = (joined.start_date <= joined.period_end) & (end > joined.period_end)
    active = joined.filter(at_start | at_end)
    account = {} if unit == "customer_id" else {"customer_id": active.customer_id}
    return active.select(
        "period_start",
        "period_end",
        **{unit: active.unit},
        **account,
        category=active.category,
        subscription_id=active.subscription_id,
        product=active.product,
        start_date=active.start_date,
        end_date=active.end_date,
        amount=active.amount,
        billing_months=active.billing_months,
        currency=active.currency,
        kind=active.kind,
        monthly_value=active.value,
        active_at=ibis.cases((at_start & at_end, "both"), (at_start, "start"), else_="end"),
    )
