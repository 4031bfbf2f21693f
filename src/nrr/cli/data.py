"""``nrr demo`` and ``nrr validate``: make a dataset, check a dataset."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from nrr.cli.errors import handle_errors
from nrr.cli.options import map_option, open_dataset, parse_date
from nrr.cli.output import stderr


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--customers", type=click.IntRange(1), default=5000, show_default=True)
@click.option("--months", type=click.IntRange(1, 240), default=36, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--start",
    "start_text",
    default="2023-01-01",
    show_default=True,
    help="First month of the generated history.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True
)
@handle_errors
def demo(
    directory: Path, customers: int, months: int, seed: int, start_text: str, fmt: str
) -> None:
    """Write a realistic, deterministic demo dataset into DIRECTORY."""
    from nrr.demo import generate

    start = parse_date(start_text, "--start")
    assert start is not None
    summary = generate(
        directory,
        customers=customers,
        months=months,
        seed=seed,
        start=start.replace(day=1),
        fmt=fmt,  # type: ignore[arg-type]
    )
    stderr.print(
        f"wrote {summary.customers:,} customers ({summary.organizations:,} organizations), "
        f"{summary.subscriptions:,} subscription lines, {summary.attribute_changes:,} "
        f"attribute changes in {', '.join(summary.currencies)} from "
        f"{summary.first_month:%b %Y} to {summary.last_month:%b %Y} into {directory}"
    )


@click.command()
@click.argument("data", type=click.Path())
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
@map_option
@handle_errors
def validate(data: str, quiet: bool) -> None:
    """Check DATA against the data contract and summarise it."""
    dataset = open_dataset(data, "duckdb", quiet)
    if quiet:
        return
    staged = dataset.staged
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"[bold green]ok[/]: {staged.source} satisfies the nrr data contract")
    for name, rows in staged.table_rows.items():
        out.print(f"  {name:<20} {rows:>10,} rows")
    out.print(f"  customers            {staged.customers.num_rows:>10,}")
    out.print(f"  organizations        {staged.organizations:>10,}")
    span = (
        f"{staged.first_date} to {staged.last_date}"
        if staged.first_date is not None
        else "none (no revenue rows)"
    )
    out.print(f"  date range           {span}")
    out.print(
        f"  currencies           {', '.join(staged.currencies)} (base {staged.base_currency})"
    )
    out.print(f"  attributes           {', '.join(staged.attributes) or '(none)'}")
    if staged.mapping is not None:
        out.print(f"  column mapping       {staged.mapping}", markup=False)
