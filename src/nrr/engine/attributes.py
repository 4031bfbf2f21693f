"""Point-in-time attributes: the value in force when a period begins.

The customers table's value holds from the beginning of time until the first history row
of ``customer_attributes``; each history row holds until the next one. Both become
validity intervals so the lookup is an equality join plus a range condition.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from nrr.engine.sources import FOREVER, KEY, NO_VALUE

BEGINNING = date(1, 1, 1)


def intervals(customers: ir.Table, history: ir.Table, attribute: str) -> ir.Table:
    """``(customer_id, value, valid_from, valid_to)`` for one attribute."""
    if attribute in customers.columns:
        base = customers.select(
            "customer_id",
            value=customers[attribute],
            valid_from=ibis.literal(BEGINNING),
        )
    else:  # an attribute known only from history is unset before its first row
        base = customers.select(
            "customer_id",
            value=ibis.null().cast("string"),
            valid_from=ibis.literal(BEGINNING),
        )
    changes = history.filter(history.attribute == attribute).select(
        "customer_id", "value", "valid_from"
    )
    rows = base.union(changes, distinct=False)
    window = ibis.window(group_by=rows.customer_id, order_by=rows.valid_from)
    return rows.mutate(valid_to=rows.valid_from.lead().over(window).fill_null(FOREVER))


def attach(
    rows: ir.Table,
    customers: ir.Table,
    history: ir.Table,
    attribute: str,
    column: str,
    at: str = "period_start",
) -> ir.Table:
    """Add ``column`` = the unit's ``attribute`` in force on the date in column ``at``.

    The unit id is a customer_id (at organization level, the top-most account's), so the
    organization's own value is used (docs/definitions.md, Grouping and filters).
    """
    spans = intervals(customers, history, attribute).rename(attr_customer="customer_id")
    joined = rows.join(
        spans,
        [
            rows.unit == spans.attr_customer,
            spans.valid_from <= rows[at],
            spans.valid_to > rows[at],
        ],
    )
    return joined.select(*rows.columns, **{column: joined.value})


def varying(history: ir.Table, attributes: list[str], first: date, last: date) -> ir.Table:
    """``(customer_id)``: the customers one of whose ``attributes`` changes after ``first``
    and on or before ``last``, read from the history alone (it is the only source of
    changes), so the set stays as small as the number of such customers."""
    later = history.filter(
        history.attribute.isin(attributes)
        & (history.valid_from > first)
        & (history.valid_from <= last)
    )
    return later.select("customer_id").distinct()


def profile(
    customers: ir.Table,
    history: ir.Table,
    columns: dict[str, str],
    first: date,
    moving: ir.Table,
) -> ir.Table:
    """``(KEY, columns...)``: the attributes in force at ``first`` (null as ``NO_VALUE``)
    of every customer not in ``moving`` (see ``varying``).

    A customer whose attributes hold still over a request's period starts is in one group
    for every period, like a product: the totals path can treat its groups as part of the
    unit. Only the others need a row per period (see report.period_sums).
    """
    steady = customers.anti_join(moving, "customer_id")
    table = steady.select("customer_id", KEY)
    for attribute, column in columns.items():
        spans = intervals(customers, history, attribute)
        at_first = spans.filter((spans.valid_from <= first) & (spans.valid_to > first))
        at_first = at_first.select(
            attr_customer="customer_id", **{column: at_first.value.fill_null(NO_VALUE)}
        )
        table = table.left_join(at_first, table.customer_id == at_first.attr_customer)
        table = table.drop("attr_customer")
    return table.select(KEY, *columns.values())
