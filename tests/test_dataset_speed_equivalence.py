"""The dataset layer's fast paths decide exactly as the per-value checks they replaced.

Dates are parsed by one Arrow cast per column (or per distinct value of a Parquet
dictionary column); only pieces the cast rejects take the exact ``strptime``/``strftime``
path. These cases pin what that path decided before the fast one existed: impossible
dates, month 13, non-ISO shapes, years outside 1900-2999, and spaces around a date.
"""

from __future__ import annotations

from datetime import date as day
from datetime import datetime as moment
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nrr.dataset.columns import parse_dates
from nrr.dataset.staging import read_dataset
from nrr.dataset.text import Text
from nrr.errors import InputError

# value -> the rule it breaks (None: a valid date once trimmed)
DATES: dict[str, str | None] = {
    "2024-02-30": "date-format",
    "2023-02-29": "date-format",
    "2024-02-29": None,
    "2100-02-29": "date-format",
    "2000-02-29": None,
    "2024-13-01": "date-format",
    "2024-00-10": "date-format",
    "2024-01-00": "date-format",
    "2024-01-32": "date-format",
    "2024-1-5": "date-format",
    "+2024-01-01": "date-format",
    "20240101": "date-format",
    "2024/01/05": "date-format",
    "2024-01-05T00:00": "date-format",
    "24-01-05": "date-format",
    "\uff12\uff10\uff12\uff14-01-05": "date-format",  # full-width digits
    " 2024-01-05": None,
    "2024-01-05 ": None,
    "\t2024-01-05": None,
    "\u00a02024-01-05": None,  # a no-break space is trimmed too
    " 2024-02-30 ": "date-format",
    "0024-01-01": "date-range",
    "0999-12-31": "date-range",
    "1899-12-31": "date-range",
    "1900-01-01": None,
    "2999-12-31": None,
    "3000-01-01": "date-range",
    "9999-12-31": "date-range",
    "0000-01-01": "date-range",
    " 3000-01-01": "date-range",
}
VALUES = list(DATES)


def _message(rule: str, value: str) -> str:
    if rule == "date-format":
        return f"{value!r} is not a valid date in YYYY-MM-DD form"
    return (
        f"{value!r} is outside 1900-01-01 to 2999-12-31, the dates nrr reads (a line that "
        "has not ended has an empty end_date)"
    )


def _expected(values: list[str], first_line: int = 2) -> list[tuple[int, str, str, str]]:
    return [
        (first_line + i, "start_date", rule, _message(rule, value))
        for i, value in enumerate(values)
        if (rule := DATES.get(value)) is not None
    ]


def _issues(folder: Path) -> list[tuple[int, str, str, str]]:
    with pytest.raises(InputError) as caught:
        read_dataset(folder)
    return [(i.line, i.column, i.rule, i.message) for i in caught.value.issues]


def _csv(folder: Path, starts: list[str]) -> None:
    (folder / "customers.csv").write_text("customer_id\nc1\n")
    rows = "".join(f'c1,"{value}",100\n' for value in starts)
    (folder / "subscriptions.csv").write_text(
        "customer_id,start_date,amount\n" + rows, encoding="utf-8"
    )


def _parquet(folder: Path, starts: list[str]) -> None:
    pq.write_table(pa.table({"customer_id": ["c1"]}), folder / "customers.parquet")
    subscriptions = pa.table(
        {
            "customer_id": ["c1"] * len(starts),
            "start_date": starts,
            "amount": ["100"] * len(starts),
        }
    )
    pq.write_table(subscriptions, folder / "subscriptions.parquet", row_group_size=7)


@pytest.mark.parametrize("write", [_csv, _parquet], ids=["csv", "parquet"])
def test_tricky_dates_keep_their_rules(tmp_path: Path, write: object) -> None:
    assert callable(write)
    write(tmp_path, VALUES)
    assert _issues(tmp_path) == _expected(VALUES)


@pytest.mark.parametrize("write", [_csv, _parquet], ids=["csv", "parquet"])
def test_each_tricky_date_alone(tmp_path: Path, write: object) -> None:
    """One value in an otherwise valid column: the fast cast fails (or not) on it alone."""
    assert callable(write)
    for value, rule in DATES.items():
        folder = tmp_path / str(VALUES.index(value))
        folder.mkdir()
        write(folder, ["2024-01-01", value, "2024-03-01"])
        if rule is None:
            staged = read_dataset(folder)
            assert staged.lines.num_rows == 3
        else:
            assert _issues(folder) == [(3, "start_date", rule, _message(rule, value))]


def test_bad_dates_deep_in_a_large_column_name_their_lines(tmp_path: Path) -> None:
    """The fallback works piece by piece: bad values far apart keep their own lines."""
    good = "2024-05-01"
    starts = [good] * 150_000
    places = {70_000: "2024-02-30", 70_001: " 2024-01-05", 140_000: "3000-01-01", 5: "2024-1-5"}
    for row, value in places.items():
        starts[row] = value
    _csv(tmp_path, starts)
    expected = sorted(
        (row + 2, "start_date", rule, _message(rule, value))
        for row, value in places.items()
        if (rule := DATES[value]) is not None
    )
    assert _issues(tmp_path) == expected


