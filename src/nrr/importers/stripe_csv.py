"""Stripe's dashboard CSV export of subscriptions: one row per subscription, major units.

The export holds only each subscription's current state, so each row is one line (after a
$0 trial line when it had a trial): no price history, no discounts (the ``Coupon`` column
names a coupon, not its amount), no usage. The columns read are listed in
docs/importing.md; any other column is ignored, and ``<key> (metadata)`` columns become
customer attributes.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from nrr.errors import ConfigError
from nrr.importers.stripe_customers import Customer
from nrr.importers.stripe_invoices import Segment
from nrr.importers.stripe_money import per_billing_period
from nrr.importers.summary import Tally

METADATA = " (metadata)"
REQUIRED = ("id", "Customer ID", "Amount", "Currency", "Interval", "Status")
ENDED = ("canceled", "incomplete_expired")


class _Row:
    """One CSV row, with errors that name the file, line and column."""

    def __init__(self, path: Path, number: int, values: dict[str, str]) -> None:
        self.path, self.number, self.values = path, number, values

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def fail(self, column: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: line {self.number}, column {column!r}: {message}")

    def day(self, *columns: str) -> date | None:
        for column in columns:
            value = self.get(column)
            if value:
                try:
                    return date.fromisoformat(value[:10])
                except ValueError:
                    raise self.fail(column, f"{value!r} is not a date (YYYY-MM-DD ...)") from None
        return None

    def number_of(self, column: str, default: str) -> Decimal:
        value = self.get(column).replace(",", "") or default
        try:
            return Decimal(value)
        except InvalidOperation:
            raise self.fail(column, f"{value!r} is not a number") from None


def read_csv(path: Path, tally: Tally) -> tuple[list[Customer], list[Segment]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = [_Row(path, n, row) for n, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: cannot be read as CSV ({exc})") from exc
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConfigError(f"{path}: not a Stripe subscriptions export: no column {missing}")
    tally.read("subscriptions (CSV rows)", len(rows))
    metadata = [c for c in header if c.endswith(METADATA)]
    customers: dict[str, Customer] = {}
    segments: list[Segment] = []
    for row in rows:
        customer_id = row.get("Customer ID")
        name = row.get("Customer Name") or row.get("Customer Description")
        attributes = {c[: -len(METADATA)]: row.get(c) for c in metadata if row.get(c)}
        known = customers.get(customer_id)
        if known is None:
            customers[customer_id] = Customer(
                customer_id, name or row.get("Customer Email"), attributes
            )
        elif any(known.attributes.get(k, v) != v for k, v in attributes.items()):
            tally.warn(
                f"customer {customer_id}: subscriptions with different metadata; "
                "the first row's values are kept"
            )
        if row.get("Coupon"):
            tally.warn(
                "the CSV export names coupons but not their amounts: amounts are before discounts"
            )
        segments += _lines(row, customer_id, tally)
    return list(customers.values()), segments


def _lines(row: _Row, customer_id: str, tally: Tally) -> list[Segment]:
    status = row.get("Status").lower()
    if status == "incomplete":
        tally.skip("subscriptions in status incomplete (never paid)")
        return []
    currency = row.get("Currency").upper()
    interval = row.get("Interval").lower()
    if interval not in ("day", "week", "month", "year"):
        raise row.fail("Interval", f"{interval!r} is not day, week, month or year")
    count = int(row.number_of("Interval Count", "1"))
    value = row.number_of("Amount", "0") * row.number_of("Quantity", "1")
    amount, months = per_billing_period(value, interval, count, currency)
    start = row.day("Start (UTC)", "Created (UTC)")
    if start is None:
        raise row.fail("Start (UTC)", "no start date (nor Created (UTC))")
    end: date | None = None
    if status in ENDED:
        end = row.day("Ended At (UTC)", "Canceled At (UTC)")
    elif row.get("Cancel At Period End").lower() == "true":
        end = row.day("Current Period End (UTC)")
    product = row.get("Product") or row.get("Plan")
    line = Segment(
        customer_id, row.get("id"), row.get("Plan"), product, start, end, amount, months, currency
    )
    trial_start = row.day("Trial Start (UTC)")
    trial_end = row.day("Trial End (UTC)")
    if status == "trialing":
        return [replace(line, start=trial_start or start, amount=Decimal(0))]
    if trial_start is not None and trial_end is not None and trial_start < trial_end:
        trial = replace(line, start=trial_start, end=trial_end, amount=Decimal(0))
        return [trial, replace(line, start=trial_end)]
    return [line]
