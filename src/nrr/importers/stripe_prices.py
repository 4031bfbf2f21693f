"""Stripe prices (and legacy plans) as the few facts a subscription line needs.

A price is expanded on a subscription item and on an invoice line in Stripe's documented
shapes, or only named by id (newer API versions, or an export that did not expand it); the
registry collects every expanded one, from ``prices.jsonl`` too, so an id can be resolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nrr.importers.stripe_money import major
from nrr.importers.stripe_read import Obj, StripeObjects


@dataclass(frozen=True)
class Price:
    """What a line needs of a price: unit amount (major units, ``None`` when tiered)."""

    id: str
    product: str
    currency: str
    unit: Decimal | None
    interval: str | None
    interval_count: int
    metered: bool

    @property
    def recurring(self) -> bool:
        return self.interval is not None


def ident(value: Any) -> str:
    """An id field that may hold the id or the expanded object."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return "" if value is None else str(value)


def price_of(obj: Obj) -> Price:
    """A ``price`` object, or a legacy ``plan`` object (``amount``, ``interval`` at top level)."""
    currency = str(obj.get("currency") or "").upper()
    recurring = obj.get("recurring")
    if obj.get("object") == "plan":
        recurring = {
            "interval": obj.get("interval"),
            "interval_count": obj.get("interval_count"),
            "usage_type": obj.get("usage_type"),
        }
    unit_minor = obj.get("unit_amount_decimal") or obj.get("unit_amount") or obj.get("amount")
    if unit_minor is None and obj.get("unit_amount") == 0:
        unit_minor = 0
    recurring = recurring if isinstance(recurring, Mapping) else None
    return Price(
        id=str(obj.get("id") or ""),
        product=ident(obj.get("product")),
        currency=currency,
        unit=None if unit_minor is None else major(unit_minor, currency),
        interval=None if recurring is None else str(recurring.get("interval") or "month"),
        interval_count=int((recurring or {}).get("interval_count") or 1),
        metered=(recurring or {}).get("usage_type") == "metered",
    )


class Registry:
    """Prices and discounts by id, from every place an export expands them."""

    def __init__(self, objects: StripeObjects) -> None:
        self.prices: dict[str, Price] = {}
        self.discounts: dict[str, Obj] = {}
        for obj in objects.prices:
            self._price(obj)
        for sub in objects.subscriptions:
            for item in items_of(sub):
                self._price(item.get("price") or item.get("plan"))
            self._discounts(discounts_of(sub))
        for invoice in objects.invoices:
            self._discounts(discounts_of(invoice))
            for line in lines_of(invoice):
                self._price(line.get("price") or line.get("plan"))
                self._discounts(d.get("discount") for d in line.get("discount_amounts") or [])

    def _price(self, obj: Any) -> None:
        if isinstance(obj, Mapping) and obj.get("id") and obj["id"] not in self.prices:
            self.prices[str(obj["id"])] = price_of(obj)

    def _discounts(self, found: Iterable[Any]) -> None:
        for discount in found:
            if isinstance(discount, Mapping) and discount.get("id"):
                self.discounts.setdefault(str(discount["id"]), discount)

    def price(self, value: Any) -> Price | None:
        """A price field (object or id), resolved; ``None`` when it cannot be."""
        if isinstance(value, Mapping):
            return self.prices.get(str(value.get("id"))) or price_of(value)
        return self.prices.get(str(value)) if value else None

    def discount(self, value: Any) -> Obj | None:
        if isinstance(value, Mapping):
            return value
        return self.discounts.get(str(value)) if value else None


def items_of(sub: Obj) -> list[Obj]:
    """A subscription's current items (``items.data``)."""
    items = sub.get("items") or {}
    data = items.get("data") if isinstance(items, Mapping) else items
    return [item for item in data or [] if isinstance(item, Mapping)]


def discounts_of(obj: Obj) -> list[Any]:
    """A subscription's or invoice's discounts, each once.

    Newer API versions list ``discounts`` (ids or objects); older ones have one
    ``discount``; an export may hold both, naming the same discount twice.
    """
    found: dict[str, Any] = {}
    for discount in [*(obj.get("discounts") or []), obj.get("discount")]:
        key = ident(discount) or repr(discount)
        if discount and (key not in found or isinstance(discount, Mapping)):
            found[key] = discount  # an expanded object wins over its id
    return list(found.values())


def lines_of(invoice: Obj) -> list[Obj]:
    lines = invoice.get("lines") or {}
    data = lines.get("data") if isinstance(lines, Mapping) else lines
    return [line for line in data or [] if isinstance(line, Mapping)]


def line_price(line: Obj) -> Any:
    """The price field of an invoice line, in older (``price``/``plan``) or newer shapes."""
    pricing = line.get("pricing") or {}
    details = pricing.get("price_details") or {} if isinstance(pricing, Mapping) else {}
    return line.get("price") or line.get("plan") or details.get("price")
