"""The range errors the insights share, in library words (``start``/``end``).

A forecast, a backtest and the at-risk list all need whole periods inside the request's
range; they say so the same way, and each interface names the range its own way
(``--from``/``--to`` on the command line).
"""

from __future__ import annotations

from nrr.errors import RequestError


def no_whole_period() -> RequestError:
    return RequestError(
        "no-whole-period",
        "no whole period lies inside the range: widen {start}/{end}",
        ("start", "end"),
    )
