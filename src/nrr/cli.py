"""The ``nrr`` command line: thin commands over the Python API.

Each command parses its options, calls one API function and renders. Data goes to stdout,
messages to stderr. Exit codes: 0 ok, 1 input errors, 2 usage, 3 engine/unexpected.

Importing this module stays cheap: the API (ibis, DuckDB, pandas, pyarrow) loads inside the
commands that use it and the modules of ``LazyGroup.lazy`` only when their command runs, so
``--help``, ``--version`` and usage errors answer at once (tests/test_cold_start.py).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from gettext import gettext as _
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from nrr import __version__
from nrr.cli_words import cli_words
from nrr.definitions import CATEGORIES, FxMode, Grain, Level, Method, ReportRequest
from nrr.errors import InputError, NrrError
from nrr.render import (  # light: pyarrow loads inside render_bytes
    FORMATS,
    cohort_triangle,
    interpretation,
    period_label,
    plain_table,
    render_bytes,
    report_table,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from nrr.api import Dataset
    from nrr.results import Report

F = TypeVar("F", bound=Callable[..., Any])

stderr = Console(stderr=True, highlight=False)


def fail(message: str, code: int) -> None:
    # escape: "install nrr[spark]" must not lose its brackets to Rich markup
    stderr.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Map NrrError to its exit code and unexpected failures to one line (exit 3)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _print_issues(exc)
            sys.exit(exc.exit_code)
        except NrrError as exc:
            fail(cli_words(exc), exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if debug:
                raise
            fail(f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)", 3)

    return wrapper  # type: ignore[return-value]


def _print_issues(exc: InputError) -> None:
    errors = exc.issues.errors
    for issue in exc.issues:
        click.echo(issue.render(), err=True)
    files = len({issue.file for issue in errors})
    click.echo(
        f"{len(errors)} error{'s' if len(errors) != 1 else ''} in {files} "
        f"file{'s' if files != 1 else ''}; nothing was computed. "
        "Rule ids are explained in docs/validation-errors.md.",
        err=True,
    )


def print_warnings(dataset: Dataset, quiet: bool) -> None:
    if not quiet:
        for issue in dataset.warnings:
            click.echo(issue.render(), err=True)


@contextmanager
def working(message: str, quiet: bool = False) -> Iterator[None]:
    """A spinner on stderr while long work runs; silent when piped or with --quiet."""
    if quiet or not stderr.is_terminal:
        yield
        return
    with stderr.status(f"{message}…", spinner="dots"):
        yield


def open_dataset(data: str, engine_name: str, quiet: bool, master: str | None = None) -> Dataset:
    from nrr.api import load

    with working("reading and validating the data", quiet):
        dataset = load(data, engine=engine_name, master=master)
    print_warnings(dataset, quiet)
    return dataset


def output_options(func: F) -> F:
    """The same --format/--output/--decimals on every tabular command."""
    func = click.option(
        "--decimals", type=click.IntRange(0, 12), default=None,
        help="Round numbers in csv/json/parquet output (default: unrounded).",
    )(func)
    func = click.option(
        "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Write to FILE instead of stdout.",
    )(func)
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
        help="Output format; machine formats are unrounded.",
    )(func)


def _date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not a date in YYYY-MM-DD form"
        raise click.BadParameter(message, param_hint=name) from None


def _parse_filters(values: tuple[str, ...]) -> list[tuple[str, str]]:
    filters = []
    for value in values:
        name, sep, wanted = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not ATTRIBUTE=VALUE", param_hint="--filter")
        filters.append((name.strip().lower(), wanted))
    return filters


def _parse_by(values: tuple[str, ...]) -> list[str]:
    return [p.strip().lower() for v in values for p in v.split(",") if p.strip()]


class LazyGroup(click.Group):
    """Commands whose modules load only when used, so `nrr report` starts fast."""

    lazy: ClassVar[dict[str, str]] = {
        "serve": "nrr.web.command:serve",
        "forecast": "nrr.insights.commands:forecast",
        "signals": "nrr.insights.commands:signals",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        # found, not imported: listing the commands must not load what they import
        lazy = [name for name in self.lazy if _module_exists(self.lazy[name].split(":")[0])]
        return sorted([*super().list_commands(ctx), *lazy])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's own listing, with each lazy command's summary read from its source."""
        commands = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self._summary(ctx, name)) is not None and not command.hidden
        ]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)

    def _summary(self, ctx: click.Context, name: str) -> click.Command | None:
        """A stand-in with the help of a lazy command that is not loaded yet, else the command."""
        if name in self.lazy:
            module, attribute = self.lazy[name].split(":")
            if module not in sys.modules and (doc := _command_docstring(module, attribute)):
                return click.Command(name, help=doc)
        return self.get_command(ctx, name)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attribute = self.lazy[name].split(":")
            try:
                command = getattr(importlib.import_module(module), attribute)
            except ModuleNotFoundError as exc:
                if not exc.name or not f"{module}.".startswith(f"{exc.name}."):
                    raise  # a missing dependency must say so, not hide the command
                return None  # a command whose module is not part of this build
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, name)


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _command_docstring(module: str, attribute: str) -> str | None:
    """The docstring of ``@click.command()``-decorated ``attribute`` in ``module``'s source.

    None when the source is unavailable or the command is declared any other way (a
    ``short_help``, ``hidden`` or ``deprecated`` argument would change the listing): the
    caller then imports the module instead.
    """
    spec = importlib.util.find_spec(module)
    get_source = getattr(spec.loader, "get_source", None) if spec else None
    source = get_source(module) if get_source else None
    if not isinstance(source, str):
        return None
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == attribute:
            decorators = [ast.unparse(d) for d in node.decorator_list]
            return ast.get_docstring(node, clean=False) if "click.command()" in decorators else None
    return None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nrr")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def cli(debug: bool) -> None:
    """Net revenue retention from subscription data.

    DATA is a folder of CSV or Parquet files (customers, subscriptions or events, and
    optionally fx_rates and customer_attributes), a DuckDB file holding those tables, or a
    PostgreSQL URL: postgresql://USER@HOST[:PORT]/DB[?schema=SCHEMA] (password from
    PGPASSWORD or ~/.pgpass).
    """


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--customers", type=click.IntRange(1), default=5000, show_default=True)
@click.option("--months", type=click.IntRange(1, 240), default=36, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--start", "start_text", default="2023-01-01", show_default=True,
              help="First month of the generated history.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True)
@handle_errors
def demo(
    directory: Path, customers: int, months: int, seed: int, start_text: str, fmt: str
) -> None:
    """Write a realistic, deterministic demo dataset into DIRECTORY."""
    from nrr.demo import generate

    start = _date_option(start_text, "--start")
    assert start is not None
    summary = generate(
        directory, customers=customers, months=months, seed=seed,
        start=start.replace(day=1), fmt=fmt,  # type: ignore[arg-type]
    )
    stderr.print(
        f"wrote {summary.customers:,} customers ({summary.organizations:,} organizations), "
        f"{summary.subscriptions:,} subscription lines, {summary.attribute_changes:,} "
        f"attribute changes in {', '.join(summary.currencies)} from "
        f"{summary.first_month:%b %Y} to {summary.last_month:%b %Y} into {directory}"
    )


@cli.command()
@click.argument("data", type=click.Path())
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
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
        f"  currencies           {', '.join(staged.currencies)} "
        f"(base {staged.base_currency})"
    )
    out.print(f"  attributes           {', '.join(staged.attributes) or '(none)'}")


