"""Messages that lead to the fix, for inputs that are not a CSV problem (issue 14).

A DuckDB file another process holds open, a FIFO under a table's name, typed Parquet floats
and an ``--output`` into a missing folder: each used to give a misleading message, a hang or
a traceback-like "unexpected" error; each now says what is wrong and what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import nrr
from tests.hardening.helpers import CUSTOMERS, SUBS, run, unchanged, write


def test_a_locked_duckdb_file_names_the_lock(tmp_path: Path) -> None:
    """Another process holding the file open for writing: said so, not "a different DuckDB
    version" (the holder's path held the word "version")."""
    path = tmp_path / "data.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys
                con = duckdb.connect({str(path)!r})
                con.execute("create table customers as select 'c1' as customer_id")
                print("ready", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        outcome = run("validate", path)
    finally:
        holder.communicate("")
    assert outcome.code == 2
    assert f"{path}: the DuckDB file is locked by another process (" in outcome.stderr
    assert f"PID {holder.pid}): close the file there, or point nrr at a copy of it" in (
        outcome.stderr.replace("\n", "")
    )
    assert "version" not in outcome.stderr.split("PID")[1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Opening a FIFO blocks until a writer comes: the run hung for more than 240 s."""
    folder = write(tmp_path / "data", {"subscriptions.csv": None})
    os.mkfifo(folder / "subscriptions.csv")
    outcomes: list[object] = []
    worker = threading.Thread(target=lambda: outcomes.append(run("validate", folder)))
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():  # unblock the reader so the test process can end, then fail
        with open(folder / "subscriptions.csv", "w"):
            pass
        worker.join()
        pytest.fail("nrr validate waited on a FIFO")
    (outcome,) = outcomes
    assert outcome.code == 1, outcome.stderr  # type: ignore[attr-defined]
    assert outcome.stderr.splitlines()[0] == (  # type: ignore[attr-defined]
        f"{folder}/subscriptions.csv:0: -: subscriptions.csv is a FIFO (named pipe), not a "
        "regular file: nrr reads tables from regular files only [file-unreadable]"
    )


def test_a_folder_under_a_table_name_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "data", {"subscriptions.csv": None})
    (folder / "subscriptions.csv").mkdir()
    outcome = run("validate", folder)
    assert outcome.code == 1
    assert "subscriptions.csv is a folder, not a regular file" in outcome.stderr


def test_typed_parquet_floats_are_read_as_written(tmp_path: Path) -> None:
    """Arrow writes 1e-07 and 1e+20 in scientific notation: the decimal rule refused an
    exponent the user never wrote. Floats are now read by their shortest exact digits."""
    folder = write(tmp_path / "data", {"subscriptions.csv": None})
    pq.write_table(
        pa.table(
            {
                "customer_id": ["c1", "c1", "c2", "c2"],
                "start_date": pa.array([19723] * 4, pa.int32()).cast(pa.date32()),
                "amount": pa.array([1e-7, 0.1 + 0.2, 1e14, 0.1], pa.float64()),
                "billing_months": pa.array([1.0, 1.0, 12.0, 1.0]),
            }
        ),
        folder / "subscriptions.parquet",
    )
    with unchanged(folder):
        outcome = run("validate", folder)
    assert outcome.code == 0, outcome.stderr
    report = nrr.load(folder).report(period="month", start="2024-02-01", end="2024-03-01")
    (row,) = report.to_arrow().to_pylist()
    assert row["starting_mrr"] == pytest.approx(1e-7 + 0.3 + 1e14 / 12 + 0.1, rel=1e-15)


def test_typed_parquet_decimals_keep_their_digits(tmp_path: Path) -> None:
    folder = write(tmp_path / "data", {})
    pq.write_table(
        pa.table(
            {
                "date": pa.array([19000], pa.int32()).cast(pa.date32()),
                "currency": ["EUR"],
                "rate": pa.array([Decimal("0.0000001")], pa.decimal128(12, 9)),
            }
        ),
        folder / "fx_rates.parquet",
    )
    outcome = run("validate", folder)
    assert outcome.code == 0, outcome.stderr


def test_typed_parquet_infinity_is_an_error(tmp_path: Path) -> None:
    folder = write(tmp_path / "data", {"subscriptions.csv": None})
    pq.write_table(
        pa.table(
            {
                "customer_id": ["c1", "c2"],
                "start_date": pa.array([19723, 19723], pa.int32()).cast(pa.date32()),
                "amount": pa.array([float("inf"), 1e300]),
            }
        ),
        folder / "subscriptions.parquet",
    )
    outcome = run("validate", folder)
    assert outcome.code == 1
    assert [m["rule"] for m in outcome.issues] == ["decimal-format", "amount-too-large"]


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_output_into_a_missing_folder_is_a_usage_error(fmt: str, tmp_path: Path) -> None:
    folder = write(tmp_path / "data", {"customers.csv": CUSTOMERS, "subscriptions.csv": SUBS})
    target = tmp_path / "missing" / "report.csv"
    outcome = run("report", folder, "--period", "month", "--format", fmt, "--output", target)
    assert outcome.code == 2, outcome.stderr
    assert (
        f"--output {target}: the folder {target.parent} does not exist; create it first"
        in outcome.stderr.replace("\n", "")
    )
    assert "unexpected" not in outcome.stderr
    assert not target.parent.exists()
