"""Periods, MRR at an instant, and the units a report counts (docs/definitions.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction

from tests.oracle.model import (
    MONTHS_PER_YEAR,
    Line,
    OracleDataset,
    UnitKey,
    month_index,
    month_start,
)

#: How a period type steps through month starts: (months between starts, months long,
#: whether starts are aligned to the fiscal year). ``ttm`` is a twelve-month window that
#: starts at every month boundary, which is the same as ending at every month boundary.
_SPINES: dict[str, tuple[int, int, bool]] = {
    "month": (1, 1, False),
    "quarter": (3, 3, True),
    "year": (12, 12, True),
    "ttm": (1, 12, False),
}


def period_spine(
    period: str, start: date, end: date, fiscal_year_start: int = 1
) -> list[tuple[date, date]]:
    """The periods ``[t0, t1)`` of a report, every boundary a month start.

    A period is kept only when it lies wholly inside ``[start, end)``. Quarters and years
    start on months aligned to the fiscal year start; ``ttm`` has one twelve-month window
    ending at every month boundary.
    """
    if period not in _SPINES:
        raise ValueError(f"unknown period {period!r}")
    if not 1 <= fiscal_year_start <= MONTHS_PER_YEAR:
        raise ValueError("fiscal_year_start must be a month number, 1 to 12")
    step, length, fiscal = _SPINES[period]
    first = month_index(start) + (0 if start.day == 1 else 1)
    periods = []
    for index in range(first, month_index(end) + 1):
        aligned = not fiscal or (index % 12 - (fiscal_year_start - 1)) % step == 0
        t0, t1 = month_start(index), month_start(index + length)
        if aligned and start <= t0 and t1 <= end:
            periods.append((t0, t1))
    return periods


def rate_at(dataset: OracleDataset, currency: str, t: date) -> Fraction:
    """The rate in force on t: the latest quote dated on or before t."""
    in_force = [rate for day, rate in dataset.rates.get(currency, ()) if day <= t]
    if not in_force:
        raise ValueError(f"no fx rate in force for {currency} on {t.isoformat()}")
    return in_force[-1]


def line_mrr_at(dataset: OracleDataset, line: Line, t: date, currency: str) -> Fraction:
    """A line's contribution to MRR at t in the reporting currency (0 when inactive).

    A foreign amount goes into the base currency at its rate on t; a reporting currency
    other than the base then divides by that currency's rate on t (a cross rate).
    """
    if not line.active_at(t):
        return Fraction(0)
    value = line.value
    if line.currency not in ("", dataset.base_currency):
        value *= rate_at(dataset, line.currency, t)
    if currency != dataset.base_currency:
        value /= rate_at(dataset, currency, t)
    return value


def mrr_at(dataset: OracleDataset, lines: Iterable[Line], t: date, currency: str) -> Fraction:
    """MRR of a unit at t: the sum over every one of its lines, recomputed from scratch."""
    return sum((line_mrr_at(dataset, line, t, currency) for line in lines), Fraction(0))


def had_mrr_before(lines: Iterable[Line], t0: date) -> bool:
    """Whether the unit had MRR > 0 at any instant before t0.

    Values are never negative, so MRR is positive at an instant exactly when a line with a
    positive value is active then; such a line is active at its own start_date, so the
    question is whether one started before t0 (even if it ended long ago).
    """
    return any(line.value > 0 and line.start < t0 for line in lines)


def organization_of(dataset: OracleDataset, customer_id: str) -> str:
    """The top-most ancestor through parent_id (an account without parent is its own)."""
    seen = {customer_id}
    current = customer_id
    while (parent := dataset.parents.get(current)) is not None:
        if parent in seen:
            raise ValueError(f"parent_id cycle through {customer_id}")
        seen.add(parent)
        current = parent
    return current


def attribute_at(dataset: OracleDataset, customer_id: str, attribute: str, t: date) -> str | None:
    """A customer's attribute at t: the latest history row with valid_from <= t, else (before
    its first history row, or without history) the customers table's value."""
    in_force = [
        value
        for valid_from, value in dataset.history.get((customer_id, attribute.lower()), ())
        if valid_from <= t
    ]
    if in_force:
        return in_force[-1]
    return dataset.attributes.get(customer_id, {}).get(attribute.lower())


def build_units(
    dataset: OracleDataset, level: str, by_product: bool, product_filter: str | None
) -> dict[UnitKey, list[Line]]:
    """Every unit of the report with its lines.

    A unit is an account, or an organization (its lines are every account's in the tree).
    Grouping by product splits each unit into one unit per product, a line with an empty
    product going to the null product. A product filter keeps only that product's lines.
    """
    if level not in ("account", "organization"):
        raise ValueError(f"unknown level {level!r}")
    units: dict[UnitKey, list[Line]] = {}
    for customer_id in dataset.parents:
        owner = organization_of(dataset, customer_id) if level == "organization" else customer_id
        units.setdefault((owner, None), [])
    for line in dataset.lines:
        if product_filter is not None and line.product != product_filter:
            continue
        owner = line.customer_id
        if level == "organization":
            owner = organization_of(dataset, line.customer_id)
        units.setdefault((owner, line.product if by_product else None), []).append(line)
    return units


def passes_filters(
    dataset: OracleDataset, owner: str, filters: Mapping[str, str], t0: date
) -> bool:
    """Attribute filters keep units whose value at t0 equals the filter's text exactly (an
    unset value reads as the empty text); all filters must hold. The product filter is
    applied to lines in :func:`build_units`, so it is skipped here."""
    return all(
        (attribute_at(dataset, owner, attribute, t0) or "") == wanted
        for attribute, wanted in filters.items()
        if attribute.lower() != "product"
    )


def group_of(
    dataset: OracleDataset, unit: UnitKey, by: Sequence[str], t0: date
) -> tuple[str | None, ...]:
    """A unit's group values for a period: attributes of the unit's own customer (the
    organization itself at organization level) at t0, or the unit's product."""
    owner, product = unit
    return tuple(
        product if column.lower() == "product" else attribute_at(dataset, owner, column, t0)
        for column in by
    )
