"""One test per validation rule: the exact message, with file, line and column.

Each case starts from a valid two-customer dataset and breaks one thing. Lines count the
header as line 1.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import nrr
from nrr.cli import cli
from nrr.dataset.contract import RULES

CUSTOMERS = "customer_id,name,parent_id,segment\nc1,Acme,,smb\nc2,Beta,c1,ent\n"
SUBS_HEADER = "customer_id,start_date,end_date,amount,billing_months,currency,kind,product\n"
SUBS = SUBS_HEADER + "c1,2024-01-01,,100,1,USD,recurring,core\n"
EVENTS = "customer_id,date,mrr,currency\nc1,2024-01-01,100,\nc1,2024-03-01,0,\n"
FX = "date,currency,rate\n2023-01-01,EUR,1.10\n"

CASES: dict[str, tuple[dict[str, str | None], list[str]]] = {
    "table-missing": (
        {"customers.csv": None},
        [
            "{d}:0: -: no customers table (customers.csv, customers.parquet or a customers "
            "table) [table-missing]"
        ],
    ),
    "table-ambiguous": (
        {"events.csv": EVENTS},
        [
            "{d}:0: -: both subscriptions and events are given; keep the one that holds your "
            "revenue [table-ambiguous]"
        ],
    ),
    "file-unreadable": (
        {"customers.csv": CUSTOMERS + "c3,Gamma,,smb,extra\n"},
        ["{d}/customers.csv:4: -: the row has 5 fields but the header has 4 [file-unreadable]"],
    ),
    "file-empty": (
        {"customers.csv": ""},
        ["{d}/customers.csv:1: -: the file is empty: expected a header row [file-empty]"],
    ),
    "column-missing": (
        {"subscriptions.csv": "customer_id,start_date\nc1,2024-01-01\n"},
        [
            "{d}/subscriptions.csv:1: amount: required column 'amount' is missing from the "
            "header [column-missing]"
        ],
    ),
    "column-duplicate": (
        {"customers.csv": "customer_id,Segment,segment\nc1,a,b\nc2,a,b\n"},
        [
            "{d}/customers.csv:1: segment: column 'segment' appears twice in the header "
            "(names are case-insensitive) [column-duplicate]"
        ],
    ),
    "column-unnamed": (
        {"customers.csv": "customer_id,name,,\nc1,Acme,x,\nc2,Beta,,\n"},
        [
            "{d}/customers.csv:1: -: column 3 has no name in the header but holds values: name "
            "it, or delete the column [column-unnamed]"
        ],
    ),
    "value-required": (
        {"subscriptions.csv": SUBS_HEADER + "c1,,,100,1,USD,recurring,core\n"},
        ["{d}/subscriptions.csv:2: start_date: start_date is required [value-required]"],
    ),
    "id-duplicate": (
        {"customers.csv": CUSTOMERS + "c1,Again,,smb\n"},
        [
            "{d}/customers.csv:4: customer_id: customer_id 'c1' already appears on line 2 "
            "[id-duplicate]"
        ],
    ),
    "customer-unknown": (
        {"subscriptions.csv": SUBS + "c9,2024-01-01,,5,1,USD,recurring,core\n"},
        [
            "{d}/subscriptions.csv:3: customer_id: customer_id 'c9' is not in the customers "
            "table [customer-unknown]"
        ],
    ),
    "parent-unknown": (
        {"customers.csv": CUSTOMERS + "c3,Gamma,c7,smb\n"},
        [
            "{d}/customers.csv:4: parent_id: parent_id 'c7' is not a customer_id of the "
            "customers table [parent-unknown]"
        ],
    ),
    "parent-cycle": (
        {"customers.csv": "customer_id,parent_id\nc1,\nc2,c3\nc3,c2\nc4,c3\n"},
        [
            "{d}/customers.csv:3: parent_id: the parent chain of 'c2' loops back on itself "
            "and never reaches a top-level account [parent-cycle]",
            "{d}/customers.csv:4: parent_id: the parent chain of 'c3' loops back on itself "
            "and never reaches a top-level account [parent-cycle]",
            "{d}/customers.csv:5: parent_id: the parent chain of 'c4' loops back on itself "
            "and never reaches a top-level account [parent-cycle]",
        ],
    ),
    "date-format": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024/01/05,,100,1,USD,recurring,core\n"},
        [
            "{d}/subscriptions.csv:2: start_date: '2024/01/05' is not a valid date in "
            "YYYY-MM-DD form [date-format]"
        ],
    ),
    "date-range": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,9999-12-31,100,1,USD,recurring,core\n"},
        [
            "{d}/subscriptions.csv:2: end_date: '9999-12-31' is outside 1900-01-01 to 2999-12-31, "
            "the dates nrr reads (a line that has not ended has an empty end_date) [date-range]"
        ],
    ),
    "decimal-format": (
        {"subscriptions.csv": SUBS_HEADER + 'c1,2024-01-01,,"1,000",1,USD,recurring,core\n'},
        [
            "{d}/subscriptions.csv:2: amount: '1,000' is not a plain decimal number (no "
            "currency symbols, thousands separators or exponents) [decimal-format]"
        ],
    ),
    "integer-format": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,100,1.5,USD,recurring,core\n"},
        ["{d}/subscriptions.csv:2: billing_months: '1.5' is not a whole number [integer-format]"],
    ),
    "currency-format": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,100,1,US$,recurring,core\n"},
        [
            "{d}/subscriptions.csv:2: currency: 'US$' is not a three-letter ISO 4217 code such "
            "as USD or EUR [currency-format]"
        ],
    ),
    "amount-negative": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,-5,1,USD,recurring,core\n"},
        ["{d}/subscriptions.csv:2: amount: -5 is negative; amount must be >= 0 [amount-negative]"],
    ),
    "amount-too-large": (
        {"subscriptions.csv": SUBS_HEADER + f"c1,2024-01-01,,{'9' * 400},1,USD,recurring,core\n"},
        [
            "{d}/subscriptions.csv:2: amount: 99999999999999999999… (400 characters) is too "
            "large: amount is at most 1,000,000,000,000,000 (1e15) per line [amount-too-large]"
        ],
    ),
    "billing-months-range": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,100,0,USD,recurring,core\n"},
        [
            "{d}/subscriptions.csv:2: billing_months: billing_months is 0; it must be >= 1 "
            "[billing-months-range]"
        ],
    ),
    "billing-months-range too large": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,100,5000,USD,recurring,core\n"},
        [
            "{d}/subscriptions.csv:2: billing_months: billing_months is 5000; it is too large "
            "(at most 1200, 100 years) [billing-months-range]"
        ],
    ),
    "end-after-start": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,2024-01-01,100,1,USD,,core\n"},
        [
            "{d}/subscriptions.csv:2: end_date: end_date 2024-01-01 is not after start_date "
            "2024-01-01 [end-after-start]"
        ],
    ),
    "kind-value": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,100,1,USD,one-off,core\n"},
        [
            "{d}/subscriptions.csv:2: kind: kind 'one-off' is not 'recurring' or 'usage' "
            "[kind-value]"
        ],
    ),
    "usage-end-required": (
        {"subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,100,1,USD,usage,core\n"},
        [
            "{d}/subscriptions.csv:2: end_date: a usage line needs an end_date: its amount is "
            "the charge for [start_date, end_date) [usage-end-required]"
        ],
    ),
    "event-duplicate": (
        {"subscriptions.csv": None, "events.csv": EVENTS + "c1,2024-01-01,50,\n"},
        [
            "{d}/events.csv:4: date: customer 'c1' already has an event on 2024-01-01 "
            "[event-duplicate]"
        ],
    ),
    "rate-positive": (
        {"fx_rates.csv": "date,currency,rate\n2023-01-01,EUR,0\n"},
        ["{d}/fx_rates.csv:2: rate: rate 0 must be > 0 [rate-positive]"],
    ),
    "rate-range": (
        {"fx_rates.csv": "date,currency,rate\n2023-01-01,EUR,10000000000\n"},
        [
            "{d}/fx_rates.csv:2: rate: rate 10000000000 is outside 0.000000001 to "
            "1,000,000,000: a rate is the base-currency units for 1 unit of the currency "
            "[rate-range]"
        ],
    ),
    "rate-duplicate": (
        {"fx_rates.csv": FX + "2023-01-01,EUR,1.2\n"},
        ["{d}/fx_rates.csv:3: date: EUR already has a rate on 2023-01-01 [rate-duplicate]"],
    ),
    "base-currency-ambiguous": (
        {
            "subscriptions.csv": SUBS_HEADER
            + "c1,2024-01-01,,100,1,EUR,,\nc2,2024-01-01,,5,1,GBP,,\n"
        },
        [
            "{d}/subscriptions.csv:0: currency: currencies EUR, GBP have no fx rates; fx_rates "
            "must quote every currency but one (the base) into that base currency "
            "[base-currency-ambiguous]"
        ],
    ),
    "fx-missing": (
        {
            "subscriptions.csv": SUBS + "c2,2022-06-15,,100,1,EUR,recurring,core\n",
            "fx_rates.csv": FX,
        },
        [
            "{d}/subscriptions.csv:3: currency: no EUR rate in force on 2022-06-15: add an "
            "fx_rates row for EUR dated on or before it [fx-missing]"
        ],
    ),
    "signal-duplicate": (
        {
            "signals.csv": "customer_id,date,name,value\nc1,2024-01-01,health_score,80\n"
            "c1,2024-01-01,Health_Score ,75\nc1,2024-02-01,health_score,70\n"
        },
        [
            "{d}/signals.csv:3: date: customer 'c1' already has a 'health_score' value on "
            "2024-01-01 [signal-duplicate]"
        ],
    ),
    "attribute-conflict": (
        {
            "customer_attributes.csv": "customer_id,attribute,value,valid_from\n"
            "c1,csm,Ann,2024-01-01\nc1,CSM ,Bob,2024-01-01\nc1,csm,Ann,2024-01-01\n"
        },
        [
            "{d}/customer_attributes.csv:3: value: customer 'c1' already has 'csm' = 'Ann' from "
            "2024-01-01 on line 2; this row gives 'Bob' [attribute-conflict]"
        ],
    ),
    "attribute-reserved": (
        {
            "customer_attributes.csv": "customer_id,attribute,value,valid_from\n"
            "c1,csm,Ann,2024-01-01\nc1,Product,core,2024-01-01\n"
        },
        [
            "{d}/customer_attributes.csv:3: attribute: attribute 'Product' is a name nrr reserves "
            "(the lines' product, used for grouping and filtering); use another name "
            "[attribute-reserved]"
        ],
    ),
}


def write(folder: Path, changes: dict[str, str | None]) -> None:
    files: dict[str, str | None] = {"customers.csv": CUSTOMERS, "subscriptions.csv": SUBS}
    files.update(changes)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if text is not None:
            (folder / name).write_text(text)


def validate(folder: Path) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    return result.exit_code, result.stderr.splitlines(), result.stdout


def test_every_rule_has_a_case() -> None:
    assert {case.split()[0] for case in CASES} | {"column-unknown"} == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_message(rule: str, tmp_path: Path) -> None:
    changes, expected = CASES[rule]
    folder = tmp_path / "data"
    write(folder, changes)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, lines, stdout = validate(folder)
    assert code == 1
    assert stdout == ""
    issues = [line for line in lines if line.endswith("]") and not line.startswith("warning")]
    assert issues == [e.format(d=folder) for e in expected]
    assert lines[-1].startswith(f"{len(expected)} error")
    assert "nothing was computed" in lines[-1]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # inputs untouched


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, {"fx_rates.csv": "date,currency,rate,source\n2023-01-01,EUR,1.1,ecb\n"})
    code, lines, stdout = validate(tmp_path)
    assert code == 0
    assert lines == [
        f"warning: {tmp_path}/fx_rates.csv:1: source: column 'source' is not part of the "
        "fx_rates table and is ignored [column-unknown]"
    ]
    assert "satisfies the nrr data contract" in stdout


def test_all_errors_of_a_file_are_reported_together(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "subscriptions.csv": SUBS_HEADER
            + "c1,2024-13-01,,100,1,USD,recurring,core\n"
            + "c9,2024-01-01,2023-01-01,-1,0,EURO,weird,core\n"
        },
    )
    code, lines, _ = validate(tmp_path)
    rules = [line.rsplit("[", 1)[1].rstrip("]") for line in lines[:-1]]
    assert code == 1
    assert rules == [
        "date-format",
        "amount-negative",
        "billing-months-range",
        "currency-format",
        "customer-unknown",
        "end-after-start",
        "kind-value",
    ]


def test_summary_of_a_good_dataset(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "subscriptions.csv": SUBS + "c2,2024-02-15,2024-06-01,1200,12,EUR,recurring,core\n",
            "fx_rates.csv": FX,
            "customer_attributes.csv": "customer_id,attribute,value,valid_from\n"
            "c1,csm,Ann,2024-01-01\n",
        },
    )
    code, lines, stdout = validate(tmp_path)
    assert (code, lines) == (0, [])
    assert "subscriptions                 2 rows" in stdout
    assert "customers                     2\n" in stdout
    assert "organizations                 1\n" in stdout
    assert "date range           2024-01-01 to 2024-06-01" in stdout
    assert "currencies           EUR, USD (base USD)" in stdout
    assert "attributes           segment, csm" in stdout


def test_duckdb_file_is_validated_like_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "data.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table customers (customer_id varchar, parent_id varchar)")
    con.execute("insert into customers values ('c1', null), ('c2', 'c9')")
    con.execute("create table subscriptions (customer_id varchar, start_date date, amount double)")
    con.execute("insert into subscriptions values ('c1', date '2024-01-01', 10)")
    con.close()
    code, lines, _ = validate(path)
    assert code == 1
    assert lines[0] == (
        f"{path}#customers:3: parent_id: parent_id 'c9' is not a customer_id of the customers "
        "table [parent-unknown]"
    )


def _unchecked_strings(values: list[bytes]) -> pa.Array:
    """A string array holding these bytes as they are, UTF-8 or not (as a damaged Parquet
    file gives them: Arrow reads Parquet strings without checking them)."""
    offsets = np.cumsum([0, *(len(v) for v in values)]).astype(np.int32)
    return pa.Array.from_buffers(
        pa.string(), len(values), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(values))]
    )


def test_parquet_text_that_is_not_utf8_is_an_issue(tmp_path: Path) -> None:
    """A Parquet column with bytes that are not UTF-8, read as plain text (customer_id) or
    as a dictionary (kind), is named in an issue, not a crash (found by the fuzz suite)."""
    write(tmp_path, {"subscriptions.csv": None})
    rows = 2
    table = pa.table(
        {
            "customer_id": _unchecked_strings([b"c1", b"c\xff1"]),
            "start_date": pa.array(["2024-01-01"] * rows),
            "amount": pa.array(["100"] * rows),
            "kind": _unchecked_strings([b"recurring", b"us\xc3age"]),
        }
    )
    pq.write_table(table, tmp_path / "subscriptions.parquet")
    code, lines, _ = validate(tmp_path)
    assert code == 1
    source = f"{tmp_path}/subscriptions.parquet"
    assert lines[:-1] == [
        f"{source}:1: {column}: column {column!r} holds bytes that are not UTF-8 text: write "
        "the file with UTF-8 strings (or as CSV UTF-8) [file-unreadable]"
        for column in ("customer_id", "kind")
    ]


def _report(folder: Path, **options: object) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = (
        nrr.load(folder)
        .report(period="month", start="2024-01-01", end="2024-04-01", **options)
        .to_pandas()
        .to_dict("records")
    )
    return rows


def test_currency_codes_in_any_case_are_one_currency(tmp_path: Path) -> None:
    """'usd' (as Stripe writes it) and 'USD' on one customer's lines are one currency: no
    fx_rates needed, and the report is the one of an all-'USD' dataset."""
    lines = (
        "c1,2024-01-01,,100,1,{a},recurring,core\n"
        "c1,2024-02-01,,300,3,{b},recurring,core\n"
        "c2,2024-01-01,2024-03-01,50,1,{a},recurring,core\n"
    )
    write(tmp_path / "mixed", {"subscriptions.csv": SUBS_HEADER + lines.format(a="usd", b=" USD")})
    write(tmp_path / "upper", {"subscriptions.csv": SUBS_HEADER + lines.format(a="USD", b="USD")})
    code, lines_out, stdout = validate(tmp_path / "mixed")
    assert (code, lines_out) == (0, [])
    assert "currencies           USD (base USD)" in stdout
    mixed, upper = _report(tmp_path / "mixed"), _report(tmp_path / "upper")
    assert mixed == upper
    # On Jan 1: c1 100 + c2 50 = 150. On Feb 1 c1 adds 300 per 3 months: 100 + 100 + 50 =
    # 250 (January's expansion 100). On Mar 1 c2's line has ended: 200 (February's churn 50).
    assert [r["starting_mrr"] for r in mixed] == [150.0, 250.0, 200.0]
    assert [r["ending_mrr"] for r in mixed] == [250.0, 200.0, 200.0]
    assert [r["expansion_mrr"] for r in mixed] == [100.0, 0.0, 0.0]
    assert [r["churn_mrr"] for r in mixed] == [0.0, 50.0, 0.0]


def test_lower_case_codes_meet_their_rates(tmp_path: Path) -> None:
    """Rates, the reporting currency and fx lookups compare the upper-cased codes: 'eur'
    lines take the 'EUR' rate, and the fx table's 'Eur' is the same currency."""
    write(
        tmp_path,
        {
            "subscriptions.csv": SUBS + "c2,2024-01-01,,100,1,eur,recurring,core\n",
            "fx_rates.csv": "date,currency,rate\n2023-01-01,Eur,1.10\n",
        },
    )
    rows = _report(tmp_path)
    assert rows[0]["starting_mrr"] == pytest.approx(100 + 100 * 1.10)
    in_euro = _report(tmp_path, currency="eur")
    assert in_euro[0]["starting_mrr"] == pytest.approx(100 / 1.10 + 100)


