"""Hypothesis strategies: small random VALID datasets and report requests.

Why: the engine and the oracle must agree on every dataset the contract allows, and the
places where implementations go wrong are the calendar edges (month ends, the 29th-31st,
leap days, lines ending exactly on a period boundary), currency conversion, parent chains
and point-in-time attributes. These strategies bias every draw towards those edges while
keeping datasets small enough that the slow oracle stays fast and a shrunk counterexample
fits on a screen.

Every dataset drawn here satisfies the contract's rules (unique ids, known parents, no
cycles, end after start, usage lines with an end date, rates in force before any foreign
line starts), so any disagreement is a computation bug, not a validation question.
"""

from __future__ import annotations

import calendar
import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

DrawFn = Callable[[st.SearchStrategy[Any]], Any]

SEGMENTS = ("smb", "mid", "ent", "")
PRODUCTS = ("A", "B", "")
# Codes in any letter case are one currency ("eur" is EUR): engine and oracle must agree.
CURRENCIES = ("USD", "", "EUR", "eur", "Usd")
PERIODS = ("month", "quarter", "year", "ttm")
LEVELS = ("account", "organization")
GROUPINGS: tuple[tuple[str, ...], ...] = ((), ("segment",), ("product",))
#: The first EUR rate, well before the first line (2023-01-01), so every instant a EUR
#: line is active at, and every report boundary from 2023 on, has a rate in force.
FIRST_RATE_DAY = date(2022, 1, 1)

Table = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]


@dataclass(frozen=True)
class GeneratedDataset:
    """A dataset as CSV tables (header + rows of text), ready to be written to a folder.

    The repr prints the CSV text, so a shrunk Hypothesis counterexample can be copied into
    a scenario folder as it is.
    """

    tables: Mapping[str, Table] = field(default_factory=dict)

    def write(self, directory: Path) -> Path:
        """Write every table as ``<name>.csv`` into directory (created if needed)."""
        directory.mkdir(parents=True, exist_ok=True)
        for name, (header, rows) in self.tables.items():
            with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(header)
                writer.writerows(rows)
        return directory

    def rated_currencies(self) -> set[str]:
        """Currencies that fx_rates quotes (the reporting currencies a request may ask)."""
        if "fx_rates" not in self.tables:
            return set()
        header, rows = self.tables["fx_rates"]
        column = [name.lower() for name in header].index("currency")
        return {row[column] for row in rows}

    def __repr__(self) -> str:
        parts = []
        for name, (header, rows) in self.tables.items():
            lines = [",".join(header), *(",".join(row) for row in rows)]
            parts.append(f"--- {name}.csv\n" + "\n".join(lines))
        return "GeneratedDataset(\n" + "\n".join(parts) + "\n)"


@dataclass(frozen=True)
class RequestSpec:
    """The parameters of one ``report`` call, as keyword arguments for engine and oracle."""

    period: str
    start: date
    end: date
    by: tuple[str, ...] = ()
    level: str = "account"
    filters: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    fiscal_year_start: int = 1

    def for_dataset(self, dataset: GeneratedDataset) -> RequestSpec:
        """Drop a reporting currency the dataset has no rates for (an input error, not a
        computation to compare)."""
        if self.currency is not None and self.currency not in dataset.rated_currencies():
            return replace(self, currency=None)
        return self

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments shared by ``Dataset.report`` and ``oracle_report``."""
        return {
            "period": self.period,
            "start": self.start,
            "end": self.end,
            "by": list(self.by),
            "level": self.level,
            "filters": dict(self.filters),
            "currency": self.currency,
            "fiscal_year_start": self.fiscal_year_start,
        }


# --------------------------------------------------------------------------- dates and money


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(day: date, months: int) -> date | None:
    """The same day of month ``months`` later, or None when that day does not exist."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if day.day > _last_day(year, month + 1):
        return None
    return date(year, month + 1, day.day)


@st.composite
def edge_dates(draw: DrawFn, first_year: int = 2023, last_year: int = 2025) -> date:
    """A date biased to the edges: month starts, month ends, the 29th-31st, 2024-02-29."""
    year = draw(st.integers(first_year, last_year))
    month = draw(st.integers(1, 12))
    last = _last_day(year, month)
    kind = draw(st.sampled_from(("start", "end", "late", "leap", "any")))
    if kind == "start":
        return date(year, month, 1)
    if kind == "end":
        return date(year, month, last)
    if kind == "late":
        return date(year, month, min(draw(st.integers(29, 31)), last))
    if kind == "leap" and first_year <= 2024 <= last_year:
        return date(2024, 2, 29)
    return date(year, month, draw(st.integers(1, last)))


@st.composite
def end_dates(draw: DrawFn, start: date) -> date:
    """A date strictly after start: whole months later (same day of month, when it exists),
    a number of days later, or another edge date."""
    kind = draw(st.sampled_from(("months", "days", "edge")))
    if kind == "months":
        later = _add_months(start, draw(st.integers(1, 24)))
        if later is not None:
            return later
    if kind == "edge":
        candidate: date = draw(edge_dates(start.year, max(start.year, 2026)))
        if candidate > start:
            return candidate
    return start + timedelta(days=draw(st.integers(1, 800)))


