"""The library's errors in the CLI's words: its option names.

The library names the parts of a request as the Python API does (``start``, ``by``); a
CLI user typed ``--from`` and ``--by``. ``handle_errors`` prints every ``NrrError``
through ``cli_words``, so a message names what the user can change on the command line.
"""

from __future__ import annotations

from nrr.errors import NrrError, RequestError

OPTIONS = {
    "start": "--from",
    "end": "--to",
    "period": "--period",
    "grain": "--grain",
    "by": "--by",
    "level": "--level",
    "filters": "--filter",
    "currency": "--currency",
    "fiscal_year_start": "--fiscal-year-start",
    "method": "--method",
    "fx": "--fx",
    "unit": "--unit",
    "category": "--category",
    "horizon": "--horizon",
    "tested": "--backtest-periods",
    "buckets": "--buckets",
    "below": "--below",
}

# Rules the CLI says in a sentence of its own (the one its users and scripts know).
SENTENCES = {"by-repeated": "a grouping is repeated in {by}: {groups}"}


def cli_words(error: NrrError) -> str:
    """The message ``nrr`` prints for ``error``: option names instead of field names."""
    if not isinstance(error, RequestError):
        return str(error)
    return error.worded(OPTIONS, SENTENCES.get(error.rule))