def test_lower_case_codes_in_a_parquet_dictionary(tmp_path: Path) -> None:
    """A Parquet currency column read as a dictionary holds 'usd' and 'USD' as two entries;
    they still stage as one currency (the engine numbers currencies from the entries)."""
    write(tmp_path, {"subscriptions.csv": None})
    pq.write_table(
        pa.table(
            {
                "customer_id": ["c1", "c1", "c2"],
                "start_date": ["2024-01-01", "2024-02-01", "2024-01-01"],
                "amount": ["100", "50", "20"],
                "currency": pa.array(["usd", "USD", "usd"]).dictionary_encode(),
            }
        ),
        tmp_path / "subscriptions.parquet",
    )
    staged = nrr.load(tmp_path)
    assert staged.staged.currencies == ("USD",)
    assert [r["starting_mrr"] for r in _report(tmp_path)] == [120.0, 170.0, 170.0]


def test_events_currency_in_any_case(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "subscriptions.csv": None,
            "events.csv": "customer_id,date,mrr,currency\nc1,2024-01-01,100,usd\n"
            "c2,2024-01-01,100,gbp\n",
            "fx_rates.csv": "date,currency,rate\n2023-01-01,GBP,1.25\n",
        },
    )
    assert _report(tmp_path)[0]["starting_mrr"] == pytest.approx(225.0)


