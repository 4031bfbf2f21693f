"""Every view's file: the JSON's rows as CSV and XLSX, bounded like the JSON."""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.web.helpers import TestClient, client_for, widget_body

SCENARIO = Path(__file__).parents[1] / "scenarios" / "scheduled_cancellation" / "data"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = {"nrr", "grr", "logo_retention"}


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def xlsx_rows(body: bytes, sheet: str) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def same(shown: Any, written: Any) -> bool:
    """A JSON value and what a file holds for it (text in CSV, typed in XLSX)."""
    if shown is None:
        return written in (None, "")
    if isinstance(written, datetime):
        written = written.date().isoformat()
    if isinstance(shown, bool):
        return str(shown).lower() == str(written).lower()
    if isinstance(shown, int | float):
        return math.isclose(float(shown), float(written), rel_tol=1e-9, abs_tol=1e-9)
    return str(shown) == str(written)


def assert_rows_equal(shown: list[dict[str, Any]], written: list[dict[str, Any]]) -> None:
    assert len(written) == len(shown)
    for row, line in zip(shown, written, strict=True):
        for column, value in line.items():
            assert same(row[column], value), (column, row[column], value)


def attachment(response: Any) -> str:
    """The file name, with the dataset's folder name (a temporary folder here) as DATA."""
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    name = str(disposition.split("filename=")[1].strip('"'))
    return re.sub(r"^nrr-demo[0-9]*-", "nrr-DATA-", name)


REPORT = {"period": "quarter", "start": "2024-01-01", "end": "2025-01-01", "by": "segment"}


