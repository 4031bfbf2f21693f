"""What the commands print, and where: data to stdout or ``--output``, messages to stderr.

One place for the consoles, so every command prints tables the same way (wide when piped,
so a column is never wrapped at 80) and titles name the request the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console, RenderableType

from nrr.definitions import SCHEDULED_NOTE, Unit
from nrr.errors import ConfigError
from nrr.render import render_bytes  # light: pyarrow loads inside render_bytes

if TYPE_CHECKING:
    import pyarrow as pa

    from nrr.api import Dataset
    from nrr.definitions import ReportRequest
    from nrr.results import Report

stderr = Console(stderr=True, highlight=False)
RAW_CSV = "nrr.raw_csv"  # click context meta key set by --raw-csv (nrr.cli.options)


@contextmanager
def working(message: str, quiet: bool = False) -> Iterator[None]:
    """A spinner on stderr while long work runs; silent when piped or with --quiet."""
    if quiet or not stderr.is_terminal:
        yield
        return
    with stderr.status(f"{message}…", spinner="dots"):
        yield


def print_warnings(dataset: Dataset, quiet: bool) -> None:
    if not quiet:
        for issue in dataset.warnings:
            click.echo(issue.render(), err=True)


def notes(lines: Sequence[str], quiet: bool) -> None:
    """Notes go to stderr with a machine format, so stdout stays parseable."""
    if not quiet:
        for line in lines:
            stderr.print(f"note: {line}", soft_wrap=True)


def scheduled_notes(report: Report, use: str) -> list[str]:
    """What to say when a history reaches past the data's as-of date (docs/definitions.md,
    "Scheduled is not happened"): ``use`` says what is made of those periods."""
    if not report.scheduled:
        return []
    return [
        f"{report.scheduled} row(s) end after the data's as-of date ({report.as_of}): "
        f"{SCHEDULED_NOTE}; {use}"
    ]


def emit(table: pa.Table, fmt: str, output: Path | None, decimals: int | None) -> None:
    """Machine formats to stdout or a file; CSV formula-escaped unless --raw-csv."""
    context = click.get_current_context(silent=True)
    raw = bool(context and context.meta.get(RAW_CSV))
    body = render_bytes(table, fmt, decimals, escape_formulas=not raw)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    with writable(output):
        output.write_bytes(body)
    stderr.print(f"wrote {table.num_rows} rows to {output}")


def show(renderables: Sequence[RenderableType], output: Path | None) -> None:
    """Print tables and notes to stdout (wide when piped) or into ``output``."""
    if output is None:
        console = Console(highlight=False)
        if not console.is_terminal:  # piped: keep every column whole rather than wrap at 80
            console = Console(highlight=False, width=240)
        for item in renderables:
            console.print(item)
        return
    with writable(output), output.open("w", encoding="utf-8") as handle:
        console = Console(file=handle, highlight=False, width=240)
        for item in renderables:
            console.print(item)
    stderr.print(f"wrote the table to {output}")


@contextmanager
def writable(output: Path) -> Iterator[None]:
    """``--output`` that cannot be written is a usage error (exit 2) naming the fix.

    A missing folder is said before the file is opened; any other failure to write (no
    permission, a folder in the way, a full disk) is said with the system's reason.
    """
    folder = output.parent
    if not folder.is_dir():
        raise ConfigError(f"--output {output}: the folder {folder} does not exist; create it first")
    try:
        yield
    except OSError as exc:
        raise ConfigError(f"--output {output}: cannot write: {exc.strerror or exc}") from exc


def title(kind: str, request: ReportRequest, currency: str) -> str:
    """``Account-level month NRR, USD, by segment, plan=pro``: what a table shows, of what
    (``USD ARR`` when amounts are ARR)."""
    return (
        f"{request.level.value.capitalize()}-level {request.grain.value} {kind}, {currency}"
        + (f" {request.unit.label}" if request.unit is Unit.ARR else "")
        + (f", by {', '.join(request.by)}" if request.by else "")
        + "".join(f", {k}={v}" for k, v in request.filters)
    )
