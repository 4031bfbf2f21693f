"""The DuckDB floor: bench/floor.sql run on a dataset folder, written as CSV.

Usage: python bench/floor.py DATA OUT.csv [--from 2023-01-01] [--to 2026-01-01]

Why it exists: issue 6 asks nrr's monthly report to stay within 1.5x of the best
hand-written SQL for the same numbers. This script is that reference, measured as a whole
process like nrr (interpreter start, DuckDB import, reading Parquet, writing CSV), so the
ratio compares like with like. It does not import nrr and does not validate the data: the
gap to nrr is the price of validation plus whatever the engine's plan costs beyond this one.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("floor.sql")
TABLES = ("subscriptions", "fx_rates")


def _source(folder: Path, table: str) -> str | None:
    """A DuckDB table function reading ``table`` as text, from Parquet or CSV; None if absent.

    Text in, as the contract allows any Parquet or CSV typing; floor.sql casts what it needs.
    """
    parquet, csv = folder / f"{table}.parquet", folder / f"{table}.csv"
    if parquet.exists():
        return f"read_parquet('{parquet}')"
    if csv.exists():
        return f"read_csv('{csv}', all_varchar = true, header = true)"
    return None


def bind(con: duckdb.DuckDBPyConnection, folder: Path, start: date, end: date) -> None:
    """Create the views and variables floor.sql expects."""
    for table in TABLES:
        source = _source(folder, table)
        if source is None and table == "fx_rates":  # optional: a single-currency dataset
            source = "(SELECT ''::VARCHAR AS date, ''::VARCHAR AS currency, "
            source += "''::VARCHAR AS rate WHERE false)"
        if source is None:
            raise SystemExit(f"{folder}: no {table}.parquet or {table}.csv")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")
    con.execute(f"SET VARIABLE window_from = DATE '{start.isoformat()}'")
    con.execute(f"SET VARIABLE window_to = DATE '{end.isoformat()}'")


def run(folder: Path, out: Path, start: date, end: date) -> None:
    """Run the floor query and write its rows as CSV with a header."""
    con = duckdb.connect()
    bind(con, folder, start, end)
    query = SQL.read_text().strip().rstrip(";")
    con.execute(f"COPY ({query}) TO '{out}' (FORMAT csv, HEADER true)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--from", dest="start", type=date.fromisoformat, default=date(2023, 1, 1))
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2026, 1, 1))
    args = parser.parse_args()
    run(args.data, args.out, args.start, args.end)


if __name__ == "__main__":
    main()
