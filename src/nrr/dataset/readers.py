"""Readers: every source becomes the same text staging tables.

Each reader returns, per contract table it finds, the raw values as strings (empty = "")
with the 1-based line number of each row, so validation is identical whatever the source.
A database table with a primary key also says which columns hold it, so an issue can name
the row by its key. The PostgreSQL reader (``nrr.dataset.postgres``) is one more class with
the same ``read`` method.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nrr.dataset import parallel
from nrr.dataset.columns import Text
from nrr.dataset.contract import RESERVED_CUSTOMER_COLUMNS, TABLES, ColumnType
from nrr.dataset.issues import Issue, Severity
from nrr.errors import ConfigError

# Text columns that usually repeat a few values (see ``_low_cardinality``).
LOW_CARDINALITY = frozenset(
    {("subscriptions", "kind"), ("subscriptions", "product"),
     ("customer_attributes", "attribute"), ("signals", "name")}
)


_DICTIONARY_TEXT = pa.dictionary(pa.int32(), pa.string())


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
            self._lines = _row_lines(self.path, self.data.num_rows)
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


def reader_for(path: Path | str) -> Reader:
    """Pick the reader for a folder of files, a DuckDB file or a PostgreSQL URL.

    A URL arrives as a ``str`` (``Path`` would fold its ``//``); any other string is a path.
    """
    if isinstance(path, str):
        from nrr.dataset.postgres import PostgresReader, is_database_url

        if is_database_url(path):
            return PostgresReader(path)
        path = Path(path)
    if path.is_dir():
        return FolderReader(path)
    if path.is_file() and path.suffix.lower() in {".duckdb", ".db", ".ddb"}:
        return DuckDBReader(path)
    if not path.exists():
        _refuse_url(str(path))
        raise ConfigError(f"{path}: no such file or folder")
    raise ConfigError(
        f"{path}: expected a folder of CSV/Parquet files or a DuckDB file (.duckdb)"
    )


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
            f"{scheme[1]}://…: pass a PostgreSQL URL as a string, not a Path (which folds "
            "its '//')"
        )
    raise ConfigError(
        f"{scheme[1]}://…: not a folder or file, and nrr reads only postgresql:// URLs"
    )


def _as_text(table: pa.Table, name: str, source: str, issues: list[Issue]) -> pa.Table | None:
    """Cast every column to string with nulls as "", keeping dates ISO (YYYY-MM-DD).

    A column with no text form (a list, a struct, bytes that are not UTF-8) is an issue when
    the table would use it, and None is returned; a column the table ignores becomes empty.
    """
    arrays, usable = [], True
    spec = TABLES[name]
    texts = parallel.each(_text_or_reason, table.columns)
    for column_name, column, text in zip(table.column_names, table.columns, texts, strict=True):
        if not isinstance(text, str):
            arrays.append(text)
        else:
            arrays.append(pa.chunked_array([pa.array([""] * len(column), pa.string())]))
            label = column_name_of(column_name)
            if spec.keeps_unknown_columns or label in spec.column_names:
                usable = False
                issues.append(
                    Issue(source, 1, label or "-", "file-unreadable", f"column {label!r} {text}")
                )
    return pa.table(arrays, names=[f"c{i}" for i in range(len(arrays))]) if usable else None


def _text_or_reason(column: pa.ChunkedArray) -> pa.ChunkedArray | str:
    """The column as text, or why it has none (the rest of an issue's message)."""
    try:
        return _text_column(column)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        if _is_text(column.type):
            return (
                "holds bytes that are not UTF-8 text: write the file with UTF-8 strings "
                "(or as CSV UTF-8)"
            )
        return (
            f"holds {column.type} values that nrr cannot read as text: store text, numbers "
            "or dates"
        )


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _text_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type):
        return _dictionary_text(column)
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.date32())  # a timestamp counts by its date, in its own zone
    if pa.types.is_date32(column.type) and len(column):
        # A date column repeats few values: each distinct one is written as text once.
        encoded = column.dictionary_encode().unify_dictionaries()
        dictionary = encoded.chunk(0).dictionary.cast(pa.string())
        return _dictionary_text(
            pa.chunked_array(
                [pa.DictionaryArray.from_arrays(c.indices, dictionary) for c in encoded.chunks]
            )
        )
    if pa.types.is_string(column.type):
        # Parquet stores strings as bytes and Arrow reads them unchecked; a kernel meeting
        # bytes that are not UTF-8 later would fail with no place to point at.
        column.validate(full=True)
        return column.fill_null("")
    return column.cast(pa.string()).fill_null("")


