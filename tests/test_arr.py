"""ARR (docs/definitions.md, "MRR or ARR"): every amount times 12, every ratio unchanged, the
columns named for the unit, in the Python API and on the command line.

The golden ARR figures come from the worked example's NOTES.md, which states its data in
ARR (tests/scenarios/worked_example/NOTES.md); the demo data checks each amount against 12
times the same report in MRR, column by column.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner, Result

import nrr
from nrr.api import Dataset
from nrr.cli import cli
from nrr.definitions import COUNT_METRICS, PERCENT_METRICS, REPORT_METRICS, Unit
from nrr.engine.metrics import AMOUNT_COLUMNS, MONTHS_PER_YEAR, in_unit

WORKED = Path(__file__).parent / "scenarios" / "worked_example" / "data"
CENT = 0.005


@pytest.fixture(scope="module")
def worked() -> Dataset:
    return nrr.load(WORKED)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# --- the worked example, by hand ------------------------------------------------------------
def test_worked_example_q1_in_arr(worked: Dataset) -> None:
    """NOTES.md: 100 customers with $1,000,000 ARR on 2024-01-01; in Q1 +150K expansion,
    -25K contraction, -25K churn. New customers paying at 2024-04-01: n01 700, n02 9000/12 =
    750, n03 800, n04 400, n05 1200 (n06 ended on 03-20) = 3,850 MRR = 46,200 ARR."""
    report = worked.report(period="quarter", start="2024-01-01", end="2024-04-01", unit="arr")
    (row,) = report.to_pylist()
    assert row["starting_arr"] == pytest.approx(1_000_000, abs=CENT)
    assert row["expansion_arr"] == pytest.approx(150_000, abs=CENT)
    assert row["contraction_arr"] == pytest.approx(25_000, abs=CENT)
    assert row["churn_arr"] == pytest.approx(25_000, abs=CENT)
    assert row["ending_arr"] == pytest.approx(1_100_000, abs=CENT)
    assert row["new_arr"] == pytest.approx(46_200, abs=CENT)
    assert row["total_arr_end"] == pytest.approx(1_146_200, abs=CENT)
    assert row["reactivation_arr"] == 0
    # Ratios are the same as in MRR: 110 %, 95 %, 90 / 100.
    assert row["nrr"] == pytest.approx(110.0, rel=1e-12)
    assert row["grr"] == pytest.approx(95.0, rel=1e-12)
    assert row["logo_retention"] == pytest.approx(90.0, rel=1e-12)
    assert row["customers_start"] == 100 and row["customers_churned"] == 10
    assert report.unit is Unit.ARR
    assert "ARR" in repr(report) and "1,000,000.00" in repr(report)


def test_worked_example_drilldown_in_arr(worked: Dataset) -> None:
    """NOTES.md: e01 pays 24,000 ARR, then 31,500 from its upgrade."""
    table = worked.customers(
        period="quarter", start="2024-01-01", end="2024-04-01", unit="arr", category="expansion"
    )
    rows = {row["customer_id"]: row for row in table.to_pylist()}
    assert rows["e01"]["arr_start"] == pytest.approx(24_000, abs=CENT)
    assert rows["e01"]["arr_end"] == pytest.approx(31_500, abs=CENT)
    assert rows["e01"]["delta"] == pytest.approx(7_500, abs=CENT)
    assert table.unit is Unit.ARR and "ARR" in repr(table)


# --- every amount is 12 x its MRR, every ratio the same --------------------------------------
def _pairs(mrr: pa.Table, arr: pa.Table) -> list[tuple[str, str]]:
    assert arr.num_rows == mrr.num_rows
    assert len(arr.column_names) == len(mrr.column_names)
    return list(zip(mrr.column_names, arr.column_names, strict=True))


def _assert_twelve_times(mrr: pa.Table, arr: pa.Table) -> None:
    for before, after in _pairs(mrr, arr):
        old, new = mrr.column(before).to_pylist(), arr.column(after).to_pylist()
        if before in AMOUNT_COLUMNS:
            assert after == before.replace("mrr", "arr").replace("monthly", "annual")
            assert "mrr" not in after
            assert new == pytest.approx([12 * v for v in old], rel=1e-12, abs=1e-9), before
        else:
            assert after == before
            assert new == _close(old), before  # counts, dates, groups exactly; ratios too


def _close(values: list[Any]) -> list[Any]:
    """Floats to 1e-9 relative: DuckDB's parallel sums may differ in the last bit between two
    runs of one query (tests/web/helpers.py, ``assert_close``); anything else exactly."""
    return [
        pytest.approx(v, rel=1e-9, abs=1e-9, nan_ok=True) if isinstance(v, float) else v
        for v in values
    ]


@pytest.mark.parametrize(
    "options",
    [
        {"period": "month"},
        {"period": "quarter", "by": "segment"},
        {"period": "year", "method": "compounded"},
        {"period": "ttm", "fx": "constant"},
        {"period": "quarter", "level": "organization", "by": "product"},
    ],
)
def test_every_amount_is_twelve_times_the_mrr_report(
    dataset: Dataset, options: dict[str, str]
) -> None:
    mrr = dataset.report(**options)  # type: ignore[arg-type]
    arr = dataset.report(**options, unit="arr")  # type: ignore[arg-type]
    assert len(mrr) > 0
    _assert_twelve_times(mrr.table, arr.table)
    names = set(arr.table.column_names)
    for metric in REPORT_METRICS:
        expected = metric if metric in COUNT_METRICS | PERCENT_METRICS else Unit.ARR.column(metric)
        assert expected in names
    totals_mrr, totals_arr = dataset.totals(mrr), dataset.totals(arr)
    if totals_mrr is not None and totals_arr is not None:
        _assert_twelve_times(totals_mrr.table, totals_arr.table)


def test_pandas_frame_has_the_arr_names(dataset: Dataset) -> None:
    frame = dataset.report(period="quarter", unit="arr").to_pandas()
    assert "starting_arr" in frame.columns and "starting_mrr" not in frame.columns
    assert not [c for c in frame.columns if "mrr" in c]


def test_cohorts_in_arr(dataset: Dataset) -> None:
    mrr = dataset.cohorts("quarter", by="segment")
    arr = dataset.cohorts("quarter", by="segment", unit="arr")
    _assert_twelve_times(mrr.table, arr.table)
    assert {"initial_arr", "arr"} <= set(arr.table.column_names)
    assert arr.unit is Unit.ARR and "ARR" in repr(arr)


def test_lines_in_arr(dataset: Dataset) -> None:
    mrr = dataset.customers(period="quarter", start="2024-01-01", end="2024-07-01", lines=True)
    arr = dataset.customers(
        period="quarter", start="2024-01-01", end="2024-07-01", lines=True, unit="arr"
    )
    _assert_twelve_times(mrr.table, arr.table)
    # A line's billed amount is per billing period, not per month: it keeps its value.
    assert arr.table.column("amount").equals(mrr.table.column("amount"))


# --- the drill-down reconciles with the report in ARR ----------------------------------------
def test_customers_sum_to_the_report_in_arr(dataset: Dataset) -> None:
    options = {"period": "quarter", "by": "segment", "unit": "arr"}
    report = dataset.report(**options)  # type: ignore[arg-type]
    customers = dataset.customers(**options).to_pandas()  # type: ignore[arg-type]
    sums = customers.groupby(["period_start", "segment"], dropna=False).agg(
        start=("arr_start", "sum"), end=("arr_end", "sum")
    )
    checked = 0
    for row in report.to_pylist():
        key = (row["period_start"], row["segment"])
        if key not in sums.index:
            assert row["total_arr_start"] == 0 and row["total_arr_end"] == 0
            continue
        assert sums.loc[key, "start"] == pytest.approx(row["total_arr_start"], abs=CENT)
        assert sums.loc[key, "end"] == pytest.approx(row["total_arr_end"], abs=CENT)
        moved = customers[
            (customers.period_start == key[0])
            & (customers.segment == key[1])
            & (customers.category == "expansion")
        ]
        assert moved.delta.sum() == pytest.approx(row["expansion_arr"], abs=CENT)
        checked += 1
    assert checked > 4


# --- the unit as a request field ---------------------------------------------------------------
def test_an_unknown_unit_names_the_field(dataset: Dataset) -> None:
    with pytest.raises(nrr.RequestError) as caught:
        dataset.report(unit="yearly")
    assert caught.value.field == "unit"
    assert "mrr, arr" in str(caught.value) and "'yearly'" in str(caught.value)
    with pytest.raises(nrr.RequestError):
        dataset.cohorts(unit="annual")


def test_the_unit_defaults_to_mrr_and_mrr_changes_nothing(dataset: Dataset) -> None:
    report = dataset.report(period="quarter")
    assert report.request.unit is Unit.MRR and report.unit is Unit.MRR
    assert in_unit(report.table, Unit.MRR) is report.table
    assert nrr.Unit is Unit and MONTHS_PER_YEAR == 12
    request = nrr.ReportRequest(unit=Unit.ARR)
    assert dataset.run(request).table.column_names[3] == "starting_arr"


def test_a_request_built_by_hand_takes_the_unit_as_a_string() -> None:
    assert nrr.ReportRequest(unit="arr").unit is Unit.ARR  # type: ignore[arg-type]
    assert nrr.CohortRequest(unit="mrr").unit is Unit.MRR  # type: ignore[arg-type]
    with pytest.raises(nrr.RequestError) as caught:
        nrr.ReportRequest(unit="yearly")  # type: ignore[arg-type]
    assert caught.value.field == "unit" and "must be one of mrr, arr" in str(caught.value)


def test_unit_column_names() -> None:
    assert Unit.ARR.column("starting_mrr") == "starting_arr"
    assert Unit.ARR.column("mrr_start") == "arr_start"
    assert Unit.ARR.column("monthly_value") == "annual_value"
    assert Unit.ARR.column("delta") == "delta"
    assert Unit.MRR.column("starting_mrr") == "starting_mrr"
    assert (Unit.MRR.label, Unit.ARR.label) == ("MRR", "ARR")


# --- the command line --------------------------------------------------------------------------
def test_cli_report_table_says_arr() -> None:
    result = run(
        "report", str(WORKED), "--period", "quarter", "--from", "2024-01-01", "--unit", "arr"
    )
    assert result.exit_code == 0, result.stderr
    assert "Account-level quarter NRR, USD ARR" in result.stdout
    assert "Starting ARR" in result.stdout and "Ending ARR" in result.stdout
    assert "Total ARR end" in result.stdout and "MRR" not in result.stdout
    assert "1,000,000.00" in result.stdout and "1,100,000.00" in result.stdout
    assert "110.0%" in result.stdout


def test_cli_csv_has_the_arr_columns() -> None:
    args = ["report", str(WORKED), "--period", "quarter", "--from", "2024-01-01"]
    mrr = run(*args, "--format", "csv")
    arr = run(*args, "--format", "csv", "--unit", "arr")
    assert mrr.exit_code == 0 and arr.exit_code == 0, arr.stderr
    (mrr_row,) = csv.DictReader(io.StringIO(mrr.stdout))
    (arr_row,) = csv.DictReader(io.StringIO(arr.stdout))
    assert [Unit.ARR.column(c) for c in mrr_row] == list(arr_row)
    assert float(arr_row["starting_arr"]) == pytest.approx(1_000_000, abs=CENT)
    assert float(arr_row["starting_arr"]) == pytest.approx(12 * float(mrr_row["starting_mrr"]))
    assert float(arr_row["nrr"]) == pytest.approx(float(mrr_row["nrr"]), rel=1e-9)


def test_cli_customers_and_cohorts_in_arr() -> None:
    customers = run(
        "customers",
        str(WORKED),
        "--period",
        "quarter",
        "--from",
        "2024-01-01",
        "--unit",
        "arr",
        "--category",
        "expansion",
        "--format",
        "json",
    )
    assert customers.exit_code == 0, customers.stderr
    rows = {r["customer_id"]: r for r in json.loads(customers.stdout)}
    assert rows["e01"]["arr_start"] == pytest.approx(24_000, abs=CENT)
    table = run("customers", str(WORKED), "--period", "quarter", "--unit", "arr")
    assert "ARR in USD" in table.stdout and "arr_start" in table.stdout
    cohorts = run("cohorts", str(WORKED), "--grain", "quarter", "--unit", "arr")
    assert cohorts.exit_code == 0, cohorts.stderr
    assert "Initial ARR" in cohorts.stdout and "USD ARR" in cohorts.stdout


def test_cli_explain_names_the_unit_and_a_bad_unit_is_refused() -> None:
    explained = run("report", str(WORKED), "--unit", "arr", "--explain")
    assert explained.exit_code == 0
    assert "-- unit: arr: amounts are ARR, 12 x the MRR" in explained.stdout
    wrong = run("report", str(WORKED), "--unit", "yearly")
    assert wrong.exit_code == 2 and "'yearly' is not one of 'mrr', 'arr'" in wrong.stderr
