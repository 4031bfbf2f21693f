"""What every reader returns: one contract table as text, and where its rows came from.

Shared by the file, DuckDB and PostgreSQL readers (``readers``, ``postgres``), so that none
of them imports another: each turns its source into the same ``RawTable`` of strings, and
validation is identical whatever the source.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from nrr.dataset.issues import Issue, Severity


@dataclass
class RawTable:
    """A table as the user gave it: column names lower-cased, every value a string."""

    name: str
    source: str
    columns: list[str]
    # string columns named after ``columns`` (duplicates suffixed), no nulls; a Parquet
    # column may be a dictionary array of strings (read with ``columns.Text``)
    data: pa.Table
    first_line: int = 2  # line number of the first data row (header is line 1)
    key: tuple[int, ...] = ()  # positions in ``columns`` of the primary key, if any
    path: Path | None = None  # the CSV file, whose rows need not be one line each
    _lines: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def line(self, row: int) -> int:
        """The line of the file the row starts on (the header is line 1).

        In a CSV file a quoted value may hold line breaks and blank lines are skipped, so a
        row's line is not always ``first_line + row``. The map is built from the file on the
        first call, that is only when some row is flagged: a clean file costs nothing.
        """
        if self.path is None:
            return self.first_line + row
        if self._lines is None:
            self._lines = row_lines(self.path, self.data.num_rows)
        return self._lines[row] if self._lines else self.first_line + row

    def label(self, row: int) -> str | None:
        """The row's primary key as ``id=42`` (``a=1, b=x`` when composite), else None.

        Built per flagged row rather than stored per row: a clean million-row table then
        costs nothing extra.
        """
        if not self.key:
            return None
        parts = []
        for position in self.key:
            value = str(self.data.column(position)[row].as_py())
            if value == "" or any(c in value for c in " ,:=\"'\n"):
                value = repr(value)
            parts.append(f"{self.columns[position]}={value}")
        return ", ".join(parts)


@dataclass
class ReadResult:
    tables: dict[str, RawTable] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    found: set[str] = field(default_factory=set)  # tables present, readable or not


class Reader(Protocol):
    """A data source; ``source`` names it in messages (never with a password in it)."""

    source: str

    def read(self) -> ReadResult: ...


def column_name_of(header: str) -> str:
    """A header cell as a column name: trimmed, lower-cased, control characters escaped.

    Issues print the column name as it is; a line break or a terminal escape sequence in a
    header (a stray quote in an export swallows the header's line break) must not break
    the one-issue-per-line output or reach the terminal raw. Such a name cannot match a
    contract column either way.
    """
    name = header.strip().lower()
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def unique_names(columns: list[str]) -> list[str]:
    return [f"{name}#{i}" for i, name in enumerate(columns)]


def unknown_column_warning(table: RawTable, column: str) -> Issue:
    return Issue(
        table.source,
        1,
        column,
        "column-unknown",
        f"column {column!r} is not part of the {table.name} table and is ignored",
        Severity.WARNING,
    )


# The longest field the csv module reads (its default, 128 KiB, refuses a long note or a
# JSON blob in one cell, which Arrow reads; 1 GiB is what Arrow's reader reads at most).
LONGEST_FIELD = 1 << 30


@contextmanager
def long_fields() -> Iterator[None]:
    """The csv module's field limit raised to ``LONGEST_FIELD`` while reading a file.

    The limit is process-wide state: it is set back afterwards, so nrr leaves a host
    program's csv module as it found it.
    """
    before = csv.field_size_limit(LONGEST_FIELD)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def row_lines(path: Path, rows: int) -> list[int]:
    """The line each data row starts on, as Arrow counts rows (blank lines skipped).

    Empty when the csv module and Arrow disagree on the rows: callers then fall back to
    counting one row per line rather than name a wrong line.
    """
    starts: list[int] = []
    try:
        with long_fields(), path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            start = reader.line_num + 1
            for row in reader:
                if row:
                    starts.append(start)
                start = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    return starts if len(starts) == rows else []