def money(max_cents: int = 500_000) -> st.SearchStrategy[str]:
    """A non-negative amount with two decimals, often exactly 0."""
    cents = st.one_of(st.just(0), *[st.integers(0, max_cents)] * 3)
    return cents.map(lambda c: f"{c // 100}.{c % 100:02d}")


def _header_case(draw: DrawFn, header: Sequence[str]) -> tuple[str, ...]:
    """Column names are case-insensitive in the contract: sometimes write them otherwise."""
    style = draw(st.sampled_from(("lower", "lower", "upper", "title")))
    if style == "upper":
        return tuple(name.upper() for name in header)
    if style == "title":
        return tuple(name.title() for name in header)
    return tuple(header)


# --------------------------------------------------------------------------- customers


@st.composite
def customer_tables(draw: DrawFn) -> dict[str, Table]:
    """customers (3-12, parent chains up to 3 levels, a ``segment`` attribute, sometimes a
    ``region``) and sometimes a customer_attributes history of ``segment``."""
    count = draw(st.integers(3, 12))
    ids = [f"c{index:02d}" for index in range(1, count + 1)]
    depth: dict[str, int] = {}
    parents: dict[str, str] = {}
    for index, customer_id in enumerate(ids):
        candidates = [other for other in ids[:index] if depth[other] < 2]
        parent = draw(st.one_of(st.none(), st.sampled_from(candidates))) if candidates else None
        depth[customer_id] = 0 if parent is None else depth[parent] + 1
        if parent is not None:
            parents[customer_id] = parent
    with_region = draw(st.booleans())
    header = ["customer_id", "name", "parent_id", "segment"] + (["region"] if with_region else [])
    rows = []
    for customer_id in ids:
        row = [customer_id, f"Customer {customer_id}", parents.get(customer_id, "")]
        row.append(draw(st.sampled_from(SEGMENTS)))
        if with_region:
            row.append(draw(st.sampled_from(("north", "south", ""))))
        rows.append(tuple(row))
    tables: dict[str, Table] = {"customers": (_header_case(draw, header), tuple(rows))}
    if draw(st.booleans()):
        tables["customer_attributes"] = draw(attribute_history(ids))
    return tables


@st.composite
def attribute_history(draw: DrawFn, ids: Sequence[str]) -> Table:
    """Rows of segment history: 1-3 distinct valid_from dates for some customers, values
    including the empty (unset) one."""
    rows = []
    for customer_id in draw(st.lists(st.sampled_from(list(ids)), unique=True, max_size=len(ids))):
        days = draw(st.lists(edge_dates(2022, 2025), min_size=1, max_size=3, unique=True))
        for valid_from in days:
            value = draw(st.sampled_from(SEGMENTS))
            rows.append((customer_id, "segment", value, valid_from.isoformat()))
    header = ("customer_id", "attribute", "value", "valid_from")
    return (_header_case(draw, header), tuple(rows))


def _customer_ids(tables: Mapping[str, Table]) -> list[str]:
    header, rows = tables["customers"]
    column = [name.lower() for name in header].index("customer_id")
    return [row[column] for row in rows]


@st.composite
def fx_table(draw: DrawFn) -> Table:
    """EUR rates: one in force from 2022 (before any line), then 0-4 changes in 2023-2025."""
    changes = draw(st.lists(edge_dates(2023, 2025), max_size=4, unique=True))
    rows = []
    for day in [FIRST_RATE_DAY, *changes]:
        basis_points = draw(st.integers(5_000, 20_000))
        rows.append(
            (day.isoformat(), "EUR", f"{basis_points // 10_000}.{basis_points % 10_000:04d}")
        )
    return (_header_case(draw, ("date", "currency", "rate")), tuple(rows))


# --------------------------------------------------------------------------- subscriptions


@st.composite
def subscription_line(
    draw: DrawFn, customer_id: str, number: int, start: date, with_product: bool
) -> tuple[tuple[str, ...], date | None]:
    """One subscriptions row starting on start, and its end date (None = still active)."""
    kind = draw(st.sampled_from(("recurring", "recurring", "usage", "")))
    end: date | None = draw(end_dates(start))
    if kind != "usage" and draw(st.booleans()):
        end = None
    months = draw(st.sampled_from(("1", "3", "12", ""))) if kind != "usage" else ""
    row = (
        customer_id,
        start.isoformat(),
        end.isoformat() if end else "",
        draw(money()),
        months,
        draw(st.sampled_from(CURRENCIES)),
        kind,
        draw(st.sampled_from(PRODUCTS)) if with_product else "",
        f"{customer_id}-{number}",
    )
    return row, end


