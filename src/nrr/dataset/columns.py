"""Vectorised parsing of text columns; each parser returns values and a validity mask.

Kept separate from the rules so the same strict parsing (no silent coercion of "1,000" or
"2024/01/05") serves validation and staging alike. The work runs in Arrow compute kernels:
a million-row column parses in milliseconds, where per-value Python would take seconds.
Parsers take a ``Text`` (``text.py``) and parse each distinct value once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.text import BoolArray, Strings, Text, bools

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


def _matches(values: Strings, pattern: str) -> Strings:
    return pc.match_substring_regex(values, pattern)


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
    return Dates(days, bools(ok), bools(pc.and_(real, pc.invert(in_range))))


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
    return Dates(days, ~bools(empty), np.zeros(len(days), dtype=bool))


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
        return parsed, bools(ok)
    return pc.take(parsed, values.codes), values.spread(bools(ok))


def parse_integers(values: Text) -> tuple[Strings, BoolArray]:
    """Whole numbers -> int64, 0 where not ``ok``."""
    parsed, ok = _parse_numbers(values.values, _INTEGER, pa.int64())
    if values.codes is None:
        return parsed, bools(ok)
    return pc.take(parsed, values.codes), values.spread(bools(ok))


def long_integers(values: Text) -> BoolArray:
    """Whole numbers too long for int64 (19 digits or more): too large, not malformed."""
    return values.trimmed.mask(lambda v: _matches(v, r"^\+?\d{19,}$"))


def valid_currency(values: Text) -> BoolArray:
    return values.trimmed.mask(lambda v: _matches(v, _CURRENCY))


def currency_codes(values: Text) -> Text:
    """Currency codes as they compare: trimmed and upper-cased, so that ``usd`` (as Stripe
    writes it) and ``USD`` are one currency everywhere (rates, lookups, duplicates). Only the
    staged copy changes; messages quote the user's text."""
    return values.upper  # valid codes are ASCII letters (``valid_currency``)


def as_datetime64(days: Strings) -> npt.NDArray[np.datetime64]:
    """date32 -> numpy datetime64[D], null as NaT."""
    if isinstance(days, pa.ChunkedArray):
        days = days.combine_chunks() if days.num_chunks else pa.array([], pa.date32())
    return np.asarray(days.to_numpy(zero_copy_only=False)).astype("datetime64[D]")
