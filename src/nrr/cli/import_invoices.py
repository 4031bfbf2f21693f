"""``nrr import invoices`` and ``nrr import chargebee``: invoice lines in, a dataset out.

Only options and wording live here; the reading, spreading and writing are
``nrr.importers.invoices``, imported inside the commands so ``--help`` stays light.
"""

from __future__ import annotations

from pathlib import Path

import click

from nrr.cli.errors import handle_errors
from nrr.cli.importing import finish
from nrr.cli.options import parse_date

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUT = click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="A new (or empty) folder for the dataset.",
)
_CUSTOMERS = click.option(
    "--customers",
    type=_FILE,
    help="A CSV of customers (customer_id, name, attribute columns); default: one row per "
    "customer of the lines, named by customer_name.",
)
_AS_OF = click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="The export's date: a subscription whose last service period ends after it is "
    "active. Default: the latest invoice_date.",
)
_FX = click.option(
    "--fx-rates", type=_FILE, help="An fx_rates CSV (date,currency,rate), copied as is."
)
_QUIET = click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")


def _run(
    lines: Path,
    fmt_name: str | None,
    mapping: Path | None,
    customers: Path | None,
    as_of: str | None,
    fx_rates: Path | None,
    out: Path,
    quiet: bool,
) -> None:
    from nrr.importers.chargebee import PRESETS
    from nrr.importers.invoice_format import DEFAULT, load_line_format
    from nrr.importers.invoices import InvoiceImport, import_invoices

    if mapping is not None and fmt_name is not None:
        raise click.UsageError("give --map or --preset, not both")
    fmt = PRESETS[fmt_name] if fmt_name else load_line_format(mapping) if mapping else DEFAULT
    job = InvoiceImport(lines, out, fmt, customers, fx_rates, parse_date(as_of, "--as-of"))
    finish(import_invoices(job), out, quiet)


@click.command("invoices")
@click.argument("lines", type=_FILE)
@_CUSTOMERS
@click.option(
    "--map",
    "mapping",
    type=_FILE,
    help="A mapping TOML whose [invoice_lines] section names your headers, date format, "
    "values and constants.",
)
@click.option(
    "--preset",
    type=click.Choice(["chargebee"]),
    help="Read a billing system's own export (same as `nrr import chargebee`).",
)
@_AS_OF
@_FX
@_OUT
@_QUIET
@handle_errors
def invoices(
    lines: Path,
    customers: Path | None,
    mapping: Path | None,
    preset: str | None,
    as_of: str | None,
    fx_rates: Path | None,
    out: Path,
    quiet: bool,
) -> None:
    """Import invoice lines (any billing system or warehouse) from the CSV LINES.

    Columns: customer_id, invoice_date, service_period_start, service_period_end
    (exclusive), amount, currency, kind (subscription, usage, one_time, tax, credit,
    discount), product, quantity; optional invoice_id, subscription_id, customer_name.
    Subscriptions are spread over their periods as MRR; usage stays usage; one-time, tax
    and credit lines are left out and counted. See docs/importing.md.
    """
    _run(lines, preset, mapping, customers, as_of, fx_rates, out, quiet)


@click.command("chargebee")
@click.argument("invoices_csv", metavar="INVOICES.csv", type=_FILE)
@_CUSTOMERS
@_AS_OF
@_FX
@_OUT
@_QUIET
@handle_errors
def chargebee(
    invoices_csv: Path,
    customers: Path | None,
    as_of: str | None,
    fx_rates: Path | None,
    out: Path,
    quiet: bool,
) -> None:
    """Import Chargebee's invoice export with line items (INVOICES.csv).

    The same as `nrr import invoices --preset chargebee`; docs/importing.md lists the
    columns read and what is assumed.
    """
    _run(invoices_csv, "chargebee", None, customers, as_of, fx_rates, out, quiet)
