"""The month-by-month walk: renewals, churn, up- and downgrades, add-ons, returns, usage.

A small state machine per customer, vectorised over customers; the only Python loop walks
the months."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nrr.demo.customers import Customers
from nrr.demo.shape import (
    ADDON_AT_ARRIVAL,
    ADDON_CANCEL,
    ADDON_RATIO,
    ADDON_START,
    AWAY_MONTHS,
    CHURN,
    DEMOTE_USD,
    DOWNGRADE,
    PROMOTE_USD,
    REACTIVATE,
    UPGRADE,
    USAGE,
    Bools,
    Floats,
    Ints,
    Rng,
)
from nrr.demo.timeline import Calendar


# --- simulation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Lines:
    """Subscription lines as parallel arrays; ``end`` is -1 for a line still active."""

    cust: Ints
    product: Ints
    start: Ints
    end: Ints
    cents: Ints
    billing: Ints


@dataclass
class _Book:
    """Open recurring lines per customer and product slot (Core, Analytics, Support)."""

    billing: Ints
    open: Bools
    price: Ints  # monthly price in whole units; kept after closing (a returning customer's)
    since: Ints
    parts: list[tuple[Ints, ...]] = field(default_factory=list)

    @classmethod
    def empty(cls, billing: Ints) -> _Book:
        shape = (billing.size, 3)
        zeros = np.zeros(shape, np.int64)
        return cls(billing, np.zeros(shape, np.bool_), zeros, zeros.copy())

    def start(self, who: Bools, slot: int, price: Ints, day: Ints) -> None:
        """Open a line in ``slot`` for ``who`` at ``day`` with monthly ``price``."""
        self.open[who, slot] = True
        self.price[who, slot] = price[who]
        self.since[who, slot] = day[who]

    def stop(self, who: Bools, day: Ints, slots: slice = slice(None)) -> None:
        """Close the open lines of ``who`` in ``slots`` at ``day``: churn, change, cancel."""
        mask = np.zeros_like(self.open)
        mask[:, slots] = who[:, None]
        rows, cols = np.nonzero(mask & self.open)
        self._emit(rows, cols, day[rows])
        self.open[rows, cols] = False

    def bill_usage(self, rows: Ints, start: int, end: int, cents: Ints) -> None:
        """Record one month of metered usage: a line over [start, end) charging ``cents``."""
        k = rows.size
        self.parts.append(
            (
                rows,
                np.full(k, USAGE),
                np.full(k, start),
                np.full(k, end),
                cents,
                np.ones(k, np.int64),
            )
        )

    def finish(self) -> Lines:
        """Emit the lines still open (no end date) and gather every line recorded."""
        rows, cols = np.nonzero(self.open)
        self._emit(rows, cols, np.full(rows.size, -1, np.int64))
        columns = [
            np.concatenate([part[i] for part in self.parts]).astype(np.int64) for i in range(6)
        ]
        return Lines(*columns)

    def _emit(self, rows: Ints, cols: Ints, end: Ints) -> None:
        billing = self.billing[rows]
        cents = self.price[rows, cols] * billing * 100
        start = self.since[rows, cols]
        self.parts.append((rows, cols.astype(np.int64), start, end, cents, billing))


@dataclass
class _State:
    """What changes month to month: who is active, contract terms, current segment."""

    book: _Book
    active: Bools
    term: Ints  # month the current contract term began (renewals every `billing` months)
    left: Ints  # month of the latest churn, -1 if never
    segment: Ints
    moves: list[tuple[Ints, Ints, Ints]] = field(default_factory=list)  # segment changes


@dataclass(frozen=True)
class Simulation:
    """The simulation's result, already cut at the end of the window."""

    lines: Lines
    segment: Ints  # segment at the end of the window
    moves: tuple[Ints, Ints, Ints]  # (customer, day, new segment) of every segment change


