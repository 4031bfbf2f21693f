"""``nrr report``, ``nrr customers`` and ``nrr cohorts``: the figures and who is behind them.

Each command parses its options, calls one ``Dataset`` method and renders: a Rich table
on the terminal, or the unrounded Arrow table in a machine format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from nrr.cli.errors import handle_errors
from nrr.cli.options import (
    map_option,
    open_dataset,
    output_options,
    parse_date,
    selection_options,
    selection_request,
    unit_option,
)
from nrr.cli.output import emit, show, stderr, title, working
from nrr.definitions import CATEGORIES, CustomersRequest, FxMode, Level, Method
from nrr.render import cohort_triangle, interpretation, period_label, plain_table, report_table

if TYPE_CHECKING:
    from nrr.api import Dataset
    from nrr.results import Report


@click.command()
@selection_options
@unit_option
@click.option(
    "--method",
    type=click.Choice([m.value for m in Method]),
    default="snapshot",
    show_default=True,
    help="compounded: a period's NRR as the product of its monthly NRRs.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Print the definitions in force and the SQL, instead of the report.",
)
@output_options
@handle_errors
def report(
    data: str,
    period: str,
    start: str | None,
    end: str | None,
    by: tuple[str, ...],
    level: str,
    filters: tuple[str, ...],
    currency: str | None,
    fx: str,
    fiscal_year_start: int,
    engine_name: str,
    spark_master: str | None,
    quiet: bool,
    unit: str,
    method: str,
    explain: bool,
    fmt: str,
    output: Path | None,
    decimals: int | None,
) -> None:
    """NRR, GRR and the MRR bridge of DATA per period (and group)."""
    dataset = open_dataset(data, engine_name, quiet, spark_master)
    request = selection_request(
        dataset,
        period,
        start,
        end,
        by,
        level,
        filters,
        currency,
        fx,
        fiscal_year_start,
        method,
        quiet=quiet,
        unit=unit,
    )
    if explain:
        click.echo(dataset.explain(request))
        return
    with working("computing the report", quiet):
        result = dataset.run(request)
    if not result.periods and not quiet:
        stderr.print(
            f"note: no whole {period} period lies inside [{request.start}, "
            f"{request.end}); widen --from/--to"
        )
    if fmt == "table":
        _show_report(dataset, result, output)
    else:
        emit(result.table, fmt, output, decimals)


def _show_report(dataset: Dataset, result: Report, output: Path | None) -> None:
    """The report's table with whole-range (or ungrouped) totals and a plain reading."""
    request = result.request
    totals = dataset.totals(result)
    heading = (
        title("NRR", request, result.currency)
        + (f", {request.method.value} method" if request.method is Method.COMPOUNDED else "")
        + (", constant currency" if request.fx is FxMode.CONSTANT else "")
    )
    table = report_table(
        result.to_pylist(),
        request.by,
        result.label,
        heading,
        totals.to_pylist() if totals else (),
        "Total" if request.by else "Whole range",
        result.unit,
        as_of=result.as_of,
    )
    overall = totals.to_pylist() if request.by and totals else result.to_pylist()
    show([table, interpretation(overall, result.label)], output)


@click.command()
@selection_options
@unit_option
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=click.Choice(list(CATEGORIES)),
    help="Only units with this movement; repeatable.",
)
@click.option(
    "--lines",
    "with_lines",
    is_flag=True,
    help="List the subscription lines (or events) active at either end instead.",
)
@output_options
@handle_errors
def customers(
    data: str,
    period: str,
    start: str | None,
    end: str | None,
    by: tuple[str, ...],
    level: str,
    filters: tuple[str, ...],
    currency: str | None,
    fx: str,
    fiscal_year_start: int,
    engine_name: str,
    spark_master: str | None,
    quiet: bool,
    unit: str,
    categories: tuple[str, ...],
    with_lines: bool,
    fmt: str,
    output: Path | None,
    decimals: int | None,
) -> None:
    """The customers (or organizations) behind each report row, and how they moved."""
    dataset = open_dataset(data, engine_name, quiet, spark_master)
    request = selection_request(
        dataset,
        period,
        start,
        end,
        by,
        level,
        filters,
        currency,
        fx,
        fiscal_year_start,
        quiet=quiet,
        unit=unit,
    )
    with working("listing customers", quiet):
        result = dataset.run(CustomersRequest(request, tuple(categories), with_lines))
    if fmt != "table":
        emit(result.table, fmt, output, decimals)
        return
    heading = (
        f"{len(result):,} {'lines' if with_lines else 'rows'}, "
        f"{result.unit.label} in {result.currency}"
    )
    rows = result.to_pylist()
    show([plain_table(rows, heading, period_label(result.periods), result.as_of)], output)


@click.command()
@click.argument("data", type=click.Path())
@click.option(
    "--grain",
    type=click.Choice(["month", "quarter"]),
    default="month",
    show_default=True,
    help="Cohorts by acquisition month or quarter.",
)
@click.option(
    "--from",
    "start",
    default=None,
    metavar="DATE",
    help="First cohort period (YYYY-MM-DD); default: the data's first month.",
)
@click.option(
    "--to",
    "end",
    default=None,
    metavar="DATE",
    help="End of the range, exclusive: last cohort and last measurement.",
)
@click.option(
    "--by",
    default=None,
    metavar="ATTR",
    help="Split cohorts by an attribute as of acquisition (or 'product').",
)
@click.option(
    "--level", type=click.Choice([lv.value for lv in Level]), default="account", show_default=True
)
@click.option("--currency", default=None, help="Reporting currency.")
@unit_option
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
)
@click.option(
    "--spark-master",
    default=None,
    metavar="URL",
    help="Spark master for --engine spark (default local[2]).",
)
@click.option("--quiet", "-q", is_flag=True, help="No warnings on stderr.")
@map_option
@output_options
@handle_errors
def cohorts(
    data: str,
    grain: str,
    start: str | None,
    end: str | None,
    by: str | None,
    level: str,
    currency: str | None,
    unit: str,
    engine_name: str,
    spark_master: str | None,
    quiet: bool,
    fmt: str,
    output: Path | None,
    decimals: int | None,
) -> None:
    """Acquisition cohorts: how much of each cohort's MRR remains, age by age."""
    dataset = open_dataset(data, engine_name, quiet, spark_master)
    with working("computing cohorts", quiet):
        result = dataset.cohorts(
            grain,
            parse_date(start, "--from"),
            parse_date(end, "--to"),
            by,
            level,
            currency,
            unit=unit,
        )
    if fmt != "table":
        emit(result.table, fmt, output, decimals)
        return
    heading = (
        f"{level.capitalize()}-level NRR by {grain}ly acquisition cohort and age, "
        f"{result.currency}"
        + (f" {result.unit.label}" if unit == "arr" else "")
        + (f", by {by}" if by else "")
    )
    show(
        [cohort_triangle(result.to_pylist(), grain, heading, by, result.unit, result.as_of)], output
    )
