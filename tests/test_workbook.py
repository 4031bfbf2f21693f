"""The XLSX writer, read back with openpyxl as a spreadsheet would read the file."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pyarrow as pa
import pytest

from nrr.render.workbook import (
    Sheet,
    column_kind,
    lines_sheet,
    money_format,
    sheet_name,
    workbook_bytes,
)


def _read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


REPORT = pa.table(
    {
        "period_start": pa.array([date(2024, 1, 1), date(2024, 4, 1)], pa.date32()),
        "segment": ["=cmd()", "smb"],
        "customers_start": pa.array([12, 3], pa.int64()),
        "starting_mrr": [1234.5, 99.0],
        "nrr": [100.5, None],
        "logo_retention": [float("nan"), 91.25],
        "churn_rate": [2.0, 0.0],
        "scheduled": [False, True],
    }
)


def test_values_types_and_number_formats() -> None:
    sheet = _read(workbook_bytes([Sheet("Report", REPORT, currency="usd")]))["Report"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(REPORT.column_names)
    first = sheet[2]
    by_name = {name: cell for name, cell in zip(REPORT.column_names, first, strict=True)}
    # a date is an Excel date, not text
    assert by_name["period_start"].value == datetime(2024, 1, 1)
    assert by_name["period_start"].is_date
    assert by_name["period_start"].number_format == "yyyy-mm-dd"
    # an integer stays an integer
    assert by_name["customers_start"].value == 12
    assert by_name["customers_start"].number_format == "#,##0"
    # money keeps its value and shows the currency's code and decimals
    assert by_name["starting_mrr"].value == 1234.5
    assert by_name["starting_mrr"].number_format == "[$USD] #,##0.00"
    # 100.5 percent points are the fraction 1.005, shown as 100.5%
    assert by_name["nrr"].value == pytest.approx(1.005)
    assert by_name["nrr"].number_format == "0.0%"
    assert by_name["churn_rate"].value == pytest.approx(0.02)
    assert by_name["churn_rate"].number_format == "0.0%"
    # NaN and null are empty cells (Excel has no NaN)
    assert by_name["logo_retention"].value is None
    assert sheet.cell(row=3, column=5).value is None
    assert sheet.cell(row=3, column=6).value == pytest.approx(0.9125)
    assert by_name["scheduled"].value is False
    assert sheet.cell(row=3, column=8).value is True


def test_hostile_text_stays_text() -> None:
    hostile = pa.table(
        {"customer_id": ["=cmd()", "+1", "-2", "@SUM(A1)", "#N/A", "a\x01b"], "n": range(6)}
    )
    sheet = _read(workbook_bytes([Sheet("Customers", hostile)]))["Customers"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["=cmd()", "+1", "-2", "@SUM(A1)", "#N/A", "a\ufffdb"]
    assert {c.data_type for c in cells} == {"s"}
    # and nothing in the file is a formula
    raw = workbook_bytes([Sheet("Customers", hostile)])
    with io.BytesIO(raw) as buffer:
        import zipfile

        with zipfile.ZipFile(buffer) as archive:
            xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_frozen_bold_header_and_widths() -> None:
    sheet = _read(workbook_bytes([Sheet("Report", REPORT)]))["Report"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["C"] >= len("customers_start")
    assert all(8 <= w <= 60 for w in widths.values())


def test_currency_decimals() -> None:
    assert money_format("JPY") == "[$JPY] #,##0"
    assert money_format("kwd") == "[$KWD] #,##0.000"
    assert money_format("EUR") == "[$EUR] #,##0.00"
    assert money_format(None) == "#,##0.00"
    table = pa.table({"mrr": [1500.0]})
    sheet = _read(workbook_bytes([Sheet("JPY", table, currency="JPY")]))["JPY"]
    assert sheet["A2"].number_format == "[$JPY] #,##0"


def test_kinds_from_names_and_overrides() -> None:
    assert column_kind("nrr", pa.float64()) == "percent"
    assert column_kind("grr_low", pa.float64()) == "percent"
    assert column_kind("expansion_arr", pa.float64()) == "money"
    assert column_kind("delta", pa.float64()) == "money"
    assert column_kind("score", pa.float64()) == "number"
    assert column_kind("age", pa.int64()) == "integer"
    assert column_kind("nrr", pa.string()) == "text"
    table = pa.table({"value": [2.5]})
    forced = Sheet("Forced", table, currency="EUR", kinds={"value": "money"})
    sheet = _read(workbook_bytes([forced]))["Forced"]
    assert sheet["A2"].number_format == "[$EUR] #,##0.00"


def test_definitions_sheet_and_order() -> None:
    definitions = lines_sheet("Definitions", [("NRR", "=(start+exp-contr-churn)/start")])
    data = workbook_bytes([Sheet("Report", REPORT), definitions])
    book = _read(data)
    assert book.sheetnames == ["Report", "Definitions"]
    rows = list(book["Definitions"].iter_rows(values_only=True))
    assert rows == [("term", "meaning"), ("NRR", "=(start+exp-contr-churn)/start")]
    assert book["Definitions"]["B2"].data_type == "s"


def test_sheet_names() -> None:
    assert sheet_name("NRR by segment: 2024/Q1 [draft]") == "NRR by segment- 2024-Q1 -draft-"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("") == "Sheet"
    with pytest.raises(ValueError, match="sheet name"):
        Sheet("a/b", REPORT)
    with pytest.raises(ValueError, match="two sheets"):
        workbook_bytes([Sheet("A", REPORT), Sheet("a", REPORT)])
    with pytest.raises(ValueError, match="at least one"):
        workbook_bytes([])


def test_an_empty_table_has_its_header() -> None:
    sheet = _read(workbook_bytes([Sheet("Empty", REPORT.slice(0, 0))]))["Empty"]
    assert list(sheet.iter_rows(values_only=True)) == [tuple(REPORT.column_names)]
