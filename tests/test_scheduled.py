"""Scheduled is not happened: rows after the data's as-of date are marked in every output.

The numbers are derived by hand in tests/scenarios/scheduled_cancellation/NOTES.md (B's
cancellation on 2024-05-01 lies after the as-of date 2024-03-01).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import nrr
from nrr.cli import cli
from nrr.definitions import SCHEDULED_NOTE
from tests.web.helpers import client_for

DATA = Path(__file__).parent / "scenarios" / "scheduled_cancellation" / "data"
PAST = {"period": "month", "start": "2024-01-01", "end": "2024-06-01"}


@pytest.fixture(scope="module")
def dataset() -> nrr.Dataset:
    return nrr.load(DATA)


def test_the_as_of_date(dataset: nrr.Dataset) -> None:
    # C's start, 2024-02-15, is the latest: the first month start on or after it.
    assert dataset.as_of == date(2024, 3, 1)


def test_report_rows_after_the_as_of_date_are_marked(dataset: nrr.Dataset) -> None:
    report = dataset.report(**PAST)
    rows = report.to_pylist()
    assert [r["scheduled"] for r in rows] == [False, False, True, True, True]
    april = rows[3]
    assert april["churn_mrr"] == 500.0 and april["customers_churned"] == 1
    assert april["nrr"] == pytest.approx(1200 / 17)
    assert report.scheduled == 3 and report.as_of == date(2024, 3, 1)
    assert "(scheduled)" in repr(report) and SCHEDULED_NOTE in repr(report)


def test_a_report_inside_the_data_keeps_the_contracts_columns(dataset: nrr.Dataset) -> None:
    report = dataset.report(period="month")
    assert "scheduled" not in report.table.column_names
    assert report.scheduled == 0
    assert [r["period_end"] for r in report.to_pylist()] == [date(2024, 2, 1), date(2024, 3, 1)]


def test_totals_and_drill_down_are_marked(dataset: nrr.Dataset) -> None:
    report = dataset.report(**PAST)
    totals = dataset.totals(report)
    assert totals is not None and totals.to_pylist()[0]["scheduled"] is True
    customers = dataset.customers(period="month", start="2024-04-01", end="2024-05-01")
    rows = {r["customer_id"]: r for r in customers.to_pylist()}
    assert rows["B"]["category"] == "churn" and rows["B"]["delta"] == -500.0
    assert all(r["scheduled"] for r in rows.values())
    inside = dataset.customers(period="month", start="2024-01-01", end="2024-03-01")
    assert "scheduled" not in inside.table.column_names


def test_cohort_cells_measured_after_the_as_of_date(dataset: nrr.Dataset) -> None:
    cells = dataset.cohorts(end="2024-07-01").to_pylist()
    marks = {(r["cohort"].isoformat(), r["age"]): r["scheduled"] for r in cells}
    # Jan cohort: age 0 at Feb 1, age 1 at Mar 1 (= as-of), age 2 at Apr 1 (after)
    assert marks[("2024-01-01", 0)] is False
    assert marks[("2024-01-01", 1)] is False
    assert marks[("2024-01-01", 2)] is True
    assert marks[("2024-02-01", 0)] is False and marks[("2024-02-01", 1)] is True


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_cli_table_marks_rows_and_says_why() -> None:
    out = run("report", str(DATA), "--from", "2024-01-01", "--to", "2024-06-01", "--quiet")
    assert "Apr 2024 *" in out and "Feb 2024 *" not in out
    assert SCHEDULED_NOTE in " ".join(out.split())
    assert "(2024-03-01)" in out
    inside = run("report", str(DATA), "--quiet")
    assert "*" not in inside and "scheduled" not in inside


def test_machine_formats_carry_the_column() -> None:
    args = ("report", str(DATA), "--from", "2024-01-01", "--to", "2024-06-01", "--quiet")
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv"))))
    assert [r["scheduled"] for r in rows] == ["false", "false", "true", "true", "true"]
    parsed = json.loads(run(*args, "--format", "json"))
    assert [r["scheduled"] for r in parsed] == [False, False, True, True, True]
    plain = run("customers", str(DATA), "--from", "2024-04-01", "--to", "2024-05-01", "--quiet")
    assert "Apr 2024 *" in plain and "scheduled" in plain


def test_the_web_api_and_its_files(tmp_path: Path) -> None:
    with client_for(DATA, tmp_path / "store.sqlite") as client:
        body = client.get("/api/report", params=PAST).json()
        assert [r["scheduled"] for r in body["rows"]] == [False, False, True, True, True]
        assert body["totals"][0]["scheduled"] is True
        drill = client.get(
            "/api/customers", params={"period": "month", "start": "2024-04-01", "end": "2024-05-01"}
        ).json()
        assert all(r["scheduled"] for r in drill["rows"])
        written = client.get("/api/report.csv", params=PAST).text
        assert [r["scheduled"] for r in csv.DictReader(io.StringIO(written))][2:] == ["true"] * 3
        book = client.get("/api/report.xlsx", params=PAST).content
        sheet = openpyxl.load_workbook(io.BytesIO(book))["Report"]
        header = [c.value for c in sheet[1]]
        column = header.index("scheduled") + 1
        assert [sheet.cell(row, column).value for row in range(2, 7)] == [
            False,
            False,
            True,
            True,
            True,
        ]
        inside = client.get("/api/report", params={"period": "month"}).json()
        assert all("scheduled" not in r for r in inside["rows"])


def test_insights_say_their_history_reaches_past_the_as_of_date() -> None:
    args = ("--period", "month", "--from", "2024-01-01", "--to", "2024-06-01")
    result = CliRunner().invoke(cli, ["signals", str(DATA), *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "3 row(s) end after the data's as-of date (2024-03-01)" in " ".join(
        result.stderr.split()
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["scheduled"] for r in rows] == ["false", "false", "true", "true", "true"]
    inside = CliRunner().invoke(cli, ["signals", str(DATA), "--period", "month"])
    assert inside.exit_code == 0 and "as-of" not in inside.stderr
