"""Vectorised parsing of text columns; each parser returns values and a validity mask.

Kept separate from the rules so the same strict parsing (no silent coercion of "1,000" or
"2024/01/05") serves validation and staging alike. The work runs in Arrow compute kernels:
a million-row column parses in milliseconds, where per-value Python would take seconds.

A column is a ``Text``: its strings one per row, or (a low-cardinality Parquet column) a
dictionary of distinct strings and one code per row. Every parser works on the distinct
values of the latter and spreads the result over the rows, so a date column of six million
rows and a thousand distinct dates is parsed a thousand times, not six million.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

_DATE = r"^\d{4}-\d{2}-\d{2}$"
# The dates nrr reads: every period boundary near them exists, and a year typed as 0024 or
# 9999 (a "never ends" placeholder) is reported rather than stretching a report over centuries.
FIRST_DATE = "1900-01-01"
LAST_DATE = "2999-12-31"
_EPOCH = date(1970, 1, 1)
_FIRST_DAY = (date.fromisoformat(FIRST_DATE) - _EPOCH).days  # as date32 counts days
_LAST_DAY = (date.fromisoformat(LAST_DATE) - _EPOCH).days
_DECIMAL = r"^-?\d+(?:\.\d+)?$"
_INTEGER = r"^-?\d{1,18}$"
_CURRENCY = r"^[A-Za-z]{3}$"  # any letter case: Stripe writes "usd"
# Rows per piece when a column's fast parse fails: only the pieces holding a bad value take
# the exact (slower) path that names them.
_BLOCK = 1 << 16

BoolArray = npt.NDArray[np.bool_]
Strings: TypeAlias = pa.Array | pa.ChunkedArray
Kernel: TypeAlias = Callable[[Strings], Strings]


def _bools(values: Strings) -> BoolArray:
    filled = pc.fill_null(values, False)
    if isinstance(filled, pa.ChunkedArray):
        if filled.num_chunks == 0:
            return np.zeros(0, dtype=bool)
        filled = filled.combine_chunks()
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _blank(values: Strings) -> Strings:
    """Empty after trimming whitespace, without building the trimmed strings.

    ``utf8_is_space`` uses the same whitespace as ``utf8_trim_whitespace`` (checked over
    every code point), so a value is blank exactly when it trims to "".
    """
    return pc.or_(pc.equal(values, ""), pc.utf8_is_space(values))


def _size(values: Strings) -> int:
    total = pc.sum(pc.binary_length(values)).as_py()
    return int(total) if total is not None else 0


class Text:
    """One column's text, no nulls: strings per row, or distinct strings and a code per row.

    ``values`` holds one string per row when ``codes`` is None; otherwise ``values`` is a
    dictionary and row ``i`` holds ``values[codes[i]]``.
    """

    def __init__(self, values: Strings, codes: pa.Array | None = None) -> None:
        self.values = values
        self.codes = codes
        self._codes_np: npt.NDArray[np.int32] | None = None
        self._trimmed: Text | None = None
        self._is_trimmed = False  # (a flag, not a reference to itself: no cycle to collect)
        self._empty: BoolArray | None = None
        self._upper: Text | None = None  # ``currency_codes``' result, kept for reuse

    @classmethod
    def of(cls, column: Strings) -> Text:
        """A staging column (``RawTable.data``): strings, or a dictionary array of them."""
        if pa.types.is_dictionary(column.type):
            if isinstance(column, pa.ChunkedArray) and column.num_chunks == 1:
                column = column.chunk(0)  # (unifying would copy the codes)
            if isinstance(column, pa.ChunkedArray):
                column = column.unify_dictionaries()
                chunks = column.chunks
                if not chunks:
                    return cls(pa.array([], pa.string()), pa.array([], pa.int32()))
                dictionary = chunks[0].dictionary
                indices = pa.concat_arrays([c.indices for c in chunks])
            else:
                dictionary, indices = column.dictionary, column.indices
            return cls(dictionary, indices)
        return cls(column)

    @classmethod
    def empty_column(cls, rows: int) -> Text:
        """A column of ``rows`` empty strings (an absent optional column)."""
        return cls(pa.array([""], pa.string()), pa.array(np.zeros(rows, dtype=np.int32)))

    def __len__(self) -> int:
        return len(self.values) if self.codes is None else len(self.codes)

    @property
    def codes_np(self) -> npt.NDArray[np.int32]:
        assert self.codes is not None
        if self._codes_np is None:
            self._codes_np = np.asarray(self.codes.to_numpy(zero_copy_only=False))
        return self._codes_np

    def value(self, row: int) -> str:
        index = row if self.codes is None else int(self.codes_np[row])
        return str(self.values[index].as_py())

    def map(self, kernel: Kernel) -> Strings:
        """``kernel`` applied value by value, one result per row."""
        if self.codes is None:
            return kernel(self.values)
        return pc.take(kernel(self.values), self.codes)

    def derive(self, kernel: Kernel) -> Text:
        """Another text column: ``kernel`` applied value by value (to the dictionary only)."""
        return Text(kernel(self.values), self.codes)

    def mask(self, kernel: Kernel) -> BoolArray:
        """A boolean ``kernel`` applied value by value, as a numpy mask per row."""
        flags = _bools(kernel(self.values))
        return flags if self.codes is None else flags[self.codes_np]

    def spread(self, flags: BoolArray) -> BoolArray:
        """A mask over ``values`` as a mask per row."""
        return flags if self.codes is None else flags[self.codes_np]

    def plain(self) -> Strings:
        """The strings, one per row."""
        return self.values if self.codes is None else pc.take(self.values, self.codes)

    def unique(self) -> list[str]:
        """The distinct values the rows hold (a dictionary may hold unused ones)."""
        values = self.values if self.codes is None else pc.take(self.values, pc.unique(self.codes))
        return [str(v) for v in pc.unique(values).to_pylist()]

    @property
    def trimmed(self) -> Text:
        """Whitespace trimmed (``utf8_trim_whitespace``, as pandas' ``str.strip``)."""
        if self._is_trimmed:
            return self
        if self._trimmed is None:
            trimmed = pc.utf8_trim_whitespace(self.values)
            if _size(trimmed) == _size(self.values):  # nothing trimmed: keep no copy
                self._is_trimmed = True
                return self
            self._trimmed = Text(trimmed, self.codes)
            self._trimmed._is_trimmed = True
        return self._trimmed

    @property
    def empty(self) -> BoolArray:
        """Which rows are empty or blank."""
        if self._empty is None:
            self._empty = self.mask(_blank)
        return self._empty


def is_empty(values: Text) -> BoolArray:
    return values.empty


def _matches(values: Strings, pattern: str) -> Strings:
    return pc.match_substring_regex(values, pattern)


# --- dates -------------------------------------------------------------------------------


@dataclass
class Dates:
    """A parsed date column: ``days`` (date32, null unless ``ok``), which rows hold a valid
    date in range (``ok``), and which hold a real date outside the range (``far``)."""

    days: Strings
    ok: BoolArray
    far: BoolArray


def _real_dates(text: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Parsed stamps, whether each is a real calendar date, and whether it is in range.

    ``strptime`` rolls an impossible day over (2024-02-30 becomes 2024-03-01): a date is real
    only when it prints back exactly as written. Text comparison orders ISO dates. This is
    the exact per-value path, taken only for pieces of a column the fast cast rejects.
    """
    shaped = _matches(text, _DATE)
    candidates = pc.if_else(shaped, text, pa.scalar(None, pa.string()))
    stamps = pc.strptime(candidates, format="%Y-%m-%d", unit="s", error_is_null=True)
    real = pc.fill_null(pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), candidates), False)
    in_range = pc.and_(
        pc.greater_equal(candidates, FIRST_DATE), pc.less_equal(candidates, LAST_DATE)
    )
    return stamps, real, pc.fill_null(in_range, False)


def _exact_dates(values: pa.Array) -> Dates:
    stamps, real, in_range = _real_dates(pc.utf8_trim_whitespace(values))
    ok = pc.and_(real, in_range)
    days = pc.if_else(ok, stamps, pa.scalar(None, stamps.type)).cast(pa.date32())
    return Dates(days, _bools(ok), _bools(pc.and_(real, pc.invert(in_range))))


class _Slow(Exception):
    """The fast date path cannot vouch for every value."""


def _fast_dates(values: Strings, trim: bool) -> Dates:
    """Arrow's cast accepts exactly the real ``YYYY-MM-DD`` dates (2024-02-30, month 13,
    ``2024-1-5``, ``+2024-01-01``, ``20240101`` and spaces all fail it); empty values become
    null. Raises ``_Slow`` unless every non-empty value is such a date within range."""
    if trim:
        values = pc.utf8_trim_whitespace(values)
    empty = pc.equal(values, "")
    if pc.any(empty).as_py():
        values = pc.if_else(empty, pa.scalar(None, pa.string()), values)
    try:
        days = pc.cast(values, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _Slow from exc
    bounds = pc.min_max(days.cast(pa.int32()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is not None and (low < _FIRST_DAY or high > _LAST_DAY):
        raise _Slow
    return Dates(days, ~_bools(empty), np.zeros(len(days), dtype=bool))


def _dates_of(values: Strings) -> Dates:
    try:
        return _fast_dates(values, trim=False)
    except _Slow:
        pass
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    parts: list[Dates] = []
    for chunk in chunks:
        for start in range(0, len(chunk), _BLOCK):
            block = chunk.slice(start, _BLOCK)
            try:
                parts.append(_fast_dates(block, trim=True))
            except _Slow:
                parts.append(_exact_dates(block))
    if not parts:
        return _exact_dates(pa.array([], pa.string()))
    return Dates(
        pa.chunked_array([p.days for p in parts], pa.date32()),
        np.concatenate([p.ok for p in parts]),
        np.concatenate([p.far for p in parts]),
    )


def parse_dates(values: Text) -> Dates:
    """ISO dates -> date32; invalid, out-of-range or empty entries are null, ok=False."""
    parsed = _dates_of(values.values)
    if values.codes is None:
        return parsed
    codes = values.codes_np
    return Dates(pc.take(parsed.days, values.codes), parsed.ok[codes], parsed.far[codes])


# --- numbers and codes -------------------------------------------------------------------


def _parse_numbers(values: Strings, pattern: str, kind: pa.DataType) -> tuple[Strings, Strings]:
    ok = _matches(values, pattern)
    if pc.all(ok).as_py():  # the pattern admits no whitespace: nothing to trim
        return pc.cast(values, kind), ok
    text = pc.utf8_trim_whitespace(values)
    ok = _matches(text, pattern)
    return pc.cast(pc.if_else(ok, text, pa.scalar("0")), kind), ok


def parse_decimals(values: Text) -> tuple[Strings, BoolArray]:
    """Plain decimals -> float64, null where not ``ok``."""
    parsed, ok = _parse_numbers(values.values, _DECIMAL, pa.float64())
    if not pc.all(ok).as_py():
        parsed = pc.if_else(ok, parsed, pa.scalar(None, pa.float64()))
    if values.codes is None:
        return parsed, _bools(ok)
    return pc.take(parsed, values.codes), values.spread(_bools(ok))


def parse_integers(values: Text) -> tuple[Strings, BoolArray]:
    """Whole numbers -> int64, 0 where not ``ok``."""
    parsed, ok = _parse_numbers(values.values, _INTEGER, pa.int64())
    if values.codes is None:
        return parsed, _bools(ok)
    return pc.take(parsed, values.codes), values.spread(_bools(ok))


def valid_currency(values: Text) -> BoolArray:
    return values.trimmed.mask(lambda v: _matches(v, _CURRENCY))


def currency_codes(values: Text) -> Text:
    """Currency codes as they compare: trimmed and upper-cased, so that ``usd`` (as Stripe
    writes it) and ``USD`` are one currency everywhere (rates, lookups, duplicates). Only the
    staged copy changes; messages quote the user's text."""
    if values._upper is None:
        trimmed = values.trimmed
        # valid codes are ASCII letters (``valid_currency``): ASCII upper-casing suffices
        values._upper = Text(pc.ascii_upper(trimmed.values), trimmed.codes)
        values._upper._is_trimmed = True
    return values._upper


def is_in(values: Text, allowed: Strings) -> BoolArray:
    """Hash-based membership in Arrow (pandas' isin on Arrow strings is ~50x slower)."""
    if isinstance(allowed, pa.ChunkedArray):
        allowed = allowed.combine_chunks()
    return values.mask(lambda v: pc.is_in(v, value_set=allowed))


def nullable_text(values: Text) -> Strings:
    """Text with empty (or blank) values as null: an empty value means unset."""

    def kernel(text: Strings) -> Strings:
        blank = _blank(text)
        if not pc.any(blank).as_py():
            return text
        return pc.if_else(blank, pa.scalar(None, pa.string()), text)

    return values.map(kernel)


def text_or(values: Text, default: str) -> Strings:
    """The trimmed text, with ``default`` where it is empty."""
    return filled(values, default).plain()


def filled(values: Text, default: str) -> Text:
    """``text_or`` still as text: a dictionary column stays one (its values filled)."""

    def kernel(text: Strings) -> Strings:
        empty = pc.equal(text, "")
        return pc.if_else(empty, default, text) if pc.any(empty).as_py() else text

    return values.trimmed.derive(kernel)


def as_datetime64(days: Strings) -> npt.NDArray[np.datetime64]:
    """date32 -> numpy datetime64[D], null as NaT."""
    if isinstance(days, pa.ChunkedArray):
        days = days.combine_chunks() if days.num_chunks else pa.array([], pa.date32())
    return np.asarray(days.to_numpy(zero_copy_only=False)).astype("datetime64[D]")
