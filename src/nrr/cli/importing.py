"""``nrr import SOURCE``: a billing-system export in, a dataset folder out.

Each source is a subcommand registered here; they share how an import ends: the summary
on stderr, then the written folder read and validated like any dataset, so a user learns
at once whether ``nrr report OUT`` will work.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from nrr.cli.output import stderr

if TYPE_CHECKING:
    from nrr.importers.summary import ImportSummary


@click.group("import")
def import_group() -> None:
    """Turn a billing-system export into a dataset folder in nrr's format.

    The export is only read; the dataset is written into a new (or empty) folder given
    by --out, then validated. See docs/importing.md for what each source maps to.
    """


def finish(summary: ImportSummary, out: Path, quiet: bool) -> None:
    """Print the summary and validate the written dataset.

    A dataset that fails the rules raises ``InputError`` with every issue, which the
    command's ``handle_errors`` prints (exit 1): an importer's output is checked, not trusted.
    """
    from nrr.errors import InputError
    from nrr.importers.writer import check_written

    if not quiet:
        for line in summary.lines():
            # soft_wrap: a long warning names a subscription or a path; a line break in
            # the middle of it would make it unsearchable
            stderr.print(line, markup=False, highlight=False, soft_wrap=True)
    try:
        check_written(out)
    except InputError:
        stderr.print(f"the dataset written to {out} fails validation:", markup=False)
        raise
    if not quiet:
        stderr.print(
            f"wrote a valid dataset to {out}: try `nrr report {out}`",
            markup=False,
            soft_wrap=True,
        )
