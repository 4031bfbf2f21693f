"""``nrr map suggest``: propose a column mapping for a folder or a file (docs/mapping.md)."""

from __future__ import annotations

from pathlib import Path

import click

from nrr.cli.errors import fail, handle_errors
from nrr.cli.output import stderr

TABLE_NAMES = (
    "customers",
    "subscriptions",
    "events",
    "fx_rates",
    "customer_attributes",
    "signals",
)


@click.group(name="map")
def mapping() -> None:
    """Column mappings: read data whose columns are named and written your own way."""


@mapping.command()
@click.argument("data", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--table",
    type=click.Choice(TABLE_NAMES),
    default=None,
    help="The nrr table a single file holds, when its name and headers do not say.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the mapping to FILE instead of stdout (an existing file is not replaced).",
)
@handle_errors
def suggest(data: Path, table: str | None, output: Path | None) -> None:
    """Propose a mapping.toml for DATA (a folder or one CSV/Parquet file) from its headers
    and a sample of its rows; lines marked CHECK are guesses to confirm."""
    from nrr.api import suggest_mapping  # here: --help must not load pyarrow

    text = suggest_mapping(data, table)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        fail(f"{output} exists: remove it or choose another --output", 2)
    output.write_text(text, encoding="utf-8")
    stderr.print(
        f"wrote {output}: read the lines marked CHECK, then run nrr validate "
        f"{data if data.is_dir() else data.parent} --map {output}",
        markup=False,
        soft_wrap=True,
    )
