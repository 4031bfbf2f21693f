"""The rules of one revenue, rate or signal table that combine its columns row by row."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.checked import Checked, as_mask, duplicated, objects, present, usable
from nrr.dataset.columns import as_datetime64, currency_codes
from nrr.dataset.contract import KINDS, MAX_AMOUNT, MAX_BILLING_MONTHS, MAX_RATE, MIN_RATE
from nrr.dataset.text import Text, is_empty


def check_non_negative(checked: Checked, column: str) -> None:
    if present(checked, column):
        values = checked.numbers[column]
        checked.flag(
            as_mask(pc.less(values, 0)),
            column,
            "amount-negative",
            lambda r: f"{checked.value(column, r)} is negative; {column} must be >= 0",
        )
        # (an infinite value, from a few hundred digits, compares greater than the bound)
        checked.flag(
            as_mask(pc.greater(values, MAX_AMOUNT)),
            column,
            "amount-too-large",
            lambda r: (
                f"{_short(checked.value(column, r))} is too large: {column} is at most "
                f"{MAX_AMOUNT:,} (1e15) per line"
            ),
        )


def _short(value: str) -> str:
    """A value as a message quotes it: a 400-digit amount by its first digits and length."""
    value = value.strip()
    return value if len(value) <= 40 else f"{value[:20]}… ({len(value)} characters)"


def check_subscriptions(checked: Checked) -> None:
    check_non_negative(checked, "amount")
    if present(checked, "billing_months"):
        months, parsed = checked.integers["billing_months"], checked.parsed["billing_months"]
        checked.flag(
            parsed & as_mask(pc.less(months, 1)),
            "billing_months",
            "billing-months-range",
            lambda r: f"billing_months is {checked.value('billing_months', r)}; it must be >= 1",
        )
        checked.flag(
            checked.too_large["billing_months"]
            | (parsed & as_mask(pc.greater(months, MAX_BILLING_MONTHS))),
            "billing_months",
            "billing-months-range",
            lambda r: (
                f"billing_months is {_short(checked.value('billing_months', r))}; it is too "
                f"large (at most {MAX_BILLING_MONTHS}, 100 years)"
            ),
        )
    if present(checked, "start_date", "end_date"):
        start, end = checked.dates["start_date"], checked.dates["end_date"]
        checked.flag(
            as_mask(pc.less_equal(end, start)),
            "end_date",
            "end-after-start",
            lambda r: (
                f"end_date {checked.value('end_date', r)} is not after start_date "
                f"{checked.value('start_date', r)}"
            ),
        )
    if "kind" in checked.text:
        kind = checked.text["kind"].trimmed
        bad = ~kind.mask(lambda v: pc.is_in(v, value_set=pa.array(sorted(KINDS))))
        bad &= ~is_empty(kind)
        checked.flag(
            bad,
            "kind",
            "kind-value",
            lambda r: f"kind {checked.value('kind', r)!r} is not 'recurring' or 'usage'",
        )
        usage = kind.mask(lambda v: pc.equal(v, "usage"))
        if "end_date" in checked.text:
            usage &= is_empty(checked.text["end_date"])
        checked.flag(
            usage,
            "end_date",
            "usage-end-required",
            lambda _r: (
                "a usage line needs an end_date: its amount is the charge for "
                "[start_date, end_date)"
            ),
        )


def check_events(checked: Checked) -> None:
    check_non_negative(checked, "mrr")
    if usable(checked, "customer_id", "date"):
        dup = duplicated(
            c=objects(checked.text["customer_id"]), d=as_datetime64(checked.dates["date"])
        )
        checked.flag(
            dup,
            "date",
            "event-duplicate",
            lambda r: (
                f"customer {checked.value('customer_id', r)!r} already has an event on "
                f"{checked.value('date', r)}"
            ),
        )


def check_fx_rates(checked: Checked) -> None:
    if present(checked, "rate"):
        checked.flag(
            as_mask(pc.less_equal(checked.numbers["rate"], 0)),
            "rate",
            "rate-positive",
            lambda r: f"rate {checked.value('rate', r)} must be > 0",
        )
        rate = checked.numbers["rate"]
        checked.flag(
            as_mask(
                pc.or_(
                    pc.greater(rate, MAX_RATE),
                    pc.and_(pc.greater(rate, 0), pc.less(rate, MIN_RATE)),
                )
            ),
            "rate",
            "rate-range",
            lambda r: (
                f"rate {_short(checked.value('rate', r))} is outside 0.000000001 to "
                "1,000,000,000: a rate is the base-currency units for 1 unit of the currency"
            ),
        )
    if usable(checked, "currency", "date"):
        dup = duplicated(  # ``eur`` and ``EUR`` are one currency
            c=objects(currency_codes(checked.text["currency"])),
            d=as_datetime64(checked.dates["date"]),
        )
        checked.flag(
            dup,
            "date",
            "rate-duplicate",
            lambda r: (
                f"{checked.text['currency'].trimmed.value(r)} already has a rate on "
                f"{checked.value('date', r)}"
            ),
        )


def signal_names(checked: Checked) -> Text:
    """Signal names as they compare: trimmed and lower-cased, like attribute names."""
    return checked.text["name"].trimmed.derive(pc.utf8_lower)


def check_signals(checked: Checked) -> None:
    """One value per (customer, name, date): two would make "the value at t0" ambiguous.

    Names compare like attribute names, trimmed and case-insensitive.
    """
    if usable(checked, "customer_id", "date", "name"):
        name = signal_names(checked)
        dup = duplicated(
            c=objects(checked.text["customer_id"]),
            n=objects(name),
            d=as_datetime64(checked.dates["date"]),
        )
        checked.flag(
            dup,
            "date",
            "signal-duplicate",
            lambda r: (
                f"customer {checked.value('customer_id', r)!r} already has a "
                f"{name.value(r)!r} value on {checked.value('date', r)}"
            ),
        )
