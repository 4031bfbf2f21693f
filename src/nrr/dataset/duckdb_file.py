"""A DuckDB database file holding the contract's tables, read as text tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from nrr.dataset.arrow_text import as_text
from nrr.dataset.contract import TABLES
from nrr.dataset.raw import RawTable, ReadResult, column_name_of, unique_names
from nrr.errors import ConfigError


class DuckDBReader:
    """A DuckDB database file holding the contract's tables, opened read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = str(path)

    def read(self) -> ReadResult:
        import duckdb

        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            hint = ""
            if "version" in message.lower() or "storage" in message.lower():
                hint = (
                    f" (written by a different DuckDB version than {duckdb.__version__}: "
                    "export the tables to Parquet with that DuckDB and point nrr at the folder)"
                )
            raise ConfigError(f"{self.path}: cannot open DuckDB file: {message}{hint}") from exc
        result = ReadResult()
        try:
            present = {
                row[0].lower(): row[0]
                for row in con.execute(
                    "select table_name from information_schema.tables"
                ).fetchall()
            }
            for name in TABLES:
                if name in present:
                    result.found.add(name)
                    data = con.table(present[name]).arrow()
                    if isinstance(data, pa.RecordBatchReader):
                        data = data.read_all()
                    columns = [column_name_of(c) for c in data.column_names]
                    names = unique_names(columns)
                    source = f"{self.path}#{name}"
                    text = as_text(data, name, source, result.issues)
                    if text is not None:
                        result.tables[name] = RawTable(
                            name, source, columns, text.rename_columns(names)
                        )
        finally:
            con.close()
        return result
