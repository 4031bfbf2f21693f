"""Fuzzing ``nrr validate`` and ``nrr report`` with random and mutated CSV and Parquet input.

The seeds are the valid datasets of ``tests.strategies``; each example damages one in a few
ways (a nasty cell, a dropped or doubled column, random bytes, a typed or corrupt Parquet
file, a missing table) and checks the promise of the issue, whatever the damage:

* exit 0 with numbers that add up (the MRR bridge and the NRR/GRR formulas hold), or exit 1
  with nothing but ``FILE:LINE: COLUMN: message [rule]`` lines and the summary;
* never another exit code, never a traceback, never a changed input file;
* ``validate`` and ``report`` agree on whether the data is valid.

A second property is metamorphic: how a table is written down (BOM, CRLF, quoting, column
order, header case, trailing blank lines, Parquet instead of CSV) never changes a figure.

The inputs issue 14 found breaking that promise are kept as seeds (``SEEDS``): every run of
the damaged-input property, in ``make test`` and ``make fuzz``, tries each of them first,
and ``test_seed`` checks the rule each one must now meet.

Bounded in ``make test`` (NRR_FUZZ_EXAMPLES, default 25 per test); ``make fuzz`` raises it.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from tests.hardening.helpers import (
    CUSTOMERS,
    assert_bridge,
    assert_input_errors,
    report_rows,
    run,
    unchanged,
)
from tests.strategies import DrawFn, GeneratedDataset, any_datasets

EXAMPLES = int(os.environ.get("NRR_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
Tables = dict[str, tuple[list[str], list[list[str]]]]
Files = dict[str, bytes]
Quoting = Literal[0, 1, 2, 3]

NASTY = [
    "",
    " ",
    "  12  ",
    "1,000",
    "$5",
    "€5",
    "1 000",
    "1e3",
    "-0",
    "-5",
    "0",
    "0.000001",
    "NaN",
    "inf",
    "-inf",
    "9" * 400,
    "1" + "0" * 308,  # 1e308 written out
    "1000000000000001",  # just past the amount bound
    "1" * 19,
    "١٢٣",
    "12.",
    ".5",
    "+3",
    "0x10",
    "2024/01/01",
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "0000-01-01",
    "1899-12-31",
    "9999-12-31",
    "2024-01-01T00:00:00",
    " 2024-01-01 ",
    "usd",
    "EUR",
    "XXX",
    "US",
    '"',
    '""',
    "a,b",
    "a\nb",
    "a\r\nb",
    "\x00",
    "\ufeff",
    "é",
    "c01",
    "c02",
    "recurring",
    "usage",
    "one-off",
    "segment",
    "customer_id",
    "=1+1",
    "../../etc/passwd",
]


def tables_of(dataset: GeneratedDataset) -> Tables:
    return {name: (list(h), [list(r) for r in rows]) for name, (h, rows) in dataset.tables.items()}


def to_csv(
    header: list[str],
    rows: list[list[str]],
    *,
    quoting: Quoting = csv.QUOTE_MINIMAL,
    newline: str = "\n",
    bom: bool = False,
    trailing: str = "",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=quoting, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + (buffer.getvalue() + trailing).encode()


# --- structural mutations of the tables -------------------------------------------------
def _cell(draw: DrawFn, tables: Tables) -> None:
    header, rows = tables[draw(st.sampled_from(sorted(tables)))]
    if not rows or not header:
        return
    row = draw(st.sampled_from(rows))
    column = draw(st.integers(0, len(row) - 1))
    row[column] = draw(st.sampled_from(NASTY) | st.text(max_size=12))


def _header(draw: DrawFn, tables: Tables) -> None:
    header, _ = tables[draw(st.sampled_from(sorted(tables)))]
    if header:
        index = draw(st.integers(0, len(header) - 1))
        header[index] = draw(st.sampled_from([*NASTY, *header]) | st.text(max_size=8))


def _drop_column(draw: DrawFn, tables: Tables) -> None:
    header, rows = tables[draw(st.sampled_from(sorted(tables)))]
    if header:
        index = draw(st.integers(0, len(header) - 1))
        del header[index]
        for row in rows:
            del row[index]


def _double_column(draw: DrawFn, tables: Tables) -> None:
    header, rows = tables[draw(st.sampled_from(sorted(tables)))]
    if header:
        index = draw(st.integers(0, len(header) - 1))
        header.append(header[index].upper())
        for row in rows:
            row.append(row[index])


def _rows(draw: DrawFn, tables: Tables) -> None:
    _, rows = tables[draw(st.sampled_from(sorted(tables)))]
    if rows:
        index = draw(st.integers(0, len(rows) - 1))
        if draw(st.booleans()):
            rows.append(list(rows[index]))  # a duplicate row
        else:
            del rows[index]


def _table(draw: DrawFn, tables: Tables) -> None:
    name = draw(st.sampled_from([*sorted(tables), "events", "subscriptions", "fx_rates"]))
    if name in tables and draw(st.booleans()):
        del tables[name]
    else:
        tables[name] = (["customer_id", "date", "mrr"], [["c01", "2024-01-01", "5"]])


TABLE_MUTATIONS: list[Callable[[DrawFn, Tables], None]] = [
    _cell,
    _cell,
    _cell,
    _header,
    _drop_column,
    _double_column,
    _rows,
    _table,
]


# --- byte mutations of the written files -------------------------------------------------
def _bytes(draw: DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "repeat"]))
    if kind == "insert":
        noise = draw(
            st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf"])
            | st.binary(max_size=6)
        )
        return data[:at] + bytes(noise) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 8)) :]
    if kind == "flip" and at < len(data):
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "repeat":
        return data[:at] + data[max(0, at - 40) : at] + data[at:]
    return data[:at]


# --- Parquet -----------------------------------------------------------------------------
TYPED: dict[str, pa.DataType] = {
    "start_date": pa.date32(),
    "end_date": pa.date32(),
    "date": pa.date32(),
    "valid_from": pa.timestamp("ms"),
    "amount": pa.float64(),
    "mrr": pa.float64(),
    "rate": pa.decimal128(12, 4),
    "billing_months": pa.int64(),
}


def _parquet_column(draw: DrawFn, name: str, values: list[str]) -> pa.Array:
    """The column as text, or typed when every value converts, or something stranger."""
    text = pa.array(values, pa.string())
    choice = draw(
        st.sampled_from(
            ["text", "typed", "typed", "nulls", "dictionary", "large", "list", "binary"]
        )
    )
    if choice == "typed" and name.lower() in TYPED:
        try:
            cleaned = pa.array([v if v.strip() else None for v in values], pa.string())
            return cleaned.cast(TYPED[name.lower()])
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return text
    if choice == "nulls":
        return pa.array([v or None for v in values], pa.string())
    if choice == "dictionary":
        return text.dictionary_encode()
    if choice == "large":
        return text.cast(pa.large_string())
    if choice == "list":
        return pa.array([[v] for v in values])
    if choice == "binary":
        return pa.array([v.encode() + draw(st.sampled_from([b"", b"\xff"])) for v in values])
    return text


def to_parquet(draw: DrawFn, header: list[str], rows: list[list[str]]) -> bytes:
    names = [name if name not in header[:i] else f"{name}_{i}" for i, name in enumerate(header)]
    columns = [
        _parquet_column(draw, name, [row[i] for row in rows]) for i, name in enumerate(names)
    ]
    sink = io.BytesIO()
    pq.write_table(pa.table(columns, names=names), sink)
    return sink.getvalue()


# --- strategies --------------------------------------------------------------------------
@st.composite
def damaged(draw: DrawFn) -> Files:
    """A valid dataset, damaged by 1-4 table mutations, written as CSV or Parquet, and
    sometimes with bytes damaged too."""
    tables = tables_of(draw(any_datasets()))
    for _ in range(draw(st.integers(1, 4))):
        draw(st.sampled_from(TABLE_MUTATIONS))(draw, tables)
    files: Files = {}
    for name, (header, rows) in tables.items():
        rows = [row + [""] * (len(header) - len(row)) for row in rows]
        if draw(st.integers(0, 3)) == 0:
            files[f"{name}.parquet"] = to_parquet(draw, header, rows)
        else:
            files[f"{name}.csv"] = to_csv(
                header, rows, newline=draw(st.sampled_from(["\n", "\r\n"]))
            )
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(files)))
        files[name] = _bytes(draw, files[name])
    return files


def write_files(folder: Path, files: Files) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def check_contract(folder: Path) -> tuple[int, list[dict[str, Any]]]:
    """validate + report on ``folder``: the issue's promise, whatever the data."""
    with unchanged(folder):
        validated = run("validate", folder)
        reported = run("report", folder, "--period", "quarter", "--format", "csv")
    assert validated.code in (0, 1), validated.stderr
    assert reported.code == validated.code, (validated.stderr, reported.stderr)
    if validated.code == 1:
        assert_input_errors(validated)
        assert_input_errors(reported)
        return 1, []
    assert "satisfies the nrr data contract" in validated.stdout
    rows = report_rows(reported.stdout)
    for row in rows:
        assert_bridge(row)
    return 0, rows


