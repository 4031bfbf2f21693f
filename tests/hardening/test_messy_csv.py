"""Messy real-world CSV exports through the CLI: read right, or rejected with a clear line.

Each case writes the valid two-customer dataset of ``helpers`` with one file made messy,
runs ``nrr validate`` (and ``nrr report`` where the data is valid) and checks the exit code,
the exact message, that nothing printed a traceback, and that the inputs are untouched.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.hardening.helpers import (
    CUSTOMERS,
    SUBS,
    SUBS_HEADER,
    assert_bridge,
    assert_input_errors,
    report_rows,
    run,
    unchanged,
    write,
)

REPORT = (
    "report",
    "--period",
    "month",
    "--from",
    "2024-01-01",
    "--to",
    "2024-08-01",
    "--format",
    "csv",
)


def plain_report(tmp_path: Path) -> list[dict[str, object]]:
    """The report of the clean dataset: what every readable messy variant must give."""
    folder = write(tmp_path / "plain", {})
    outcome = run(*REPORT[:1], folder, *REPORT[1:])
    assert outcome.code == 0, outcome.stderr
    return report_rows(outcome.stdout)


def validate_ok(folder: Path) -> str:
    with unchanged(folder):
        outcome = run("validate", folder)
    assert outcome.code == 0, outcome.stderr
    assert "satisfies the nrr data contract" in outcome.stdout
    return outcome.stdout


def errors_of(folder: Path, rules: set[str] | None = None) -> list[str]:
    """Validate ``folder``, expecting input errors; the error lines with the folder as {d}."""
    with unchanged(folder):
        outcome = run("validate", folder)
    assert_input_errors(outcome, rules)
    return [m.group(0).replace(str(folder), "{d}") for m in outcome.issues]


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("customers", "subscriptions"),
    [
        pytest.param(b"\xef\xbb\xbf" + CUSTOMERS.encode(), SUBS.encode(), id="bom"),
        pytest.param(crlf(CUSTOMERS).encode(), crlf(SUBS).encode(), id="crlf"),
        pytest.param(
            b"\xef\xbb\xbf" + crlf(CUSTOMERS).encode(),
            b"\xef\xbb\xbf" + crlf(SUBS).encode(),
            id="bom-and-crlf",
        ),
        pytest.param(CUSTOMERS.replace("\n", "\r").encode(), SUBS.encode(), id="cr-only"),
        pytest.param(CUSTOMERS.encode(), SUBS.encode() + b"\n\n\r\n\n", id="trailing-blank"),
        pytest.param(CUSTOMERS.encode(), SUBS.rstrip("\n").encode(), id="no-final-newline"),
    ],
)
def test_line_endings_and_bom_give_the_same_numbers(
    customers: bytes, subscriptions: bytes, tmp_path: Path
) -> None:
    folder = write(
        tmp_path / "messy", {"customers.csv": customers, "subscriptions.csv": subscriptions}
    )
    summary = validate_ok(folder)
    assert "customers                     2 rows" in summary
    assert "subscriptions                 2 rows" in summary
    with unchanged(folder):
        outcome = run(REPORT[0], folder, *REPORT[1:])
    assert outcome.code == 0, outcome.stderr
    assert report_rows(outcome.stdout) == plain_report(tmp_path)


def test_quoted_commas_quotes_and_line_breaks_are_values(tmp_path: Path) -> None:
    customers = (
        "customer_id,name,parent_id,segment\n"
        'c1,"Acme, Inc.",,"smb, EMEA"\n'
        'c2,"Beta ""the second""\nBranch office\r\nParis",c1,ent\n'
    )
    folder = write(tmp_path / "quoted", {"customers.csv": customers})
    validate_ok(folder)
    with unchanged(folder):
        outcome = run(
            "report",
            folder,
            "--period",
            "year",
            "--from",
            "2024-01-01",
            "--to",
            "2025-01-01",
            "--by",
            "segment",
            "--format",
            "csv",
        )
    assert outcome.code == 0, outcome.stderr
    rows = report_rows(outcome.stdout)
    assert {row["segment"] for row in rows} == {"smb, EMEA"}  # c2 started inside the year
    with unchanged(folder):
        drill = run(
            "customers",
            folder,
            "--period",
            "month",
            "--from",
            "2024-03-01",
            "--to",
            "2024-04-01",
            "--format",
            "csv",
        )
    assert drill.code == 0, drill.stderr
    assert "c1" in drill.stdout and "c2" in drill.stdout


def test_line_numbers_count_quoted_line_breaks_and_blank_lines(tmp_path: Path) -> None:
    customers = 'customer_id,name,parent_id\nc1,"Acme\nInc\nHQ",\n\nc2,Beta,c9\n'
    folder = write(tmp_path / "lines", {"customers.csv": customers})
    assert errors_of(folder) == [
        "{d}/customers.csv:6: parent_id: parent_id 'c9' is not a customer_id of the customers "
        "table [parent-unknown]"
    ]


def test_raw_table_maps_rows_to_the_lines_they_start_on(tmp_path: Path) -> None:
    """The reader's half of the line-number fix (the row-to-line map)."""
    from nrr.dataset.readers import FolderReader

    folder = write(
        tmp_path / "lines",
        {
            "customers.csv": 'customer_id,name\nc1,"A\nB"\n\n\nc2,x\r\nc3,"q\r\n"\n',
        },
    )
    table = FolderReader(folder).read().tables["customers"]
    assert [table.line(row) for row in range(3)] == [2, 6, 7]


