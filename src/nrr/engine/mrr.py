"""Lines as monthly values keyed by unit, and each unit's MRR at the instants it pays.

The per-instant MRR serves the per-unit path (drill-down, units whose attributes change):
change points (changepoints.py) expanded to the instants their levels hold at, converted
once per currency and instant. Nothing is expanded to days, and only units with MRR > 0
get rows. Reports and cohorts avoid even that table (totals.py, cohorts.py).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from nrr.definitions import PRODUCT, Level
from nrr.engine.changepoints import Instants, native_levels
from nrr.engine.sources import KEY, NO_VALUE, ORGANIZATION_KEY

DAYS_PER_MONTH = 30.4375


def normalized(lines: ir.Table) -> ir.Table:
    """Each line's monthly-normalized value in its own currency (docs/definitions.md, MRR
    at an instant)."""
    same_day = lines.start_date.day() == lines.end_date.day()
    calendar_months = (lines.end_date.year() * 12 + lines.end_date.month()) - (
        lines.start_date.year() * 12 + lines.start_date.month()
    )
    days = lines.end_date.delta(lines.start_date, unit="day").cast("float64")
    months_spanned = ibis.ifelse(
        same_day, calendar_months.cast("float64"), days / ibis.literal(DAYS_PER_MONTH, "float64")
    )
    value = ibis.ifelse(
        lines.kind == "usage",
        lines.amount / months_spanned,
        lines.amount / lines.billing_months.cast("float64"),
    )
    return lines.mutate(value=value.cast("float64"))


def unit_keys(by_product: bool) -> list[str]:
    return ["unit", PRODUCT] if by_product else ["unit"]


def units(
    lines: ir.Table, customers: ir.Table, level: Level, by_product: bool, numbered: bool = False
) -> ir.Table:
    """Lines keyed by their unit: the account or its organization (and the product).

    ``numbered`` keys units by integers instead of ids: cheaper to hash and sort, for
    results that never show a unit.
    """
    own, organization = (KEY, ORGANIZATION_KEY) if numbered else ("customer_id", "organization_id")
    if level is Level.ORGANIZATION:
        orgs = customers.select(**{own: own, "unit": organization})
        lines = lines.join(orgs, own)
    else:
        lines = lines.mutate(unit=lines[own])
    if by_product:
        lines = lines.mutate(product=lines.product.fill_null(NO_VALUE))
    return lines


def native_snapshots(lines: ir.Table, instants: Instants, keys: list[str]) -> ir.Table:
    """``(keys, currency, t, mrr)`` in each line's own currency, for later conversion."""
    return native_levels(lines, instants, keys)


def converted_levels(
    lines: ir.Table, instants: Instants, rates: ir.Table, keys: list[str]
) -> ir.Table:
    """``(keys, t, mrr)`` with one row per unit, currency and instant: summing them per
    unit is left to whoever aggregates next (a period's m0/m1 sums do it for free, which
    saves a group-by over every unit and instant)."""
    native = native_snapshots(lines, instants, keys)
    return native.join(rates, ["currency", "t"]).select(
        *keys, "t", mrr=(native.mrr * rates.factor).cast("float64")
    )


def first_positive(lines: ir.Table, keys: list[str]) -> ir.Table:
    """The first instant each unit had MRR > 0, to tell reactivation from new revenue."""
    positive = lines.filter(lines.value > 0)
    return positive.group_by(keys).aggregate(first_start=positive.start_date.min())
