"""A slow, obviously-correct implementation of the data contract, used as a test oracle.

Why this module exists: the real engine computes NRR with vectorised expressions (range
joins, windows, float64). Those are fast but easy to get subtly wrong at month ends, leap
days, currency boundaries or hierarchy edges. This module restates ``shared/data-contract.md``
and ``docs/definitions.md`` as plain loops over customers and lines, in exact rational
arithmetic (``fractions.Fraction``), so that property tests can compare the engine with a
reading a reviewer can check line by line against the documents.

Rules of the module:

- standard library only, and nothing imported from the rest of ``nrr`` (independence);
- clarity over speed: every MRR figure is recomputed by looping over every line;
- the input is assumed valid (validation is the engine's job, not the oracle's).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

__all__ = [
    "REPORT_COLUMNS",
    "OracleDataset",
    "load_dataset",
    "oracle_report",
    "oracle_report_exact",
    "period_spine",
]

#: The days-based divisor of usage lines: the average month, 365.25 / 12 = 30.4375 days.
USAGE_DAYS_PER_MONTH = Fraction(487, 16)

#: Months in a (fiscal) year.
MONTHS_PER_YEAR = 12

#: The base currency when no currency is left without rates (definitions.md, Currency).
DEFAULT_BASE_CURRENCY = "USD"

#: Section-3 columns that follow the period and group columns, in contract order.
METRIC_COLUMNS: tuple[str, ...] = (
    "customers_start",
    "starting_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churn_mrr",
    "ending_mrr",
    "nrr",
    "grr",
    "customers_expanded",
    "customers_contracted",
    "customers_churned",
    "logo_retention",
    "new_mrr",
    "reactivation_mrr",
    "customers_new",
    "customers_reactivated",
    "total_mrr_start",
    "total_mrr_end",
)

#: Every section-3 column of an ungrouped report (group columns go after period_end).
REPORT_COLUMNS: tuple[str, ...] = ("period_start", "period_end", *METRIC_COLUMNS)

#: How a period type steps through month starts: (months between starts, months long,
#: whether starts are aligned to the fiscal year). ``ttm`` is a twelve-month window that
#: starts at every month boundary, which is the same as ending at every month boundary.
_SPINES: dict[str, tuple[int, int, bool]] = {
    "month": (1, 1, False),
    "quarter": (3, 3, True),
    "year": (12, 12, True),
    "ttm": (1, 12, False),
}

#: Customers-table columns that are structure, not attributes.
_STRUCTURAL_COLUMNS = frozenset({"customer_id", "parent_id"})

#: A unit of the report: (owning customer or organization id, product). The product part is
#: None for every unit unless the report groups by product.
UnitKey = tuple[str, str | None]


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Line:
    """One revenue line, already monthly-normalized, in its own currency.

    Events become lines too (``[date, next event's date)``), so every rule downstream is
    written once, as the definitions page says the engine does it.
    """

    customer_id: str
    start: date
    end: date | None
    value: Fraction
    currency: str
    product: str | None

    def active_at(self, t: date) -> bool:
        """The contract's activity test: ``start_date <= t < end_date``; no end never ends."""
        return self.start <= t and (self.end is None or t < self.end)


@dataclass(frozen=True)
class OracleDataset:
    """Everything the oracle needs, parsed from the CSV tables into plain Python values."""

    parents: Mapping[str, str | None]
    attributes: Mapping[str, Mapping[str, str | None]]
    history: Mapping[tuple[str, str], Sequence[tuple[date, str | None]]]
    lines: Sequence[Line]
    rates: Mapping[str, Sequence[tuple[date, Fraction]]]
    base_currency: str


# --------------------------------------------------------------------------- reading


def _read_table(path: Path) -> list[dict[str, str]] | None:
    """Read one CSV table with lower-cased column names (the contract makes them
    case-insensitive); None when the file is absent, so optional tables stay optional."""
    if not path.exists():
        return None
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        rows = list(reader)
    if not rows:
        return []
    header = [name.strip().lower() for name in rows[0]]
    table = []
    for raw in rows[1:]:
        if not any(cell.strip() for cell in raw):
            continue
        padded = list(raw) + [""] * (len(header) - len(raw))
        table.append(dict(zip(header, padded, strict=False)))
    return table


def _text(row: Mapping[str, str], column: str) -> str:
    """A cell's text, stripped; a missing optional column reads as empty."""
    return row.get(column, "").strip()


def _optional(value: str) -> str | None:
    """Empty text means unset (contract: 'empty = unset'), which the report shows as null."""
    return value if value != "" else None


def _day(text: str) -> date:
    """Parse a YYYY-MM-DD date."""
    return date.fromisoformat(text.strip())


def _month_index(d: date) -> int:
    """Months since year 0: calendar math from integers, so month ends cannot surprise."""
    return d.year * 12 + d.month - 1


def _month_start(index: int) -> date:
    """The first day of the month with the given ``_month_index``."""
    return date(index // 12, index % 12 + 1, 1)


def monthly_value(
    kind: str, amount: Fraction, billing_months: int, start: date, end: date | None
) -> Fraction:
    """The monthly-normalized value of a line (contract section 1, subscriptions).

    Recurring lines spread the charge over their billing period. Usage lines spread the
    charge over the service period: whole calendar months when both dates share a day of
    month (so Jan 31 -> Mar 31 is exactly 2), otherwise days / 30.4375.
    """
    if kind != "usage":
        return amount / billing_months
    if end is None:
        raise ValueError("a usage line needs an end_date (contract: it is then required)")
    if start.day == end.day:
        return amount / (_month_index(end) - _month_index(start))
    return amount / (Fraction((end - start).days) / USAGE_DAYS_PER_MONTH)


def _subscription_lines(rows: Iterable[Mapping[str, str]]) -> list[Line]:
    """Subscriptions rows as lines; defaults: billing_months 1, kind recurring."""
    lines = []
    for row in rows:
        start = _day(_text(row, "start_date"))
        end_text = _text(row, "end_date")
        end = _day(end_text) if end_text else None
        months_text = _text(row, "billing_months")
        kind = _text(row, "kind").lower() or "recurring"
        value = monthly_value(
            kind,
            Fraction(_text(row, "amount")),
            int(months_text) if months_text else 1,
            start,
            end,
        )
        lines.append(
            Line(
                customer_id=_text(row, "customer_id"),
                start=start,
                end=end,
                value=value,
                currency=_text(row, "currency"),
                product=_optional(_text(row, "product")),
            )
        )
    return lines


def _event_lines(rows: Iterable[Mapping[str, str]]) -> list[Line]:
    """Events as lines ``[date, next event's date)`` carrying the event's mrr.

    This is the definitions page's own reading: MRR at t is the mrr of the latest event on
    or before t, and 0 before the first event.
    """
    by_customer: dict[str, list[tuple[date, Fraction, str]]] = {}
    for row in rows:
        event = (_day(_text(row, "date")), Fraction(_text(row, "mrr")), _text(row, "currency"))
        by_customer.setdefault(_text(row, "customer_id"), []).append(event)
    lines = []
    for customer_id, events in by_customer.items():
        events.sort(key=lambda event: event[0])
        for index, (day, mrr, currency) in enumerate(events):
            end = events[index + 1][0] if index + 1 < len(events) else None
            lines.append(Line(customer_id, day, end, mrr, currency, None))
    return lines


def _read_rates(rows: Iterable[Mapping[str, str]]) -> dict[str, list[tuple[date, Fraction]]]:
    """fx_rates as a date-sorted list per currency, rates exact from their decimal text."""
    rates: dict[str, list[tuple[date, Fraction]]] = {}
    for row in rows:
        quote = (_day(_text(row, "date")), Fraction(_text(row, "rate")))
        rates.setdefault(_text(row, "currency"), []).append(quote)
    for quotes in rates.values():
        quotes.sort(key=lambda quote: quote[0])
    return rates


def infer_base_currency(lines: Iterable[Line], rated: Iterable[str]) -> str:
    """The base currency: the one currency used by lines or events that has no rates.

    Lines with an empty currency are in the base currency and say nothing about which it
    is. When every named currency has rates, or none is named, the base is USD.
    """
    unrated = sorted({line.currency for line in lines if line.currency} - set(rated))
    if len(unrated) > 1:
        raise ValueError(f"more than one currency without fx rates: {', '.join(unrated)}")
    return unrated[0] if unrated else DEFAULT_BASE_CURRENCY


def _read_customers(
    rows: Iterable[Mapping[str, str]],
) -> tuple[dict[str, str | None], dict[str, dict[str, str | None]]]:
    """Parents and attribute values from the customers table; every column that is not
    structural (customer_id, parent_id) is an attribute, empty meaning unset."""
    parents: dict[str, str | None] = {}
    attributes: dict[str, dict[str, str | None]] = {}
    for row in rows:
        customer_id = _text(row, "customer_id")
        parents[customer_id] = _optional(_text(row, "parent_id"))
        attributes[customer_id] = {
            column: _optional(value)
            for column, value in row.items()
            if column not in _STRUCTURAL_COLUMNS
        }
    return parents, attributes


def _read_history(
    rows: Iterable[Mapping[str, str]],
) -> dict[tuple[str, str], list[tuple[date, str | None]]]:
    """customer_attributes as a valid_from-sorted list per (customer, attribute).

    Attribute names are lower-cased, like the customers table's column names, so that a
    history row for ``Segment`` updates the ``segment`` column.
    """
    history: dict[tuple[str, str], list[tuple[date, str | None]]] = {}
    for row in rows:
        key = (_text(row, "customer_id"), _text(row, "attribute").lower())
        entry = (_day(_text(row, "valid_from")), _optional(row.get("value", "")))
        history.setdefault(key, []).append(entry)
    for entries in history.values():
        entries.sort(key=lambda entry: entry[0])
    return history


def load_dataset(data_dir: Path) -> OracleDataset:
    """Read a folder of CSV tables (the contract's names) into an :class:`OracleDataset`."""
    customers = _read_table(data_dir / "customers.csv")
    if customers is None:
        raise ValueError(f"{data_dir}: customers.csv is required")
    subscriptions = _read_table(data_dir / "subscriptions.csv")
    events = _read_table(data_dir / "events.csv")
    if subscriptions is not None and events is not None:
        raise ValueError(f"{data_dir}: both subscriptions and events; the oracle reads one")
    if subscriptions is not None:
        lines = _subscription_lines(subscriptions)
    elif events is not None:
        lines = _event_lines(events)
    else:
        raise ValueError(f"{data_dir}: subscriptions.csv or events.csv is required")
    rates = _read_rates(_read_table(data_dir / "fx_rates.csv") or [])
    parents, attributes = _read_customers(customers)
    return OracleDataset(
        parents=parents,
        attributes=attributes,
        history=_read_history(_read_table(data_dir / "customer_attributes.csv") or []),
        lines=lines,
        rates=rates,
        base_currency=infer_base_currency(lines, rates),
    )


# --------------------------------------------------------------------------- periods


def period_spine(
    period: str, start: date, end: date, fiscal_year_start: int = 1
) -> list[tuple[date, date]]:
    """The periods ``[t0, t1)`` of a report, every boundary a month start.

    A period is kept only when it lies wholly inside ``[start, end)``. Quarters and years
    start on months aligned to the fiscal year start; ``ttm`` has one twelve-month window
    ending at every month boundary.
    """
    if period not in _SPINES:
        raise ValueError(f"unknown period {period!r}")
    if not 1 <= fiscal_year_start <= MONTHS_PER_YEAR:
        raise ValueError("fiscal_year_start must be a month number, 1 to 12")
    step, length, fiscal = _SPINES[period]
    first = _month_index(start) + (0 if start.day == 1 else 1)
    periods = []
    for index in range(first, _month_index(end) + 1):
        aligned = not fiscal or (index % 12 - (fiscal_year_start - 1)) % step == 0
        t0, t1 = _month_start(index), _month_start(index + length)
        if aligned and start <= t0 and t1 <= end:
            periods.append((t0, t1))
    return periods


# --------------------------------------------------------------------------- MRR


def rate_at(dataset: OracleDataset, currency: str, t: date) -> Fraction:
    """The rate in force on t: the latest quote dated on or before t."""
    in_force = [rate for day, rate in dataset.rates.get(currency, ()) if day <= t]
    if not in_force:
        raise ValueError(f"no fx rate in force for {currency} on {t.isoformat()}")
    return in_force[-1]


def line_mrr_at(dataset: OracleDataset, line: Line, t: date, currency: str) -> Fraction:
    """A line's contribution to MRR at t in the reporting currency (0 when inactive).

    A foreign amount goes into the base currency at its rate on t; a reporting currency
    other than the base then divides by that currency's rate on t (a cross rate).
    """
    if not line.active_at(t):
        return Fraction(0)
    value = line.value
    if line.currency not in ("", dataset.base_currency):
        value *= rate_at(dataset, line.currency, t)
    if currency != dataset.base_currency:
        value /= rate_at(dataset, currency, t)
    return value


def mrr_at(dataset: OracleDataset, lines: Iterable[Line], t: date, currency: str) -> Fraction:
    """MRR of a unit at t: the sum over every one of its lines, recomputed from scratch."""
    return sum((line_mrr_at(dataset, line, t, currency) for line in lines), Fraction(0))


def had_mrr_before(lines: Iterable[Line], t0: date) -> bool:
    """Whether the unit had MRR > 0 at any instant before t0.

    Values are never negative, so MRR is positive at an instant exactly when a line with a
    positive value is active then; such a line is active at its own start_date, so the
    question is whether one started before t0 (even if it ended long ago).
    """
    return any(line.value > 0 and line.start < t0 for line in lines)


# --------------------------------------------------------------------------- units


def organization_of(dataset: OracleDataset, customer_id: str) -> str:
    """The top-most ancestor through parent_id (an account without parent is its own)."""
    seen = {customer_id}
    current = customer_id
    while (parent := dataset.parents.get(current)) is not None:
        if parent in seen:
            raise ValueError(f"parent_id cycle through {customer_id}")
        seen.add(parent)
        current = parent
    return current


def attribute_at(dataset: OracleDataset, customer_id: str, attribute: str, t: date) -> str | None:
    """A customer's attribute at t: the latest history row with valid_from <= t, else (before
    its first history row, or without history) the customers table's value."""
    in_force = [
        value
        for valid_from, value in dataset.history.get((customer_id, attribute.lower()), ())
        if valid_from <= t
    ]
    if in_force:
        return in_force[-1]
    return dataset.attributes.get(customer_id, {}).get(attribute.lower())


def build_units(
    dataset: OracleDataset, level: str, by_product: bool, product_filter: str | None
) -> dict[UnitKey, list[Line]]:
    """Every unit of the report with its lines.

    A unit is an account, or an organization (its lines are every account's in the tree).
    Grouping by product splits each unit into one unit per product, a line with an empty
    product going to the null product. A product filter keeps only that product's lines.
    """
    if level not in ("account", "organization"):
        raise ValueError(f"unknown level {level!r}")
    units: dict[UnitKey, list[Line]] = {}
    for customer_id in dataset.parents:
        owner = organization_of(dataset, customer_id) if level == "organization" else customer_id
        units.setdefault((owner, None), [])
    for line in dataset.lines:
        if product_filter is not None and line.product != product_filter:
            continue
        owner = line.customer_id
        if level == "organization":
            owner = organization_of(dataset, line.customer_id)
        units.setdefault((owner, line.product if by_product else None), []).append(line)
    return units


def passes_filters(
    dataset: OracleDataset, owner: str, filters: Mapping[str, str], t0: date
) -> bool:
    """Attribute filters keep units whose value at t0 equals the filter's text exactly (an
    unset value reads as the empty text); all filters must hold. The product filter is
    applied to lines in :func:`build_units`, so it is skipped here."""
    return all(
        (attribute_at(dataset, owner, attribute, t0) or "") == wanted
        for attribute, wanted in filters.items()
        if attribute.lower() != "product"
    )


def group_of(
    dataset: OracleDataset, unit: UnitKey, by: Sequence[str], t0: date
) -> tuple[str | None, ...]:
    """A unit's group values for a period: attributes of the unit's own customer (the
    organization itself at organization level) at t0, or the unit's product."""
    owner, product = unit
    return tuple(
        product if column.lower() == "product" else attribute_at(dataset, owner, column, t0)
        for column in by
    )


# --------------------------------------------------------------------------- movements


@dataclass
class Movements:
    """The accumulators of one report row, exact until the very end."""

    customers_start: int = 0
    starting_mrr: Fraction = Fraction(0)
    expansion_mrr: Fraction = Fraction(0)
    contraction_mrr: Fraction = Fraction(0)
    churn_mrr: Fraction = Fraction(0)
    ending_mrr: Fraction = Fraction(0)
    customers_expanded: int = 0
    customers_contracted: int = 0
    customers_churned: int = 0
    new_mrr: Fraction = Fraction(0)
    reactivation_mrr: Fraction = Fraction(0)
    customers_new: int = 0
    customers_reactivated: int = 0
    total_mrr_start: Fraction = Fraction(0)
    total_mrr_end: Fraction = Fraction(0)

    def add(self, start: Fraction, end: Fraction, had_before: bool) -> None:
        """Classify one unit by its MRR at t0 and t1, exactly as the contract lists it."""
        self.total_mrr_start += start
        self.total_mrr_end += end
        if start > 0:
            self.customers_start += 1
            self.starting_mrr += start
            self.ending_mrr += end
            if end == 0:
                self.customers_churned += 1
                self.churn_mrr += start
            elif end > start:
                self.customers_expanded += 1
                self.expansion_mrr += end - start
            elif end < start:
                self.customers_contracted += 1
                self.contraction_mrr += start - end
        elif end > 0 and had_before:
            self.customers_reactivated += 1
            self.reactivation_mrr += end
        elif end > 0:
            self.customers_new += 1
            self.new_mrr += end

    def metrics(self) -> dict[str, object]:
        """The section-3 metric columns; percentages null when the cohort is empty."""
        defined = self.starting_mrr > 0
        hundred = Fraction(100)
        kept = self.starting_mrr - self.contraction_mrr - self.churn_mrr
        logos = Fraction(self.customers_start - self.customers_churned)
        return {
            "customers_start": self.customers_start,
            "starting_mrr": self.starting_mrr,
            "expansion_mrr": self.expansion_mrr,
            "contraction_mrr": self.contraction_mrr,
            "churn_mrr": self.churn_mrr,
            "ending_mrr": self.ending_mrr,
            "nrr": self.ending_mrr / self.starting_mrr * hundred if defined else None,
            "grr": kept / self.starting_mrr * hundred if defined else None,
            "customers_expanded": self.customers_expanded,
            "customers_contracted": self.customers_contracted,
            "customers_churned": self.customers_churned,
            "logo_retention": logos / self.customers_start * hundred if defined else None,
            "new_mrr": self.new_mrr,
            "reactivation_mrr": self.reactivation_mrr,
            "customers_new": self.customers_new,
            "customers_reactivated": self.customers_reactivated,
            "total_mrr_start": self.total_mrr_start,
            "total_mrr_end": self.total_mrr_end,
        }


@dataclass(frozen=True)
class _Request:
    """The report parameters after defaults are resolved."""

    by: tuple[str, ...]
    filters: Mapping[str, str]
    currency: str


def _period_rows(
    dataset: OracleDataset,
    units: Mapping[UnitKey, list[Line]],
    request: _Request,
    t0: date,
    t1: date,
) -> list[dict[str, object]]:
    """The rows of one period: one per group that has a unit with MRR > 0 at t0 or t1, or
    exactly one row when the report is ungrouped (even if nothing is active)."""
    groups: dict[tuple[str | None, ...], Movements] = {}
    if not request.by:
        groups[()] = Movements()
    for unit, lines in units.items():
        if not passes_filters(dataset, unit[0], request.filters, t0):
            continue
        start = mrr_at(dataset, lines, t0, request.currency)
        end = mrr_at(dataset, lines, t1, request.currency)
        if request.by and start == 0 and end == 0:
            continue
        group = group_of(dataset, unit, request.by, t0)
        groups.setdefault(group, Movements()).add(start, end, had_mrr_before(lines, t0))
    rows = []
    for group, movements in groups.items():
        row: dict[str, object] = {"period_start": t0, "period_end": t1}
        row.update(zip(request.by, group, strict=True))
        row.update(movements.metrics())
        rows.append(row)
    return rows


def _group_sort_key(row: Mapping[str, object], by: Sequence[str]) -> tuple[object, ...]:
    """Sort by period start, then group values with null first."""
    values = [row[column] for column in by]
    return (row["period_start"], *((value is not None, value or "") for value in values))


def oracle_report_exact(
    data_dir: Path,
    *,
    period: str,
    start: date,
    end: date,
    by: Sequence[str] = (),
    level: str = "account",
    filters: Mapping[str, str] | None = None,
    currency: str | None = None,
    fiscal_year_start: int = 1,
) -> list[dict[str, object]]:
    """The report rows with exact values: money and percentages as ``Fraction``.

    Tests use this form to check identities (the MRR bridge) with no rounding at all.
    """
    dataset = load_dataset(data_dir)
    filters = dict(filters or {})
    product_filter = next((v for k, v in filters.items() if k.lower() == "product"), None)
    request = _Request(tuple(by), filters, currency or dataset.base_currency)
    by_product = any(column.lower() == "product" for column in by)
    units = build_units(dataset, level, by_product, product_filter)
    rows = []
    for t0, t1 in period_spine(period, start, end, fiscal_year_start):
        rows.extend(_period_rows(dataset, units, request, t0, t1))
    rows.sort(key=lambda row: _group_sort_key(row, request.by))
    return rows


def oracle_report(
    data_dir: Path,
    *,
    period: str,
    start: date,
    end: date,
    by: Sequence[str] = (),
    level: str = "account",
    filters: Mapping[str, str] | None = None,
    currency: str | None = None,
    fiscal_year_start: int = 1,
) -> list[dict[str, object]]:
    """The report rows as the engine returns them: money and percentages as float, counts
    as int, dates as ``date``, group values as str or None. Rounding happens only here."""
    exact = oracle_report_exact(
        data_dir,
        period=period,
        start=start,
        end=end,
        by=by,
        level=level,
        filters=filters,
        currency=currency,
        fiscal_year_start=fiscal_year_start,
    )
    return [
        {key: float(value) if isinstance(value, Fraction) else value for key, value in row.items()}
        for row in exact
    ]
