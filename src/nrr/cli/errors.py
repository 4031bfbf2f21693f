"""From an exception to a message on stderr and an exit code.

Exit codes: 0 ok, 1 input errors (the data breaks the contract), 2 usage (an option or
request that cannot be honoured), 3 engine or unexpected failures. The library raises
``NrrError`` subclasses carrying their code (nrr/errors.py); only this module turns them
into text, so a notebook user gets the plain exception.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
from rich.markup import escape

from nrr.cli.output import stderr
from nrr.cli.words import cli_words
from nrr.errors import InputError, NrrError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> NoReturn:
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
