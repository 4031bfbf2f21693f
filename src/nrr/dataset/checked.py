"""A table being validated (``Checked``), and the rules of its header and column types.

Each check flags rows with a boolean mask and yields one ``Issue`` per flagged row, so a
file with a million rows is checked in a few numpy passes and every problem is reported.
The rules that combine columns or tables build on what is kept here: the parsed columns,
and which columns broke a rule (``usable``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.columns import (
    FIRST_DATE,
    LAST_DATE,
    long_integers,
    parse_dates,
    parse_decimals,
    parse_integers,
    valid_currency,
)
from nrr.dataset.contract import TABLES, ColumnType, Table
from nrr.dataset.issues import Issue
from nrr.dataset.raw import RawTable, unknown_column_warning
from nrr.dataset.text import BoolArray, Strings, Text, is_empty


@dataclass
class Checked:
    """A raw table being validated: its text columns and what parsed cleanly.

    Parsed columns are Arrow arrays: ``dates`` date32 and ``numbers`` float64, both null
    where a value did not parse; ``integers`` int64, 0 where a value did not parse.
    """

    raw: RawTable
    spec: Table
    issues: list[Issue] = field(default_factory=list)
    text: dict[str, Text] = field(default_factory=dict)
    dates: dict[str, Strings] = field(default_factory=dict)
    numbers: dict[str, Strings] = field(default_factory=dict)
    integers: dict[str, Strings] = field(default_factory=dict)
    parsed: dict[str, BoolArray] = field(default_factory=dict)  # which integers parsed
    # which integers are whole numbers too long to parse (a range rule names them)
    too_large: dict[str, BoolArray] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # columns with a failed parse somewhere
    # Each row's position in the customers table (null: unknown), found by the
    # known-customer rule and kept so the engine need not look every id up again.
    customer_index: Strings | None = None

    def __post_init__(self) -> None:
        self.row_count = int(self.raw.data.num_rows)

    @property
    def rows(self) -> int:
        return self.row_count

    def release(self) -> None:
        """Free what staging does not read, once every rule has run: the raw columns (a
        text column still staged keeps its own) and the text of parsed dates and numbers."""
        self.raw.data = self.raw.data.schema.empty_table()
        for column in [*self.dates, *self.numbers]:
            self.text.pop(column, None)

    def flag(
        self,
        mask: BoolArray,
        column: str,
        rule: str,
        message: Callable[[int], str],
    ) -> None:
        """Add one issue per True row of ``mask``; ``message`` gets the row index."""
        for index in np.flatnonzero(mask):
            row = int(index)
            self.issues.append(
                Issue(
                    self.raw.source,
                    self.line(row),
                    column,
                    rule,
                    message(row),
                    key=self.raw.label(row),
                )
            )

    def value(self, column: str, row: int) -> str:
        return self.text[column].value(row)

    def line(self, row: int) -> int:
        return self.raw.line(row)

    def place(self, row: int) -> str:
        """A row as a message refers to it: ``line 3``, or ``row id=42`` for a keyed table."""
        label = self.raw.label(row)
        return f"line {self.line(row)}" if label is None else f"row {label}"


def open_table(raw: RawTable) -> Checked:
    """The table with its header rules checked; its columns are still unchecked."""
    checked = Checked(raw, TABLES[raw.name])
    _check_header(checked)
    return checked


def column_checks(checked: Checked) -> list[Callable[[], None]]:
    """The type and presence rules of each column, as independent tasks: each writes only
    its own column's entries of ``checked`` (issues are sorted when reported), so they may
    run side by side (``parallel.each``)."""
    return [
        partial(_check_column, checked, column.name, column.type, column.required)
        for column in checked.spec.columns
        if column.name in checked.text
    ]


def _check_header(checked: Checked) -> None:
    raw, spec = checked.raw, checked.spec
    seen: dict[str, int] = {}
    for i, name in enumerate(raw.columns):
        if name in seen:
            checked.issues.append(
                Issue(
                    raw.source,
                    1,
                    name,
                    "column-duplicate",
                    f"column {name!r} appears twice in the header (names are case-insensitive)",
                )
            )
            continue
        seen[name] = i
        if name in spec.column_names or spec.keeps_unknown_columns:
            checked.text[name] = Text.of(raw.data.column(i))
        elif i not in raw.key:  # a database key (``id``) is used: it names rows in issues
            checked.issues.append(unknown_column_warning(raw, name))
    for column in spec.columns:
        if column.required and column.name not in seen:
            checked.issues.append(
                Issue(
                    raw.source,
                    1,
                    column.name,
                    "column-missing",
                    f"required column {column.name!r} is missing from the header",
                )
            )


def _check_column(checked: Checked, name: str, kind: ColumnType, required: bool) -> None:
    values = checked.text[name]
    if kind is ColumnType.TEXT and not required:
        return
    empty = is_empty(values)
    if required:
        checked.flag(empty, name, "value-required", lambda _r: f"{name} is required")
    if kind is ColumnType.TEXT:
        return
    present = ~empty
    bad: BoolArray
    if kind is ColumnType.DATE:
        dates = parse_dates(values)
        checked.dates[name], ok = dates.days, dates.ok
        bad = present & ~ok
        far = bad & dates.far
        checked.flag(
            bad & ~far,
            name,
            "date-format",
            lambda r: f"{checked.value(name, r)!r} is not a valid date in YYYY-MM-DD form",
        )
        checked.flag(
            far,
            name,
            "date-range",
            lambda r: (
                f"{checked.value(name, r)!r} is outside {FIRST_DATE} to {LAST_DATE}, the "
                "dates nrr reads (a line that has not ended has an empty end_date)"
            ),
        )
    elif kind is ColumnType.DECIMAL:
        checked.numbers[name], ok = parse_decimals(values)
        bad = present & ~ok
        checked.flag(
            bad,
            name,
            "decimal-format",
            lambda r: (
                f"{checked.value(name, r)!r} is not a plain decimal number "
                "(no currency symbols, thousands separators or exponents)"
            ),
        )
    elif kind is ColumnType.INTEGER:
        checked.integers[name], ok = parse_integers(values)
        checked.parsed[name] = ok
        bad = present & ~ok
        long = bad & long_integers(values)
        checked.too_large[name] = long
        checked.flag(
            bad & ~long,
            name,
            "integer-format",
            lambda r: f"{checked.value(name, r)!r} is not a whole number",
        )
    elif kind is ColumnType.CURRENCY:
        bad = present & ~valid_currency(values)
        checked.flag(
            bad,
            name,
            "currency-format",
            lambda r: (
                f"{checked.value(name, r)!r} is not a three-letter ISO 4217 code such as USD or EUR"
            ),
        )
    else:
        return
    if bad.any() or (required and empty.any()):
        checked.broken.add(name)


def usable(checked: Checked, *columns: str) -> bool:
    """True when every column is present and parsed without error, so rules can combine them."""
    return all(c in checked.text and c not in checked.broken for c in columns)


def present(checked: Checked, *columns: str) -> bool:
    """Row-wise rules need only the columns: unparsable cells are null and never match."""
    return all(c in checked.text for c in columns)


def as_mask(values: Strings) -> BoolArray:
    """A boolean Arrow result as a numpy mask, null as False."""
    return np.asarray(
        as_array(pc.fill_null(values, False)).to_numpy(zero_copy_only=False), dtype=bool
    )


def as_array(values: Strings) -> pa.Array:
    """One Arrow array (a value set, or a column to turn into numpy)."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    return values


def objects(values: Text) -> npt.NDArray[np.object_]:
    return np.asarray(as_array(values.plain()).to_numpy(zero_copy_only=False), dtype=object)


def duplicated(**keys: object) -> BoolArray:
    """Rows whose key columns repeat an earlier row's (pandas' ``duplicated``)."""
    import pandas as pd  # only tables with a compound key need it; not at start-up

    return np.array(pd.DataFrame(keys).duplicated(keep="first"), dtype=bool)
