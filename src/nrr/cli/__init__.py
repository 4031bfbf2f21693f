"""The ``nrr`` command line: thin commands over the Python API.

Each command parses its options, calls one API function and renders. Data goes to stdout,
messages to stderr. Exit codes: 0 ok, 1 input errors, 2 usage, 3 engine/unexpected
(``errors``).

    options   the shared options (selection, --format/--output/--decimals) -> a request
    output    consoles, tables to stdout or a file, machine formats, titles, spinners
    errors    NrrError -> message and exit code (``handle_errors``, ``fail``)
    data      nrr demo, nrr validate
    report    nrr report, nrr customers, nrr cohorts
    forecast  nrr forecast
    signals   nrr signals
    serve     nrr serve (the dashboard)
    importing nrr import SOURCE (billing-system exports -> a dataset folder)
    import_stripe    nrr import stripe
    import_invoices  nrr import invoices, nrr import chargebee
    mapping   nrr map suggest (a proposed column mapping)
    export    nrr export (the board report: HTML, PDF, XLSX)

Every command module is imported here, yet ``--help``, ``--version`` and usage errors
answer at once (tests/test_cold_start.py): the API (ibis, DuckDB, pandas, pyarrow), the
insights (statsmodels) and the web app load inside the commands that use them, never at a
module's top.
"""

from __future__ import annotations

import click

from nrr import __version__
from nrr.cli import (
    data,
    export,
    forecast,
    import_invoices,
    import_stripe,
    importing,
    mapping,
    report,
    serve,
    signals,
)

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nrr")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def cli(debug: bool) -> None:
    """Net revenue retention from subscription data.

    DATA is a folder of CSV or Parquet files (customers, subscriptions or events, and
    optionally fx_rates and customer_attributes), a DuckDB file holding those tables, or a
    PostgreSQL URL: postgresql://USER@HOST[:PORT]/DB[?schema=SCHEMA] (password from
    PGPASSWORD or ~/.pgpass).
    """


for command in (
    data.demo,
    data.validate,
    report.report,
    report.customers,
    report.cohorts,
    forecast.forecast,
    signals.signals,
    serve.serve,
    importing.import_group,
    mapping.mapping,
    export.export,
):
    cli.add_command(command)
for command in (import_stripe.stripe, import_invoices.invoices, import_invoices.chargebee):
    importing.import_group.add_command(command)


def main() -> None:
    cli(prog_name="nrr")
