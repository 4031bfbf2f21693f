"""Options shared by the commands, and what they become: a dataset, a ``ReportRequest``.

Every tabular command takes the same ``--format``/``--output``/``--decimals``/``--raw-csv``
(``output_options``); a report, its drill-down, its explanation and the insights take the
same selection of periods and units (``selection_options``), so ``nrr forecast`` forecasts
exactly the history ``nrr report`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from nrr.cli.output import RAW_CSV, print_warnings, stderr, working
from nrr.definitions import PRODUCT, FxMode, Grain, Level, Unit
from nrr.render import FORMATS

if TYPE_CHECKING:
    from nrr.api import Dataset
    from nrr.definitions import ReportRequest

F = TypeVar("F", bound=Callable[..., Any])


def _remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[RAW_CSV] = value


def output_options(func: F) -> F:
    """The same --format/--output/--decimals/--raw-csv on every tabular command.

    ``--raw-csv`` is not passed to the commands: ``emit`` reads it from the click context,
    so no command has to carry a switch it never looks at.
    """
    func = click.option(
        "--raw-csv",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Write csv text exactly as it is: no ' before a leading =, +, -, @, tab or CR "
        "(for programs; spreadsheets may run such cells as formulas).",
    )(func)
    func = click.option(
        "--decimals",
        type=click.IntRange(0, 12),
        default=None,
        help="Round numbers in csv/json/parquet output (default: unrounded).",
    )(func)
    func = click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to FILE instead of stdout.",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format; machine formats are unrounded.",
    )(func)


MAP = "nrr.map"


def _remember_map(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    ctx.meta[MAP] = value


def map_option(func: F) -> F:
    """``--map`` on every command that reads DATA; ``open_dataset`` reads it from the click
    context, so no command carries a value it only passes on."""
    return click.option(
        "--map",
        "mapping",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        callback=_remember_map,
        metavar="MAPPING.toml",
        help="Column mapping: the data's own column names, date format, separators, values "
        "(docs/mapping.md). Default: a mapping.toml in the data folder, if there is one.",
    )(func)


def selection_options(func: F) -> F:
    """What a report, a drill-down and an explanation share: which periods and units."""
    options = [
        click.argument("data", type=click.Path()),
        click.option(
            "--period",
            type=click.Choice([g.value for g in Grain]),
            default="month",
            show_default=True,
            help="Period grain; ttm = trailing twelve months.",
        ),
        click.option(
            "--from",
            "start",
            default=None,
            metavar="DATE",
            help="Start of the range (YYYY-MM-DD); default: the data's first month.",
        ),
        click.option(
            "--to",
            "end",
            default=None,
            metavar="DATE",
            help="End of the range, exclusive; default: the data's as-of month.",
        ),
        click.option(
            "--by",
            multiple=True,
            metavar="ATTR[,ATTR]",
            help="Group by attributes (as of each period's start) or 'product'; "
            "repeatable. A value that is exactly an attribute's name is not split on commas.",
        ),
        click.option(
            "--level",
            type=click.Choice([lv.value for lv in Level]),
            default="account",
            show_default=True,
            help="Accounts, or organizations with child accounts rolled up.",
        ),
        click.option(
            "--filter",
            "filters",
            multiple=True,
            metavar="ATTR=VALUE",
            help="Keep units whose attribute equals VALUE; repeatable (AND).",
        ),
        click.option(
            "--currency", default=None, help="Reporting currency (default: the base currency)."
        ),
        click.option(
            "--fx",
            type=click.Choice([m.value for m in FxMode]),
            default="actual",
            show_default=True,
            help="constant: convert both ends of a period at its start's rate.",
        ),
        click.option(
            "--fiscal-year-start",
            type=click.IntRange(1, 12),
            default=1,
            show_default=True,
            help="Month the fiscal year starts (quarter, year).",
        ),
        click.option(
            "--engine",
            "engine_name",
            type=click.Choice(["duckdb", "spark"]),
            default="duckdb",
            show_default=True,
        ),
        click.option(
            "--spark-master",
            default=None,
            metavar="URL",
            help="Spark master for --engine spark (default local[2]; "
            "spark://HOST:7077 for a cluster).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No warnings or notes on stderr."),
        map_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def unit_option(func: F) -> F:
    """``--unit``: amounts as MRR or as ARR (12 x MRR); ratios are the same in both.

    On the commands that print amounts of a report, its drill-down or its cohorts; the
    forecasts and signals work in MRR.
    """
    return click.option(
        "--unit",
        type=click.Choice([u.value for u in Unit]),
        default="mrr",
        show_default=True,
        help="Show amounts as MRR or as ARR (12 x MRR); NRR, GRR and logo retention "
        "are the same in both.",
    )(func)


def parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not a date in YYYY-MM-DD form"
        raise click.BadParameter(message, param_hint=name) from None


def parse_filters(values: tuple[str, ...]) -> list[tuple[str, str]]:
    filters = []
    for value in values:
        name, sep, wanted = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not ATTRIBUTE=VALUE", param_hint="--filter")
        filters.append((name.strip().lower(), wanted))
    return filters


def parse_by(values: tuple[str, ...], known: tuple[str, ...] = ()) -> list[str]:
    """``--by`` values as attribute names: a value that is exactly a ``known`` attribute
    is one name even with commas in it; any other is split on commas."""
    from nrr.api_requests import split_groups

    return split_groups(values, known)


def open_dataset(data: str, engine_name: str, quiet: bool, master: str | None = None) -> Dataset:
    from nrr.api import load  # here, not above: --help must not load ibis and DuckDB

    mapping = chosen_mapping(data, quiet)
    with working("reading and validating the data", quiet):
        dataset = load(data, engine=engine_name, master=master, mapping=mapping)
    print_warnings(dataset, quiet)
    return dataset


def chosen_mapping(data: str, quiet: bool) -> Path | None:
    """``--map``, else the mapping found beside the data, said on stderr (one line): a
    mapping the user did not name must not change the figures unannounced."""
    from nrr.api import find_mapping

    given: Path | None = click.get_current_context().meta.get(MAP)
    if given is not None:
        return given
    found = find_mapping(data)
    if found is not None and not quiet:
        stderr.print(
            f"note: reading the data through the column mapping {found} (docs/mapping.md)",
            markup=False,
            soft_wrap=True,
        )
    return found


def selection_request(
    dataset: Dataset,
    period: str,
    start: str | None,
    end: str | None,
    by: tuple[str, ...],
    level: str,
    filters: tuple[str, ...],
    currency: str | None,
    fx: str,
    fiscal_year_start: int,
    method: str = "snapshot",
    *,
    quiet: bool = False,
    unit: str = "mrr",
) -> ReportRequest:
    request = dataset.request(
        period,
        parse_date(start, "--from"),
        parse_date(end, "--to"),
        parse_by(by, dataset.attributes),
        level,
        parse_filters(filters),
        currency,
        fiscal_year_start,
        method,
        fx,
        unit,
    )
    if not quiet:
        for name, value in dataset.unmatched_filters(request):
            stderr.print(
                f"warning: --filter {name}={value} matches nothing: no "
                f"{'line' if name == PRODUCT else 'customer'} has that value anywhere in the "
                "data, so every figure will be zero (values are compared exactly, case included)",
                markup=False,
                soft_wrap=True,
            )
    return request
