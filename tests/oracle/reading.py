"""A folder of CSV tables (the names of docs/data-format.md) as an ``OracleDataset``.

The input is assumed valid; currency codes are upper-cased, as the contract normalises them
(``usd`` is ``USD``)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path

from tests.oracle.model import DEFAULT_BASE_CURRENCY, Line, OracleDataset, monthly_value

#: Customers-table columns that are structure, not attributes.
_STRUCTURAL_COLUMNS = frozenset({"customer_id", "parent_id"})


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


def _currency(row: Mapping[str, str]) -> str:
    """A currency code as the contract compares it: any letter case, read upper-cased."""
    return _text(row, "currency").upper()


def _optional(value: str) -> str | None:
    """Empty text means unset (contract: 'empty = unset'), which the report shows as null."""
    return value if value != "" else None


def _day(text: str) -> date:
    """Parse a YYYY-MM-DD date."""
    return date.fromisoformat(text.strip())


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
                currency=_currency(row),
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
        event = (_day(_text(row, "date")), Fraction(_text(row, "mrr")), _currency(row))
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
        rates.setdefault(_currency(row), []).append(quote)
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