@st.composite
def subscription_rows(draw: DrawFn, customer_id: str, with_product: bool) -> list[tuple[str, ...]]:
    """0-4 lines for one customer; sometimes a line starts the day the previous one ends,
    which is how the contract writes an upgrade or a downgrade."""
    rows = []
    previous_end: date | None = None
    for number in range(1, draw(st.integers(0, 4)) + 1):
        follow = draw(st.sampled_from(("same day", "comeback", "anywhere")))
        if previous_end is not None and previous_end.year <= 2025 and follow == "same day":
            start = previous_end
        elif previous_end is not None and previous_end.year <= 2025 and follow == "comeback":
            start = previous_end + timedelta(days=draw(st.integers(1, 400)))
        else:
            start = draw(edge_dates())
        row, previous_end = draw(subscription_line(customer_id, number, start, with_product))
        rows.append(row)
    return rows


SUBSCRIPTION_COLUMNS = (
    "customer_id",
    "start_date",
    "end_date",
    "amount",
    "billing_months",
    "currency",
    "kind",
    "product",
    "subscription_id",
)


def _drop_empty_optional_columns(
    draw: DrawFn, header: Sequence[str], rows: Sequence[tuple[str, ...]]
) -> Table:
    """Optional columns may be absent: sometimes leave out those that are empty anyway."""
    keep = [
        index
        for index, name in enumerate(header)
        if name in ("customer_id", "start_date", "amount")
        or any(row[index] for row in rows)
        or draw(st.booleans())
    ]
    return (
        tuple(header[index] for index in keep),
        tuple(tuple(row[index] for index in keep) for row in rows),
    )


@st.composite
def datasets(draw: DrawFn) -> GeneratedDataset:
    """A valid subscriptions dataset (see the module docstring for what it covers)."""
    tables = draw(customer_tables())
    with_product = draw(st.booleans())
    rows = []
    for customer_id in _customer_ids(tables):
        rows.extend(draw(subscription_rows(customer_id, with_product)))
    rows = draw(st.permutations(rows))
    uses_eur = any(row[5].upper() == "EUR" for row in rows)
    header, kept = _drop_empty_optional_columns(draw, SUBSCRIPTION_COLUMNS, rows)
    tables["subscriptions"] = (_header_case(draw, header), kept)
    if uses_eur or draw(st.booleans()):
        tables["fx_rates"] = draw(fx_table())
    return GeneratedDataset(tables)


@st.composite
def events_datasets(draw: DrawFn) -> GeneratedDataset:
    """A valid events dataset: 0-5 events per customer on distinct dates, mrr including 0
    (a cancellation, sometimes followed by a comeback), in USD, EUR or unnamed currency."""
    tables = draw(customer_tables())
    rows = []
    for customer_id in _customer_ids(tables):
        for day in draw(st.lists(edge_dates(), max_size=5, unique=True)):
            currency = draw(st.sampled_from(CURRENCIES))
            rows.append((customer_id, day.isoformat(), draw(money()), currency))
    rows = draw(st.permutations(rows))
    header = ("customer_id", "date", "mrr", "currency")
    tables["events"] = (_header_case(draw, header), tuple(rows))
    if any(row[3].upper() == "EUR" for row in rows) or draw(st.booleans()):
        tables["fx_rates"] = draw(fx_table())
    return GeneratedDataset(tables)


def any_datasets() -> st.SearchStrategy[GeneratedDataset]:
    """Subscriptions datasets, and less often events datasets."""
    return st.one_of(datasets(), datasets(), events_datasets())


# --------------------------------------------------------------------------- requests


def _month_start(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


@st.composite
def report_requests(draw: DrawFn) -> RequestSpec:
    """A report request: any period type over month-start bounds in 2023-2026, grouped by
    nothing, segment or product, at either level, any fiscal year start; now and then a
    filter or the EUR reporting currency (see :meth:`RequestSpec.for_dataset`)."""
    period = draw(st.sampled_from(PERIODS))
    shortest = {"month": 1, "quarter": 3, "year": 12, "ttm": 12}[period]
    first = 2023 * 12  # 2023-01-01
    last = 2027 * 12  # 2027-01-01, the end of 2026
    # mostly where the data is (lines start in 2023-2025), sometimes anywhere up to 2026
    start = draw(st.integers(first, 2025 * 12 + 5) | st.integers(first, last - 1))
    # mostly long enough for at least one period, sometimes not (an empty report)
    end = min(start + draw(st.integers(1, 48) | st.integers(shortest, 36)), last)
    filters = draw(st.sampled_from(({}, {}, {}, {}, {"segment": "smb"}, {"product": "A"})))
    return RequestSpec(
        period=period,
        start=_month_start(start),
        end=_month_start(end),
        by=draw(st.sampled_from(GROUPINGS)),
        level=draw(st.sampled_from(LEVELS)),
        filters=filters,
        currency=draw(st.sampled_from((None, None, "EUR"))),
        fiscal_year_start=draw(st.integers(1, 12)),
    )