DECIMAL = (
    "is not a plain decimal number (no currency symbols, thousands separators or "
    "exponents) [decimal-format]"
)


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('"1,000"', "'1,000'"),
        ('"1,000.50"', "'1,000.50'"),
        ("1 000", "'1 000'"),
        ('"1.000,50"', "'1.000,50'"),
        ("$50", "'$50'"),
        ("€50", "'€50'"),
        ("50 USD", "'50 USD'"),
        ("1e3", "'1e3'"),
        ("(50)", "'(50)'"),
        ("+50", "'+50'"),
    ],
)
def test_formatted_amounts_are_rejected_with_the_value(
    cell: str, shown: str, tmp_path: Path
) -> None:
    subscriptions = SUBS_HEADER + f"c1,2024-01-01,,{cell},USD\n"
    folder = write(tmp_path / "amounts", {"subscriptions.csv": subscriptions})
    assert errors_of(folder, {"decimal-format"}) == [
        f"{{d}}/subscriptions.csv:2: amount: {shown} {DECIMAL}"
    ]


@pytest.mark.parametrize(
    "content",
    [b"", b"\xef\xbb\xbf", b"\n\n\n", b"\r\n", b",,,\n"],
    ids=["zero-bytes", "bom-only", "blank-lines", "crlf-only", "blank-header"],
)
def test_empty_files_ask_for_a_header(content: bytes, tmp_path: Path) -> None:
    folder = write(tmp_path / "empty", {"customers.csv": content})
    assert errors_of(folder, {"file-empty"}) == [
        "{d}/customers.csv:1: -: the file is empty: expected a header row [file-empty]"
    ]


