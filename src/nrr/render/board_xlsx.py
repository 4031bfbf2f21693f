"""The board report's tables as an XLSX workbook: a sheet per table, in the page's order.

The sheets are the page's own (``board.sheets``), written by the shared workbook writer
(``render/workbook.py``: real percent, currency and date formats, a frozen header), with
the page's column titles as headers so a board member reads the same names in both.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nrr.render import workbook
from nrr.render.board_tables import Sheet

if TYPE_CHECKING:
    from nrr.render.board import Board

# The page's column kinds as the workbook's.
KINDS: dict[str, workbook.Kind] = {
    "text": "text",
    "date": "date",
    "count": "integer",
    "money": "money",
    "percent": "percent",
}


def sheet_of(sheet: Sheet, currency: str) -> workbook.Sheet:
    import pyarrow as pa

    data = {c.title: [row.get(c.key) for row in sheet.rows] for c in sheet.columns}
    types = {
        "text": pa.string(),
        "date": pa.date32(),
        "count": pa.int64(),
        "money": pa.float64(),
        "percent": pa.float64(),
    }
    schema = pa.schema([(c.title, types[c.kind]) for c in sheet.columns])
    table = pa.table(data, schema=schema)
    kinds = {c.title: KINDS[c.kind] for c in sheet.columns}
    return workbook.Sheet(workbook.sheet_name(sheet.name), table, currency, kinds)


def xlsx_bytes(board: Board) -> bytes:
    from nrr.render.board import sheets

    currency = board.report.currency
    return workbook.workbook_bytes([sheet_of(s, currency) for s in sheets(board)])


def write_xlsx(board: Board, path: Path) -> None:
    path.write_bytes(xlsx_bytes(board))
