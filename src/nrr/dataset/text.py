"""One column's text, as every rule and parser reads it (``Text``), and text helpers.

A column is a ``Text``: its strings one per row, or (a low-cardinality Parquet column) a
dictionary of distinct strings and one code per row. Every parser works on the distinct
values of the latter and spreads the result over the rows, so a date column of six million
rows and a thousand distinct dates is parsed a thousand times, not six million.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

BoolArray = npt.NDArray[np.bool_]


Strings: TypeAlias = pa.Array | pa.ChunkedArray


Kernel: TypeAlias = Callable[[Strings], Strings]


def bools(values: Strings) -> BoolArray:
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
        self._upper: Text | None = None

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
        flags = bools(kernel(self.values))
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
    def upper(self) -> Text:
        """Trimmed and upper-cased, ASCII only: currency codes as they compare
        (``columns.currency_codes``); kept, since staging asks again for what rules asked."""
        if self._upper is None:
            trimmed = self.trimmed
            self._upper = Text(pc.ascii_upper(trimmed.values), trimmed.codes)
            self._upper._is_trimmed = True  # upper-casing adds no whitespace
        return self._upper

    @property
    def empty(self) -> BoolArray:
        """Which rows are empty or blank."""
        if self._empty is None:
            self._empty = self.mask(_blank)
        return self._empty


def is_empty(values: Text) -> BoolArray:
    return values.empty


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