@pytest.mark.parametrize("write", [_csv, _parquet], ids=["csv", "parquet"])
def test_spaces_around_valid_dates_stage_the_same_dates(tmp_path: Path, write: object) -> None:
    assert callable(write)
    starts = [" 2024-01-05", "2024-01-05 ", "\t2024-01-05", "2024-02-29", "1900-01-01"]
    write(tmp_path, starts)
    staged = read_dataset(tmp_path)
    assert [d.isoformat() for d in staged.lines["start_date"].to_pylist()] == [
        "2024-01-05",
        "2024-01-05",
        "2024-01-05",
        "2024-02-29",
        "1900-01-01",
    ]


def test_parquet_nulls_and_blanks_in_a_dictionary_column(tmp_path: Path) -> None:
    """A null end_date (Parquet) is an open line, as an empty one is in CSV."""
    pq.write_table(pa.table({"customer_id": ["c1"]}), tmp_path / "customers.parquet")
    subscriptions = pa.table(
        {
            "customer_id": ["c1"] * 4,
            "start_date": ["2024-01-01"] * 4,
            "end_date": [None, "", "  ", "2024-06-01"],
            "amount": ["100"] * 4,
            "currency": [None, "USD", " USD ", ""],
        }
    )
    pq.write_table(subscriptions, tmp_path / "subscriptions.parquet")
    staged = read_dataset(tmp_path)
    ends = staged.lines["end_date"].to_pylist()
    assert ends[:3] == [None, None, None]
    assert ends[3].isoformat() == "2024-06-01"
    assert staged.lines["currency"].to_pylist() == ["USD"] * 4


def test_typed_parquet_dates_read_as_before(tmp_path: Path) -> None:
    """Date and timestamp columns are written as text once per distinct value, then checked
    like text: out-of-range years and the other rules name the same rows."""
    pq.write_table(pa.table({"customer_id": ["c1"]}), tmp_path / "customers.parquet")
    starts = pa.array(
        [day(2024, 1, 1), day(2024, 2, 1), day(24, 1, 1), day(9999, 12, 31), day(2024, 3, 1)]
    )
    ends = pa.array([None, day(2024, 5, 1), None, None, day(2023, 1, 1)])
    subscriptions = pa.table(
        {
            "customer_id": ["c1"] * 5,
            "start_date": starts,
            "end_date": ends,
            "amount": pa.array([100.5] * 5),
            "billing_months": pa.array([1] * 5, pa.int32()),
        }
    )
    pq.write_table(subscriptions, tmp_path / "subscriptions.parquet", row_group_size=3)
    assert _issues(tmp_path) == [
        (4, "start_date", "date-range", _message("date-range", "0024-01-01")),
        (5, "start_date", "date-range", _message("date-range", "9999-12-31")),
        (
            6,
            "end_date",
            "end-after-start",
            "end_date 2023-01-01 is not after start_date 2024-03-01",
        ),
    ]


def test_typed_parquet_timestamps_count_by_their_date(tmp_path: Path) -> None:
    pq.write_table(pa.table({"customer_id": ["c1"]}), tmp_path / "customers.parquet")
    starts = pa.array(
        [moment(2024, 1, 1, 23, 30), moment(2024, 2, 1)], pa.timestamp("us", tz="Europe/Berlin")
    )
    ends = pa.array([None, moment(2024, 5, 1)], pa.timestamp("ms"))
    subscriptions = pa.table(
        {
            "customer_id": ["c1"] * 2,
            "start_date": starts,
            "end_date": ends,
            "amount": pa.array([100.5] * 2),
        }
    )
    pq.write_table(subscriptions, tmp_path / "subscriptions.parquet")
    lines = read_dataset(tmp_path).lines
    assert [d.isoformat() for d in lines["start_date"].to_pylist()] == [
        "2024-01-02",
        "2024-02-01",
    ]
    assert lines["end_date"].to_pylist()[0] is None


def _duckdb(folder: Path, starts: list[str]) -> Path:
    """A DuckDB file: its VARCHAR columns arrive as plain text (no dictionary)."""
    import duckdb

    path = folder / "data.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table customers (customer_id varchar)")
        con.execute("insert into customers values ('c1')")
        con.execute(
            "create table subscriptions (customer_id varchar, start_date varchar, amount varchar)"
        )
        con.executemany(
            "insert into subscriptions values ('c1', ?, '100')", [[value] for value in starts]
        )
    return path


def test_tricky_dates_in_plain_text_columns(tmp_path: Path) -> None:
    path = _duckdb(tmp_path, VALUES)
    with pytest.raises(InputError) as caught:
        read_dataset(path)
    assert [(i.line, i.column, i.rule, i.message) for i in caught.value.issues] == (
        _expected(VALUES)
    )


def test_plain_column_fallback_is_per_piece() -> None:
    """A plain column of many rows: rows far from a bad value keep the fast result, and
    every row gets the exact per-value decision."""
    starts = ["2024-05-01"] * 200_000
    places = {
        3: "2024-1-5",
        70_000: "2024-02-30",
        70_001: " 2024-01-05",
        140_000: "3000-01-01",
        199_999: "",
    }
    for row, value in places.items():
        starts[row] = value
    column = pa.array(starts)
    text = Text(pa.chunked_array([column.slice(0, 100_000), column.slice(100_000)]))
    dates = parse_dates(text)
    assert sorted(map(int, (~dates.ok).nonzero()[0])) == sorted(
        row for row, value in places.items() if DATES.get(value) is not None or value == ""
    )
    assert list(map(int, dates.far.nonzero()[0])) == [140_000]
    assert dates.days[70_001].as_py() == day(2024, 1, 5)
    assert dates.days[70_000].as_py() is None
    assert dates.days[100_000].as_py() == day(2024, 5, 1)