def _dictionary_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded string column as one dictionary array with nulls as "".

    Its distinct values are parsed once each rather than once per row (``columns.Text``).
    """
    if len(column) == 0:
        return pa.chunked_array([], pa.string())
    column = column.unify_dictionaries()
    dictionary = column.chunk(0).dictionary.fill_null("")
    dictionary.validate(full=True)  # bytes that are not UTF-8 (see _text_column)
    indices = pa.concat_arrays([chunk.indices.cast(pa.int32()) for chunk in column.chunks])
    if indices.null_count:
        indices = indices.fill_null(pa.scalar(len(dictionary), indices.type))
        dictionary = pa.concat_arrays([dictionary, pa.array([""], pa.string())])
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)])


def _low_cardinality(table: str, column: str) -> bool:
    """Columns that usually repeat a few values (dates, codes, kinds, attributes): read from
    Parquet as a dictionary they decode about four times faster and take less memory."""
    spec = TABLES[table]
    if (table, column) in LOW_CARDINALITY:
        return True
    if column in spec.column_names:
        kind = next(c.type for c in spec.columns if c.name == column)
        return kind in {ColumnType.DATE, ColumnType.INTEGER, ColumnType.CURRENCY}
    return spec.keeps_unknown_columns and column not in RESERVED_CUSTOMER_COLUMNS


def _drop_unnamed(table: RawTable, issues: list[Issue]) -> RawTable:
    """Drop columns whose header is blank; one that holds values is an issue.

    Spreadsheets export trailing empty columns (``a,b,,``): with no name and no value they
    carry nothing. A nameless column with values cannot be told apart from a mistake.
    """
    blank = [i for i, column in enumerate(table.columns) if not column]
    if not blank:
        return table
    for i in blank:
        if not Text.of(table.data.column(i)).empty.all():
            issues.append(
                Issue(table.source, 1, "-", "column-unnamed",
                      f"column {i + 1} has no name in the header but holds values: name it, "
                      "or delete the column")
            )
    keep = [i for i, column in enumerate(table.columns) if column]
    return replace(table, columns=[table.columns[i] for i in keep], data=table.data.select(keep))


def column_name_of(header: str) -> str:
    """A header cell as a column name: trimmed, lower-cased, control characters escaped.

    Issues print the column name as it is; a line break or a terminal escape sequence in a
    header (a stray quote in an export swallows the header's line break) must not break
    the one-issue-per-line output or reach the terminal raw. Such a name cannot match a
    contract column either way.
    """
    name = header.strip().lower()
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def _unique_names(columns: list[str]) -> list[str]:
    return [f"{name}#{i}" for i, name in enumerate(columns)]


class FolderReader:
    """A folder holding ``<table>.csv`` or ``<table>.parquet`` files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.source = str(folder)

    def read(self) -> ReadResult:
        result = ReadResult()
        for name in TABLES:
            found = [
                p for p in sorted(self.folder.iterdir())
                if p.stem.lower() == name and p.suffix.lower() in {".csv", ".parquet"}
            ]
            if len(found) > 1:
                raise ConfigError(
                    f"{self.folder}: both {found[0].name} and {found[1].name} hold table "
                    f"{name}; keep one"
                )
            if found:
                result.found.add(name)
                self._read_one(found[0], name, result)
        return result

    def _read_one(self, path: Path, name: str, result: ReadResult) -> None:
        source = str(path)
        try:
            if path.suffix.lower() == ".csv":
                table = _read_csv(path, source, name, result)
            else:
                table = _read_parquet(path, source, name, result)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            result.issues.extend(
                _not_utf8(path, source) or _ragged_rows(path, source)
                or [_unreadable(path, source, exc)]
            )
            return
        except (OSError, csv.Error, pa.ArrowException) as exc:
            result.issues.append(_unreadable(path, source, exc))
            return
        if table is not None:
            result.tables[name] = _drop_unnamed(table, result.issues)


def _unreadable(path: Path, source: str, exc: Exception) -> Issue:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Issue(source, 0, "-", "file-unreadable", f"cannot read {path.name}: {detail}")


def _not_utf8(path: Path, source: str) -> list[Issue]:
    """The first line of a CSV file holding bytes that are not UTF-8, if there is one.

    Read in chunks: a multi-gigabyte export costs no memory. (A line break is one ASCII
    byte, never part of a multi-byte character, so counting them per chunk is exact.)
    """
    if path.suffix.lower() != ".csv":
        return []
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line += exc.object.count(b"\n", 0, exc.start)
                    return [_encoding_issue(source, line, exc.object[exc.start])]
                line += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # the file ends inside a multi-byte character
        return [_encoding_issue(source, line, exc.object[exc.start])]
    except OSError:
        return []
    return []


def _encoding_issue(source: str, line: int, byte: int) -> Issue:
    return Issue(
        source, line, "-", "file-unreadable",
        f"the file is not UTF-8 text (byte 0x{byte:02x} on this line): save it as UTF-8, "
        "e.g. as 'CSV UTF-8' in Excel",
    )


def _ragged_rows(path: Path, source: str) -> list[Issue]:
    """Every row whose field count differs from the header's, at its physical line."""
    issues: list[Issue] = []
    if path.suffix.lower() != ".csv":
        return issues
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            width = len(next(reader, []))
            start = reader.line_num + 1
            for row in reader:
                if row and len(row) != width:
                    issues.append(
                        Issue(
                            source, start, "-", "file-unreadable",
                            f"the row has {len(row)} fields but the header has {width}",
                        )
                    )
                start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error):
        return []
    return issues


