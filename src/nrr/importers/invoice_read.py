"""Reading an invoice-lines CSV into checked ``InvoiceLine`` records, every bad row at once.

Each value is found through the ``LineFormat`` (which header, which date format, which
value map), so a message names the user's own header and line; the whole file is checked
before anything is computed, and ``InputError`` carries every issue.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from nrr.dataset.contract import MAX_AMOUNT
from nrr.dataset.issues import Issue, IssueSet
from nrr.dataset.mapped_values import read_date
from nrr.errors import ConfigError, InputError
from nrr.importers.invoice_format import COLUMNS, KINDS, REQUIRED, LineFormat

_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
FIRST, LAST = date(1900, 1, 1), date(2999, 12, 31)
# kinds whose lines spread over a service period, which they must therefore have
PERIODIC = ("subscription", "usage")


@dataclass(frozen=True)
class InvoiceLine:
    """One checked line; ``end`` is exclusive (the day the next period would start)."""

    line: int
    customer_id: str
    customer_name: str
    invoice_id: str
    invoice_date: date
    start: date | None
    end: date | None
    amount: Decimal
    currency: str
    kind: str
    product: str
    subscription_id: str
    tax: Decimal


@dataclass(frozen=True)
class _Row:
    """One CSV row seen through a format: nrr column -> (the user's header, raw value)."""

    file: str
    line: int
    cells: Mapping[str, tuple[str, str]]

    def text(self, column: str) -> str:
        return self.cells.get(column, (column, ""))[1]

    def header(self, column: str) -> str:
        return self.cells.get(column, (column, ""))[0]


def _resolve(header: list[str], fmt: LineFormat) -> dict[str, list[tuple[str, int]]]:
    """For each nrr column, the (header, index) pairs that may hold it, in the format's order."""
    index = {name.strip().casefold(): i for i, name in enumerate(header)}
    found: dict[str, list[tuple[str, int]]] = {}
    for column in COLUMNS:
        spots = [
            (header[index[h.casefold()]], index[h.casefold()])
            for h in fmt.headers(column)
            if h.casefold() in index
        ]
        if spots:
            found[column] = spots
    return found


def _rows(path: Path, fmt: LineFormat, issues: IssueSet) -> list[_Row]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            records = list(csv.reader(handle))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"byte 0x{raw[exc.start]:02X} is not UTF-8: save the file as UTF-8 (CSV UTF-8)"
        issues.add(Issue(str(path), line, "", "file-unreadable", message))
        return []
    if not records:
        issues.add(Issue(str(path), 1, "", "file-empty", "the file has no header row"))
        return []
    spots = _resolve(records[0], fmt)
    for column in REQUIRED:
        if column not in spots and column not in fmt.constants:
            wanted = " or ".join(repr(h) for h in fmt.headers(column))
            issues.add(
                Issue(str(path), 1, column, "column-missing", f"no column {wanted} ({fmt.name})")
            )
    return [
        _Row(str(path), number, _cells(record, spots, fmt))
        for number, record in enumerate(records[1:], start=2)
        if any(value.strip() for value in record)  # (spreadsheets write blank lines)
    ]


def _cells(
    record: list[str], spots: Mapping[str, list[tuple[str, int]]], fmt: LineFormat
) -> dict[str, tuple[str, str]]:
    """One record's values by nrr column: the first non-empty of its headers, then the
    constants, then the value maps."""
    cells: dict[str, tuple[str, str]] = {}
    for column, places in spots.items():
        values = [(h, record[i].strip() if i < len(record) else "") for h, i in places]
        cells[column] = next(((h, v) for h, v in values if v), values[0])
    for column, value in fmt.constants.items():
        cells[column] = (column, value)
    for column, table in fmt.values.items():
        if column in cells:
            header, value = cells[column]
            cells[column] = (header, table.get(value.casefold(), value))
    return cells


def _date(row: _Row, column: str, fmt: LineFormat, issue: list[Issue]) -> date | None:
    text = row.text(column)
    if not text:
        return None
    day = read_date(text, fmt.date_formats)
    if day is None:
        shown = " or ".join(fmt.date_formats)
        issue.append(_at(row, column, "date-format", f"{text!r} is not a date ({shown})"))
    elif not FIRST <= day <= LAST:
        issue.append(_at(row, column, "date-range", f"{text!r} is not between 1900 and 2999"))
        return None
    return day


def _decimal(row: _Row, column: str, fmt: LineFormat, issues: list[Issue]) -> Decimal | None:
    text = row.text(column)
    if not text:
        return None
    plain = fmt.number_text(text)
    if plain is None:
        issues.append(_at(row, column, "decimal-format", f"{text!r} is not a plain decimal"))
        return None
    value = Decimal(plain)
    if abs(value) > MAX_AMOUNT:
        issues.append(_at(row, column, "amount-too-large", f"{text!r} is above 1e15"))
        return None
    return value


def _at(row: _Row, column: str, rule: str, message: str) -> Issue:
    return Issue(row.file, row.line, row.header(column), rule, message)


def _line(row: _Row, fmt: LineFormat) -> tuple[InvoiceLine | None, list[Issue]]:
    issues: list[Issue] = []
    for column in ("customer_id", "amount", "currency", "kind", "invoice_date"):
        if not row.text(column):
            issues.append(_at(row, column, "value-required", "is empty"))
    kind = row.text("kind").casefold()
    if kind and kind not in KINDS:
        issues.append(
            _at(row, "kind", "line-kind", f"{row.text('kind')!r} is not one of {', '.join(KINDS)}")
        )
    currency = row.text("currency")
    if currency and not _CURRENCY.match(currency):
        issues.append(_at(row, "currency", "currency-format", f"{currency!r} is not a code"))
    invoice_date = _date(row, "invoice_date", fmt, issues)
    start = _date(row, "service_period_start", fmt, issues)
    end = _date(row, "service_period_end", fmt, issues)
    if end is not None and fmt.period_end_inclusive:
        end += timedelta(days=1)
    amount = _decimal(row, "amount", fmt, issues)
    discount = _decimal(row, "discount_amount", fmt, issues) or Decimal(0)
    tax = _decimal(row, "tax_amount", fmt, issues) or Decimal(0)
    _decimal(row, "quantity", fmt, issues)
    issues += _period_issues(row, kind, start, end)
    if issues or amount is None or invoice_date is None:
        return None, issues
    return (
        InvoiceLine(
            line=row.line,
            customer_id=row.text("customer_id"),
            customer_name=row.text("customer_name"),
            invoice_id=row.text("invoice_id"),
            invoice_date=invoice_date,
            start=start,
            end=end,
            amount=amount - discount,
            currency=currency.upper(),
            kind=kind,
            product=row.text("product"),
            subscription_id=row.text("subscription_id"),
            tax=tax,
        ),
        [],
    )


def _period_issues(row: _Row, kind: str, start: date | None, end: date | None) -> list[Issue]:
    issues = []
    if kind in PERIODIC:
        for column, day in (("service_period_start", start), ("service_period_end", end)):
            if day is None and not row.text(column):
                issues.append(_at(row, column, "value-required", f"a {kind} line needs it"))
    if start is not None and end is not None and end <= start:
        issues.append(
            _at(row, "service_period_end", "end-after-start", "is not after the period's start")
        )
    return issues


def read_lines(path: Path, fmt: LineFormat) -> list[InvoiceLine]:
    """Every line of ``path`` checked; ``InputError`` naming each bad row's line and header."""
    issues = IssueSet()
    rows = _rows(path, fmt, issues)
    if issues.errors:
        raise InputError(issues)
    lines = []
    for row in rows:
        line, found = _line(row, fmt)
        issues.extend(found)
        if line is not None:
            lines.append(line)
    if issues.errors:
        raise InputError(issues)
    return lines
