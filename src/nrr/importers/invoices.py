"""``nrr import invoices``: invoice lines (any billing system or warehouse) -> a dataset.

Reading (``invoice_read``) checks every row; this module sorts lines by kind, nets
discounts and spreads subscriptions (``invoice_spread``), decides which subscriptions are
still active at the as-of date, and writes customers, subscriptions and, when given, the
fx rates. What it leaves out is counted in the summary (docs/importing.md).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

from nrr.errors import ConfigError
from nrr.importers.invoice_format import LineFormat
from nrr.importers.invoice_read import InvoiceLine, read_lines
from nrr.importers.invoice_spread import Segment, net_discounts, subscription_segments
from nrr.importers.summary import ImportSummary, Tally
from nrr.importers.writer import SUBSCRIPTION_COLUMNS, prepare_folder, write_table

# kinds that never become MRR, with the words the summary counts them in
LEFT_OUT = {
    "one_time": "one-time lines (not recurring revenue)",
    "tax": "tax lines (not revenue)",
    "credit": "credit lines (credit notes and refunds: not MRR)",
}


@dataclass(frozen=True)
class InvoiceImport:
    """What to import: the lines, how they are written, and the optional extras."""

    lines: Path
    out: Path
    fmt: LineFormat
    customers: Path | None = None
    fx_rates: Path | None = None
    as_of: date | None = None


def decimal_text(value: Fraction, max_places: int = 6) -> str | None:
    """``value`` as exact decimal text, or None when it needs more than ``max_places``."""
    for digits in range(max_places + 1):
        scaled = value * 10**digits
        if scaled.denominator == 1:
            whole = abs(scaled.numerator)
            sign = "-" if value < 0 else ""
            text = str(whole).rjust(digits + 1, "0")
            return sign + (f"{text[:-digits]}.{text[-digits:]}" if digits else text)
    return None


def amount_columns(segment: Segment) -> tuple[str, str]:
    """(amount, billing_months) saying ``segment.mrr`` exactly when decimals allow: the
    cycle's amount over its months (1200 / 12), else the monthly amount, else rounded."""
    for months in (segment.months, 1):
        text = decimal_text(segment.mrr * months)
        if text is not None:
            return text, str(months)
    return str(round(float(segment.mrr * segment.months), 6)), str(segment.months)


def subscription_rows(segments: Sequence[Segment], as_of: date) -> list[dict[str, str]]:
    """Segments as subscription rows; a key's last segment reaching past ``as_of`` is
    active (its subscription renews until cancelled), an earlier one ended on its end."""
    last = {segment.key: segment for segment in segments}
    rows = []
    for segment in segments:
        customer_id, subscription_id, product, currency = segment.key
        active = last[segment.key] is segment and segment.end > as_of
        amount, months = amount_columns(segment)
        rows.append(
            {
                "customer_id": customer_id,
                "start_date": segment.start.isoformat(),
                "end_date": "" if active else segment.end.isoformat(),
                "amount": amount,
                "billing_months": months,
                "currency": currency,
                "kind": "recurring",
                "product": product,
                "subscription_id": subscription_id,
            }
        )
    return rows


def usage_rows(lines: Sequence[InvoiceLine], tally: Tally) -> list[dict[str, str]]:
    """Usage lines as they are: usage over their service period (docs/definitions.md)."""
    rows = []
    for line in lines:
        assert line.start is not None and line.end is not None
        if line.amount < 0:
            tally.skip("usage lines with a negative amount (a usage credit: not MRR)")
            continue
        rows.append(
            {
                "customer_id": line.customer_id,
                "start_date": line.start.isoformat(),
                "end_date": line.end.isoformat(),
                "amount": str(line.amount),
                "currency": line.currency,
                "kind": "usage",
                "product": line.product,
                "subscription_id": line.subscription_id,
            }
        )
    return rows


def customer_rows(
    lines: Sequence[InvoiceLine], path: Path | None, tally: Tally
) -> tuple[list[str], list[dict[str, str]]]:
    """The customers file's rows as written, plus any customer of the lines it lacks;
    without a file, one row per customer seen (named by ``customer_name`` or the id)."""
    names: dict[str, str] = {}
    for line in lines:
        if line.customer_name or line.customer_id not in names:
            names[line.customer_id] = line.customer_name or line.customer_id
    columns: list[str] = ["customer_id", "name"]
    rows: list[dict[str, str]] = []
    if path is not None:
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                columns = [c.strip() for c in reader.fieldnames or []]
                rows = [
                    {str(c).strip(): str(v or "") for c, v in row.items() if c is not None}
                    for row in reader
                ]
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read --customers {path}: {exc}") from exc
        if "customer_id" not in columns:
            raise ConfigError(f"--customers {path} has no customer_id column")
        if "name" not in columns:
            columns.insert(1, "name")
    known = {row.get("customer_id", "").strip() for row in rows}
    missing = [c for c in sorted(names) if c not in known]
    if path is not None and missing:
        tally.warn(f"{len(missing)} customers of the invoice lines are not in --customers: added")
    rows += [{"customer_id": c, "name": names[c]} for c in missing]
    return columns, rows


def import_invoices(job: InvoiceImport) -> ImportSummary:
    """Read, spread and write; the written folder is validated by the caller."""
    tally = Tally(f"{job.fmt.name} {job.lines.name}")
    lines = read_lines(job.lines, job.fmt)
    tally.read("invoice lines", len(lines))
    currencies = sorted({line.currency for line in lines if line.kind in ("subscription", "usage")})
    if len(currencies) > 1 and job.fx_rates is None:
        raise ConfigError(
            f"the lines use {len(currencies)} currencies ({', '.join(currencies)}): give "
            "--fx-rates FILE (date,currency,rate; see docs/data-format.md)"
        )
    prepare_folder(job.out)
    for kind, reason in LEFT_OUT.items():
        count = sum(1 for line in lines if line.kind == kind)
        if count:
            tally.skip(reason, count)
    taxed = sum(1 for line in lines if line.tax and line.kind not in LEFT_OUT)
    if taxed:
        tally.skip("tax amounts carried on other lines (not revenue)", taxed)
    subscriptions = [line for line in lines if line.kind == "subscription"]
    discounts = [line for line in lines if line.kind == "discount"]
    charges = net_discounts(subscriptions, discounts, tally)
    as_of = job.as_of or max((line.invoice_date for line in lines), default=date.today())
    rows = subscription_rows(subscription_segments(charges, tally), as_of)
    rows += usage_rows([line for line in lines if line.kind == "usage"], tally)
    rows.sort(key=lambda row: (row["customer_id"], row["start_date"], row["product"]))
    tally.wrote("subscriptions", write_table(job.out, "subscriptions", SUBSCRIPTION_COLUMNS, rows))
    columns, customers = customer_rows(lines, job.customers, tally)
    tally.wrote("customers", write_table(job.out, "customers", columns, customers))
    if job.fx_rates is not None:
        try:
            shutil.copyfile(job.fx_rates, job.out / "fx_rates.csv")
        except OSError as exc:
            raise ConfigError(f"cannot read --fx-rates {job.fx_rates}: {exc}") from exc
        with job.fx_rates.open(newline="", encoding="utf-8-sig") as handle:
            tally.wrote("fx_rates (copied as is)", max(0, len(list(csv.reader(handle))) - 1))
    tally.warn(
        f"as of {as_of.isoformat()}: a subscription whose last period ends after it is active"
    )
    return tally.summary()
