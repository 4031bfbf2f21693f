"""Machine formats: CSV, JSON and Parquet, unrounded unless ``decimals`` is given.

CSV is opened in spreadsheets, and a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return before one) as a formula: a customer named
``=HYPERLINK(...)`` would become a link, or worse, in the reader's spreadsheet. So CSV
text cells (and header names) that start with one of those characters get a leading ``'``
(OWASP's rule for CSV injection); every text cell is also double-quoted by the writer, so
a separator inside a value never starts a new cell. Numbers are written as numbers: a
negative amount keeps its ``-``. ``escape_formulas=False`` writes text exactly as it is,
for programs rather than spreadsheets. JSON and Parquet are for programs and are never
escaped.
"""

from __future__ import annotations

import io
import json
import math
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow is imported where it is used, so that the CLI's option choices (FORMATS) are cheap
FORMATS = ("table", "csv", "json", "parquet")
# What a spreadsheet may take for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def rounded(table: pa.Table, decimals: int | None) -> pa.Table:
    if decimals is None:
        return table
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, field in enumerate(table.schema):
        if pa.types.is_floating(field.type):
            table = table.set_column(
                index, field.name, pc.round(table[field.name], ndigits=decimals)
            )
    return table


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(table: pa.Table) -> str:
    rows = [{k: _json_value(v) for k, v in row.items()} for row in table.to_pylist()]
    return json.dumps(rows, indent=2)


def formula_escaped(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def formulas_escaped(table: pa.Table) -> pa.Table:
    """``table`` with a ``'`` before every text cell and name a spreadsheet would run."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type):
            column, kind = column.cast(pa.string()), pa.string()
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            column = pc.replace_substring_regex(
                column, pattern="^([=+@\\-\t\r])", replacement="'\\1"
            )
        columns.append(column)
    return pa.table(columns, names=[formula_escaped(name) for name in table.column_names])


def to_csv(table: pa.Table, escape_formulas: bool = True) -> str:
    import pyarrow.csv as pacsv

    if escape_formulas:
        table = formulas_escaped(table)

    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue().decode()


def render_bytes(
    table: pa.Table, fmt: str, decimals: int | None = None, *, escape_formulas: bool = True
) -> bytes:
    """``table`` encoded in ``fmt`` (csv, json or parquet); CSV text formula-escaped."""
    table = rounded(table, decimals)
    if fmt == "csv":
        return to_csv(table, escape_formulas).encode()
    if fmt == "json":
        return (to_json(table) + "\n").encode()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        return buffer.getvalue()
    raise ValueError(f"not a file format: {fmt}")
