"""Spreading, merging and netting of invoice lines, and how a file's format is read."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from nrr.errors import ConfigError
from nrr.importers.invoice_format import load_line_format
from nrr.importers.invoice_read import InvoiceLine, read_lines
from nrr.importers.invoice_spread import (
    Charge,
    add_months,
    net_discounts,
    segments,
    whole_months,
)
from nrr.importers.summary import Tally

D = date.fromisoformat


def line(start: str, end: str, amount: str, **kw: str) -> InvoiceLine:
    fields = {
        "customer_id": "c",
        "customer_name": "",
        "invoice_id": "",
        "product": "p",
        "subscription_id": "",
        "kind": "subscription",
    } | kw
    return InvoiceLine(
        line=2,
        invoice_date=D(start),
        start=D(start),
        end=D(end),
        amount=Decimal(amount),
        currency="USD",
        tax=Decimal(0),
        **fields,  # type: ignore[arg-type]
    )


def spread(*lines: InvoiceLine) -> list[tuple[str, str, Fraction, int]]:
    charges = [Charge(x, Fraction(x.amount), 2) for x in lines]
    key = charges[0].key
    return [
        (s.start.isoformat(), s.end.isoformat(), s.mrr, s.months)
        for s in segments(key, charges, Tally("t"))
    ]


def test_months_are_calendar_months_with_month_ends_as_one_anchor() -> None:
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert add_months(D("2024-03-31"), -1) == D("2024-02-29")
    assert whole_months(D("2024-01-15"), D("2025-01-15")) == 12
    assert whole_months(D("2024-01-31"), D("2024-02-29")) == 1
    assert whole_months(D("2024-02-29"), D("2024-03-31")) == 1
    assert whole_months(D("2024-01-10"), D("2024-01-24")) is None
    assert whole_months(D("2024-01-01"), D("2024-02-02")) is None


def test_an_annual_period_pays_a_twelfth_a_month_and_renewals_merge() -> None:
    assert spread(
        line("2024-01-01", "2025-01-01", "1200"), line("2025-01-01", "2026-01-01", "1200")
    ) == [("2024-01-01", "2026-01-01", Fraction(100), 12)]


def test_a_changed_amount_starts_a_new_line_and_a_gap_ends_one() -> None:
    assert spread(
        line("2024-01-01", "2024-02-01", "100"),
        line("2024-02-01", "2024-03-01", "120"),
        line("2024-05-01", "2024-06-01", "120"),
    ) == [
        ("2024-01-01", "2024-02-01", Fraction(100), 1),
        ("2024-02-01", "2024-03-01", Fraction(120), 1),
        ("2024-05-01", "2024-06-01", Fraction(120), 1),
    ]


def test_a_proration_is_scaled_to_its_cycle_and_snaps_to_the_plan_rate() -> None:
    # upgrade on Jan 11: 21 of 31 days at 300 a month, billed 203.23 (rounded to the cent)
    assert spread(
        line("2024-01-01", "2024-02-01", "300"),
        line("2024-01-11", "2024-02-01", "-203.23"),
        line("2024-01-11", "2024-02-01", "338.71"),  # 500 x 21/31
        line("2024-02-01", "2024-03-01", "500"),
    ) == [
        ("2024-01-01", "2024-01-11", Fraction(300), 1),
        ("2024-01-11", "2024-03-01", Fraction(500), 1),
    ]


def test_a_proration_matching_no_plan_rate_keeps_its_rate_by_days_and_warns() -> None:
    tally = Tally("t")
    charges = [Charge(line("2024-01-17", "2024-02-01", "75"), Fraction(75), 2)]
    [segment] = segments(charges[0].key, charges, tally)
    assert segment.mrr == Fraction(75) * 31 / 15
    assert any("prorated" in w for w in tally.summary().warnings)


def test_a_longer_odd_period_counts_months_by_average_days() -> None:
    [(_, _, mrr, _)] = spread(line("2024-01-01", "2024-03-15", "740"))
    assert mrr == Fraction(740) / (Fraction(74) / Fraction(36525, 1200))


def test_discounts_are_netted_pro_rata_on_their_invoice() -> None:
    plan = line("2024-01-01", "2024-02-01", "300", invoice_id="i1", product="plan")
    seats = line("2024-01-01", "2024-02-01", "100", invoice_id="i1", product="seats")
    other = line("2024-01-01", "2024-02-01", "100", invoice_id="i2", product="plan")
    coupon = line("2024-01-01", "2024-02-01", "-40", invoice_id="i1", kind="discount", product="")
    charges = net_discounts([plan, seats, other], [coupon], Tally("t"))
    assert [c.amount for c in charges] == [Fraction(270), Fraction(90), Fraction(100)]


def test_a_discount_without_invoice_nets_its_customer_product_and_period() -> None:
    plan = line("2024-01-01", "2024-02-01", "100")
    later = line("2024-02-01", "2024-03-01", "100")
    off = line("2024-01-01", "2024-02-01", "25", kind="discount")  # written positive
    stray = line("2024-03-01", "2024-04-01", "-5", kind="discount")
    tally = Tally("t")
    charges = net_discounts([plan, later], [off, stray], tally)
    assert [c.amount for c in charges] == [Fraction(75), Fraction(100)]
    assert ("discount lines with no subscription line to net against", 1) in (
        tally.summary().skipped
    )


def test_a_discount_larger_than_its_line_leaves_a_zero_line() -> None:
    tally = Tally("t")
    plan = line("2024-01-01", "2024-02-01", "100", invoice_id="i")
    [charge] = net_discounts(
        [plan], [line("2024-01-01", "2024-02-01", "-150", invoice_id="i", kind="discount")], tally
    )
    assert charge.amount == 0
    assert tally.summary().warnings


def test_a_full_credit_is_no_line_but_a_zero_charge_is_a_zero_line() -> None:
    assert (
        spread(line("2024-01-01", "2024-02-01", "100"), line("2024-01-01", "2024-02-01", "-100"))
        == []
    )
    assert spread(line("2024-01-01", "2024-01-15", "0")) == [
        ("2024-01-01", "2024-01-15", Fraction(0), 1)
    ]


def test_a_mapping_renames_reformats_maps_values_and_sets_constants(tmp_path: Path) -> None:
    lines = tmp_path / "export.csv"
    lines.write_text(
        "Account,Billed,Period Start,Period End,Total,Type\n"
        "a1,01/31/2024,01/01/2024,01/31/2024,1200.50,Recurring\n"
        "a1,01/31/2024,,,9.99,Fee\n"
    )
    before = lines.read_bytes()
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[invoice_lines]\ndate_format = "%m/%d/%Y"\nperiod_end = "inclusive"\n'
        "[invoice_lines.columns]\ncustomer_id = 'Account'\ninvoice_date = 'Billed'\n"
        "service_period_start = 'Period Start'\nservice_period_end = 'Period End'\n"
        "amount = 'Total'\nkind = 'Type'\n"
        "[invoice_lines.values.kind]\nrecurring = 'subscription'\nfee = 'one_time'\n"
        "[invoice_lines.constants]\ncurrency = 'EUR'\n"
    )
    first, second = read_lines(lines, load_line_format(mapping))
    assert (first.start, first.end) == (D("2024-01-01"), D("2024-02-01"))
    assert (first.kind, first.currency, first.amount) == ("subscription", "EUR", Decimal("1200.50"))
    assert second.kind == "one_time"
    assert lines.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[other]\n", "no [invoice_lines] section"),
        ("[invoice_lines]\ncolumns = 3\n", "[invoice_lines.columns]: expected a section"),
        ("[invoice_lines.columns]\nrevenue = 'x'\n", "'revenue' is not a column"),
        ("[invoice_lines.values.plan]\nx = 'y'\n", "[invoice_lines.values] plan: 'plan' is not"),
        ("[invoice_lines]\nperiod_end = 'last'\n", "period_end: 'last' must be"),
        ("[invoice_lines]\nsheet = 1\n", "[invoice_lines] sheet: unknown key"),
        ("[invoice_lines]\nfile = 'x.csv'\n", "file: the invoice-lines file is the one named"),
        ("[invoice_lines.columns]\nkind = []\n", "kind: the list of headers is empty"),
        ("[invoice_lines\n", "not a valid TOML file"),
    ],
)
def test_a_bad_mapping_is_a_clear_config_error(tmp_path: Path, text: str, message: str) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_line_format(mapping)


def test_the_chargebee_preset_is_the_mapping_its_docs_show(tmp_path: Path) -> None:
    from nrr.importers.chargebee import CHARGEBEE

    page = (Path(__file__).parents[1] / "docs" / "importing.md").read_text()
    block = page.split("The preset as a mapping file:")[1].split("```toml\n")[1].split("```")[0]
    mapping = tmp_path / "chargebee.toml"
    mapping.write_text(block)
    documented = load_line_format(mapping)
    assert documented.columns == dict(CHARGEBEE.columns)
    assert documented.date_formats == CHARGEBEE.date_formats
    assert dict(documented.values["kind"]) == dict(CHARGEBEE.values["kind"])
    assert not documented.period_end_inclusive and not CHARGEBEE.period_end_inclusive


def test_a_period_billed_twice_counts_twice_with_a_warning() -> None:
    tally = Tally("t")
    charges = [
        Charge(line("2024-01-01", "2024-02-01", "100", invoice_id=i), Fraction(100), 2)
        for i in ("i1", "i2")
    ]
    [segment] = segments(charges[0].key, charges, tally)
    assert segment.mrr == 200
    assert any("billed twice" in w for w in tally.summary().warnings)


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    from nrr.errors import InputError
    from nrr.importers.invoice_format import DEFAULT

    lines = tmp_path / "latin1.csv"
    lines.write_bytes(b"customer_id,amount\na,1\nb\xe9,2\n")
    with pytest.raises(InputError) as caught:
        read_lines(lines, DEFAULT)
    [issue] = list(caught.value.issues)
    assert (issue.line, issue.rule) == (3, "file-unreadable")
    assert "0xE9" in issue.message


@pytest.mark.parametrize(
    ("settings", "written", "amount"),
    [
        ('thousands = ","\nstrip = ["$"]\n', '"$1,200.00"', "1200.00"),
        ('decimal = ","\nthousands = "."\nstrip = ["€"]\n', '"1.200,50 €"', "1200.50"),
        ('thousands = ","\nstrip = ["$"]\n', '"-$3"', "-3"),
    ],
)
def test_amounts_written_with_separators_and_symbols(
    tmp_path: Path, settings: str, written: str, amount: str
) -> None:
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "customer_id,invoice_date,service_period_start,service_period_end,amount,currency,kind\n"
        f"a,2024-01-01,2024-01-01,2024-02-01,{written},USD,subscription\n"
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(f"[invoice_lines]\n{settings}")
    [parsed] = read_lines(lines, load_line_format(mapping))
    assert parsed.amount == Decimal(amount)


def test_a_separator_is_one_the_mapping_format_knows(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[invoice_lines]\ndecimal = ",,"\n')
    with pytest.raises(ConfigError, match=re.escape("[invoice_lines] decimal: ',,' must be")):
        load_line_format(mapping)


def test_one_day_gaps_suggest_an_inclusive_period_end() -> None:
    tally = Tally("t")
    lines = [line("2024-01-01", "2024-01-31", "100"), line("2024-02-01", "2024-02-29", "100")]
    charges = [Charge(x, Fraction(x.amount), 2) for x in lines]
    assert len(segments(charges[0].key, charges, tally)) == 2
    assert any('period_end = "inclusive"' in w for w in tally.summary().warnings)