def test_rate_duplicate_compares_codes_in_any_case(tmp_path: Path) -> None:
    write(
        tmp_path, {"fx_rates.csv": "date,currency,rate\n2023-01-01,eur,1.1\n2023-01-01, EUR,1.2\n"}
    )
    code, lines, _ = validate(tmp_path)
    assert code == 1
    assert lines[0] == (
        f"{tmp_path}/fx_rates.csv:3: date: EUR already has a rate on 2023-01-01 [rate-duplicate]"
    )


def test_base_currency_compares_codes_in_any_case(tmp_path: Path) -> None:
    """'eur' and 'EUR' without rates are one rateless currency: the base, not two."""
    write(
        tmp_path,
        {
            "subscriptions.csv": SUBS_HEADER + "c1,2024-01-01,,100,1,eur,recurring,core\n"
            "c2,2024-01-01,,100,1,EUR,recurring,core\n"
        },
    )
    code, lines, stdout = validate(tmp_path)
    assert (code, lines) == (0, [])
    assert "currencies           EUR (base EUR)" in stdout


def test_identical_attribute_rows_count_once(tmp_path: Path) -> None:
    """A repeated customer_attributes row (same value, any case of the name) is not an
    error and does not double anything: the grouped report is the one without it."""
    history = "customer_id,attribute,value,valid_from\nc1,csm,Ann,2024-02-01\n"
    subs = SUBS + "c2,2024-01-01,,50,1,USD,recurring,core\n"
    write(tmp_path / "once", {"subscriptions.csv": subs, "customer_attributes.csv": history})
    write(
        tmp_path / "twice",
        {"subscriptions.csv": subs, "customer_attributes.csv": history + "c1,CSM,Ann,2024-02-01\n"},
    )
    assert validate(tmp_path / "twice")[:2] == (0, [])
    once, twice = _report(tmp_path / "once", by="csm"), _report(tmp_path / "twice", by="csm")
    assert once == twice
    ann = [r for r in twice if r["csm"] == "Ann"]
    assert [(str(r["period_start"])[:10], r["starting_mrr"]) for r in ann] == [
        ("2024-02-01", 100.0),
        ("2024-03-01", 100.0),
    ]


def test_customers_column_named_product_is_reserved(tmp_path: Path) -> None:
    write(tmp_path, {"customers.csv": "customer_id,Product\nc1,x\nc2,y\n"})
    code, lines, _ = validate(tmp_path)
    assert code == 1
    assert lines[0] == (
        f"{tmp_path}/customers.csv:1: product: column 'product' would be an attribute, but nrr "
        "reserves the name (the lines' product, used for grouping and filtering): rename the "
        "column [attribute-reserved]"
    )
