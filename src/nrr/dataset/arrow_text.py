"""Arrow columns of any type as the text the rules read (dates ISO, nulls as "").

Parquet and DuckDB columns arrive typed; CSV columns arrive as strings. Every reader passes
them through here, so a date column and a text column holding the same dates are
validated the same way.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.contract import RESERVED_CUSTOMER_COLUMNS, TABLES, ColumnType
from nrr.dataset.issues import Issue
from nrr.dataset.parallel import each
from nrr.dataset.raw import RawTable, column_name_of
from nrr.dataset.text import Text

# Text columns that usually repeat a few values (see ``low_cardinality``).
LOW_CARDINALITY = frozenset(
    {
        ("subscriptions", "kind"),
        ("subscriptions", "product"),
        ("customer_attributes", "attribute"),
        ("signals", "name"),
    }
)


DICTIONARY_TEXT = pa.dictionary(pa.int32(), pa.string())


def as_text(table: pa.Table, name: str, source: str, issues: list[Issue]) -> pa.Table | None:
    """Cast every column to string with nulls as "", keeping dates ISO (YYYY-MM-DD).

    A column with no text form (a list, a struct, bytes that are not UTF-8) is an issue when
    the table would use it, and None is returned; a column the table ignores becomes empty.
    """
    arrays, usable = [], True
    spec = TABLES[name]
    texts = each(_text_or_reason, table.columns)
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
            f"holds {column.type} values that nrr cannot read as text: store text, numbers or dates"
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
    if pa.types.is_floating(column.type) or pa.types.is_decimal(column.type):
        return _plain_numbers(column)
    if pa.types.is_string(column.type):
        # Parquet stores strings as bytes and Arrow reads them unchecked; a kernel meeting
        # bytes that are not UTF-8 later would fail with no place to point at.
        column.validate(full=True)
        return column.fill_null("")
    return column.cast(pa.string()).fill_null("")


def _plain_numbers(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A typed float or decimal column as the plain decimals the rules read.

    Arrow writes 1e-7 and 1e20 in scientific notation, which the decimal rule refuses as an
    exponent the user never wrote. The values that come out that way (few, usually none)
    are written again positionally: a float by its shortest text that reads back as the
    same float (``repr``'s digits), a decimal with every digit it holds. NaN and infinity
    stay ``nan`` and ``inf``, which the decimal rule names.
    """
    text = column.cast(pa.string())
    scientific = pc.match_substring_regex(text, "[eE]")
    if not pc.any(scientific).as_py():
        return text.fill_null("")
    positions = np.flatnonzero(as_bools(scientific))
    values = column.take(pa.array(positions)).to_numpy(zero_copy_only=False)
    fixed = [_positional(value) for value in values]
    flat = np.asarray(text.fill_null("").to_numpy(zero_copy_only=False), dtype=object)
    flat[positions] = fixed
    return pa.chunked_array([pa.array(flat, pa.string())])


def _positional(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return np.format_float_positional(value, unique=True, trim="-")  # type: ignore[arg-type]


def as_bools(values: pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    filled = values.fill_null(False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


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


def low_cardinality(table: str, column: str) -> bool:
    """Columns that usually repeat a few values (dates, codes, kinds, attributes): read from
    Parquet as a dictionary they decode about four times faster and take less memory."""
    spec = TABLES[table]
    if (table, column) in LOW_CARDINALITY:
        return True
    if column in spec.column_names:
        kind = next(c.type for c in spec.columns if c.name == column)
        return kind in {ColumnType.DATE, ColumnType.INTEGER, ColumnType.CURRENCY}
    return spec.keeps_unknown_columns and column not in RESERVED_CUSTOMER_COLUMNS


def drop_unnamed(table: RawTable, issues: list[Issue]) -> RawTable:
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
                Issue(
                    table.source,
                    1,
                    "-",
                    "column-unnamed",
                    f"column {i + 1} has no name in the header but holds values: name it, "
                    "or delete the column",
                )
            )
    keep = [i for i, column in enumerate(table.columns) if column]
    return replace(table, columns=[table.columns[i] for i in keep], data=table.data.select(keep))