def simulate(rng: Rng, c: Customers, cal: Calendar, fx: Floats) -> Simulation:
    """Walk the months: renewals, changes, add-ons, returns, arrivals, then usage billing.

    The month after the window is simulated too and then cut at its first instant (see
    `_cut`), so events dated exactly on the window's end are present, as in real data.
    """
    n = c.arrival.size
    phase = (rng.random(n) * c.billing).astype(np.int64)  # installed base renews staggered
    s = _State(
        _Book.empty(c.billing),
        np.zeros(n, np.bool_),
        np.where(c.day == cal.starts[0], -phase, c.arrival),
        np.full(n, -1, np.int64),
        c.segment.copy(),
    )
    for m in range(cal.months + 1):
        day = cal.on_day(m, c.anchor)
        was_active = s.active.copy()
        churned = _renew(rng, s, c, m, day)
        _resize_core(rng, s, c, fx, m, day, was_active & ~churned)
        _addons(rng, s, c, m, day, was_active & ~churned)
        _come_back(rng, s, c, m, day)
        _arrive(rng, s, c, m)
        on_first = day == cal.starts[m]  # usage is billed to whoever is active at the 1st
        billed = np.where(was_active, ~(churned & on_first), s.active & on_first)
        _bill_usage(rng, s, c, cal, fx, m, billed)
    return _cut(s, c, int(cal.starts[cal.months]))


def _cut(s: _State, c: Customers, limit: int) -> Simulation:
    """Keep what is known at day ``limit``: later starts go, later ends become open ends."""
    lines = s.book.finish()
    keep = lines.start <= limit
    open_end = (lines.end > limit) & (lines.product != USAGE)
    end = np.where(open_end, -1, lines.end)
    lines = Lines(
        lines.cust[keep],
        lines.product[keep],
        lines.start[keep],
        end[keep],
        lines.cents[keep],
        lines.billing[keep],
    )
    cust, day, value = (np.concatenate([move[i] for move in s.moves]) for i in range(3))
    kept = day <= limit
    cust, day, value = cust[kept], day[kept], value[kept]
    order = np.lexsort((day, cust))
    cust, day, value = cust[order], day[order], value[order]
    segment = c.segment.copy()
    latest = np.r_[cust[1:] != cust[:-1], True][: cust.size]
    segment[cust[latest]] = value[latest]
    return Simulation(lines, segment, (cust, day, value))


def _renewing(s: _State, c: Customers, m: int) -> Bools:
    """Active customers whose contract term ends this month (monthly plans: every month)."""
    due = s.active & (m > s.term) & ((m - s.term) % c.billing == 0)
    return np.asarray(due, dtype=np.bool_)


def _per_term(p: Floats | float, billing: Ints) -> Floats:
    """A monthly probability compounded over a term, so churn rates match across plans."""
    return np.asarray(1.0 - (1.0 - np.asarray(p)) ** billing, dtype=np.float64)


def _renew(rng: Rng, s: _State, c: Customers, m: int, day: Ints) -> Bools:
    """At renewal a customer may leave: every open line ends on the renewal date."""
    renewing = _renewing(s, c, m)
    churned = renewing & (rng.random(c.arrival.size) < _per_term(CHURN[s.segment], c.billing))
    s.book.stop(churned, day)
    s.active &= ~churned
    s.left[churned] = m
    s.term[renewing & ~churned] = m
    return churned


def _resize_core(
    rng: Rng, s: _State, c: Customers, fx: Floats, m: int, day: Ints, staying: Bools
) -> None:
    """Upgrades (any month) and downgrades (at renewal) replace the Core line on one date."""
    n = c.arrival.size
    u_up, u_down = rng.random(n), rng.random(n)
    grow, shrink = rng.uniform(1.1, 1.6, n), rng.uniform(0.6, 0.9, n)
    up = staying & (u_up < UPGRADE[s.segment])
    old = s.book.price[:, 0]
    new = np.round(old * np.where(up, grow, shrink)).astype(np.int64)
    new = np.where(up, np.maximum(new, old + 1), np.maximum(new, 1))
    due = staying & (s.term == m)  # renewed this month
    down = due & ~up & (u_down < _per_term(DOWNGRADE, c.billing)) & (new < old)
    change = up | down
    s.book.stop(change, day, slice(0, 1))
    s.book.start(change, 0, new, day)
    _move_segment(s, c, fx, m, day, up, down)


