"""Stripe's amounts, intervals, coupons and file shapes, one rule at a time.

Expected values are Stripe's documented meanings worked out by hand: ``unit_amount`` 5000
is ¥5,000 (JPY has no minor unit), $50.00 (USD, cents) and 5.000 KWD (fils).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from nrr.errors import ConfigError
from nrr.importers.stripe_csv import read_csv
from nrr.importers.stripe_money import (
    discount_end,
    discounted,
    exponent,
    is_once,
    major,
    per_billing_period,
    plus_months,
    text,
    to_date,
)
from nrr.importers.stripe_read import read_objects
from nrr.importers.summary import Tally


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        ("usd", 2),
        ("EUR", 2),
        ("jpy", 0),
        ("KRW", 0),
        ("VND", 0),
        ("CLP", 0),
        ("XOF", 0),
        ("UGX", 0),
        ("BHD", 3),
        ("jod", 3),
        ("KWD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("ISK", 2),  # zero-decimal in ISO, two-decimal in Stripe's API
        ("HUF", 2),
        ("TWD", 2),
    ],
)
def test_each_currency_has_its_exponent(currency: str, expected: int) -> None:
    assert exponent(currency) == expected


def test_minor_units_become_exact_major_units() -> None:
    assert text(major(5000, "jpy")) == "5000"
    assert text(major(5000, "usd")) == "50.00"
    assert text(major(5000, "kwd")) == "5.000"
    assert text(major("1234.5", "usd")) == "12.345"  # unit_amount_decimal keeps sub-cents
    assert text(major(0, "usd")) == "0"


@pytest.mark.parametrize(
    ("interval", "count", "amount", "months"),
    [
        ("month", 1, "100", 1),
        ("month", 3, "100", 3),
        ("year", 1, "1200", 12),
        ("year", 2, "1200", 24),
        # a day or a week has no whole month: monthly amount = x * 30.4375 / days
        ("week", 1, "70.00", 1),  # 70 * 30.4375 / 7 = 304.375 -> 304.38 (half up)
        ("week", 2, "14.00", 1),  # 14 * 30.4375 / 14 = 30.4375 -> 30.44
        ("day", 1, "1.00", 1),  # 30.4375 -> 30.44
    ],
)
def test_intervals_become_billing_months(
    interval: str, count: int, amount: str, months: int
) -> None:
    expected = {
        ("week", 1): Decimal("304.38"),
        ("week", 2): Decimal("30.44"),
        ("day", 1): Decimal("30.44"),
    }.get((interval, count), Decimal(amount))
    assert per_billing_period(Decimal(amount), interval, count, "USD") == (expected, months)


def test_a_weekly_yen_price_rounds_to_the_yen() -> None:
    assert per_billing_period(Decimal(1000), "week", 1, "JPY") == (Decimal(4348), 1)  # 4348.21


def test_coupons() -> None:
    percent = {"coupon": {"percent_off": 25, "duration": "forever"}}
    full = {"coupon": {"percent_off": 100, "duration": "repeating", "duration_in_months": 3}}
    off = {"coupon": {"amount_off": 1500, "currency": "usd", "duration": "forever"}}
    too_much = {"coupon": {"amount_off": 50000, "currency": "usd", "duration": "forever"}}
    newer = {"source": {"coupon": {"percent_off": 10, "duration": "once"}}}
    assert discounted(Decimal("100.00"), percent, "USD") == Decimal("75.00")
    assert discounted(Decimal("100.00"), full, "USD") == 0
    assert discounted(Decimal("100.00"), off, "USD") == Decimal("85.00")
    assert discounted(Decimal("100.00"), too_much, "USD") == 0
    assert discounted(Decimal("100.00"), newer, "USD") == Decimal("90.00")
    assert is_once(newer) and not is_once(percent) and not is_once("di_unexpanded")


def test_timestamps_are_utc_dates() -> None:
    assert to_date(1704067199) == date(2023, 12, 31)
    assert to_date(1704067200) == date(2024, 1, 1)
    assert to_date(None) is None


def test_the_three_file_shapes(tmp_path: Path) -> None:
    objects = [{"id": "cus_1", "object": "customer"}, {"id": "cus_2", "object": "customer"}]
    lines = tmp_path / "a.jsonl"
    lines.write_text("\n".join(json.dumps(o) for o in objects) + "\n\n")
    listed = tmp_path / "b.json"
    listed.write_text(json.dumps({"object": "list", "data": objects, "has_more": False}))
    array = tmp_path / "c.json"
    array.write_text(json.dumps(objects, indent=2))
    pages = tmp_path / "d.jsonl"
    pages.write_text(json.dumps({"object": "list", "data": objects}) + "\n")
    for path in (lines, listed, array, pages):
        assert [o["id"] for o in read_objects(path)] == ["cus_1", "cus_2"]


def test_a_malformed_json_document_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "customers.json"
    path.write_text('[\n  {"id": "cus_1"},\n  {"id": }\n]')
    with pytest.raises(ConfigError, match=r"customers.json: line 3, column 10: not valid JSON"):
        read_objects(path)
    path.write_text('"just a string"')
    with pytest.raises(ConfigError, match="expected a Stripe object"):
        read_objects(path)


def test_a_bad_csv_value_names_file_line_and_column(tmp_path: Path) -> None:
    header = "id,Customer ID,Amount,Currency,Interval,Status,Start (UTC)\n"
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        header + "sub_1,cus_1,10.00,usd,month,active,2024-01-01 00:00\n"
        "sub_2,cus_2,ten,usd,month,active,2024-01-01 00:00\n"
    )
    with pytest.raises(ConfigError, match=r"subscriptions.csv: line 3, column 'Amount': 'ten'"):
        read_csv(path, Tally("t"))
    path.write_text(header + "sub_1,cus_1,10.00,usd,month,active,01/02/2024\n")
    with pytest.raises(ConfigError, match=r"line 2, column 'Start \(UTC\)': '01/02/2024' is not"):
        read_csv(path, Tally("t"))
    path.write_text(header + "sub_1,cus_1,10.00,usd,fortnight,active,2024-01-01\n")
    with pytest.raises(ConfigError, match="'fortnight' is not day, week, month or year"):
        read_csv(path, Tally("t"))
    path.write_text("id,Email\nsub_1,a@b\n")
    with pytest.raises(ConfigError, match="not a Stripe subscriptions export"):
        read_csv(path, Tally("t"))


def test_a_repeating_coupon_ends_after_its_months() -> None:
    start = 1706745600  # 2024-02-01
    coupon = {"percent_off": 100, "duration": "repeating", "duration_in_months": 3}
    assert discount_end({"start": start, "coupon": coupon}) == date(2024, 5, 1)
    assert discount_end({"start": start, "end": 1709251200, "coupon": coupon}) == date(2024, 3, 1)
    assert discount_end({"start": start, "coupon": {"duration": "forever"}}) is None
    assert plus_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert plus_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
