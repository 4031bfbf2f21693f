"""Readers: every source becomes the same text staging tables.

Each reader returns, per contract table it finds, the raw values as strings (empty = "")
with the 1-based line number of each row, so validation is identical whatever the source.
A database table with a primary key also says which columns hold it, so an issue can name
the row by its key. The readers live by source: ``files`` (CSV and Parquet), ``duckdb_file``
and ``postgres``; what they share (``RawTable``) lives in ``raw``, which imports none of
them.
"""

from __future__ import annotations

import re
from pathlib import Path

from nrr.dataset.duckdb_file import DuckDBReader
from nrr.dataset.files import FolderReader
from nrr.dataset.postgres import PostgresReader
from nrr.dataset.postgres_url import is_database_url
from nrr.dataset.raw import RawTable, Reader, ReadResult, unknown_column_warning
from nrr.errors import ConfigError

__all__ = [
    "DuckDBReader",
    "FolderReader",
    "RawTable",
    "ReadResult",
    "Reader",
    "reader_for",
    "unknown_column_warning",
]


def reader_for(path: Path | str, files: dict[str, str] | None = None) -> Reader:
    """Pick the reader for a folder of files, a DuckDB file or a PostgreSQL URL.

    A URL arrives as a ``str`` (``Path`` would fold its ``//``); any other string is a path.
    ``files``: table -> the file a column mapping reads it from (a folder only).
    """
    if files and not (isinstance(path, Path | str) and Path(str(path)).is_dir()):
        name = next(iter(files))
        raise ConfigError(
            f"the mapping's [{name}] file = {files[name]!r} applies to a folder of files only; "
            "a database's tables are read by their names"
        )
    if isinstance(path, str):
        if is_database_url(path):
            return PostgresReader(path)
        path = Path(path)
    if path.is_dir():
        return FolderReader(path, files)
    if path.is_file() and path.suffix.lower() in {".duckdb", ".db", ".ddb"}:
        return DuckDBReader(path)
    if not path.exists():
        _refuse_url(str(path))
        raise ConfigError(f"{path}: no such file or folder")
    raise ConfigError(f"{path}: expected a folder of CSV/Parquet files or a DuckDB file (.duckdb)")


def _refuse_url(text: str) -> None:
    """A URL that reached us as a path: say why, echoing no more than its scheme.

    The rest may hold a password. ``Path("postgresql://u@h/db")`` folds ``//`` into ``/``,
    so a PostgreSQL URL handed over as a ``Path`` lands here too.
    """
    scheme = re.match(r"([a-z][a-z0-9+.-]+):/", text, flags=re.IGNORECASE)
    if scheme is None:
        return
    if scheme[1].lower() in {"postgres", "postgresql"}:
        raise ConfigError(
            f"{scheme[1]}://…: pass a PostgreSQL URL as a string, not a Path (which folds its '//')"
        )
    raise ConfigError(
        f"{scheme[1]}://…: not a folder or file, and nrr reads only postgresql:// URLs"
    )
