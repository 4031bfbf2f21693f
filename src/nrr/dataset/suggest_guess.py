"""The guesses behind ``nrr map suggest``: which header is which column, the date format,
the number separators and symbols, the words of a billing interval.

Pure functions over headers and sampled values, so each guess is tested on its own. Every
guess is only a proposal: ``suggest`` writes it with a comment saying what to check, and the
mapping then goes through the same strict reading as one written by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# nrr column -> the headers (normalised: lower case, letters and digits only) taken for it,
# best first. "id" is a customer id only in the customers table (elsewhere it is the row's).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": ("customerid", "customer", "custid", "id", "accountid", "account"),
        "name": ("name", "customername", "companyname", "company", "accountname"),
        "parent_id": ("parentid", "parentcustomerid", "parentaccountid", "parent"),
    },
    "subscriptions": {
        "customer_id": ("customerid", "customer", "custid", "accountid", "account"),
        "start_date": (
            "startdate",
            "start",
            "begin",
            "begindate",
            "startedat",
            "created",
            "createdat",
            "createddate",
            "servicestart",
            "currentperiodstart",
            "periodstart",
        ),
        "end_date": (
            "enddate",
            "end",
            "until",
            "endedat",
            "canceledat",
            "cancelledat",
            "canceldate",
            "cancellationdate",
            "serviceend",
            "periodend",
        ),
        "amount": (
            "amount",
            "planamount",
            "price",
            "planprice",
            "unitamount",
            "mrr",
            "recurringamount",
            "total",
        ),
        "billing_months": (
            "billingmonths",
            "interval",
            "planinterval",
            "billingperiod",
            "billinginterval",
            "billingcycle",
            "period",
        ),
        "currency": ("currency", "plancurrency", "currencycode"),
        "kind": ("kind",),
        "product": ("product", "productname", "plan", "planname", "productid", "planid"),
        "subscription_id": ("subscriptionid", "subscription", "id"),
    },
    "events": {
        "customer_id": ("customerid", "customer", "custid", "accountid", "account"),
        "date": ("date", "eventdate", "effectivedate", "changedate", "created", "createdat"),
        "mrr": ("mrr", "monthlyrecurringrevenue", "amount", "newmrr"),
        "currency": ("currency", "currencycode"),
    },
    "fx_rates": {
        "date": ("date", "validfrom", "ratedate"),
        "currency": ("currency", "currencycode"),
        "rate": ("rate", "fxrate", "exchangerate"),
    },
    "customer_attributes": {
        "customer_id": ("customerid", "customer", "custid", "accountid"),
        "attribute": ("attribute", "name", "key"),
        "value": ("value",),
        "valid_from": ("validfrom", "date", "from", "effectivedate"),
    },
    "signals": {
        "customer_id": ("customerid", "customer", "custid", "accountid"),
        "date": ("date", "measuredat", "week", "day"),
        "name": ("name", "signal", "metric"),
        "value": ("value", "score"),
    },
}

# Interval words and their months; a day or a week is no whole number of months.
INTERVAL_MONTHS = {
    "month": 1,
    "monthly": 1,
    "quarter": 3,
    "quarterly": 3,
    "semiannual": 6,
    "halfyear": 6,
    "year": 12,
    "yearly": 12,
    "annual": 12,
    "annually": 12,
}
SHORTER_INTERVALS = ("day", "daily", "week", "weekly")

SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}

_TIMES = ("", " %H:%M", " %H:%M:%S", "T%H:%M:%S", "T%H:%M:%SZ", "T%H:%M:%S.%fZ")
_DAYS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%y",
    "%b %d, %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%d %B %Y",
)
DATE_FORMATS = tuple(day + time for day in _DAYS for time in _TIMES)


def normalised(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.lower())


def match_columns(table: str, headers: Sequence[str]) -> dict[str, str]:
    """nrr column -> the user's header, each header used once, synonyms in their order.

    A header is compared as written and without a parenthesised note ("Created (UTC)").
    """
    forms: dict[str, list[str]] = {}
    for header in headers:
        for form in (normalised(header), normalised(re.sub(r"\(.*?\)", "", header))):
            forms.setdefault(form, []).append(header)
    used: set[str] = set()
    found: dict[str, str] = {}
    for column, synonyms in SYNONYMS[table].items():
        for synonym in (normalised(column), *synonyms):
            free = next((h for h in forms.get(synonym, []) if h not in used), None)
            if free is not None:
                found[column] = free
                used.add(free)
                break
    return found


def table_of(name: str, headers: Sequence[str]) -> str | None:
    """The nrr table a file most likely holds: by its name, else by its headers."""
    stem = normalised(name)
    for table in SYNONYMS:
        if stem.startswith(normalised(table)) or normalised(table).startswith(stem or "-"):
            return table
    if "subscription" in stem:
        return "subscriptions"
    if "customer" in stem or "account" in stem:
        return "customers"
    scores = {t: len(match_columns(t, headers)) for t in ("subscriptions", "events", "customers")}
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] >= 2 else None


@dataclass(frozen=True)
class DateGuess:
    """The formats every sampled date fits (best first), and whether day and month order
    is ambiguous (no sampled day above 12)."""

    formats: tuple[str, ...]
    ambiguous: bool


def guess_dates(values: Iterable[str]) -> DateGuess:
    sample = [v.strip() for v in values if v.strip()]
    if not sample:
        return DateGuess((), False)
    fitting = tuple(f for f in DATE_FORMATS if all(_fits(v, f) for v in sample))
    ambiguous = any("%m" in f and f.index("%m") < f.index("%d") for f in fitting) and any(
        "%m" in f and f.index("%d") < f.index("%m") for f in fitting
    )
    return DateGuess(fitting, ambiguous)


def _fits(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class NumberGuess:
    """How sampled amounts are written: separators, symbols to strip, and what to check."""

    decimal: str = "."
    thousands: str = ""
    strip: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def guess_numbers(values: Iterable[str]) -> NumberGuess:
    sample = [v.strip() for v in values if v.strip()]
    symbols: dict[str, None] = {}
    bare = []
    for value in sample:
        for token in re.findall(r"[^\d\s,.'\-]+", value):
            symbols[token] = None
        bare.append(re.sub(r"[^\d,.' \u00a0\u202f\-]", "", value).strip())
    decimal, thousands, notes = _separators(bare)
    return NumberGuess(decimal, thousands, tuple(symbols), tuple(notes))


def _separators(sample: list[str]) -> tuple[str, str, list[str]]:
    commas = any("," in v for v in sample)
    dots = any("." in v for v in sample)
    spaced = any(re.search(r"\d[ \u00a0\u202f]\d", v) for v in sample)
    quoted = any(re.search(r"\d'\d", v) for v in sample)
    if commas and dots:
        last = {v.rfind(",") > v.rfind(".") for v in sample if "," in v and "." in v}
        return ("," if last == {True} else "."), ("." if last == {True} else ","), []
    if quoted:
        return ".", "'", []
    if commas:
        if all(re.fullmatch(r"-?\d{1,3}(,\d{3})+|-?\d+", v) for v in sample):
            return (
                ".",
                ",",
                ["CHECK: a comma before three digits is taken as a thousands separator"],
            )
        return ",", " " if spaced else "", []
    if dots and any(re.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}", v) for v in sample):
        return ",", ".", ["CHECK: dots between groups of three digits are taken as thousands"]
    return ".", " " if spaced else "", []


@dataclass(frozen=True)
class IntervalGuess:
    """A values map for interval words, and the words nrr cannot read as whole months."""

    values: dict[str, str]
    unreadable: tuple[str, ...]


def guess_intervals(values: Iterable[str]) -> IntervalGuess | None:
    """None when the values are not words (they are months already, or something else)."""
    words = sorted({v.strip() for v in values if v.strip()})
    if not words or any(normalised(w) not in {*INTERVAL_MONTHS, *SHORTER_INTERVALS} for w in words):
        return None
    known = {
        w: str(INTERVAL_MONTHS[normalised(w)]) for w in words if normalised(w) in INTERVAL_MONTHS
    }
    return IntervalGuess(known, tuple(w for w in words if w not in known))
