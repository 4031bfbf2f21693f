"""A folder of ``<table>.csv`` or ``<table>.parquet`` files, read as text tables.

A CSV file that Arrow cannot read is read again with the csv module only to say where and
why: the first line that is not UTF-8, or every row of the wrong width.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nrr.dataset.arrow_text import DICTIONARY_TEXT, as_text, drop_unnamed, low_cardinality
from nrr.dataset.contract import TABLES
from nrr.dataset.file_checks import SAVE_AS_UTF8, not_a_file, other_separator, wide_encoding
from nrr.dataset.issues import Issue
from nrr.dataset.raw import (
    LONGEST_FIELD,
    RawTable,
    ReadResult,
    column_name_of,
    long_fields,
    unique_names,
)
from nrr.errors import ConfigError


class FolderReader:
    """A folder holding ``<table>.csv`` or ``<table>.parquet`` files."""

    def __init__(self, folder: Path, files: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.source = str(folder)
        self.files = files or {}  # table -> a file name a column mapping reads it from

    def read(self) -> ReadResult:
        result = ReadResult()
        for name in TABLES:
            if name in self.files:
                path = self._named(name, self.files[name])
                result.found.add(name)
                self._read_one(path, name, result)
                continue
            found = [
                p
                for p in sorted(self.folder.iterdir())
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

    def _named(self, name: str, file: str) -> Path:
        """The file a column mapping names for table ``name`` (docs/mapping.md)."""
        path = self.folder / file
        if path.suffix.lower() not in {".csv", ".parquet"}:
            raise ConfigError(
                f"{self.folder}: the mapping reads {name} from {file!r}: expected a .csv or "
                ".parquet file"
            )
        if not path.exists():
            raise ConfigError(
                f"{self.folder}: the mapping reads {name} from {file!r}, which is not in the folder"
            )
        return path

    def _read_one(self, path: Path, name: str, result: ReadResult) -> None:
        source = str(path)
        refused = not_a_file(path, source)
        if refused is None and path.suffix.lower() == ".csv":
            refused = wide_encoding(path, source)
        if refused is not None:
            result.issues.append(refused)
            return
        try:
            if path.suffix.lower() == ".csv":
                table = _read_csv(path, source, name, result)
            else:
                table = _read_parquet(path, source, name, result)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            result.issues.extend(
                _not_utf8(path, source)
                or _ragged_rows(path, source)
                or [_unreadable(path, source, exc)]
            )
            return
        except (OSError, csv.Error, pa.ArrowException) as exc:
            result.issues.append(_unreadable(path, source, exc))
            return
        if table is not None:
            result.tables[name] = drop_unnamed(table, result.issues)


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
        source,
        line,
        "-",
        "file-unreadable",
        f"the file is not UTF-8 text (byte 0x{byte:02x} on this line): {SAVE_AS_UTF8}",
    )


def _ragged_rows(path: Path, source: str) -> list[Issue]:
    """Every row whose field count differs from the header's, at its physical line."""
    issues: list[Issue] = []
    if path.suffix.lower() != ".csv":
        return issues
    try:
        with long_fields(), path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            width = len(next(reader, []))
            start = reader.line_num + 1
            for row in reader:
                if row and len(row) != width:
                    issues.append(
                        Issue(
                            source,
                            start,
                            "-",
                            "file-unreadable",
                            f"the row has {len(row)} fields but the header has {width}",
                        )
                    )
                start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error):
        return []
    return issues


def _read_csv(path: Path, source: str, name: str, result: ReadResult) -> RawTable | None:
    with long_fields(), path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        has_rows = any(row for row in reader)  # stops at the first non-blank row
    if not header or all(not h.strip() for h in header):
        result.issues.append(
            Issue(source, 1, "-", "file-empty", "the file is empty: expected a header row")
        )
        return None
    separator = other_separator(header, name, source)
    if separator is not None:
        result.issues.append(separator)
        return None
    columns = [column_name_of(h) for h in header]
    names = unique_names(columns)
    if not has_rows:  # header only (Arrow cannot skip a header with no line break after it)
        empty = pa.table({n: pa.array([], pa.string()) for n in names})
        return RawTable(name, source, columns, empty, path=path)
    types = {
        unique: DICTIONARY_TEXT if column and low_cardinality(name, column) else pa.string()
        for unique, column in zip(names, columns, strict=True)
    }
    try:
        data = _arrow_csv(path, names, types, block=1 << 20)  # Arrow's default block
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):
            raise
        # A row longer than a block (a long note, or a quote left open swallowing the rest
        # of the file): read again in one block as large as the file, within Arrow's limit.
        size = path.stat().st_size + 1
        if size > LONGEST_FIELD:
            raise pa.ArrowInvalid(
                f"a row is longer than {LONGEST_FIELD >> 20} MiB: is a quote left open?"
            ) from exc
        data = _arrow_csv(path, names, types, block=size)
    text = as_text(data, name, source, result.issues)
    if text is None:
        return None
    return RawTable(name, source, columns, text.rename_columns(names), path=path)


def _arrow_csv(path: Path, names: list[str], types: dict[str, pa.DataType], block: int) -> pa.Table:
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, encoding="utf8", block_size=block
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


def _read_parquet(path: Path, source: str, name: str, result: ReadResult) -> RawTable | None:
    schema = pq.read_schema(path)
    dictionary = [
        field.name
        for field in schema
        if pa.types.is_string(field.type)
        and "." not in field.name
        and schema.get_all_field_indices(field.name) == [schema.get_field_index(field.name)]
        and column_name_of(field.name)
        and low_cardinality(name, column_name_of(field.name))
    ]
    data = pq.read_table(path, read_dictionary=dictionary)
    columns = [column_name_of(c) for c in data.column_names]
    text = as_text(data, name, source, result.issues)
    if text is None:
        return None
    return RawTable(name, source, columns, text.rename_columns(unique_names(columns)))
