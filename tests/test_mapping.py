"""Column mapping (docs/mapping.md): the user's own column names, formats and values read
in memory, errors in the user's words, and ``nrr map suggest`` round-tripping."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import nrr
from nrr.cli import cli
from nrr.dataset.mapping import find_mapping, load_mapping
from nrr.dataset.suggest_guess import guess_dates, guess_intervals, guess_numbers
from nrr.errors import ConfigError, InputError

STRIPE = Path(__file__).parent / "mapping_fixtures" / "stripe_export"

CUSTOMERS = "Customer ID,Company\nc1,One\nc2,Two\nc3,Three\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


EUROPEAN = """\
[customers.columns]
customer_id = "Customer ID"
name = "Company"

[subscriptions]
file = "Abos.csv"
date_format = "%d.%m.%Y"
decimal = ","
thousands = "."
strip = ["€", "EUR"]

[subscriptions.columns]
customer_id = "Kunde"
start_date = "Beginn"
end_date = "Ende"
amount = "Betrag"
billing_months = "Turnus"

[subscriptions.values.billing_months]
"jährlich" = "12"
monatlich = 1

[subscriptions.constants]
currency = "EUR"
kind = "recurring"
subscription_id = "1,5"  # a constant is not converted (a text column anyway)
"""


def european(tmp_path: Path) -> Path:
    return write(
        tmp_path / "data",
        {
            "customers.csv": CUSTOMERS,
            "Abos.csv": (
                "Kunde,Beginn,Ende,Betrag,Turnus\n"
                'c1,31.01.2024,,"1.200,00 €",jährlich\n'
                "c2,15.02.2024,15.05.2024,99 EUR,monatlich\n"
                'c3,01.03.2024,,"€ 10,5", monatlich \n'
            ),
            "map.toml": EUROPEAN,
        },
    )


def test_a_mapping_renames_converts_maps_values_and_sets_constants(tmp_path: Path) -> None:
    folder = european(tmp_path)
    ds = nrr.load(folder, mapping=folder / "map.toml")
    lines = ds.staged.lines.to_pylist()
    assert [(r["customer_id"], r["start_date"], r["end_date"]) for r in lines] == [
        ("c1", date(2024, 1, 31), None),
        ("c2", date(2024, 2, 15), date(2024, 5, 15)),
        ("c3", date(2024, 3, 1), None),
    ]
    assert [r["amount"] for r in lines] == [1200.0, 99.0, 10.5]
    assert [r["billing_months"] for r in lines] == [12, 1, 1]
    assert {r["currency"] for r in lines} == {"EUR"}
    assert ds.staged.mapping == folder / "map.toml"
    shown = run("validate", str(folder), "--map", str(folder / "map.toml"))
    assert f"column mapping       {folder / 'map.toml'}" in shown.output
    assert ds.staged.customers.column("customer_id").to_pylist() == ["c1", "c2", "c3"]
    # customers' other mapped columns are not attributes; "name" is the customer's name
    assert ds.attributes == ()


def test_the_users_files_are_never_changed(tmp_path: Path) -> None:
    folder = european(tmp_path)
    before = hashes(folder)
    nrr.load(folder, mapping=folder / "map.toml")
    result = run("validate", str(folder), "--map", str(folder / "map.toml"))
    assert result.exit_code == 0, result.output
    assert hashes(folder) == before


def test_without_a_mapping_the_data_is_read_as_before(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "plain",
        {
            "customers.csv": "customer_id\nc1\n",
            "subscriptions.csv": "customer_id,start_date,amount\nc1,2024-01-01,10\n",
        },
    )
    ds = nrr.load(folder)
    assert ds.staged.mapping is None
    assert ds.staged.lines.column("amount").to_pylist() == [10.0]


def test_errors_name_the_file_line_and_original_column_once(tmp_path: Path) -> None:
    folder = european(tmp_path)
    (folder / "Abos.csv").write_text(
        "Kunde,Beginn,Ende,Betrag,Turnus\n"
        'c1,31.01.2024,,"1.200,00 €",jährlich\n'
        "c2,2024-02-15,,99,monatlich\n"  # an ISO date is not the mapping's format
        'c3,01.03.2024,,"1,200.00",monatlich\n'  # US separators under the European ones
        "c3,01.03.2024,,-5,monatlich\n"  # converts, then breaks a rule of its own
        "c3,,,5,wöchentlich\n",  # missing date, an interval the values map lacks
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        nrr.load(folder, mapping=folder / "map.toml")
    rendered = [i.render() for i in caught.value.issues]
    abos = str(folder / "Abos.csv")
    assert (
        f"{abos}:3: \"Beginn\" (start_date): '2024-02-15' is not a date in the mapping's "
        "date_format %d.%m.%Y [date-format]"
    ) in rendered
    assert any(
        r.startswith(
            f"{abos}:4: \"Betrag\" (amount): '1,200.00' is not a number with the "
            "mapping's separators (decimal ',', thousands '.')"
        )
        for r in rendered
    )
    assert any(
        r.startswith(f'{abos}:5: "Betrag" (amount): ') and "[amount-negative]" in r
        for r in rendered
    )
    assert any(
        r.startswith(f'{abos}:6: "Beginn" (start_date): ') and "[value-required]" in r
        for r in rendered
    )
    assert (
        f"{abos}:6: \"Turnus\" (billing_months): 'wöchentlich' is not a whole number (nor a "
        f"value of [subscriptions.values.billing_months] in {folder / 'map.toml'}) "
        "[integer-format]"
    ) in rendered
    # one report per cell: the validator's own date-format report of line 3 is dropped
    assert len([r for r in rendered if r.startswith(f"{abos}:3:")]) == 1


def test_a_mapped_header_missing_from_the_file_is_named(tmp_path: Path) -> None:
    folder = european(tmp_path)
    text = EUROPEAN.replace('amount = "Betrag"', 'amount = "Preis"')
    (folder / "map.toml").write_text(text, encoding="utf-8")
    result = run("validate", str(folder), "--map", str(folder / "map.toml"))
    assert result.exit_code == 1
    assert (
        f'{folder / "Abos.csv"}:1: "Preis" (amount): the mapping reads amount from the '
        "column 'Preis', which is not in the header [column-missing]"
    ) in result.output
    assert result.output.count("[column-missing]") == 1


def test_a_users_column_named_like_a_mapped_one_is_ignored_with_a_warning(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "d",
        {
            "customers.csv": "customer_id\nc1\n",
            "subscriptions.csv": "customer_id,start_date,amount,Plan amount\nc1,2024-01-01,1,10\n",
            "mapping.toml": '[subscriptions.columns]\namount = "Plan amount"\n',
        },
    )
    ds = nrr.load(folder)
    assert ds.staged.lines.column("amount").to_pylist() == [10.0]
    assert any("'amount' is ignored: the mapping takes amount" in i.message for i in ds.warnings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[subscriptions\n", "not a valid TOML file"),
        ("", "the mapping is empty"),
        ("subscriptions = 1\n", "subscriptions: expected a [subscriptions] section"),
        ("[subscriptions]\ndte_format = '%Y'\n", "[subscriptions] dte_format: unknown key"),
        ("[subscriptions]\ndate_format = '%m/%Y'\n", "date_format: '%m/%Y' does not hold a whole"),
        ("[subscriptions]\ndate_format = '%Q-%m'\n", "date_format: '%Q-%m' is not a date format"),
        ("[subscriptions]\ndecimal = ';'\n", "decimal: ';' must be"),
        ("[subscriptions]\nthousands = '_'\n", "thousands: '_' must be one of"),
        ("[subscriptions]\nthousands = '.'\n", "thousands: '.' is also the decimal separator"),
        ("[subscriptions]\nstrip = '$'\n", "strip: expected a list of texts"),
        ("[subscriptions]\nfile = '../x.csv'\n", "file: '../x.csv' must be a file name"),
        (
            "[subscriptions.columns]\nstart_date = 'Date'\nend_date = 'date'\n",
            "[subscriptions.columns] end_date: the column 'date' is already mapped to start_date",
        ),
        (
            "[subscriptions.columns]\ncurrency = 'Cur'\n"
            "[subscriptions.constants]\ncurrency = 'EUR'\n",
            "[subscriptions.constants] currency: also mapped to the column 'Cur'",
        ),
        (
            "[subscriptions.columns]\namount = true\n",
            "[subscriptions.columns] amount: expected a text",
        ),
        ("[subscription.columns]\namount = 'A'\n", "[subscription]: not an nrr table"),
        (
            "[subscriptions.constants]\ncurrency = 'EURO'\n",
            "[subscriptions.constants] currency: 'EURO' is not a three-letter currency code",
        ),
        (
            "[subscriptions.columns]\namont = 'A'\n",
            "[subscriptions.columns] amont: subscriptions has no column amont",
        ),
    ],
)
def test_a_bad_mapping_file_is_named_with_its_key(tmp_path: Path, text: str, expected: str) -> None:
    folder = european(tmp_path)
    bad = write(tmp_path, {"bad.toml": text}) / "bad.toml"
    result = run("validate", str(folder), "--map", str(bad))
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output
    assert (
        expected in result.output.replace("\n", " ").replace("  ", " ") or expected in result.output
    )
    with pytest.raises(ConfigError):
        nrr.load(folder, mapping=bad)


def test_a_missing_mapping_file_or_named_data_file_is_a_usage_error(tmp_path: Path) -> None:
    folder = european(tmp_path)
    assert run("validate", str(folder), "--map", str(tmp_path / "none.toml")).exit_code == 2
    (folder / "map.toml").write_text(EUROPEAN.replace("Abos.csv", "Gone.csv"), encoding="utf-8")
    result = run("validate", str(folder), "--map", str(folder / "map.toml"))
    assert result.exit_code == 2
    assert "'Gone.csv', which is not in the folder" in result.output


def test_a_mapping_toml_beside_the_data_is_used_and_said(tmp_path: Path) -> None:
    folder = european(tmp_path)
    (folder / "map.toml").rename(folder / "mapping.toml")
    assert find_mapping(folder) == folder / "mapping.toml"
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "column mapping" in line]
    found = folder / "mapping.toml"
    assert notes == [f"note: reading the data through the column mapping {found} (docs/mapping.md)"]
    assert nrr.load(folder).staged.mapping == folder / "mapping.toml"
    quiet = CliRunner().invoke(cli, ["report", str(folder), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_duckdb_file_takes_the_mapping_named_after_it(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "billing.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table customers as select 'c1' as cust")
    con.execute(
        "create table subscriptions as select 'c1' as cust, '01/31/2024' as began, '$5' as price"
    )
    con.close()
    (tmp_path / "billing.mapping.toml").write_text(
        '[customers.columns]\ncustomer_id = "cust"\n'
        '[subscriptions]\ndate_format = "%m/%d/%Y"\nstrip = ["$"]\n'
        '[subscriptions.columns]\ncustomer_id = "cust"\nstart_date = "began"\namount = "price"\n',
        encoding="utf-8",
    )
    ds = nrr.load(path)
    assert ds.staged.lines.column("start_date").to_pylist() == [date(2024, 1, 31)]
    assert ds.staged.lines.column("amount").to_pylist() == [5.0]
    (tmp_path / "billing.mapping.toml").write_text(
        '[subscriptions]\nfile = "x.csv"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="applies to a folder of files only"):
        nrr.load(path)


def test_load_mapping_is_table_agnostic(tmp_path: Path) -> None:
    path = write(tmp_path, {"m.toml": '[invoice_lines.columns]\nservice_period_start = "From"\n'})
    mapping = load_mapping(path / "m.toml")
    table = mapping.table("invoice_lines")
    assert table is not None and table.columns == {"service_period_start": "From"}


# --- nrr map suggest -----------------------------------------------------------------------


def test_suggest_then_report_round_trips_a_stripe_like_export(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(STRIPE, folder)
    before = hashes(folder)
    result = CliRunner().invoke(cli, ["map", "suggest", str(folder)])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for line in (
        'file = "Subscriptions export.csv"',
        'date_format = "%m/%d/%Y"',
        'thousands = ","',
        'strip = ["$"]',
        'customer_id = "Customer ID"',
        'start_date = "Created (UTC)"',
        'end_date = "Canceled At (UTC)"',
        'billing_months = "Interval"',
        '"year" = "12"',
        '"quarter" = "3"',
        'customer_id = "id"',
        '# not mapped (ignored): "Customer Email", "Quantity", "Status"',
    ):
        assert line in text, line
    (tmp_path / "suggested.toml").write_text(text, encoding="utf-8")
    report = CliRunner().invoke(
        cli,
        [
            "report",
            str(folder),
            "--map",
            str(tmp_path / "suggested.toml"),
            "--period",
            "quarter",
            "--from",
            "2024-01-01",
            "--to",
            "2024-07-01",
            "--format",
            "json",
        ],
    )
    assert report.exit_code == 0, report.stderr
    import json

    rows = json.loads(report.stdout)
    # hand-derived in tests/mapping_fixtures/stripe_export/NOTES.md
    q1, q2 = rows
    assert (q1["starting_mrr"], q1["new_mrr"], q1["total_mrr_end"]) == (0, 250, 250)
    assert q1["nrr"] is None
    assert (q2["starting_mrr"], q2["expansion_mrr"], q2["churn_mrr"]) == (250, 25.5, 50)
    assert q2["ending_mrr"] == pytest.approx(225.5)
    assert q2["nrr"] == pytest.approx(90.2)
    assert q2["grr"] == pytest.approx(80.0)
    assert q2["logo_retention"] == pytest.approx(200 / 3)
    assert (q2["new_mrr"], q2["total_mrr_end"]) == (100, 325.5)
    assert hashes(folder) == before
    unmapped = [line for line in report.stderr.splitlines() if "[column-unknown]" in line]
    assert unmapped == [
        f"warning: {folder / 'Subscriptions export.csv'}:1: -: not mapped, so ignored: "
        "'customer email', 'quantity', 'status' [column-unknown]"
    ]


def test_suggest_writes_a_file_once_and_takes_a_single_file_with_its_table(tmp_path: Path) -> None:
    source = write(
        tmp_path,
        {"export.csv": 'cust_id,Begin,Price\nc1,31/01/2024,"1 200,50 €"\nc2,05/02/2024,3\n'},
    )
    output = tmp_path / "m.toml"
    result = run(
        "map", "suggest", str(source / "export.csv"), "--table", "subscriptions", "-o", str(output)
    )
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert 'date_format = "%d/%m/%Y"' in text
    assert 'decimal = ","' in text and 'thousands = " "' in text
    assert 'currency = "EUR"' in text  # from the € in the amounts, to check
    assert load_mapping(output).table("subscriptions") is not None
    assert run("map", "suggest", str(source / "export.csv"), "-o", str(output)).exit_code == 2


def test_suggest_refuses_a_file_whose_table_cannot_be_guessed(tmp_path: Path) -> None:
    source = write(tmp_path, {"stuff.csv": "a,b\n1,2\n"})
    result = run("map", "suggest", str(source / "stuff.csv"))
    assert result.exit_code == 2
    assert "--table" in result.output


def test_guesses() -> None:
    ambiguous = guess_dates(["01/02/2024", "03/04/2024"])
    assert ambiguous.formats[0] == "%m/%d/%Y" and ambiguous.ambiguous
    assert not guess_dates(["01/31/2024"]).ambiguous
    assert guess_dates(["2024-01-31 13:45:00"]).formats[0] == "%Y-%m-%d %H:%M:%S"
    assert guess_numbers(["$1,200.00", "$5.00"]).strip == ("$",)
    swiss = guess_numbers(["CHF 1'200.50"])
    assert (swiss.thousands, swiss.decimal, swiss.strip) == ("'", ".", ("CHF",))
    european_ = guess_numbers(["1.200,50", "3,00"])
    assert (european_.decimal, european_.thousands) == (",", ".")
    intervals = guess_intervals(["month", "year", "week"])
    assert intervals is not None
    assert intervals.values == {"month": "1", "year": "12"} and intervals.unreadable == ("week",)
    assert guess_intervals(["1", "12"]) is None


@pytest.mark.parametrize(
    "command", ["validate", "report", "customers", "cohorts", "forecast", "signals", "serve"]
)
def test_every_command_that_reads_data_takes_a_mapping(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--map MAPPING.toml" in result.output


def test_every_command_reads_through_the_mapping(tmp_path: Path) -> None:
    folder = european(tmp_path)
    mapping = str(folder / "map.toml")
    for args in (
        ["report", str(folder), "--map", mapping, "--format", "csv"],
        ["customers", str(folder), "--map", mapping, "--format", "csv"],
        ["cohorts", str(folder), "--map", mapping, "--format", "csv"],
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert (
        run("report", str(folder), "--format", "csv").exit_code == 1
    )  # no mapping: Abos.csv unread


def test_the_dashboard_reloads_changed_files_through_the_same_mapping(tmp_path: Path) -> None:
    from tests.web.helpers import client_for

    folder = european(tmp_path)
    outside = tmp_path / "kept-elsewhere.toml"
    (folder / "map.toml").rename(outside)
    client = client_for(nrr.load(folder, mapping=outside), tmp_path / "store.sqlite")
    assert client.get("/api/attributes").status_code == 200
    with (folder / "Abos.csv").open("a", encoding="utf-8") as handle:
        handle.write('c2,01.06.2024,,"2.000,00",jährlich\n')
    assert client.get("/api/attributes").status_code == 200
    state = client.app.state.nrr
    assert state.failure is None
    assert state.dataset.staged.mapping == outside
    assert state.dataset.staged.lines.column("amount").to_pylist()[-1] == 2000.0


def test_map_table_reads_any_table_with_spaces_and_apostrophes_as_thousands(tmp_path: Path) -> None:
    import pyarrow as pa

    from nrr.dataset import map_table
    from nrr.dataset.raw import RawTable

    path = write(
        tmp_path,
        {
            "m.toml": '[invoice_lines]\ndecimal = ","\nthousands = " "\nstrip = ["€"]\n'
            '[invoice_lines.columns]\nline_amount = "Montant"\n'
            '[swiss]\nthousands = "\'"\nstrip = ["CHF"]\n',
        },
    )
    mapping = load_mapping(path / "m.toml")
    values = ["1 200,50 €", "1\u00a0200,50", "1\u202f200", "12,5", "", "1 20,00"]
    raw = RawTable("invoice_lines", "lines.csv", ["montant"], pa.table({"montant#0": values}))
    table = mapping.table("invoice_lines")
    assert table is not None
    mapped = map_table(raw, table, numbers={"line_amount"})
    assert mapped.raw.columns == ["line_amount"]
    assert mapped.raw.data.column(0).to_pylist() == [
        "1200.50",
        "1200.50",
        "1200",
        "12.5",
        "",
        "1 20,00",
    ]
    assert [(i.line, i.rule) for i in mapped.issues] == [(7, "decimal-format")]
    assert "'1 20,00'" in mapped.issues[0].message
    swiss = mapping.table("swiss")
    assert swiss is not None
    raw = RawTable("swiss", "s.csv", ["amount"], pa.table({"amount#0": ["CHF 1'234.50", "-5"]}))
    column = map_table(raw, swiss, numbers={"amount"}).raw.data.column(0)
    assert column.to_pylist() == ["1234.50", "-5"]


def test_a_constant_is_written_in_nrrs_format_whatever_the_table_uses(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "d",
        {
            "customers.csv": "customer_id\nc1\n",
            "subscriptions.csv": "customer_id,start_date,amount\nc1,2024-01-01,10\n",
            "customer_attributes.csv": "customer_id,attribute,value\nc1,segment,smb\n",
            "mapping.toml": '[customer_attributes]\ndate_format = "%m/%d/%Y"\n'
            '[customer_attributes.constants]\nvalid_from = "2024-01-01"\n',
        },
    )
    history = nrr.load(folder).staged.attribute_history.to_pylist()
    assert [(r["attribute"], r["value"], r["valid_from"]) for r in history] == [
        ("segment", "smb", date(2024, 1, 1))
    ]


INVOICE_LINES = """
[invoice_lines]
date_format = "%d.%m.%Y"
period_end = "inclusive"
decimal = ","
thousands = "."
strip = ["€"]