def _row_lines(path: Path, rows: int) -> list[int]:
    """The line each data row starts on, as Arrow counts rows (blank lines skipped).

    Empty when the csv module and Arrow disagree on the rows: callers then fall back to
    counting one row per line rather than name a wrong line.
    """
    starts: list[int] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
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


def _read_csv(path: Path, source: str, name: str, result: ReadResult) -> RawTable | None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        has_rows = any(row for row in reader)  # stops at the first non-blank row
    if not header or all(not h.strip() for h in header):
        result.issues.append(
            Issue(source, 1, "-", "file-empty", "the file is empty: expected a header row")
        )
        return None
    columns = [column_name_of(h) for h in header]
    names = _unique_names(columns)
    if not has_rows:  # header only (Arrow cannot skip a header with no line break after it)
        empty = pa.table({n: pa.array([], pa.string()) for n in names})
        return RawTable(name, source, columns, empty, path=path)
    data = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf8"),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={
                unique: _DICTIONARY_TEXT if column and _low_cardinality(name, column)
                else pa.string()
                for unique, column in zip(names, columns, strict=True)
            },
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    text = _as_text(data, name, source, result.issues)
    if text is None:
        return None
    return RawTable(name, source, columns, text.rename_columns(names), path=path)


def _read_parquet(path: Path, source: str, name: str, result: ReadResult) -> RawTable | None:
    schema = pq.read_schema(path)
    dictionary = [
        field.name for field in schema
        if pa.types.is_string(field.type) and "." not in field.name
        and schema.get_all_field_indices(field.name) == [schema.get_field_index(field.name)]
        and column_name_of(field.name) and _low_cardinality(name, column_name_of(field.name))
    ]
    data = pq.read_table(path, read_dictionary=dictionary)
    columns = [column_name_of(c) for c in data.column_names]
    text = _as_text(data, name, source, result.issues)
    if text is None:
        return None
    return RawTable(name, source, columns, text.rename_columns(_unique_names(columns)))


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
                    names = _unique_names(columns)
                    source = f"{self.path}#{name}"
                    text = _as_text(data, name, source, result.issues)
                    if text is not None:
                        result.tables[name] = RawTable(
                            name, source, columns, text.rename_columns(names)
                        )
        finally:
            con.close()
        return result


def unknown_column_warning(table: RawTable, column: str) -> Issue:
    return Issue(
        table.source,
        1,
        column,
        "column-unknown",
        f"column {column!r} is not part of the {table.name} table and is ignored",
        Severity.WARNING,
    )
