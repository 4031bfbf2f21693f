"""XLSX workbooks from Arrow tables: real number formats, a frozen bold header.

Why a workbook and not only CSV: a spreadsheet guesses a CSV's types (a date becomes
text in one locale and a number in another, 100.5 stays a number nobody reads as a
percent). Here every column gets the type and format its name and Arrow type say:

* ratios (``nrr``, ``grr``, ``logo_retention``, ``*_rate``, ...) are stored in percent
  points by nrr (100.5 means 100.5%), so they are divided by 100 and shown as Excel
  percents with one decimal: the cell holds 1.005 and reads 100.5%;
* money (``*_mrr``, ``*_arr``, ``mrr``, ``delta``, ...) keeps its full value and is shown
  with the sheet's currency code and that currency's decimals (JPY none, KWD three);
* dates are Excel dates, integers are integers, and text is text.

Text is never a formula: openpyxl turns a string that starts with ``=`` into a formula
(and ``#N/A`` into an error), so every text cell is typed as a string explicitly. Unlike
CSV (see ``files.py``) no ``'`` is added: a cell typed as a string is never run, and the
reader sees the customer's name exactly. Characters XML cannot hold (control
characters) become U+FFFD rather than failing the whole file.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Kind = Literal["percent", "money", "integer", "number", "date", "boolean", "text"]

# Excel's limit on a sheet's name, and the characters it refuses in one.
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
# XML 1.0 has no place for these; openpyxl raises on them.
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

PERCENT_NAMES = frozenset({"nrr", "grr", "logo_retention"})
PERCENT_SUFFIXES = ("_rate", "_nrr", "_grr", "_retention", "_percent", "_pct")
PERCENT_PREFIXES = ("nrr_", "grr_", "logo_retention_")
MONEY_NAMES = frozenset({"mrr", "arr", "delta", "amount"})
MONEY_SUFFIXES = ("_mrr", "_arr", "_amount")
MONEY_PREFIXES = ("mrr_", "arr_")

# ISO 4217 minor units where they are not two (the rest of the world's currencies).
_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
CURRENCY_DECIMALS: Mapping[str, int] = {
    **{code: 0 for code in _ZERO_DECIMALS.split()},
    **{code: 3 for code in _THREE_DECIMALS.split()},
    "CLF": 4,
    "UYW": 4,
}

PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
MIN_WIDTH, MAX_WIDTH = 8, 60
# Widths are measured on the first rows only: enough to size a column, cheap on long sheets.
_WIDTH_SAMPLE = 200


@dataclass(frozen=True)
class Sheet:
    """One sheet: a table, the currency its money columns are in, and any kinds to force.

    ``kinds`` overrides what a column's name and type would make of it (e.g. a money
    column named in a way the rules do not know).
    """

    name: str
    table: pa.Table
    currency: str | None = None
    kinds: Mapping[str, Kind] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name != sheet_name(self.name):
            raise ValueError(
                f"not a sheet name Excel accepts: {self.name!r} "
                f"(1 to {MAX_SHEET_NAME} characters, none of []:*?/\\)"
            )


def sheet_name(text: str) -> str:
    """``text`` made into a sheet name Excel accepts (the characters it refuses become -)."""
    cleaned = _BAD_SHEET_CHARACTERS.sub("-", text).strip().strip("'")
    return cleaned[:MAX_SHEET_NAME] or "Sheet"


def lines_sheet(
    name: str, lines: Iterable[tuple[str, str]], header: tuple[str, str] = ("term", "meaning")
) -> Sheet:
    """A sheet of two text columns, e.g. the definitions a report used."""
    rows = list(lines)
    table = pa.table(
        {header[0]: [term for term, _ in rows], header[1]: [text for _, text in rows]},
        schema=pa.schema([(header[0], pa.string()), (header[1], pa.string())]),
    )
    return Sheet(name, table)


def column_kind(name: str, kind: pa.DataType) -> Kind:
    """What a column holds, from its Arrow type and (for numbers) its name."""
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return "date"
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind):
        return "integer"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        if name in PERCENT_NAMES or name.endswith(PERCENT_SUFFIXES):
            return "percent"
        if name.startswith(PERCENT_PREFIXES):
            return "percent"
        if name in MONEY_NAMES or name.endswith(MONEY_SUFFIXES) or name.startswith(MONEY_PREFIXES):
            return "money"
        return "number"
    return "text"


def money_format(currency: str | None) -> str:
    """``[$USD] #,##0.00``: the code, thousands separators and the currency's decimals."""
    decimals = CURRENCY_DECIMALS.get((currency or "").upper(), 2)
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f"[${currency.upper()}] {number}" if currency else number


