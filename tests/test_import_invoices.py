"""``nrr import invoices`` / ``nrr import chargebee`` end to end: the hand-built fixtures
under tests/fixtures/{invoices,chargebee}/ are imported, reported, and held to the numbers
their NOTES.md derive by hand."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nrr.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def imported(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "dataset"
    result = run("import", *args, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def subscriptions(out: Path) -> list[tuple[str, ...]]:
    with (out / "subscriptions.csv").open(newline="") as handle:
        return [
            (
                r["customer_id"],
                r["product"],
                r["start_date"],
                r["end_date"],
                r["amount"],
                r["billing_months"],
                r["kind"],
            )
            for r in csv.DictReader(handle)
        ]


def report(out: Path, period: str) -> list[dict[str, float]]:
    result = run(
        "report",
        str(out),
        "--from",
        "2024-01-01",
        "--to",
        "2024-04-01",
        "--period",
        period,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, float]] = json.loads(result.stdout)
    return rows


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upgrade_downgrade_and_cancellation(tmp_path: Path) -> None:
    lines = FIXTURES / "invoices" / "upgrade_downgrade" / "lines.csv"
    before = digest(lines)
    out = imported(tmp_path, "invoices", str(lines))
    assert digest(lines) == before  # the export is only read
    assert subscriptions(out) == [
        ("acme", "basic", "2024-01-01", "2024-02-15", "100", "1", "recurring"),
        ("acme", "pro", "2024-02-15", "", "200", "1", "recurring"),
        ("bolt", "pro", "2024-01-01", "2024-03-01", "200", "1", "recurring"),
        ("bolt", "basic", "2024-03-01", "", "100", "1", "recurring"),
        ("cobalt", "basic", "2024-01-01", "2024-03-01", "100", "1", "recurring"),
    ]
    feb = report(out, "month")[1]
    assert feb["period_start"] == "2024-02-01"
    assert (feb["starting_mrr"], feb["ending_mrr"]) == (400, 300)
    assert (feb["expansion_mrr"], feb["contraction_mrr"], feb["churn_mrr"]) == (100, 100, 100)
    assert feb["nrr"] == pytest.approx(75.0)
    assert feb["grr"] == pytest.approx(50.0)
    quarter = report(out, "quarter")[0]
    assert (quarter["nrr"], quarter["grr"]) == (pytest.approx(75.0), pytest.approx(50.0))


def test_annual_usage_coupon_trial_and_refund(tmp_path: Path) -> None:
    out = imported(
        tmp_path, "invoices", str(FIXTURES / "invoices" / "annual_usage_trial" / "lines.csv")
    )
    rows = subscriptions(out)
    assert ("delta", "enterprise", "2024-01-01", "", "12000", "12", "recurring") in rows
    assert ("delta", "api_calls", "2024-02-01", "2024-03-01", "450.00", "", "usage") in rows
    assert ("echo", "team", "2024-01-01", "2024-03-01", "0", "1", "recurring") in rows
    assert ("foxtrot", "team", "2024-01-10", "2024-01-24", "0", "1", "recurring") in rows
    assert ("golf", "team", "2024-01-01", "2024-02-01", "150", "1", "recurring") in rows
    assert len(rows) == 10
    jan, feb, _ = report(out, "month")
    assert (jan["starting_mrr"], jan["ending_mrr"], jan["new_mrr"]) == (1450, 1650, 500)
    assert jan["nrr"] == pytest.approx(1650 / 1450 * 100)
    assert jan["grr"] == pytest.approx(100.0)
    assert (feb["starting_mrr"], feb["ending_mrr"], feb["new_mrr"]) == (2150, 1750, 500)
    assert (feb["contraction_mrr"], feb["churn_mrr"]) == (200, 200)
    assert feb["nrr"] == pytest.approx(1750 / 2150 * 100)
    assert feb["total_mrr_end"] == 2250
    q1 = report(out, "quarter")[0]
    assert q1["nrr"] == pytest.approx(1000 / 1450 * 100)
    assert (q1["new_mrr"], q1["total_mrr_end"]) == (1000, 2000)


def test_a_currency_without_decimals(tmp_path: Path) -> None:
    out = imported(tmp_path, "invoices", str(FIXTURES / "invoices" / "jpy" / "lines.csv"))
    assert ("juliett", "standard", "2024-01-15", "", "1000000", "12", "recurring") in (
        subscriptions(out)
    )
    q1 = report(out, "quarter")[0]
    assert (q1["starting_mrr"], q1["ending_mrr"]) == (80000, 80000)
    assert (q1["nrr"], q1["grr"]) == (pytest.approx(100.0), pytest.approx(62.5))
    assert q1["new_mrr"] == pytest.approx(1_000_000 / 12)


@pytest.mark.parametrize("how", [("chargebee",), ("invoices", "--preset", "chargebee")])
def test_chargebee_export(tmp_path: Path, how: tuple[str, ...]) -> None:
    export = FIXTURES / "chargebee" / "monthly" / "invoices.csv"
    out = imported(tmp_path, how[0], str(export), *how[1:])
    assert subscriptions(out) == [
        ("cus_K", "pro-USD-Monthly", "2024-01-01", "", "100", "1", "recurring"),
        ("cus_K", "seats-USD-Monthly", "2024-02-01", "", "50", "1", "recurring"),
        ("cus_L", "pro-USD-Monthly", "2024-01-01", "2024-02-01", "0", "1", "recurring"),
        ("cus_L", "pro-USD-Monthly", "2024-02-01", "2024-04-01", "100", "1", "recurring"),
        ("cus_M", "annual-basic", "2024-02-01", "", "1200", "12", "recurring"),
    ]
    with (out / "customers.csv").open(newline="") as handle:
        names = {r["customer_id"]: r["name"] for r in csv.DictReader(handle)}
    assert names == {"cus_K": "Kilo Inc", "cus_L": "Lima Smith", "cus_M": "Mike SARL"}
    jan, _, mar = report(out, "month")
    assert (jan["nrr"], jan["grr"], jan["new_mrr"]) == (150, 100, 200)
    assert mar["nrr"] == pytest.approx(250 / 350 * 100)
    assert mar["churn_mrr"] == 100


def test_the_summary_counts_what_was_left_out(tmp_path: Path) -> None:
    export = FIXTURES / "chargebee" / "monthly" / "invoices.csv"
    result = run("import", "chargebee", str(export), "--out", str(tmp_path / "d"))
    assert result.exit_code == 0
    assert "2 one-time lines (not recurring revenue)" in result.stderr
    assert "7 tax amounts carried on other lines (not revenue)" in result.stderr
    assert "wrote a valid dataset" in result.stderr


def test_customers_file_and_as_of(tmp_path: Path) -> None:
    lines = FIXTURES / "invoices" / "upgrade_downgrade" / "lines.csv"
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id,name,segment\nacme,ACME,enterprise\nbolt,Bolt,smb\n")
    out = imported(
        tmp_path, "invoices", str(lines), "--customers", str(customers), "--as-of", "2024-06-01"
    )
    with (out / "customers.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0] == {"customer_id": "acme", "name": "ACME", "segment": "enterprise"}
    assert rows[2] == {"customer_id": "cobalt", "name": "Cobalt Ltd", "segment": ""}
    # as of June, acme's and bolt's last periods (to May 1) are over: ended, not active
    ends = {(r[0], r[1]): r[3] for r in subscriptions(out)}
    assert ends[("acme", "pro")] == "2024-05-01"
    assert ends[("bolt", "basic")] == "2024-05-01"


def test_bad_rows_are_all_named_by_file_line_and_header(tmp_path: Path) -> None:
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "Customer,Date,From,To,Net,Cur,Type,Plan\n"
        "a,2024-01-01,2024-01-01,2024-02-01,10.00,USD,subscription,p\n"
        "b,2024-13-01,2024-01-01,2024-02-01,$10,US,subscription,p\n"
        ",2024-01-01,2024-02-01,2024-01-01,1,USD,refund,p\n"
        "c,2024-01-01,2024-01-01,2024-02-01,2000000000000000,USD,subscription,p\n"
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        "[invoice_lines.columns]\ncustomer_id = 'Customer'\ninvoice_date = 'Date'\n"
        "service_period_start = 'From'\nservice_period_end = 'To'\namount = 'Net'\n"
        "currency = 'Cur'\nkind = 'Type'\nproduct = 'Plan'\n"
    )
    result = run(
        "import", "invoices", str(lines), "--map", str(mapping), "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 1
    for expected in (
        f"{lines}:3: Date: '2024-13-01' is not a date (%Y-%m-%d) [date-format]",
        f"{lines}:3: Net: '$10' is not a plain decimal [decimal-format]",
        f"{lines}:3: Cur: 'US' is not a code [currency-format]",
        f"{lines}:4: Customer: is empty [value-required]",
        f"{lines}:4: Type: 'refund' is not one of",
        f"{lines}:4: To: is not after the period's start [end-after-start]",
        f"{lines}:5: Net: '2000000000000000' is above 1e15 [amount-too-large]",
    ):
        assert expected in result.stderr
    assert not (tmp_path / "o").exists()  # nothing written from a bad file


def test_a_missing_column_names_the_header_wanted(tmp_path: Path) -> None:
    export = tmp_path / "cb.csv"
    export.write_text("Customer Id,Invoice Date\nc,01-Jan-2024\n")
    result = run("import", "chargebee", str(export), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "no column 'Line Item Amount' (Chargebee invoice export) [column-missing]" in (
        result.stderr
    )


def test_several_currencies_need_fx_rates(tmp_path: Path) -> None:
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "customer_id,invoice_date,service_period_start,service_period_end,amount,currency,kind\n"
        "a,2024-01-01,2024-01-01,2024-02-01,10,USD,subscription\n"
        "b,2024-01-01,2024-01-01,2024-02-01,10,eur,subscription\n"
    )
    result = run("import", "invoices", str(lines), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "2 currencies (EUR, USD): give --fx-rates FILE" in result.stderr
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2024-01-01,EUR,1.10\n")
    out = imported(tmp_path, "invoices", str(lines), "--fx-rates", str(rates))
    assert (out / "fx_rates.csv").read_text() == rates.read_text()
    assert report(out, "month")[0]["starting_mrr"] == pytest.approx(21.0)
