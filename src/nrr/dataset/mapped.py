"""One table's mapping applied in memory: renamed columns, converted values, constants.

The user's files are never written: a ``RawTable`` (every value text) goes in, another comes
out, and validation then runs on it as on any table. Each distinct value is converted once
(a date column of a million rows holds a few thousand dates). A value the mapping cannot
convert is never guessed: it stays as written and is reported here with its original text
(``MappedTable.issues``), and the validator's own report of the same cell is dropped in
favour of it (``relabel``), which also names every column by the user's header.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.issues import Issue, Severity
from nrr.dataset.mapped_values import Convert, date_reader, number_reader
from nrr.dataset.mapping import TableMapping
from nrr.dataset.raw import RawTable, column_name_of, unique_names


@dataclass(frozen=True)
class MappedTable:
    """A table after its mapping: the table, the cells it could not convert, and how each
    nrr column is named in messages (``"Start Date" (start_date)``)."""

    raw: RawTable
    issues: list[Issue] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    # column -> what a value rule's message adds: the value is none of the values map's
    hints: dict[str, str] = field(default_factory=dict)


# The rules about one value's form, which a values map could have answered.
_VALUE_RULES = frozenset(
    {"integer-format", "decimal-format", "date-format", "currency-format", "kind-value"}
)


def map_table(
    raw: RawTable,
    mapping: TableMapping,
    dates: Collection[str] = (),
    numbers: Collection[str] = (),
) -> MappedTable:
    """``raw`` with ``mapping`` applied; ``dates`` and ``numbers`` name the (nrr) columns
    the date format and the number separators apply to."""
    issues: list[Issue] = []
    labels: dict[str, str] = {}
    position = {name: i for i, name in reversed(list(enumerate(raw.columns)))}
    renamed: dict[int, str] = {}
    for column, header in mapping.columns.items():
        label = _label(column, header)
        labels[column] = label
        found = position.get(column_name_of(header))
        if found is None:
            issues.append(
                Issue(
                    raw.source,
                    1,
                    column,
                    "column-missing",
                    f"the mapping reads {column} from the column {header!r}, which is not in "
                    "the header",
                )
            )
        else:
            renamed[found] = column
    replaced = set(mapping.columns) | set(mapping.constants)
    names: list[str] = []
    arrays: list[pa.ChunkedArray] = []
    kept: dict[int, int] = {}
    for i, name in enumerate(raw.columns):
        target = renamed.get(i, name)
        if i not in renamed and name in replaced:
            issues.append(_shadowed(raw, name, mapping))
            continue
        kept[i] = len(names)
        names.append(target)
        arrays.append(raw.data.column(i))
    for column, value in mapping.constants.items():
        labels[column] = f"{column} (a constant of {mapping.source})"
        names.append(column)
        arrays.append(_constant(value, raw.data.num_rows))
    for j, name in enumerate(names):
        # (a constant is written in nrr's own format: nothing to convert)
        convert = None if name in mapping.constants else _converter(mapping, name, dates, numbers)
        if convert is None:
            continue
        arrays[j], failed = _convert(arrays[j], convert)
        for row in np.flatnonzero(failed):
            issues.append(_unconverted(raw, int(row), name, mapping, arrays[j], name in dates))
    mapped = RawTable(
        raw.name,
        raw.source,
        names,
        pa.table(dict(zip(unique_names(names), arrays, strict=True))),
        raw.first_line,
        tuple(kept[p] for p in raw.key if p in kept),
        raw.path,
    )
    mapped._lines = raw._lines  # the line map, if the issues above needed it
    hints = {
        column: f" (nor a value of [{mapping.name}.values.{column}] in {mapping.source})"
        for column in mapping.values
    }
    return MappedTable(mapped, issues, labels, hints)


def relabel(issues: Iterable[Issue], mapped: Collection[MappedTable]) -> list[Issue]:
    """Every issue, and the mapping's own, with the user's column names; each cell once.

    A cell the mapping could not convert is reported by the mapping (with the original
    value and the format it expected); the validator's report of the same file, line,
    column and rule is dropped.
    """
    labels = {m.raw.source: m.labels for m in mapped}
    hints = {m.raw.source: m.hints for m in mapped}
    own = [i for m in mapped for i in m.issues]
    places = {(i.file, i.line, i.column, i.rule) for i in own}
    result = []
    unmapped: dict[str, list[str]] = {}
    for issue in [*(i for i in issues if (i.file, i.line, i.column, i.rule) not in places), *own]:
        if issue.file in labels and issue.rule == "column-unknown" and issue not in own:
            unmapped.setdefault(issue.file, []).append(issue.column)
            continue
        label = labels.get(issue.file, {}).get(issue.column, issue.column)
        hint = hints.get(issue.file, {}).get(issue.column, "")
        message = issue.message
        if hint and issue.rule in _VALUE_RULES and issue not in own:
            message = f"{message}{hint}"
        result.append(replace(issue, column=label, message=message))
    return result + [_unmapped(file, columns) for file, columns in unmapped.items()]


def _unmapped(file: str, columns: list[str]) -> Issue:
    """The columns a mapped table leaves out, in one warning: a billing export has many,
    and the mapping chose to leave them."""
    return Issue(
        file,
        1,
        "-",
        "column-unknown",
        f"not mapped, so ignored: {', '.join(repr(c) for c in sorted(columns))}",
        Severity.WARNING,
    )


def _label(column: str, header: str) -> str:
    return column if column_name_of(header) == column else f'"{header}" ({column})'


def _shadowed(raw: RawTable, name: str, mapping: TableMapping) -> Issue:
    source = (
        f"the column {mapping.columns[name]!r}"
        if name in mapping.columns
        else f"a constant of {mapping.source}"
    )
    return Issue(
        raw.source,
        1,
        name,
        "column-unknown",
        f"column {name!r} is ignored: the mapping takes {name} from {source}",
        Severity.WARNING,
    )


def _constant(value: str, rows: int) -> pa.ChunkedArray:
    codes = pa.array(np.zeros(rows, dtype=np.int32))
    return pa.chunked_array([pa.DictionaryArray.from_arrays(codes, pa.array([value], pa.string()))])


def _converter(
    mapping: TableMapping, name: str, dates: Collection[str], numbers: Collection[str]
) -> Convert | None:
    """The conversion of one column's values (None: the column is left as it is)."""
    steps: list[Convert] = []
    table = mapping.values.get(name)
    if table:
        steps.append(lambda v: table.get(v.strip(), v))
    if name in dates and mapping.date_formats:
        steps.append(date_reader(mapping.date_formats))
    if name in numbers and mapping.converts_numbers:
        steps.append(number_reader(mapping.decimal, mapping.thousands, mapping.strip))
    if not steps:
        return None

    def convert(value: str) -> str | None:
        current: str | None = value
        for step in steps:
            if current is None:
                return None
            current = step(current)
        return current

    return convert


