"""``nrr import stripe`` end to end: hand-built Stripe exports -> dataset -> report.

Every expected number is derived by hand in the fixture's NOTES.md
(tests/fixtures/stripe/*/NOTES.md), never copied from the code's output.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nrr.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "stripe"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def imported(tmp_path: Path, fixture: str, *extra: str) -> tuple[Path, Result]:
    out = tmp_path / fixture
    result = run("import", "stripe", "--from", str(FIXTURES / fixture), "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out, result


def lines(out: Path) -> list[tuple[str, ...]]:
    with (out / "subscriptions.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(
        (
            r["customer_id"],
            r["start_date"],
            r["end_date"],
            r["amount"],
            r["billing_months"],
            r["currency"],
            r["kind"],
            r["product"],
        )
        for r in rows
    )


def report(out: Path, start: str, end: str) -> dict[str, float]:
    result = run("report", str(out), "--from", start, "--to", end, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1
    return dict(rows[0])


def test_saas_lines_are_the_hand_derived_ones(tmp_path: Path) -> None:
    out, result = imported(tmp_path, "saas")
    usd = "USD"
    assert lines(out) == sorted(
        [
            ("cus_A", "2024-01-01", "2024-04-16", "100.00", "1", usd, "recurring", "prod_basic"),
            ("cus_A", "2024-04-16", "", "300.00", "1", usd, "recurring", "prod_pro"),
            ("cus_B", "2024-02-01", "2024-05-01", "300.00", "1", usd, "recurring", "prod_pro"),
            ("cus_B", "2024-05-01", "", "100.00", "1", usd, "recurring", "prod_basic"),
            ("cus_C", "2024-01-01", "2024-06-01", "100.00", "1", usd, "recurring", "prod_basic"),
            ("cus_D", "2023-07-01", "", "12000.00", "12", usd, "recurring", "prod_enterprise"),
            ("cus_E", "2024-03-01", "2024-04-01", "30.00", "1", usd, "usage", "prod_api"),
            ("cus_E", "2024-04-01", "2024-05-01", "45.00", "1", usd, "usage", "prod_api"),
            ("cus_E", "2024-05-01", "2024-06-01", "60.00", "1", usd, "usage", "prod_api"),
            ("cus_F", "2024-02-01", "2024-05-01", "0", "1", usd, "recurring", "prod_basic"),
            ("cus_F", "2024-05-01", "", "100.00", "1", usd, "recurring", "prod_basic"),
            ("cus_G", "2024-03-10", "2024-04-10", "0", "1", usd, "recurring", "prod_pro"),
            ("cus_G", "2024-04-10", "", "300.00", "1", usd, "recurring", "prod_pro"),
        ]
    )
    summary = result.stderr
    for told in (
        "2 proration lines",
        "1 one-time invoice items",
        "1 invoices in status void",
        "1 invoice lines with tax",
        "1 credit notes and refunds (they do not change MRR)",
        "credit notes total 100.00 USD, not netted",
        "metadata key 'name' is a name nrr reserves: written as 'metadata_name'",
        "wrote 13 rows to subscriptions",
    ):
        assert told in summary
    with (out / "customers.csv").open(newline="") as handle:
        customers = {r["customer_id"]: r for r in csv.DictReader(handle)}
    assert customers["cus_A"]["segment"] == "enterprise"
    assert customers["cus_A"]["csm"] == "dana"
    assert customers["cus_C"]["name"] == "owner@cobalt.test"
    assert customers["cus_C"]["metadata_name"] == "Cobalt"


def test_saas_april_and_may_are_the_hand_derived_numbers(tmp_path: Path) -> None:
    out, _ = imported(tmp_path, "saas")
    april = report(out, "2024-04-01", "2024-05-01")
    assert april["customers_start"] == 5
    assert april["starting_mrr"] == pytest.approx(1545)
    assert april["expansion_mrr"] == pytest.approx(215)
    assert april["contraction_mrr"] == pytest.approx(200)
    assert april["churn_mrr"] == pytest.approx(0)
    assert april["ending_mrr"] == pytest.approx(1560)
    assert april["nrr"] == pytest.approx(1560 / 1545 * 100)
    assert april["grr"] == pytest.approx(1345 / 1545 * 100)
    assert april["new_mrr"] == pytest.approx(400)
    assert april["total_mrr_start"] == pytest.approx(1545)
    assert april["total_mrr_end"] == pytest.approx(1960)
    may = report(out, "2024-05-01", "2024-06-01")
    assert may["starting_mrr"] == pytest.approx(1960)
    assert may["churn_mrr"] == pytest.approx(160)
    assert may["ending_mrr"] == pytest.approx(1800)
    assert may["nrr"] == pytest.approx(1800 / 1960 * 100)
    assert may["logo_retention"] == pytest.approx(5 / 7 * 100)


def test_jpy_is_a_zero_decimal_currency(tmp_path: Path) -> None:
    out, _ = imported(tmp_path, "jpy")
    jpy = "JPY"
    assert lines(out) == [
        ("cus_J1", "2024-01-01", "2024-03-01", "15000", "1", jpy, "recurring", "prod_seat"),
        ("cus_J1", "2024-03-01", "", "10000", "1", jpy, "recurring", "prod_seat"),
        ("cus_J2", "2024-01-15", "", "120000", "12", jpy, "recurring", "prod_team"),
    ]
    february = report(out, "2024-02-01", "2024-03-01")
    assert february["starting_mrr"] == pytest.approx(25000)
    assert february["contraction_mrr"] == pytest.approx(5000)
    assert february["ending_mrr"] == pytest.approx(20000)
    assert february["nrr"] == pytest.approx(80)
    assert february["grr"] == pytest.approx(80)
    assert february["total_mrr_end"] == pytest.approx(20000)


def test_the_dashboard_csv_export(tmp_path: Path) -> None:
    out, _ = imported(tmp_path, "csv_export")
    u, r = "USD", "recurring"
    assert lines(out) == [
        ("cus_1", "2024-01-01", "", "300.00", "1", u, r, "Pro"),
        ("cus_2", "2024-02-15", "", "1200.00", "12", u, r, "Team"),
        ("cus_3", "2024-01-10", "2024-05-10", "50.00", "1", u, r, "Basic"),
        ("cus_4", "2024-03-01", "2024-03-15", "0", "1", u, r, "Pro"),
        ("cus_4", "2024-03-15", "", "150.00", "1", u, r, "Pro"),
        ("cus_5", "2024-05-01", "2024-07-01", "150.00", "1", u, r, "Pro"),
        ("cus_6", "2024-05-01", "2024-05-15", "0", "1", u, r, "Basic"),
        ("cus_6", "2024-05-15", "", "60.88", "1", u, r, "Basic"),
    ]
    with (out / "customers.csv").open(newline="") as handle:
        customers = {r["customer_id"]: r for r in csv.DictReader(handle)}
    assert customers["cus_1"]["segment"] == "enterprise"
    assert customers["cus_4"]["csm"] == "lee"
    assert customers["cus_2"]["name"] == "Beta"
    may = report(out, "2024-05-01", "2024-06-01")
    assert may["starting_mrr"] == pytest.approx(750)
    assert may["churn_mrr"] == pytest.approx(50)
    assert may["ending_mrr"] == pytest.approx(700)
    assert may["nrr"] == pytest.approx(700 / 750 * 100)
    assert may["new_mrr"] == pytest.approx(60.88)
    assert may["total_mrr_end"] == pytest.approx(760.88)


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.mark.parametrize("fixture", ["saas", "jpy", "csv_export"])
def test_the_input_files_are_never_changed(tmp_path: Path, fixture: str) -> None:
    before = digests(FIXTURES / fixture)
    imported(tmp_path, fixture)
    assert digests(FIXTURES / fixture) == before


def test_several_currencies_need_fx_rates_before_anything_is_written(tmp_path: Path) -> None:
    both = tmp_path / "both"
    both.mkdir()
    for name in ("customers.jsonl", "subscriptions.jsonl", "invoices.jsonl"):
        text = "".join((FIXTURES / f / name).read_text() for f in ("saas", "jpy"))
        (both / name).write_text(text)
    shutil.copyfile(FIXTURES / "jpy" / "prices.json", both / "prices.json")
    out = tmp_path / "out"
    result = run("import", "stripe", "--from", str(both), "--out", str(out))
    assert result.exit_code == 2
    assert "several currencies (JPY, USD)" in result.stderr
    assert "--fx-rates" in result.stderr
    assert not out.exists()
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2023-01-01,JPY,0.0067\n")
    result = run(
        "import", "stripe", "--from", str(both), "--out", str(out), "--fx-rates", str(rates)
    )
    assert result.exit_code == 0, result.output
    assert (out / "fx_rates.csv").read_text() == rates.read_text()


def test_a_malformed_line_names_its_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "export"
    source.mkdir()
    (source / "customers.jsonl").write_text('{"id": "cus_1", "object": "customer"}\n{"id": \n')
    result = run("import", "stripe", "--from", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "customers.jsonl: line 2, column" in result.stderr
    assert "not valid JSON" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_folder_and_an_empty_one_are_said_plainly(tmp_path: Path) -> None:
    result = run("import", "stripe", "--from", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    result = run("import", "stripe", "--from", str(tmp_path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "holds no Stripe export" in result.stderr


def test_unknown_fields_and_objects_are_ignored(tmp_path: Path) -> None:
    source = tmp_path / "export"
    source.mkdir()
    customer = {"id": "cus_1", "object": "customer", "name": "One", "brand_new_field": [1, 2]}
    charge = {"id": "ch_1", "object": "charge", "amount": 100}
    price = {"id": "price_1", "currency": "usd", "unit_amount": 999, "product": "prod_1"}
    price["recurring"] = {"interval": "month", "interval_count": 1, "future": True}
    sub = {"id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "active"}
    sub |= {"start_date": 1704067200, "current_period_start": 1704067200, "unknown": {}}
    sub["items"] = {"object": "list", "data": [{"id": "si_1", "price": price, "quantity": 2}]}
    (source / "customers.jsonl").write_text(json.dumps(customer) + "\n" + json.dumps(charge) + "\n")
    (source / "subscriptions.json").write_text(json.dumps([sub]))
    (source / "events.jsonl").write_text("{}\n")
    out, result = tmp_path / "out", None
    result = run("import", "stripe", "--from", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert lines(out) == [
        ("cus_1", "2024-01-01", "", "19.98", "1", "USD", "recurring", "prod_1"),
    ]
    assert "1 objects of an unknown kind in customers (charge)" in result.stderr
    assert "events.jsonl was not read" in result.stderr


def test_a_change_no_invoice_dates_is_warned_about(tmp_path: Path) -> None:
    """Current items that differ from the last invoice, with no proration: told, not hidden."""
    source = tmp_path / "export"
    source.mkdir()
    old = {"id": "p_old", "currency": "usd", "unit_amount": 1000, "product": "prod_x"}
    old["recurring"] = {"interval": "month", "interval_count": 1}
    new = old | {"id": "p_new", "unit_amount": 3000}
    jan, feb, mar = 1704067200, 1706745600, 1709251200
    sub = {"id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "active"}
    sub |= {"start_date": jan, "current_period_start": feb, "current_period_end": mar}
    sub["items"] = {"data": [{"id": "si_1", "price": new, "quantity": 1}]}
    invoices = [
        {
            "id": f"in_{start}",
            "object": "invoice",
            "customer": "cus_1",
            "status": "paid",
            "lines": {
                "data": [
                    {
                        "type": "subscription",
                        "subscription": "sub_1",
                        "amount": 1000,
                        "currency": "usd",
                        "price": old,
                        "period": {"start": start, "end": end},
                    }
                ]
            },
        }
        for start, end in ((jan, feb), (feb, mar))
    ]
    (source / "subscriptions.jsonl").write_text(json.dumps(sub) + "\n")
    (source / "invoices.jsonl").write_text("".join(json.dumps(i) + "\n" for i in invoices))
    out = tmp_path / "out"
    result = run("import", "stripe", "--from", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert lines(out) == [
        ("cus_1", "2024-01-01", "2024-02-01", "10.00", "1", "USD", "recurring", "prod_x"),
        ("cus_1", "2024-02-01", "", "30.00", "1", "USD", "recurring", "prod_x"),
    ]
    assert "subscription sub_1: its current items differ from its last invoice" in result.stderr
    assert "cannot be known" in result.stderr


def test_a_repeated_object_counts_once_and_a_partial_page_is_told(tmp_path: Path) -> None:
    source = tmp_path / "export"
    shutil.copytree(FIXTURES / "saas", source)
    invoices = (source / "invoices.jsonl").read_text().splitlines(keepends=True)
    (source / "invoices.jsonl").write_text("".join(invoices + invoices[:3]))
    notes = json.loads((source / "credit_notes.json").read_text())
    (source / "credit_notes.json").write_text(json.dumps(notes | {"has_more": True}))
    out = tmp_path / "out"
    result = run("import", "stripe", "--from", str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert lines(out) == lines(imported(tmp_path, "saas")[0])
    assert "3 repeated invoices (same id; the first is kept)" in result.stderr
    assert "credit_notes.json holds a list page with has_more: true" in result.stderr