def test_report_csv_rows_are_the_json_rows(client: TestClient) -> None:
    shown = client.get("/api/report", params=REPORT).json()["rows"]
    response = client.get("/api/report.csv", params=REPORT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert attachment(response) == "nrr-DATA-report-quarter-2024-01-01-2025-01-01-by-segment.csv"
    written = csv_rows(response.content)
    assert_rows_equal(shown, written)
    # the same file as the older ?format=csv (nrr report --format csv)
    older = client.get("/api/report", params={**REPORT, "format": "csv"})
    assert older.content.splitlines()[0] == response.content.splitlines()[0]
    assert_rows_equal(shown, csv_rows(older.content))


def test_report_xlsx_is_readable_with_formats(client: TestClient) -> None:
    shown = client.get("/api/report", params=REPORT).json()
    response = client.get("/api/report.xlsx", params=REPORT)
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert attachment(response).endswith("-by-segment.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Report", "Totals", "About"]
    written = xlsx_rows(response.content, "Report")
    # percents are fractions in Excel (1.005 shown as 100.5%)
    as_points = [
        {k: (v * 100 if k in PERCENT and v is not None else v) for k, v in row.items()}
        for row in written
    ]
    assert [row.pop("period") for row in as_points] == [row["label"] for row in shown["rows"]]
    assert_rows_equal(shown["rows"], as_points)
    header = [c.value for c in book["Report"][1]]
    formats = {name: book["Report"].cell(2, i + 1).number_format for i, name in enumerate(header)}
    assert formats["nrr"] == formats["grr"] == "0.0%"
    assert formats["starting_mrr"] == "[$USD] #,##0.00"
    assert formats["customers_start"] == "#,##0"
    assert formats["period_start"] == "yyyy-mm-dd"
    assert book["Report"].freeze_panes == "A2"
    totals = xlsx_rows(response.content, "Totals")
    assert len(totals) == len(shown["totals"])
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["by"] == "segment" and about["grain"] == "quarter"


def test_filters_reach_the_file(client: TestClient) -> None:
    params = {**REPORT, "filter": "segment=SMB"}
    shown = client.get("/api/report", params=params).json()["rows"]
    response = client.get("/api/report.csv", params=params)
    assert attachment(response).endswith("-by-segment-filtered.csv")
    written = csv_rows(response.content)
    assert {row["segment"] for row in written} == {"SMB"}
    assert_rows_equal(shown, written)


def test_customers_files_are_the_drill_down_rows(client: TestClient) -> None:
    params = {"period": "quarter", "start": "2024-07-01", "end": "2024-10-01", "limit": 50}
    shown = client.get("/api/customers", params=params).json()
    assert shown["truncated"]
    response = client.get("/api/customers.csv", params=params)
    assert response.status_code == 200
    assert attachment(response) == "nrr-DATA-customers-month-2024-07-01-2024-10-01.csv".replace(
        "month", "quarter"
    )
    written = csv_rows(response.content)
    assert_rows_equal(shown["rows"], written)
    book = client.get("/api/customers.xlsx", params=params)
    assert book.headers["content-type"] == XLSX
    assert_rows_equal(shown["rows"], xlsx_rows(book.content, "Customers"))
    about = dict(
        openpyxl.load_workbook(io.BytesIO(book.content))["About"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert about["rows"].startswith(f"50 of {shown['total']:,}")


def test_customers_of_one_category(client: TestClient) -> None:
    params = {"period": "quarter", "start": "2024-07-01", "end": "2024-10-01"}
    shown = client.get("/api/customers", params={**params, "category": "churn"}).json()
    response = client.get("/api/customers.csv", params={**params, "category": "churn"})
    assert "-customers-churn-" in attachment(response)
    written = csv_rows(response.content)
    assert {row["category"] for row in written} == {"churn"}
    assert_rows_equal(shown["rows"], written)


def test_cohorts_files(client: TestClient) -> None:
    params = {"grain": "quarter", "start": "2023-01-01", "end": "2025-01-01"}
    shown = client.get("/api/cohorts", params=params).json()["rows"]
    response = client.get("/api/cohorts.csv", params=params)
    assert attachment(response) == "nrr-DATA-cohorts-quarter-2023-01-01-2025-01-01.csv"
    assert_rows_equal(shown, csv_rows(response.content))
    book = client.get("/api/cohorts.xlsx", params=params)
    written = xlsx_rows(book.content, "Cohorts")
    for row in written:
        for key in PERCENT & row.keys():
            row[key] = None if row[key] is None else row[key] * 100
    assert_rows_equal(shown, written)


def test_widget_files(client: TestClient) -> None:
    board = client.post("/api/dashboards", json={"name": "Board"}).json()["dashboard"]
    created = client.post(
        f"/api/dashboards/{board['id']}/widgets", json=widget_body("NRR per CSM: Q4")
    ).json()["widget"]
    shown = client.get(f"/api/widgets/{created['id']}/data").json()["rows"]
    response = client.get(f"/api/widgets/{created['id']}/data.csv")
    name = attachment(response)
    assert name.startswith(f"nrr-DATA-widget-{created['id']}-nrr-per-csm-q4-quarter-")
    assert name.endswith("-by-csm.csv")
    assert_rows_equal(shown, csv_rows(response.content))
    book = client.get(f"/api/widgets/{created['id']}/data.xlsx")
    assert book.headers["content-type"] == XLSX
    assert len(xlsx_rows(book.content, "Report")) == len(shown)
    assert client.get("/api/widgets/999999/data.csv").status_code == 404


def test_only_csv_and_xlsx(client: TestClient) -> None:
    assert client.get("/api/report.pdf").status_code == 404


def test_the_row_budget_holds_for_files(client: TestClient) -> None:
    params = {"period": "month", "start": "1990-01-01", "end": "2020-01-01"}
    for path in ("/api/report.csv", "/api/report.xlsx", "/api/customers.csv"):
        response = client.get(path, params=params)
        assert response.status_code == 400, path
        assert response.json()["ok"] is False


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hostile_values_stay_text(client: TestClient, fmt: str) -> None:
    # A filter value is echoed into the About sheet: it stays text, never a formula.
    params = {"period": "quarter", "filter": "segment==cmd()"}
    response = client.get(f"/api/report.{fmt}", params=params)
    assert response.status_code == 200
    if fmt == "xlsx":
        about = openpyxl.load_workbook(io.BytesIO(response.content))["About"]
        cells = [row[1] for row in about.iter_rows(min_row=2)]
        hostile = [c for c in cells if "=cmd()" in str(c.value)]
        assert hostile and all(c.data_type == "s" for c in hostile)


def test_dates_in_the_file_name_are_the_resolved_range(client: TestClient) -> None:
    response = client.get("/api/report.csv", params={"period": "year"})
    assert attachment(response) == "nrr-DATA-report-year-2023-01-01-2025-01-01.csv"
    assert date.fromisoformat("2025-01-01")


SIGNALS = {"period": "quarter", "correlate": "health_score"}


def test_signals_tables_as_files(client: TestClient) -> None:
    shown = client.get("/api/signals", params=SIGNALS).json()
    indicators = client.get("/api/signals/indicators.csv", params=SIGNALS)
    assert indicators.headers["content-type"] == "text/csv; charset=utf-8"
    assert "-signals-indicators-health-score-quarter-" in attachment(indicators)
    assert_rows_equal(
        [{k: v for k, v in row.items() if k not in ("label", "band")} for row in shown["rows"]],
        csv_rows(indicators.content),
    )
    found = shown["correlation"]
    buckets = csv_rows(client.get("/api/signals/buckets.csv", params=SIGNALS).content)
    assert_rows_equal(found["buckets"], buckets)
    risky = csv_rows(client.get("/api/signals/at-risk.csv", params=SIGNALS).content)
    assert_rows_equal(found["at_risk"], risky)
    book = client.get("/api/signals/indicators.xlsx", params=SIGNALS)
    assert book.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["Indicators"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("churned_share") + 1).number_format == "0.0%"
    written = xlsx_rows(book.content, "Indicators")
    assert [row["period"] for row in written] == [row["label"] for row in shown["rows"]]
    at_risk = client.get("/api/signals/at-risk.xlsx", params=SIGNALS)
    assert len(xlsx_rows(at_risk.content, "At risk")) == len(found["at_risk"])


def test_signal_tables_without_a_signal_say_so(client: TestClient) -> None:
    response = client.get("/api/signals/buckets.csv", params={"period": "quarter"})
    assert response.status_code == 400
    assert "correlate=NAME" in response.json()["error"]


def test_the_unset_groups_drill_down_file(tmp_path: Path) -> None:
    """The segments page's "(unset)" group: no filter names it, the file takes unset=ATTR and
    holds the rows the page keeps from /api/customers (those whose attribute is null)."""
    data = tmp_path / "data"
    shutil.copytree(SCENARIO, data)
    customers = (
        (data / "customers.csv").read_text().replace("C,Latest start,,smb", "C,Latest start,,")
    )
    (data / "customers.csv").write_text(customers)
    params = {"period": "month", "start": "2024-01-01", "end": "2024-03-01", "by": "segment"}
    with client_for(data, tmp_path / "store.sqlite") as client:
        body = client.get("/api/customers", params=params).json()
        shown = [row for row in body["rows"] if row["segment"] is None]
        assert [row["customer_id"] for row in shown] == ["C"]
        response = client.get("/api/customers.csv", params={**params, "unset": "segment"})
        assert "-customers-segment-unset-" in attachment(response)
        written = csv_rows(response.content)
        assert {row["segment"] for row in written} == {""}
        assert_rows_equal(shown, written)
        refused = client.get("/api/customers.csv", params={"period": "month", "unset": "segment"})
        assert refused.status_code == 400 and "by=segment" in refused.json()["error"]