# --- seeds: the inputs issue 14 found giving a wrong number with exit 0, or a poor message
def _typed_floats() -> bytes:
    sink = io.BytesIO()
    pq.write_table(
        pa.table(
            {
                "customer_id": ["c1", "c2"],
                "start_date": pa.array([19723, 19723], pa.int32()).cast(pa.date32()),
                "amount": pa.array([1e-7, 1e14]),
            }
        ),
        sink,
    )
    return sink.getvalue()


_SUBS = "customer_id,start_date,end_date,amount\n"
_E308 = "1" + "0" * 308
# name -> (files, the rule the seed must now meet (None: valid, with sound numbers), and
# what its one kind of message says)
SEEDS: dict[str, tuple[Files, str | None, str]] = {
    "400-digit amount": (
        {"subscriptions.csv": (_SUBS + f"c1,2024-01-01,,{'9' * 400}\nc2,2024-01-01,,5\n").encode()},
        "amount-too-large",
        "at most 1,000,000,000,000,000",
    ),
    "three 1e308 lines": (
        {
            "subscriptions.csv": (
                _SUBS + f"c1,2024-01-01,,{_E308}\nc1,2024-01-01,,{_E308}\n"
                f"c1,2024-01-01,2024-03-01,{_E308}\nc2,2024-01-01,,100\n"
            ).encode()
        },
        "amount-too-large",
        "at most 1,000,000,000,000,000",
    ),
    "two 1e308 lines": (
        {
            "subscriptions.csv": (
                _SUBS + f"c1,2024-01-01,,{_E308}\nc1,2024-01-01,2024-03-01,{_E308}\n"
            ).encode()
        },
        "amount-too-large",
        "at most 1,000,000,000,000,000",
    ),
    "400-digit mrr": (
        {"events.csv": f"customer_id,date,mrr\nc1,2024-01-01,{'9' * 400}\n".encode()},
        "amount-too-large",
        "at most 1,000,000,000,000,000",
    ),
    "rate past the range": (
        {
            "subscriptions.csv": (
                _SUBS.replace("\n", ",currency\n") + "c1,2024-01-01,,5,EUR\n"
            ).encode(),
            "fx_rates.csv": b"date,currency,rate\n2020-01-01,EUR,10000000000\n",
        },
        "rate-range",
        "is outside 0.000000001 to 1,000,000,000",
    ),
    "billing_months past int64": (
        {
            "subscriptions.csv": (
                _SUBS.replace("\n", ",billing_months\n") + f"c1,2024-01-01,,5,{'9' * 20}\n"
            ).encode()
        },
        "billing-months-range",
        "too large",
    ),
    "semicolons and decimal commas": (
        {
            "subscriptions.csv": (
                _SUBS.replace(",", ";")
                + "".join(f"c1;2024-01-{d:02};;{d},50\n" for d in range(1, 29))
            ).encode()
        },
        "file-unreadable",
        "the file looks ';'-separated (decimal commas?)",
    ),
    "utf-16 without a bom": (
        {"customers.csv": CUSTOMERS.encode("utf-16-le")},
        "file-unreadable",
        "UTF-16 (little-endian, no byte order mark)",
    ),
    "utf-16 with a bom": (
        {"customers.csv": CUSTOMERS.encode("utf-16")},
        "file-unreadable",
        "the file is UTF-16 (little-endian) text",
    ),
    "a field over the block size": (
        {
            "customers.csv": (CUSTOMERS.rstrip("\n") + "\n")
            .replace(",smb", "," + "x" * (2 << 20))
            .encode()
        },
        None,
        "",
    ),
    "typed parquet floats": ({"subscriptions.parquet": _typed_floats()}, None, ""),
}