@pytest.mark.parametrize(
    "header",
    [SUBS_HEADER, SUBS_HEADER.rstrip("\n"), crlf(SUBS_HEADER), SUBS_HEADER + "\n\n"],
    ids=["newline", "no-newline", "crlf", "blank-lines-after"],
)
def test_header_only_is_a_valid_empty_table(header: str, tmp_path: Path) -> None:
    folder = write(tmp_path / "header-only", {"subscriptions.csv": header})
    summary = validate_ok(folder)
    assert "subscriptions                 0 rows" in summary
    assert "date range           none (no revenue rows)" in summary
    with unchanged(folder):
        outcome = run("report", folder, "--format", "csv")
    assert outcome.code == 0, outcome.stderr
    rows = report_rows(outcome.stdout)
    assert rows and all(row["total_mrr_end"] == 0 for row in rows)
    for row in rows:
        assert_bridge(row)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("customer_id,start_date,end_date,amount,currency,amount", "amount"),
        ("customer_id,start_date,end_date,Amount,currency,AMOUNT", "amount"),
        ("customer_id,start_date,end_date,amount,currency, amount ", "amount"),
    ],
)
def test_duplicate_headers_are_named(header: str, column: str, tmp_path: Path) -> None:
    subscriptions = header + "\nc1,2024-01-01,,100,USD,7\n"
    folder = write(tmp_path / "dup", {"subscriptions.csv": subscriptions})
    assert errors_of(folder) == [
        f"{{d}}/subscriptions.csv:1: {column}: column {column!r} appears twice in the header "
        "(names are case-insensitive) [column-duplicate]"
    ]


def test_empty_trailing_columns_of_spreadsheets_are_dropped(tmp_path: Path) -> None:
    customers = "customer_id,name,parent_id,segment,,\nc1,Acme,,smb,,\nc2,Beta,c1,ent,, \n"
    folder = write(tmp_path / "trailing-columns", {"customers.csv": customers})
    assert "attributes           segment\n" in validate_ok(folder)


def test_trailing_separator_rows_are_reported_not_dropped(tmp_path: Path) -> None:
    """A row of empty fields is a row (a spreadsheet's formatted but empty line): name it."""
    folder = write(tmp_path / "commas", {"subscriptions.csv": SUBS + ",,,,\n"})
    assert errors_of(folder) == [
        "{d}/subscriptions.csv:4: amount: amount is required [value-required]",
        "{d}/subscriptions.csv:4: customer_id: customer_id is required [value-required]",
        "{d}/subscriptions.csv:4: start_date: start_date is required [value-required]",
    ]


def test_separator_rows_in_customers_are_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "commas", {"customers.csv": CUSTOMERS + ",,,\n,,,\n"})
    assert errors_of(folder) == [
        "{d}/customers.csv:4: customer_id: customer_id is required [value-required]",
        "{d}/customers.csv:5: customer_id: customer_id is required [value-required]",
    ]


DATES = [
    "2024/01/05",
    "05/01/2024",
    "01-05-2024",
    "Jan 5 2024",
    "2024-1-5",
    "20240105",
    "2024-02-30",
    "2024-01-05T00:00:00",
    "2024-01-05 10:00",
    "5 janvier 2024",
]


def test_mixed_date_formats_are_rejected_row_by_row(tmp_path: Path) -> None:
    rows = ["c1,2024-01-05,,100,USD", *(f"c1,{d},,100,USD" for d in DATES)]
    folder = write(tmp_path / "dates", {"subscriptions.csv": SUBS_HEADER + "\n".join(rows)})
    assert errors_of(folder, {"date-format"}) == [
        f"{{d}}/subscriptions.csv:{line}: start_date: {d!r} is not a valid date in YYYY-MM-DD "
        "form [date-format]"
        for line, d in enumerate(DATES, start=3)
    ]


@pytest.mark.parametrize(
    ("content", "line", "byte"),
    [
        ("customer_id,name\nc1,Café\n".encode("latin-1"), 2, "0xe9"),
        (b"customer_id,name\nc1,Acme\nc2,B\xc3", 3, "0xc3"),
    ],
    ids=["latin-1", "cut-inside-a-character"],
)
def test_other_encodings_name_the_line(
    content: bytes, line: int, byte: str, tmp_path: Path
) -> None:
    folder = write(tmp_path / "encoding", {"customers.csv": content})
    assert errors_of(folder) == [
        f"{{d}}/customers.csv:{line}: -: the file is not UTF-8 text (byte {byte} on this "
        "line): save it as UTF-8, e.g. as 'CSV UTF-8' in Excel [file-unreadable]"
    ]