[invoice_lines.columns]
customer_id = "Kunde"
invoice_date = "Datum"
service_period_start = "Von"
service_period_end = "Bis"
amount = "Betrag"
kind = "Art"

[invoice_lines.values.kind]
abo = "subscription"

[invoice_lines.constants]
currency = "EUR"
"""


def test_one_mapping_file_serves_the_dataset_and_nrr_import_invoices(tmp_path: Path) -> None:
    folder = european(tmp_path)
    (folder / "map.toml").write_text(EUROPEAN + INVOICE_LINES, encoding="utf-8")
    # the dataset reader leaves the [invoice_lines] section to the importer
    assert run("validate", str(folder), "--map", str(folder / "map.toml")).exit_code == 0
    header = "Kunde,Datum,Von,Bis,Betrag,Art\n"
    row = 'c1,01.01.2024,01.01.2024,31.12.2024,"1.200,00 €",Abo\n'
    lines = write(tmp_path / "export", {"lines.csv": header + row}) / "lines.csv"
    out = tmp_path / "imported"
    result = run(
        "import", "invoices", str(lines), "--map", str(folder / "map.toml"), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    # 1,200.00 EUR for the year 2024 (inclusive end: the period ends on 2025-01-01): 12 months
    assert "c1,2024-01-01,,1200,12,EUR,recurring" in (out / "subscriptions.csv").read_text()
    # the same file beside the imported dataset (its tables in nrr's own format) is no harm
    (out / "mapping.toml").write_text(INVOICE_LINES, encoding="utf-8")
    reported = run("report", str(out))
    assert reported.exit_code == 0, reported.output


def test_several_date_formats_are_tried_in_order(tmp_path: Path) -> None:
    folder = european(tmp_path)
    text = EUROPEAN.replace('date_format = "%d.%m.%Y"', 'date_format = ["%d.%m.%Y", "%Y-%m-%d"]')
    (folder / "map.toml").write_text(text, encoding="utf-8")
    abos = (folder / "Abos.csv").read_text(encoding="utf-8").replace("15.02.2024", "2024-02-15")
    (folder / "Abos.csv").write_text(abos, encoding="utf-8")
    ds = nrr.load(folder, mapping=folder / "map.toml")
    starts = ds.staged.lines.column("start_date").to_pylist()
    assert starts == [date(2024, 1, 31), date(2024, 2, 15), date(2024, 3, 1)]
    (folder / "Abos.csv").write_text(abos.replace("01.03.2024", "3/1/2024"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        nrr.load(folder, mapping=folder / "map.toml")
    assert any(
        "'3/1/2024' is not a date in the mapping's date_format %d.%m.%Y or %Y-%m-%d" in i.message
        for i in caught.value.issues
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[subscriptions]\nperiod_end = "inclusive"\n',
            "[subscriptions] period_end: is read by nrr import invoices only ([invoice_lines])",
        ),
        (
            '[subscriptions.columns]\nend_date = ["Ended At", "Canceled At"]\n',
            "[subscriptions.columns] end_date: a list of headers is read by nrr import "
            "invoices only ([invoice_lines]); name one header",
        ),
    ],
)
def test_what_only_the_invoice_importer_reads_is_refused_in_a_table(
    tmp_path: Path, text: str, expected: str
) -> None:
    folder = european(tmp_path)
    bad = write(tmp_path, {"bad.toml": text}) / "bad.toml"
    result = run("validate", str(folder), "--map", str(bad))
    assert result.exit_code == 2, result.output
    assert f"{bad}: {expected}" in result.output