def _seeded(files: Files) -> Files:
    """A seed's files over the valid two-customer dataset of ``helpers``."""
    merged: Files = {"customers.csv": CUSTOMERS.encode()}
    if not any(name.startswith(("subscriptions", "events")) for name in files):
        merged["subscriptions.csv"] = (_SUBS + "c1,2024-01-01,,100\n").encode()
    merged.update(files)
    return merged


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed(seed: str, tmp_path: Path) -> None:
    files, rule, says = SEEDS[seed]
    folder = write_files(tmp_path / "data", _seeded(files))
    code, _ = check_contract(folder)
    if rule is None:
        assert code == 0
        return
    assert code == 1
    issues = run("validate", folder).issues
    assert {m["rule"] for m in issues} == {rule}
    assert all(says in m["message"] for m in issues), [m["message"] for m in issues]
    if rule == "file-unreadable":
        assert len(issues) == 1  # one message for the file, not one per row


def _with_seeds(test: Callable[[Files], None]) -> Callable[[Files], None]:
    for files, _, _ in SEEDS.values():
        test = example(files=_seeded(files))(test)
    return test


@FUZZ
@_with_seeds
@given(files=damaged())
def test_damaged_input_is_valid_with_sound_numbers_or_reported(files: Files) -> None:
    for name, data in sorted(files.items()):
        note(f"--- {name}\n{data!r}")
    with tempfile.TemporaryDirectory() as tmp:
        code, _ = check_contract(write_files(Path(tmp) / "data", files))
    event(f"exit {code}")