def test_ragged_rows_are_listed_at_their_lines(tmp_path: Path) -> None:
    subscriptions = SUBS_HEADER + 'c1,2024-01-01,,100\nc1,"2024-01-01",,"1,5",USD,x\n'
    folder = write(tmp_path / "ragged", {"subscriptions.csv": subscriptions})
    assert errors_of(folder) == [
        "{d}/subscriptions.csv:2: -: the row has 4 fields but the header has 5 [file-unreadable]",
        "{d}/subscriptions.csv:3: -: the row has 6 fields but the header has 5 [file-unreadable]",
    ]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (CUSTOMERS.encode("utf-16"), "UTF-16 (little-endian)"),
        (CUSTOMERS.encode("utf-16-le"), "UTF-16 (little-endian, no byte order mark)"),
        (CUSTOMERS.encode("utf-16-be"), "UTF-16 (big-endian, no byte order mark)"),
        (codecs.BOM_UTF16_BE + CUSTOMERS.encode("utf-16-be"), "UTF-16 (big-endian)"),
        (CUSTOMERS.encode("utf-32"), "UTF-32 (little-endian)"),
    ],
    ids=["utf-16-bom", "utf-16-le", "utf-16-be", "utf-16-be-bom", "utf-32"],
)
def test_wide_encodings_are_named_once(content: bytes, name: str, tmp_path: Path) -> None:
    """UTF-16 (Excel's "Unicode text") is named, with or without a byte order mark, rather
    than reported as a stray byte or as rows of the wrong width."""
    folder = write(tmp_path / "encoding", {"customers.csv": content})
    assert errors_of(folder) == [
        f"{{d}}/customers.csv:0: -: the file is {name} text: save it as UTF-8, e.g. as "
        "'CSV UTF-8' in Excel [file-unreadable]"
    ]


SEPARATED = "customer_id;start_date;end_date;amount;currency\n" + "".join(
    f"c{1 + i % 2};2024-01-01;;{100 + i},50;USD\n" for i in range(149)
)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (SEPARATED, "';'-separated (decimal commas?)"),
        (SEPARATED.replace(",", ".").replace(";", "\t"), "tab-separated"),
        (SEPARATED.replace(",", ".").replace(";", "|"), "'|'-separated"),
        (
            SEPARATED.replace("currency", "currency;note, free text"),
            "';'-separated (decimal commas?)",
        ),
    ],
    ids=["semicolon-decimal-commas", "tab", "pipe", "comma-in-a-header-name"],
)
def test_other_separators_are_said_in_one_message(content: str, kind: str, tmp_path: Path) -> None:
    """A European Excel export (``;`` and decimal commas) gave one issue per row: 149."""
    folder = write(tmp_path / "separated", {"subscriptions.csv": content})
    assert errors_of(folder) == [
        f"{{d}}/subscriptions.csv:1: -: the file looks {kind}: save it as comma-separated "
        "CSV (with '.' as the decimal separator), e.g. as 'CSV UTF-8' in Excel "
        "[file-unreadable]"
    ]


@pytest.mark.parametrize("size", [200_000, 3 << 20])
def test_a_field_longer_than_a_block_is_read(size: int, tmp_path: Path) -> None:
    """A long note in the first row: over the csv module's 128 KiB field limit, and over
    Arrow's 1 MiB block, which failed with "straddling object" errors."""
    note = "x" * size
    customers = f"customer_id,name,parent_id,note\nc1,Acme,,{note}\nc2,Beta,c1,short\n"
    folder = write(tmp_path / "long", {"customers.csv": customers})
    assert "customers                     2 rows" in validate_ok(folder)
    outcome = run(*REPORT[:1], folder, *REPORT[1:])
    assert outcome.code == 0, outcome.stderr
    assert report_rows(outcome.stdout) == plain_report(tmp_path)
