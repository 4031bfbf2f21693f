"""Invoice lines as the history of a subscription's prices, and as its metered usage.

Stripe's subscription object shows only its current items; its invoices hold the past.
Each subscription line of a licensed price says "this price, at this amount, over this
period"; a proration line dates a change inside a period (its period starts on the change
date) but is not itself MRR. A metered price's line is the usage of its period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from nrr.importers.stripe_money import is_once, major, per_billing_period, round_minor, to_date
from nrr.importers.stripe_prices import Price, Registry, ident, line_price, lines_of
from nrr.importers.stripe_read import Obj
from nrr.importers.summary import Tally

SKIPPED_STATUSES = ("draft", "void")


@dataclass(frozen=True)
class Segment:
    """One price of one subscription over ``[start, end)``; ``end`` ``None`` = still active."""

    customer_id: str
    subscription_id: str
    price_id: str
    product: str
    start: date
    end: date | None
    amount: Decimal
    billing_months: int
    currency: str
    kind: str = "recurring"

    def until(self, end: date | None) -> Segment:
        return replace(self, end=end)


@dataclass
class History:
    """What the invoices say, per subscription id."""

    segments: dict[str, list[Segment]] = field(default_factory=lambda: defaultdict(list))
    cuts: dict[str, list[tuple[str, date]]] = field(default_factory=lambda: defaultdict(list))
    usage: list[Segment] = field(default_factory=list)


def history(invoices: tuple[Obj, ...], registry: Registry, tally: Tally) -> History:
    found = History()
    for invoice in invoices:
        status = str(invoice.get("status") or "")
        if status in SKIPPED_STATUSES:
            tally.skip(f"invoices in status {status}")
            continue
        for line in lines_of(invoice):
            _line(invoice, line, registry, tally, found)
    return found


def _subscription(invoice: Obj, line: Obj) -> str:
    parent = line.get("parent") or {}
    details = parent.get("subscription_item_details") or {} if isinstance(parent, Mapping) else {}
    inv_parent = invoice.get("parent") or {}
    inv_details = (
        inv_parent.get("subscription_details") or {} if isinstance(inv_parent, Mapping) else {}
    )
    return ident(
        line.get("subscription")
        or details.get("subscription")
        or invoice.get("subscription")
        or inv_details.get("subscription")
    )


def _is_proration(line: Obj) -> bool:
    parent = line.get("parent") or {}
    if isinstance(parent, Mapping):
        for key in ("subscription_item_details", "invoice_item_details"):
            if (parent.get(key) or {}).get("proration"):
                return True
    return bool(line.get("proration"))


def _net(line: Obj, currency: str, registry: Registry, tally: Tally) -> Decimal:
    """The line's amount without tax, after recurring discounts (a ``once`` coupon is kept).

    Stripe's line amount excludes tax, but for a tax-inclusive rate, where it is taken out.
    """
    amount = major(line.get("amount") or 0, currency)
    for tax in line.get("tax_amounts") or []:
        if tax.get("inclusive"):
            amount -= major(tax.get("amount") or 0, currency)
    for entry in line.get("discount_amounts") or []:
        off = major(entry.get("amount") or 0, currency)
        if off and is_once(registry.discount(entry.get("discount"))):
            tally.skip("one-off (duration once) discounts, not netted from MRR")
            continue
        amount -= off
    return max(amount, Decimal(0))


def _line(invoice: Obj, line: Obj, registry: Registry, tally: Tally, found: History) -> None:
    currency = str(line.get("currency") or invoice.get("currency") or "").upper()
    if any(t.get("amount") for t in line.get("tax_amounts") or []):
        tally.skip("invoice lines with tax (the tax is left out)")
    sub_id = _subscription(invoice, line)
    price = registry.price(line_price(line))
    if price is not None and not price.currency:
        price = replace(price, currency=currency)
    proration = _is_proration(line)
    if sub_id and price is None:
        tally.skip("subscription invoice lines whose price is neither expanded nor in the export")
        tally.warn(
            f"subscription {sub_id}: an invoice line names a price that is not in the export: "
            "expand lines.data.price, or add prices.jsonl"
        )
        return
    if not sub_id or price is None or not price.recurring:
        tally.skip("one-time invoice items (not recurring)")
        return
    period = line.get("period") or {}
    start, end = to_date(period.get("start")), to_date(period.get("end"))
    if start is None or end is None or end <= start:
        tally.skip("subscription invoice lines without a period of a day or more")
        return
    customer = ident(invoice.get("customer"))
    if price.metered:
        amount = _net(line, currency, registry, tally)
        found.usage.append(
            Segment(
                customer, sub_id, price.id, price.product, start, end, amount, 1, currency, "usage"
            )
        )
        return
    if proration:
        tally.skip("proration lines (not MRR; they date a change)")
        _proration(line, price, currency, customer, sub_id, start, end, registry, tally, found)
        return
    amount, months = per_billing_period(
        _net(line, currency, registry, tally), str(price.interval), price.interval_count, currency
    )
    found.segments[sub_id].append(
        Segment(customer, sub_id, price.id, price.product, start, end, amount, months, currency)
    )


def _proration(
    line: Obj,
    price: Price,
    currency: str,
    customer: str,
    sub_id: str,
    start: date,
    end: date,
    registry: Registry,
    tally: Tally,
    found: History,
) -> None:
    """A credit ends the old price on the change date; a charge starts the new one."""
    gross = major(line.get("amount") or 0, currency)
    if gross < 0:
        found.cuts[sub_id].append((price.id, start))
        return
    if price.unit is None:
        tally.warn(
            f"subscription {sub_id}: price {price.id} has no unit amount (tiered): "
            "its value from the change date is known only from the next invoice"
        )
        return
    full = price.unit * Decimal(str(line.get("quantity") or 1))
    net = _net(line, currency, registry, tally)
    if gross > 0:
        full = round_minor(full * net / gross, currency)
    amount, months = per_billing_period(full, str(price.interval), price.interval_count, currency)
    found.segments[sub_id].append(
        Segment(customer, sub_id, price.id, price.product, start, end, amount, months, currency)
    )
