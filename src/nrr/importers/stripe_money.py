"""Stripe's amounts: minor units per currency, billing intervals, coupons.

Stripe writes every amount as an integer in the currency's smallest unit: cents for USD,
whole yen for JPY (a zero-decimal currency), thousandths for KWD. One table of exponents,
here, turns them into the decimals nrr reads; arithmetic stays in ``Decimal`` so an amount
is written as exactly the text it is.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Stripe's zero-decimal and three-decimal currencies (its "Currencies" reference); every
# other currency has two decimals. ISK, HUF and TWD are two-decimal in Stripe's API.
ZERO_DECIMAL: tuple[str, ...] = (
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "JPY",
    "KMF",
    "KRW",
    "MGA",
    "PYG",
    "RWF",
    "UGX",
)
ZERO_DECIMAL += ("VND", "VUV", "XAF", "XOF", "XPF")
THREE_DECIMAL = ("BHD", "JOD", "KWD", "OMR", "TND")
EXPONENTS: Mapping[str, int] = dict.fromkeys(ZERO_DECIMAL, 0) | dict.fromkeys(THREE_DECIMAL, 3)

# Days in an average month (365.25 / 12), as docs/definitions.md uses for usage lines: a
# daily or weekly price has no whole number of months, so it becomes a monthly amount.
DAYS_PER_MONTH = Decimal("30.4375")


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency.upper(), 2)


def major(amount: Any, currency: str) -> Decimal:
    """A Stripe integer (or ``*_decimal`` string) in minor units, as a decimal in major units."""
    return Decimal(str(amount)).scaleb(-exponent(currency))


def text(value: Decimal) -> str:
    """The exact decimal text nrr reads: no exponent, no needless trailing digits."""
    if value == 0:
        return "0"
    return format(value, "f")


def round_minor(value: Decimal, currency: str) -> Decimal:
    """Rounded half up to the currency's smallest unit (a cent, a yen)."""
    return value.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def per_billing_period(
    amount: Decimal, interval: str, count: int, currency: str
) -> tuple[Decimal, int]:
    """An amount per ``count`` ``interval``s as (amount, billing_months) in nrr's terms.

    Months and years are whole months (a year is 12); a day or week price becomes a monthly
    amount (x 30.4375 / days), rounded to the currency's smallest unit.
    """
    if interval == "month":
        return amount, count
    if interval == "year":
        return amount, 12 * count
    days = {"day": 1, "week": 7}.get(interval)
    if days is None:
        raise ValueError(f"unknown billing interval {interval!r}")
    return round_minor(amount * DAYS_PER_MONTH / (days * count), currency), 1


def to_date(timestamp: Any) -> date | None:
    """A Unix timestamp (seconds) as its UTC date; ``None`` stays ``None``."""
    if timestamp is None or timestamp == "":
        return None
    return datetime.fromtimestamp(int(timestamp), UTC).date()


def plus_months(day: date, months: int) -> date:
    """``day`` + ``months`` calendar months, on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def discount_end(discount: Mapping[str, Any]) -> date | None:
    """When a discount stops: its ``end``, else ``start`` + a repeating coupon's months."""
    end = to_date(discount.get("end"))
    coupon = coupon_of(discount) or {}
    start = to_date(discount.get("start"))
    if end is None and start is not None and coupon.get("duration") == "repeating":
        end = plus_months(start, int(coupon.get("duration_in_months") or 0))
    return end


def coupon_of(discount: Any) -> Mapping[str, Any] | None:
    """The coupon of a discount object (``coupon`` or, in newer API versions, ``source``)."""
    if not isinstance(discount, Mapping):
        return None
    coupon = discount.get("coupon") or (discount.get("source") or {}).get("coupon")
    return coupon if isinstance(coupon, Mapping) else None


def is_once(discount: Any) -> bool:
    coupon = coupon_of(discount)
    return coupon is not None and coupon.get("duration") == "once"


def discounted(value: Decimal, discount: Mapping[str, Any], currency: str) -> Decimal:
    """``value`` (one billing period) after one discount's coupon, never below zero."""
    coupon = coupon_of(discount) or {}
    if coupon.get("percent_off") is not None:
        off = value * Decimal(str(coupon["percent_off"])).scaleb(-2)  # percent as a fraction
        return max(Decimal(0), round_minor(value - off, currency))
    if coupon.get("amount_off") is not None:
        off = major(coupon["amount_off"], str(coupon.get("currency") or currency))
        return max(Decimal(0), value - off)
    return value
