"""Point-in-time attributes: the value in force when a period begins.

The customers table's value holds from the beginning of time until the first history row
of ``customer_attributes``; each history row holds until the next one. Both become
validity intervals so the lookup is an equality join plus a range condition.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from nrr.engine.changepoints import FOREVER
from nrr.engine.sources import KEY

# An unset attribute inside the totals path, where group values are join keys (NULL = NULL
# is not true in SQL); real values are never empty. report.finish turns it back into null.
NO_VALUE = ""

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
    movements: ir.Table,
    customers: ir.Table,
    history: ir.Table,
    attribute: str,
    column: str,
    at: str = "period_start",
) -> ir.Table:
    """Add ``column`` = the unit's ``attribute`` in force on the date in column ``at``.

    The unit id is a customer_id (at organization level, the top-most account's), so the
    organization's own value is used, as the contract says.
    """
    spans = intervals(customers, history, attribute).rename(attr_customer="customer_id")
    joined = movements.join(
        spans,
        [
            movements.unit == spans.attr_customer,
            spans.valid_from <= movements[at],
            spans.valid_to > movements[at],
        ],
    )
    return joined.select(*movements.columns, **{column: joined.value})


def profile(
    customers: ir.Table,
    history: ir.Table,
    columns: dict[str, str],
    first: date,
    last: date,
) -> ir.Table:
    """``(customer_id, KEY, columns..., varying)``: each customer's attributes in force at
    ``first`` (null as ``NO_VALUE``), and whether any of them changes after ``first`` and
    on or before ``last``.

    A customer whose attributes hold still over a request's period starts is in one group
    for every period, like a product: the totals path can treat its groups as part of the
    unit. Only the others need a row per period (see report.period_sums).
    """
    table = customers.select("customer_id", KEY)
    counts: list[str] = []
    for attribute, column in columns.items():
        spans = intervals(customers, history, attribute)
        at_first = spans.filter((spans.valid_from <= first) & (spans.valid_to > first))
        at_first = at_first.select(
            attr_customer="customer_id", **{column: at_first.value.fill_null(NO_VALUE)}
        )
        later = spans.filter((spans.valid_from > first) & (spans.valid_from <= last))
        count = f"_changes_{len(counts)}"
        changed = later.group_by(attr_customer=later.customer_id).aggregate(
            **{count: later.count()}
        )
        for part in (at_first, changed):
            table = table.left_join(part, table.customer_id == part.attr_customer)
            table = table.drop("attr_customer")
        counts.append(count)
    varying = ibis.or_(*(table[c].fill_null(0) > 0 for c in counts))
    return table.mutate(varying=varying).drop(*counts)
