"""``nrr import stripe``: Stripe API objects or its subscriptions CSV in, a dataset out."""

from __future__ import annotations

from pathlib import Path

import click

from nrr.cli.errors import handle_errors
from nrr.cli.importing import finish


@click.command("stripe")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(path_type=Path),
    help="A folder of Stripe objects (customers, subscriptions, invoices, credit_notes as "
    ".jsonl or .json), or the dashboard's subscriptions CSV export.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="A new (or empty) folder for the dataset.",
)
@click.option(
    "--fx-rates",
    type=click.Path(path_type=Path, dir_okay=False),
    help="nrr's fx_rates CSV, copied into the dataset (needed with several currencies).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
@handle_errors
def stripe(source: Path, out: Path, fx_rates: Path | None, quiet: bool) -> None:
    """Import Stripe subscriptions, invoices and customers (docs/importing.md, "Stripe").

    Prices become lines per billing period (amount, billing_months) net of recurring
    discounts; their history comes from the invoices, the current state from the
    subscription. Taxes, one-time items, prorations and refunds are left out and counted.
    """
    from nrr.importers.stripe import import_stripe

    finish(import_stripe(source, out, fx_rates), out, quiet)