@st.composite
def presentations(draw: DrawFn) -> tuple[GeneratedDataset, Files]:
    """A valid dataset and the same tables written down another way."""
    dataset = draw(any_datasets())
    files: Files = {}
    for name, (header, rows) in tables_of(dataset).items():
        order = draw(st.permutations(range(len(header))))
        header = [header[i].upper() if draw(st.booleans()) else header[i] for i in order]
        rows = [[row[i] for i in order] for row in rows]
        if draw(st.integers(0, 4)) == 0:
            table = pa.table(
                [pa.array([r[i] for r in rows], pa.string()) for i in range(len(header))],
                names=header,
            )
            sink = io.BytesIO()
            pq.write_table(table, sink)
            files[f"{name}.parquet"] = sink.getvalue()
            continue
        files[f"{name}.csv"] = to_csv(
            header,
            rows,
            quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
            newline=draw(st.sampled_from(["\n", "\r\n"])),
            bom=draw(st.booleans()),
            trailing=draw(st.sampled_from(["", "\n", "\n\n", "\r\n\r\n"])),
        )
    return dataset, files


@FUZZ
@given(case=presentations())
def test_how_a_table_is_written_never_changes_a_figure(
    case: tuple[GeneratedDataset, Files],
) -> None:
    dataset, files = case
    with tempfile.TemporaryDirectory() as tmp:
        plain = check_contract(dataset.write(Path(tmp) / "plain"))
        messy = check_contract(write_files(Path(tmp) / "messy", files))
    assert plain[0] == messy[0] == 0
    assert len(messy[1]) == len(plain[1])
    for got, want in zip(messy[1], plain[1], strict=True):
        assert got.keys() == want.keys()
        for key, value in want.items():
            if isinstance(value, float):
                assert math.isclose(got[key], value, rel_tol=1e-9, abs_tol=1e-9), key
            else:
                assert got[key] == value, key