def _move_segment(
    s: _State, c: Customers, fx: Floats, m: int, day: Ints, up: Bools, down: Bools
) -> None:
    """A customer that outgrows (or shrinks below) its segment's band changes segment."""
    usd = s.book.price[:, 0] * fx[c.currency, m]
    promote = up & (s.segment < 2) & (usd >= np.array(PROMOTE_USD)[np.minimum(s.segment, 1)])
    demote = down & (s.segment > 0) & (usd < np.array(DEMOTE_USD)[np.maximum(s.segment - 1, 0)])
    moved = np.flatnonzero(promote | demote)
    s.segment[promote] += 1
    s.segment[demote] -= 1
    s.moves.append((moved, day[moved], s.segment[moved].copy()))


def _addons(rng: Rng, s: _State, c: Customers, m: int, day: Ints, staying: Bools) -> None:
    """Add-on products start any month and may be cancelled at renewal."""
    n = c.arrival.size
    renewed = staying & (s.term == m)
    cancel_p = _per_term(ADDON_CANCEL, c.billing)
    for slot, p_start, ratio in (
        (1, ADDON_START[0], ADDON_RATIO[0]),
        (2, ADDON_START[1], ADDON_RATIO[1]),
    ):
        u_start, u_cancel, jitter = rng.random(n), rng.random(n), rng.uniform(0.7, 1.3, n)
        was_open = s.book.open[:, slot].copy()
        starts = staying & ~was_open & (u_start < p_start)
        cancels = renewed & was_open & (u_cancel < cancel_p)
        s.book.stop(cancels, day, slice(slot, slot + 1))
        price = np.maximum(1, np.round(s.book.price[:, 0] * ratio * jitter)).astype(np.int64)
        s.book.start(starts, slot, price, day)


def _come_back(rng: Rng, s: _State, c: Customers, m: int, day: Ints) -> None:
    """Some churned customers return months later on a new Core line near their old price."""
    n = c.arrival.size
    u, factor = rng.random(n), rng.uniform(0.7, 1.2, n)
    back = ~s.active & (s.left >= 0) & (m - s.left >= AWAY_MONTHS) & (u < REACTIVATE)
    price = np.maximum(1, np.round(s.book.price[:, 0] * factor)).astype(np.int64)
    s.book.start(back, 0, price, day)
    s.active |= back
    s.term[back] = m


def _arrive(rng: Rng, s: _State, c: Customers, m: int) -> None:
    """New customers open Core, and some buy add-ons from day one."""
    n = c.arrival.size
    new = c.arrival == m
    s.book.start(new, 0, c.price, c.day)
    for slot in (1, 2):
        u, jitter = rng.random(n), rng.uniform(0.7, 1.3, n)
        p = np.array(ADDON_AT_ARRIVAL[slot - 1])[c.segment]
        price = np.maximum(1, np.round(c.price * ADDON_RATIO[slot - 1] * jitter)).astype(np.int64)
        s.book.start(new & (u < p), slot, price, c.day)
    s.active |= new


def _bill_usage(
    rng: Rng, s: _State, c: Customers, cal: Calendar, fx: Floats, m: int, billed: Bools
) -> None:
    """Metered customers get one usage line for month m, growing with noise over time."""
    noise = rng.normal(0.0, 0.12, size=c.arrival.size)
    rows = np.flatnonzero(billed & c.usage)
    age = m - c.arrival[rows]
    usd = c.usage_usd[rows] * np.exp(c.usage_growth[rows] * age + noise[rows])
    cents = np.maximum(1, np.round(usd / fx[c.currency[rows], m] * 100)).astype(np.int64)
    s.book.bill_usage(rows, int(cal.starts[m]), int(cal.starts[m + 1]), cents)
