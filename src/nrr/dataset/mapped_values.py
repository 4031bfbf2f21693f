"""How a mapping reads one value written the user's way: a date by its formats, an amount
by its separators and symbols.

One home for both readers of the mapping format (``mapped`` for nrr's tables,
``nrr.importers.invoice_read`` for invoice lines), so a value the mapping accepts in one
is accepted in the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

# What " " as a thousands separator stands for: exports write a plain, a no-break or a
# narrow no-break space.
SPACES = " \u00a0\u202f"

Convert = Callable[[str], str | None]


def read_date(text: str, formats: tuple[str, ...]) -> date | None:
    """``text`` by the first of ``formats`` that reads it whole; None if none does."""
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def date_reader(formats: tuple[str, ...]) -> Convert:
    """A date as ``YYYY-MM-DD``; an empty value is left as it is, an unreadable one is None."""

    def read(value: str) -> str | None:
        text = value.strip()
        if not text:
            return value
        day = read_date(text, formats)
        return None if day is None else day.isoformat()

    return read


@lru_cache(maxsize=64)
def number_reader(decimal: str, thousands: str, strip: tuple[str, ...]) -> Convert:
    """Symbols stripped, then a number written with these separators, strictly: thousands
    groups of three digits, or none at all ("1,20.00" is refused, not guessed). An empty
    value is left as it is; one that is not such a number is None."""
    point = re.escape(decimal)
    group = f"[{SPACES}]" if thousands == " " else re.escape(thousands)
    grouped = rf"\d{{1,3}}(?:{group}\d{{3}})+" if thousands else r"(?!)"
    shape = re.compile(rf"-?(?:{grouped}|\d+)(?:{point}\d+)?")
    sep = re.compile(group) if thousands else None

    def read(value: str) -> str | None:
        text = value
        for symbol in strip:
            text = text.replace(symbol, "")
        text = text.strip(" \t" + SPACES)
        if not text:
            return value if not value.strip() else None
        text = re.sub(r"^-\s+", "-", text)
        if shape.fullmatch(text) is None:
            return None
        if sep is not None:
            text = sep.sub("", text)
        return text.replace(decimal, ".")

    return read
