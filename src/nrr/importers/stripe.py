"""``nrr import stripe``: Stripe API objects (or its dashboard CSV) in, a dataset out.

    stripe_read           the files: JSON lines, a list object, a JSON array
    stripe_money          minor units per currency, intervals, coupons
    stripe_prices         prices and discounts by id
    stripe_invoices       invoice lines as price history and usage
    stripe_subscriptions  a subscription's lines: history, current state, end
    stripe_customers      customers and their metadata as attributes
    stripe_csv            the dashboard's subscriptions CSV export

The mapping and its assumptions are written down in docs/importing.md ("Stripe").
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

from nrr.errors import ConfigError
from nrr.importers.stripe_csv import read_csv
from nrr.importers.stripe_customers import Customer, attribute_columns, customers_of, rows_of
from nrr.importers.stripe_invoices import Segment, history
from nrr.importers.stripe_money import major, text
from nrr.importers.stripe_prices import Registry
from nrr.importers.stripe_read import StripeObjects, has_json, read_folder
from nrr.importers.stripe_subscriptions import lines_of_subscription, merge
from nrr.importers.summary import ImportSummary, Tally
from nrr.importers.writer import SUBSCRIPTION_COLUMNS, prepare_folder, write_table


def import_stripe(source: Path, out: Path, fx_rates: Path | None = None) -> ImportSummary:
    """Read ``source`` (a folder of JSON objects, or the CSV export), write ``out``."""
    tally = Tally(f"Stripe ({source})")
    if not source.exists():
        raise ConfigError(f"--from {source} does not exist")
    if fx_rates is not None and not fx_rates.is_file():
        raise ConfigError(f"--fx-rates {fx_rates} is not a file")
    csv_file = _csv_file(source)
    if csv_file is not None:
        customers, segments = read_csv(csv_file, tally)
        segments = merge(segments)
    elif source.is_dir() and has_json(source):
        customers, segments = _from_objects(read_folder(source, tally), tally)
    else:
        raise ConfigError(
            f"--from {source} holds no Stripe export: give a folder with customers.jsonl, "
            "subscriptions.jsonl, invoices.jsonl, credit_notes.jsonl (or .json), or the "
            "dashboard's subscriptions CSV"
        )
    currencies = sorted({s.currency for s in segments if s.currency})
    if len(currencies) > 1 and fx_rates is None:
        raise ConfigError(
            f"the export uses several currencies ({', '.join(currencies)}): give their rates "
            "with --fx-rates FILE (nrr's fx_rates table, see docs/data-format.md)"
        )
    _write(out, customers, segments, fx_rates, tally)
    return tally.summary()


def _csv_file(source: Path) -> Path | None:
    if source.is_file() and source.suffix.lower() == ".csv":
        return source
    if source.is_dir() and not has_json(source):
        found = sorted(source.glob("*.csv"))
        if len(found) == 1:
            return found[0]
    return None


def _from_objects(objects: StripeObjects, tally: Tally) -> tuple[list[Customer], list[Segment]]:
    registry = Registry(objects)
    found = history(objects.invoices, registry, tally)
    segments: list[Segment] = []
    known = set()
    for sub in objects.subscriptions:
        sub_id = str(sub.get("id") or "")
        known.add(sub_id)
        segments += lines_of_subscription(
            sub, found.segments.get(sub_id, []), found.cuts.get(sub_id, []), registry, tally
        )
    for sub_id, invoiced in found.segments.items():
        if sub_id not in known:
            tally.warn(
                f"subscription {sub_id} has invoices but is not in subscriptions: "
                "its lines end with its last invoiced period"
            )
            segments += merge(invoiced)
    segments += found.usage
    _credit_notes(objects, tally)
    customers = customers_of(objects.customers, tally)
    return customers, segments


def _credit_notes(objects: StripeObjects, tally: Tally) -> None:
    """Refunds and credit notes do not change MRR (docs/importing.md); their sums are told."""
    totals: dict[str, int] = defaultdict(int)
    for note in objects.credit_notes:
        if note.get("status") == "void":
            tally.skip("credit notes in status void")
            continue
        currency = str(note.get("currency") or "").upper()
        totals[currency] += int(note.get("total") or note.get("amount") or 0)
        tally.skip("credit notes and refunds (they do not change MRR)")
    for currency, total in sorted(totals.items()):
        tally.warn(f"credit notes total {text(major(total, currency))} {currency}, not netted")


def _write(
    out: Path,
    customers: list[Customer],
    segments: list[Segment],
    fx_rates: Path | None,
    tally: Tally,
) -> None:
    listed = {c.id for c in customers}
    missing = sorted({s.customer_id for s in segments} - listed)
    if missing:
        tally.warn(
            f"{len(missing):,} customers have subscriptions but are not in customers "
            f"(e.g. {missing[0]}): written with an empty name"
        )
        customers = customers + [Customer(c, "") for c in missing]
    columns = attribute_columns(customers, tally)
    header, rows = rows_of(customers, columns)
    prepare_folder(out)
    tally.wrote("customers", write_table(out, "customers", header, rows))
    tally.wrote(
        "subscriptions",
        write_table(out, "subscriptions", SUBSCRIPTION_COLUMNS, (_row(s) for s in segments)),
    )
    if fx_rates is not None:
        shutil.copyfile(fx_rates, out / "fx_rates.csv")
        with fx_rates.open(encoding="utf-8-sig") as handle:
            tally.wrote("fx_rates (copied from --fx-rates)", max(0, sum(1 for _ in handle) - 1))


def _row(s: Segment) -> dict[str, str]:
    return {
        "customer_id": s.customer_id,
        "start_date": s.start.isoformat(),
        "end_date": "" if s.end is None else s.end.isoformat(),
        "amount": text(s.amount),
        "billing_months": str(s.billing_months),
        "currency": s.currency,
        "kind": s.kind,
        "product": s.product,
        "subscription_id": s.subscription_id,
    }
