"""A DuckDB database file holding the contract's tables, read as text tables."""

from __future__ import annotations

import re
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
            raise ConfigError(_cannot_open(self.path, str(exc), duckdb.__version__)) from exc
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


def _cannot_open(path: Path, error: str, version: str) -> str:
    """Why DuckDB cannot open the file, in the words of the fix.

    A write lock held by another process is the common case (a DuckDB shell or notebook
    with the file open); DuckDB's own text names the holder's program and PID, and a path
    holding "version" must not pass for a version mismatch.
    """
    message = error.splitlines()[0] if error else "unknown error"
    if "lock" in message.lower():
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", message)
        who = f" ({holder[1]}, PID {holder[2]})" if holder else ""
        return (
            f"{path}: the DuckDB file is locked by another process{who}: close the file "
            "there, or point nrr at a copy of it"
        )
    storage = re.sub(r"\S*/\S*", "", message).lower()  # (paths left out)
    hint = ""
    if "version" in storage or "storage" in storage:
        hint = (
            f" (written by a different DuckDB version than {version}: "
            "export the tables to Parquet with that DuckDB and point nrr at the folder)"
        )
    return f"{path}: cannot open DuckDB file: {message}{hint}"
