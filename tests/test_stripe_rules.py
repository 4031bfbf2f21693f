"""The rules that turn one Stripe subscription into lines (docs/importing.md, "Stripe").

Each test is a subscription written by hand in Stripe's shapes; the expected lines follow
from the documented rule, stated in the test's name.
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path
from typing import Any

from nrr.importers.stripe import import_stripe
from tests.test_import_stripe import lines


def ts(day: str) -> int:
    return calendar.timegm(date.fromisoformat(day).timetuple())


PRICE = {"id": "price_m", "object": "price", "currency": "usd", "unit_amount": 10000}
PRICE |= {"product": "prod_m", "recurring": {"interval": "month", "interval_count": 1}}


def subscription(**fields: Any) -> dict[str, Any]:
    sub = {"id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "active"}
    sub |= {"start_date": ts("2024-01-01"), "current_period_start": ts("2024-03-01")}
    sub |= {"current_period_end": ts("2024-04-01")}
    sub["items"] = {"object": "list", "data": [{"id": "si_1", "price": PRICE, "quantity": 1}]}
    return sub | fields


def invoice(start: str, end: str, amount: int, **line: Any) -> dict[str, Any]:
    item = {"type": "subscription", "subscription": "sub_1", "amount": amount}
    item |= {"currency": "usd", "price": PRICE, "quantity": 1}
    item["period"] = {"start": ts(start), "end": ts(end)}
    found = {"id": f"in_{start}", "object": "invoice", "customer": "cus_1", "status": "paid"}
    return found | {"lines": {"object": "list", "data": [item | line]}}


def run(tmp_path: Path, subs: list[dict[str, Any]], invoices: list[dict[str, Any]]) -> list[Any]:
    source = tmp_path / "export"
    source.mkdir()
    (source / "subscriptions.jsonl").write_text("".join(json.dumps(s) + "\n" for s in subs))
    (source / "invoices.jsonl").write_text("".join(json.dumps(i) + "\n" for i in invoices))
    import_stripe(source, tmp_path / "out")
    return [row[:4] for row in lines(tmp_path / "out")]


def test_without_invoices_the_current_items_count_from_the_start(tmp_path: Path) -> None:
    assert run(tmp_path, [subscription()], []) == [("cus_1", "2024-01-01", "", "100.00")]


def test_a_scheduled_cancel_at_is_the_end_date(tmp_path: Path) -> None:
    sub = subscription(cancel_at=ts("2024-06-15"))
    assert run(tmp_path, [sub], []) == [("cus_1", "2024-01-01", "2024-06-15", "100.00")]


def test_cancel_at_period_end_ends_with_the_current_period(tmp_path: Path) -> None:
    sub = subscription(cancel_at_period_end=True)
    assert run(tmp_path, [sub], []) == [("cus_1", "2024-01-01", "2024-04-01", "100.00")]


def test_a_canceled_subscription_ends_at_ended_at(tmp_path: Path) -> None:
    sub = subscription(status="canceled", canceled_at=ts("2024-02-10"), ended_at=ts("2024-02-10"))
    invoices = [
        invoice("2024-01-01", "2024-02-01", 10000),
        invoice("2024-02-01", "2024-03-01", 10000),
    ]
    assert run(tmp_path, [sub], invoices) == [("cus_1", "2024-01-01", "2024-02-10", "100.00")]


def test_a_trialing_subscription_is_a_zero_line(tmp_path: Path) -> None:
    sub = subscription(status="trialing", trial_start=ts("2024-03-01"), trial_end=ts("2024-03-15"))
    sub["start_date"] = ts("2024-03-01")
    assert run(tmp_path, [sub], []) == [("cus_1", "2024-03-01", "", "0")]


def test_a_once_coupon_does_not_move_mrr(tmp_path: Path) -> None:
    once = {"id": "di_1", "object": "discount", "coupon": {"percent_off": 50, "duration": "once"}}
    first = invoice("2024-01-01", "2024-02-01", 10000)
    first["lines"]["data"][0]["discount_amounts"] = [{"amount": 5000, "discount": "di_1"}]
    first["discounts"] = [once]
    invoices = [first, invoice("2024-02-01", "2024-03-01", 10000)]
    invoices.append(invoice("2024-03-01", "2024-04-01", 10000))
    assert run(tmp_path, [subscription()], invoices) == [("cus_1", "2024-01-01", "", "100.00")]


def test_a_forever_amount_off_coupon_nets_the_current_price(tmp_path: Path) -> None:
    coupon = {"amount_off": 2500, "currency": "usd", "duration": "forever"}
    sub = subscription(discount={"id": "di_2", "object": "discount", "coupon": coupon})
    assert run(tmp_path, [sub], []) == [("cus_1", "2024-01-01", "", "75.00")]


def test_quantities_multiply_the_unit_amount(tmp_path: Path) -> None:
    sub = subscription()
    sub["items"]["data"][0]["quantity"] = 7
    assert run(tmp_path, [sub], []) == [("cus_1", "2024-01-01", "", "700.00")]


def test_an_uninvoiced_current_period_continues_the_last_invoice(tmp_path: Path) -> None:
    invoices = [
        invoice("2024-01-01", "2024-02-01", 8000),
        invoice("2024-02-01", "2024-03-01", 8000),
    ]
    assert run(tmp_path, [subscription()], invoices) == [
        ("cus_1", "2024-01-01", "2024-03-01", "80.00"),
        ("cus_1", "2024-03-01", "", "100.00"),
    ]


def test_a_tiered_price_carries_its_last_invoiced_amount(tmp_path: Path) -> None:
    tiered = {"id": "price_t", "object": "price", "currency": "usd", "unit_amount": None}
    tiered |= {"billing_scheme": "tiered", "product": "prod_t"}
    tiered["recurring"] = {"interval": "month", "interval_count": 1, "usage_type": "licensed"}
    sub = subscription()
    sub["items"]["data"][0]["price"] = tiered
    invoices = [
        invoice("2024-02-01", "2024-03-01", 4200, price=tiered),
        invoice("2024-03-01", "2024-04-01", 4200, price=tiered),
    ]
    assert run(tmp_path, [sub], invoices) == [("cus_1", "2024-02-01", "", "42.00")]
    other = tmp_path / "no-invoices"
    other.mkdir()
    assert run(other, [sub], []) == []


def test_a_discount_named_in_discount_and_discounts_counts_once(tmp_path: Path) -> None:
    quarter = {"id": "di_3", "object": "discount", "coupon": {"percent_off": 25}}
    quarter["coupon"]["duration"] = "forever"
    sub = subscription(discount=quarter, discounts=["di_3"])
    assert run(tmp_path, [sub], []) == [("cus_1", "2024-01-01", "", "75.00")]


def test_a_line_whose_price_is_only_an_unknown_id_is_told(tmp_path: Path) -> None:
    source = tmp_path / "export"
    source.mkdir()
    bad = invoice("2024-01-01", "2024-02-01", 10000, price="price_elsewhere")
    (source / "invoices.jsonl").write_text(json.dumps(bad) + "\n")
    summary = import_stripe(source, tmp_path / "out")
    assert ("subscription invoice lines whose price is neither expanded nor in the export", 1) in (
        summary.skipped
    )
    assert any("expand lines.data.price, or add prices.jsonl" in w for w in summary.warnings)


def test_a_missing_invoice_is_bridged_not_churned(tmp_path: Path) -> None:
    invoices = [
        invoice("2024-01-01", "2024-02-01", 10000),
        invoice("2024-03-01", "2024-04-01", 10000),
    ]
    source = tmp_path / "export"
    assert run(tmp_path, [subscription()], invoices) == [("cus_1", "2024-01-01", "", "100.00")]
    summary = import_stripe(source, tmp_path / "again")
    assert (
        "subscription sub_1: no invoice from 2024-02-01 to 2024-03-01: the price before the "
        "gap is assumed to continue"
    ) in summary.warnings
