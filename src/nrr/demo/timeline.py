"""The simulated months as day numbers, and the exchange rates along them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from nrr.demo.shape import FX_START, FX_STEP_SIGMA, Floats, Ints, Rng

EPOCH = date(1970, 1, 1)


# --- calendar and currencies ----------------------------------------------------------------
@dataclass(frozen=True)
class Calendar:
    """Month starts as day numbers: ``starts[m]`` for m = 0 .. months + 1 (two spare months)."""

    months: int
    starts: Ints
    lengths: Ints

    @classmethod
    def build(cls, start: date, months: int) -> Calendar:
        first = np.datetime64(start, "M")
        starts = (first + np.arange(months + 2)).astype("datetime64[D]").astype(np.int64)
        return cls(months, starts, np.diff(starts))

    def on_day(self, month: Ints | int, anchor: Ints) -> Ints:
        """The anchor day of each customer in ``month``, clipped to the month's last day.

        Anchored dates make renewals fall on the contract's day of month, including the
        29th-31st and clipped month ends, as real billing systems do.
        """
        return self.starts[month] + np.minimum(anchor - 1, self.lengths[month] - 1)


def fx_path(rng: Rng, months: int) -> Floats:
    """USD per unit for USD, EUR, GBP at each month start 0 .. months: a gentle random walk."""
    steps = rng.normal(0.0, FX_STEP_SIGMA, size=(2, months))
    walk = np.exp(np.concatenate([np.zeros((2, 1)), np.cumsum(steps, axis=1)], axis=1))
    rates = np.round(np.array(FX_START)[:, None] * walk, 4)
    return np.vstack([np.ones((1, months + 1)), rates])


def to_date(day: int) -> date:
    """A day number back to a date, for the summary."""
    return EPOCH + timedelta(days=day)