def selection_options(func: F) -> F:
    """What a report, a drill-down and an explanation share: which periods and units."""
    options = [
        click.argument("data", type=click.Path()),
        click.option("--period", type=click.Choice([g.value for g in Grain]), default="month",
                     show_default=True, help="Period grain; ttm = trailing twelve months."),
        click.option("--from", "start", default=None, metavar="DATE",
                     help="Start of the range (YYYY-MM-DD); default: the data's first month."),
        click.option("--to", "end", default=None, metavar="DATE",
                     help="End of the range, exclusive; default: the data's as-of month."),
        click.option("--by", multiple=True, metavar="ATTR[,ATTR]",
                     help="Group by attributes (as of each period's start) or 'product'."),
        click.option("--level", type=click.Choice([lv.value for lv in Level]),
                     default="account", show_default=True,
                     help="Accounts, or organizations with child accounts rolled up."),
        click.option("--filter", "filters", multiple=True, metavar="ATTR=VALUE",
                     help="Keep units whose attribute equals VALUE; repeatable (AND)."),
        click.option("--currency", default=None,
                     help="Reporting currency (default: the base currency)."),
        click.option("--fx", type=click.Choice([m.value for m in FxMode]), default="actual",
                     show_default=True,
                     help="constant: convert both ends of a period at its start's rate."),
        click.option("--fiscal-year-start", type=click.IntRange(1, 12), default=1,
                     show_default=True, help="Month the fiscal year starts (quarter, year)."),
        click.option("--engine", "engine_name", type=click.Choice(["duckdb", "spark"]),
                     default="duckdb", show_default=True),
        click.option("--spark-master", default=None, metavar="URL",
                     help="Spark master for --engine spark (default local[2]; "
                     "spark://HOST:7077 for a cluster)."),
        click.option("--quiet", "-q", is_flag=True, help="No warnings or notes on stderr."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def selection_request(
    dataset: Dataset, period: str, start: str | None, end: str | None, by: tuple[str, ...],
    level: str, filters: tuple[str, ...], currency: str | None, fx: str,
    fiscal_year_start: int, method: str = "snapshot",
) -> ReportRequest:
    return dataset.request(
        period, _date_option(start, "--from"), _date_option(end, "--to"), _parse_by(by),
        level, _parse_filters(filters), currency, fiscal_year_start, method, fx,
    )


@cli.command()
@selection_options
@click.option("--method", type=click.Choice([m.value for m in Method]), default="snapshot",
              show_default=True,
              help="compounded: a period's NRR as the product of its monthly NRRs.")
@click.option("--explain", is_flag=True,
              help="Print the definitions in force and the SQL, instead of the report.")
@output_options
@handle_errors
def report(
    data: str, period: str, start: str | None, end: str | None, by: tuple[str, ...],
    level: str, filters: tuple[str, ...], currency: str | None, fx: str,
    fiscal_year_start: int, engine_name: str, spark_master: str | None, quiet: bool,
    method: str, explain: bool,
    fmt: str, output: Path | None, decimals: int | None,
) -> None:
    """NRR, GRR and the MRR bridge of DATA per period (and group)."""
    dataset = open_dataset(data, engine_name, quiet, spark_master)
    request = selection_request(
        dataset, period, start, end, by, level, filters, currency, fx, fiscal_year_start,
        method,
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
        _emit_report_table(dataset, result, output)
    else:
        emit(result.table, fmt, output, decimals)


@cli.command()
@selection_options
@click.option("--category", "categories", multiple=True,
              type=click.Choice(list(CATEGORIES)),
              help="Only units with this movement; repeatable.")
@click.option("--lines", "with_lines", is_flag=True,
              help="List the subscription lines (or events) active at either end instead.")
@output_options
@handle_errors
def customers(
    data: str, period: str, start: str | None, end: str | None, by: tuple[str, ...],
    level: str, filters: tuple[str, ...], currency: str | None, fx: str,
    fiscal_year_start: int, engine_name: str, spark_master: str | None, quiet: bool,
    categories: tuple[str, ...],
    with_lines: bool, fmt: str, output: Path | None, decimals: int | None,
) -> None:
    """The customers (or organizations) behind each report row, and how they moved."""
    dataset = open_dataset(data, engine_name, quiet, spark_master)
    request = selection_request(
        dataset, period, start, end, by, level, filters, currency, fx, fiscal_year_start
    )
    with working("listing customers", quiet):
        result = dataset.customers(
        request.grain, request.start, request.end, request.by, request.level,
            request.filters, request.currency, request.fiscal_year_start, request.fx,
            list(categories), with_lines,
        )
    if fmt != "table":
        emit(result.table, fmt, output, decimals)
        return
    title = f"{len(result):,} {'lines' if with_lines else 'rows'}, MRR in {result.currency}"
    _print_table(plain_table(result.to_pylist(), title, period_label(result.periods)), output)


@cli.command()
@click.argument("data", type=click.Path())
@click.option("--grain", type=click.Choice(["month", "quarter"]), default="month",
              show_default=True, help="Cohorts by acquisition month or quarter.")
@click.option("--from", "start", default=None, metavar="DATE",
              help="First cohort period (YYYY-MM-DD); default: the data's first month.")
@click.option("--to", "end", default=None, metavar="DATE",
              help="End of the range, exclusive: last cohort and last measurement.")
@click.option("--by", default=None, metavar="ATTR",
              help="Split cohorts by an attribute as of acquisition (or 'product').")
@click.option("--level", type=click.Choice([lv.value for lv in Level]), default="account",
              show_default=True)
@click.option("--currency", default=None, help="Reporting currency.")
@click.option("--engine", "engine_name", type=click.Choice(["duckdb", "spark"]),
              default="duckdb", show_default=True)
@click.option("--spark-master", default=None, metavar="URL",
              help="Spark master for --engine spark (default local[2]).")
@click.option("--quiet", "-q", is_flag=True, help="No warnings on stderr.")
@output_options
@handle_errors
def cohorts(
    data: str, grain: str, start: str | None, end: str | None, by: str | None, level: str,
    currency: str | None, engine_name: str, spark_master: str | None, quiet: bool, fmt: str,
    output: Path | None,
    decimals: int | None,
) -> None:
    """Acquisition cohorts: how much of each cohort's MRR remains, age by age."""
    dataset = open_dataset(data, engine_name, quiet, spark_master)
    with working("computing cohorts", quiet):
        result = dataset.cohorts(
            grain, _date_option(start, "--from"), _date_option(end, "--to"), by, level, currency
        )
    if fmt != "table":
        emit(result.table, fmt, output, decimals)
        return
    title = (
        f"{level.capitalize()}-level NRR by {grain}ly acquisition cohort and age, "
        f"{result.currency}" + (f", by {by}" if by else "")
    )
    _print_table(cohort_triangle(result.to_pylist(), grain, title, by), output)


def emit(table: pa.Table, fmt: str, output: Path | None, decimals: int | None) -> None:
    """Machine formats to stdout or a file."""
    if output is None:
        sys.stdout.buffer.write(render_bytes(table, fmt, decimals))
        sys.stdout.flush()
        return
    output.write_bytes(render_bytes(table, fmt, decimals))
    stderr.print(f"wrote {table.num_rows} rows to {output}")


def _emit_report_table(dataset: Dataset, result: Report, output: Path | None) -> None:
    request = result.request
    totals = dataset.totals(result)
    title = (
        f"{request.level.value.capitalize()}-level {request.grain.value} NRR, "
        f"{result.currency}"
        + (f", by {', '.join(request.by)}" if request.by else "")
        + "".join(f", {k}={v}" for k, v in request.filters)
        + (f", {request.method.value} method" if request.method is Method.COMPOUNDED else "")
        + (", constant currency" if request.fx is FxMode.CONSTANT else "")
    )
    table = report_table(
        result.to_pylist(),
        request.by,
        result.label,
        title,
        totals.to_pylist() if totals else (),
        "Total" if request.by else "Whole range",
    )
    overall = totals.to_pylist() if request.by and totals else result.to_pylist()
    notes = interpretation(overall, result.label)
    _print_table(table, output, notes)


def _print_table(table: Table, output: Path | None, notes: Text | None = None) -> None:
    if output is None:
        console = Console(highlight=False)
        if not console.is_terminal:  # piped: keep every column whole rather than wrap at 80
            console = Console(highlight=False, width=240)
        console.print(table)
        if notes is not None:
            console.print(notes)
        return
    with output.open("w", encoding="utf-8") as handle:
        console = Console(file=handle, highlight=False, width=240)
        console.print(table)
        if notes is not None:
            console.print(notes)
    stderr.print(f"wrote the table to {output}")


def main() -> None:
    cli(prog_name="nrr")
