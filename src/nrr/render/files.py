"""Machine formats: CSV, JSON and Parquet, unrounded unless ``decimals`` is given."""

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


def to_csv(table: pa.Table) -> str:
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue().decode()


def render_bytes(table: pa.Table, fmt: str, decimals: int | None = None) -> bytes:
    """``table`` encoded in ``fmt`` (csv, json or parquet)."""
    table = rounded(table, decimals)
    if fmt == "csv":
        return to_csv(table).encode()
    if fmt == "json":
        return (to_json(table) + "\n").encode()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        return buffer.getvalue()
    raise ValueError(f"not a file format: {fmt}")