def _number_format(kind: Kind, currency: str | None) -> str:
    formats: dict[Kind, str] = {
        "percent": PERCENT_FORMAT,
        "integer": INTEGER_FORMAT,
        "date": DATE_FORMAT,
        "number": "General",
        "boolean": "General",
        "text": "@",
    }
    return money_format(currency) if kind == "money" else formats[kind]


def _cell_value(value: Any, kind: Kind) -> Any:
    """The value as Excel stores it: percent points to fractions, no NaN, text cleaned."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if kind == "percent":
        return float(value) / 100
    if kind == "text":
        text = value if isinstance(value, str) else str(value)
        return _ILLEGAL_CHARACTERS.sub("\ufffd", text)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    return value


def _shown_width(value: Any, kind: Kind) -> int:
    if value is None:
        return 0
    if kind == "date":
        return 10
    if kind == "percent":
        return len(f"{value:.1f}%")
    if kind == "boolean":
        return 5
    if kind in ("money", "integer"):
        return len(f"{value:,.2f}") + (4 if kind == "money" else 0)
    return len(str(value))


def _widths(table: pa.Table, kinds: Sequence[Kind]) -> list[float]:
    sample = table.slice(0, _WIDTH_SAMPLE)
    widths = []
    for name, kind in zip(table.column_names, kinds, strict=True):
        longest = max([len(name), *(_shown_width(v, kind) for v in sample[name].to_pylist())])
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))))
    return widths


def _rows(table: pa.Table, kinds: Sequence[Kind]) -> Iterator[list[Any]]:
    for batch in table.to_batches(max_chunksize=10_000):
        columns = [column.to_pylist() for column in batch.columns]
        for values in zip(*columns, strict=True):
            yield [_cell_value(v, k) for v, k in zip(values, kinds, strict=True)]


def _write_sheet(worksheet: WriteOnlyWorksheet, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    table = sheet.table
    kinds: list[Kind] = [
        sheet.kinds.get(f.name) or column_kind(f.name, f.type) for f in table.schema
    ]
    formats = [_number_format(kind, sheet.currency) for kind in kinds]
    for index, width in enumerate(_widths(table, kinds), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    header = []
    for name in table.column_names:
        cell = WriteOnlyCell(worksheet, value=_cell_value(name, "text"))
        cell.data_type, cell.font = "s", bold
        header.append(cell)
    worksheet.append(header)
    for values in _rows(table, kinds):
        cells = []
        for value, kind, number_format in zip(values, kinds, formats, strict=True):
            cell = WriteOnlyCell(worksheet, value=value)
            if kind == "text" and value is not None:
                cell.data_type = "s"  # never a formula or an error code
                if len(value) > MAX_WIDTH:
                    cell.alignment = wrapped
            elif value is not None:
                cell.number_format = number_format
            cells.append(cell)
        worksheet.append(cells)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX file with one sheet per ``Sheet``, in order."""
    from openpyxl import Workbook

    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    seen: set[str] = set()
    for sheet in sheets:
        if sheet.name.casefold() in seen:
            raise ValueError(f"two sheets are named {sheet.name!r}")
        seen.add(sheet.name.casefold())
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(sheet.name), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