def _convert(column: pa.ChunkedArray, convert: Convert) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Each distinct value converted once; rows whose value failed keep it (and are flagged)."""
    if pa.types.is_dictionary(column.type):
        column = column.unify_dictionaries()
        dictionary = column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
        codes = pa.chunked_array([c.indices for c in column.chunks], column.type.index_type)
        plain = False
    else:
        dictionary = pc.unique(column)
        codes = pc.index_in(column, value_set=dictionary)
        plain = True
    results = [convert(v) for v in dictionary.to_pylist()]
    failed_values = np.array([r is None for r in results], dtype=bool)
    converted = pa.array(
        [v if r is None else r for v, r in zip(dictionary.to_pylist(), results, strict=True)],
        pa.string(),
    )
    code_array = np.asarray(codes.combine_chunks().to_numpy(zero_copy_only=False))
    failed = failed_values[code_array] if len(code_array) else np.zeros(0, dtype=bool)
    if plain:
        return pa.chunked_array([pc.take(converted, codes.combine_chunks())]), failed
    indices = codes.combine_chunks()
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, converted)]), failed


def _unconverted(
    raw: RawTable, row: int, name: str, mapping: TableMapping, column: pa.ChunkedArray, date: bool
) -> Issue:
    value = column[row].as_py()
    if date:
        rule = "date-format"
        formats = " or ".join(mapping.date_formats)
        message = f"{value!r} is not a date in the mapping's date_format {formats}"
    else:
        rule = "decimal-format"
        stripped = f" once {', '.join(repr(s) for s in mapping.strip)} are removed"
        message = (
            f"{value!r} is not a number with the mapping's separators (decimal "
            f"{mapping.decimal!r}, thousands {mapping.thousands!r})"
            f"{stripped if mapping.strip else ''}"
        )
    return Issue(raw.source, raw.line(row), name, rule, message, key=raw.label(row))
