"""Seeded synthetic dataset: a B2B SaaS company's customers, subscriptions, rates and history.

Why it exists: ``nrr demo``, the docs, the benchmarks and property tests all need a realistic
dataset that anyone can regenerate byte for byte, without shipping data files. Everything
here follows ``shared/data-contract.md`` section 1, so the output passes strict validation.

Why it is shaped this way:

* One ``numpy.random.Generator`` seeded from ``seed`` drives every draw, in a fixed order and
  with fixed sizes, and nothing reads the clock: same arguments, identical files.
* Work is vectorised over customers; the only Python loop walks the simulated months, so
  100,000 customers over three years take seconds (the benchmarks depend on that).
* Behaviour is a small state machine per customer (arrive, expand, contract, add products,
  churn, come back) whose rates are tuned so yearly NRR lands around 100-110%, the range a
  demo should show, with every movement of the MRR bridge present.
* Dates are integer day numbers (days since 1970-01-01) internally: month arithmetic on
  integers is exact and fast, and the writer turns them into ISO strings once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nrr.errors import ConfigError

__all__ = ["DemoSummary", "generate"]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Rng = np.random.Generator

_EPOCH = date(1970, 1, 1)

# --- the company's shape --------------------------------------------------------------------
_SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
_SEGMENT_P = (0.60, 0.30, 0.10)
_PRICE_MEDIAN_USD = np.array([250.0, 2000.0, 12000.0])  # Core MRR: segment tracks amounts
_PRICE_SIGMA = np.array([0.7, 0.5, 0.6])
_REGIONS = ("NA", "EMEA", "APAC", "LATAM")
_REGION_P = (0.50, 0.28, 0.14, 0.08)
_CSMS = (  # each CSM covers one region, so a reassignment stays within the region
    ("Avery Brooks", "Jordan Lee", "Morgan Diaz", "Riley Chen", "Casey Patel", "Drew Miller",
     "Quinn Foster"),
    ("Sofia Rossi", "Lukas Weber", "Emma Dubois", "Oliver Hughes"),
    ("Hana Sato", "Arjun Mehta", "Mei Lin"),
    ("Lucas Silva", "Valentina Gomez"),
)
_CHANNELS = ("direct", "partner", "self-serve")
_CHANNEL_P = ((0.25, 0.15, 0.60), (0.65, 0.30, 0.05), (0.85, 0.15, 0.00))
_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
_SIZE_P = ((0.45, 0.45, 0.10, 0.0, 0.0), (0.0, 0.2, 0.5, 0.3, 0.0), (0.0, 0.0, 0.0, 0.4, 0.6))
_BILLING = np.array([1, 3, 12])
_BILLING_P = ((0.70, 0.10, 0.20), (0.40, 0.20, 0.40), (0.10, 0.15, 0.75))
_CURRENCIES = ("USD", "EUR", "GBP")
_EMEA_CURRENCY_P = (0.20, 0.55, 0.25)
_FX_START = (1.07, 1.21)  # USD per EUR, per GBP
_FX_STEP_SIGMA = 0.012
_PRODUCTS = ("Core", "Analytics", "Support", "Automation")  # Automation is metered usage
_USAGE = 3

# --- monthly behaviour (probabilities per month unless said otherwise) ----------------------
_CHURN = np.array([0.022, 0.010, 0.005])  # by segment; applied at renewals, compounded
_UPGRADE = np.array([0.022, 0.034, 0.045])  # Core expansion, any month
_DOWNGRADE = 0.012  # Core contraction, at renewals, compounded
_ADDON_AT_ARRIVAL = ((0.10, 0.20, 0.30), (0.10, 0.30, 0.50))  # Analytics, Support by segment
_ADDON_START = (0.010, 0.006)
_ADDON_CANCEL = 0.010  # at renewals, compounded
_ADDON_RATIO = (0.30, 0.15)  # add-on price as a share of Core
_REACTIVATE = 0.03  # for customers gone at least _AWAY_MONTHS
_AWAY_MONTHS = 3
_USAGE_SHARE = np.array([0.10, 0.25, 0.35])  # customers on metered Automation, by segment
_PROMOTE_USD = (1200.0, 7000.0)  # Core MRR that moves SMB -> Mid-Market -> Enterprise
_DEMOTE_USD = (400.0, 2500.0)  # and back down on a downgrade
_CSM_CHANGES_PER_YEAR = 0.05
_CSM_UNSET = 0.05  # share of reassignments that leave the account without a CSM for a while

_NAME_FIRST = (
    "Amber", "Apex", "Arbor", "Atlas", "Aurora", "Beacon", "Birch", "Blue", "Bright", "Cedar",
    "Cobalt", "Coral", "Crest", "Crystal", "Delta", "Echo", "Ember", "Evergreen", "Falcon",
    "Fern", "Golden", "Granite", "Harbor", "Horizon", "Indigo", "Iron", "Juniper", "Keystone",
    "Lumen", "Maple", "Meridian", "Nimbus", "North", "Oak", "Onyx", "Orbit", "Pine", "Pioneer",
    "Prairie", "Quartz", "Radiant", "Redwood", "Ridge", "River", "Sage", "Silver", "Sterling",
    "Summit", "Terra", "Tidal", "Union", "Vector", "Velvet", "Vista", "West", "Willow", "Zenith",
)
_NAME_SECOND = (
    "Analytics", "Bio", "Capital", "Cloud", "Commerce", "Data", "Dynamics", "Energy", "Foods",
    "Freight", "Health", "Insights", "Labs", "Logistics", "Media", "Metrics", "Mobility",
    "Networks", "Partners", "Payments", "Pharma", "Robotics", "Security", "Software",
    "Solutions", "Systems", "Telecom", "Travel", "Ventures", "Works",
)
_NAME_SUFFIX = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Corp", "Co", "AG", "SA", "Pty")
_NAME_UNIT = (
    "Europe", "Americas", "APAC", "Japan", "Germany", "UK", "Brazil", "Canada", "Payments",
    "Health", "Retail", "Digital", "Services", "Research",
)


@dataclass(frozen=True)
class DemoSummary:
    """What `generate` wrote, so the CLI can print it and tests can check it without re-reading."""

    directory: Path
    customers: int
    organizations: int
    subscriptions: int
    attribute_changes: int
    currencies: tuple[str, ...]
    first_month: date
    last_month: date


def generate(
    directory: str | Path,
    *,
    customers: int = 5000,
    months: int = 36,
    seed: int = 7,
    start: date = date(2023, 1, 1),
    fmt: Literal["csv", "parquet"] = "csv",
) -> DemoSummary:
    """Write a synthetic dataset (customers, subscriptions, fx_rates, customer_attributes).

    ``start`` must be the first day of a month; ``months`` months are simulated from it.
    Files are ``<table>.csv`` or ``<table>.parquet`` in ``directory`` (created if needed);
    only those four files are overwritten. Same arguments give byte-identical files.
    The data reaches one instant past the window (the first day of the month after it: lines
    starting and ending then, that month's usage), so the last month of the window closes with
    complete MRR rather than showing an artificial drop.
    """
    directory = Path(directory)
    _check_arguments(customers, months, start, fmt)
    rng = np.random.default_rng(seed)
    cal = _Calendar.build(start, months)
    fx = _fx_path(rng, months)
    people = _draw_customers(rng, customers, cal, fx)
    sim = _simulate(rng, people, cal, fx)
    history = _attribute_history(rng, people, sim, cal)
    ids = _ids("C", customers)
    tables = {
        "customers": _customers_table(ids, people, sim, history),
        "subscriptions": _subscriptions_table(ids, people, sim.lines),
        "fx_rates": _fx_table(cal, fx),
        "customer_attributes": _attributes_table(ids, history),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        _write(table, directory / f"{name}.{fmt}", fmt)
    used = np.unique(people.currency[sim.lines.cust])
    return DemoSummary(
        directory=directory,
        customers=customers,
        organizations=int(np.count_nonzero(people.parent < 0)),
        subscriptions=int(sim.lines.cust.size),
        attribute_changes=int(history.cust.size),
        currencies=tuple(sorted(_CURRENCIES[int(c)] for c in used)),
        first_month=start,
        last_month=_to_date(int(cal.starts[months - 1])),
    )


def _check_arguments(customers: int, months: int, start: date, fmt: str) -> None:
    """Refuse arguments that would yield an empty or off-contract dataset, before any work.

    ConfigError (not ValueError) because the CLI maps nrr's own errors to exit code 2.
    """
    if customers < 1:
        raise ConfigError(f"customers must be at least 1, got {customers}")
    if months < 1:
        raise ConfigError(f"months must be at least 1, got {months}")
    if start.day != 1:
        raise ConfigError(f"start must be the first day of a month, got {start.isoformat()}")
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")


# --- calendar and currencies ----------------------------------------------------------------
@dataclass(frozen=True)
class _Calendar:
    """Month starts as day numbers: ``starts[m]`` for m = 0 .. months + 1 (two spare months)."""

    months: int
    starts: Ints
    lengths: Ints

    @classmethod
    def build(cls, start: date, months: int) -> _Calendar:
        first = np.datetime64(start, "M")
        starts = (first + np.arange(months + 2)).astype("datetime64[D]").astype(np.int64)
        return cls(months, starts, np.diff(starts))

    def on_day(self, month: Ints | int, anchor: Ints) -> Ints:
        """The anchor day of each customer in ``month``, clipped to the month's last day.

        Anchored dates make renewals fall on the contract's day of month, including the
        29th-31st and clipped month ends, as real billing systems do.
        """
        return self.starts[month] + np.minimum(anchor - 1, self.lengths[month] - 1)


def _fx_path(rng: Rng, months: int) -> Floats:
    """USD per unit for USD, EUR, GBP at each month start 0 .. months: a gentle random walk."""
    steps = rng.normal(0.0, _FX_STEP_SIGMA, size=(2, months))
    walk = np.exp(np.concatenate([np.zeros((2, 1)), np.cumsum(steps, axis=1)], axis=1))
    rates = np.round(np.array(_FX_START)[:, None] * walk, 4)
    return np.vstack([np.ones((1, months + 1)), rates])


# --- customers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Customers:
    """Static draws per customer, in arrival order (index i is customer C{i+1})."""

    arrival: Ints  # month index of the first line
    anchor: Ints  # day of month (1..31) the customer's contract dates fall on
    day: Ints  # arrival date
    segment: Ints
    region: Ints
    channel: Ints
    size: Ints
    currency: Ints
    csm: Ints  # global index into the flattened _CSMS
    billing: Ints
    parent: Ints  # -1 for an organization's top account
    price: Ints  # Core monthly price at arrival, whole units of the customer's currency
    usage: Bools  # on metered Automation
    usage_usd: Floats  # usage charge per month at arrival, in USD
    usage_growth: Floats  # monthly log growth of usage
    names: npt.NDArray[np.str_]


def _draw_customers(rng: Rng, n: int, cal: _Calendar, fx: Floats) -> _Customers:
    """Draw every customer's static profile; amounts depend on segment, currency on region."""
    arrival, anchor, day = _arrivals(rng, n, cal)
    segment = _pick(rng, np.array([_SEGMENT_P]), np.zeros(n, np.int64))
    region = _pick(rng, np.array([_REGION_P]), np.zeros(n, np.int64))
    emea_currency = _pick(rng, np.array([_EMEA_CURRENCY_P]), np.zeros(n, np.int64))
    currency = np.where(region == 1, emea_currency, 0)
    pool = np.array([len(names) for names in _CSMS])
    base = np.concatenate([[0], np.cumsum(pool)[:-1]])
    csm = base[region] + (rng.random(n) * pool[region]).astype(np.int64)
    price_usd = _PRICE_MEDIAN_USD[segment] * np.exp(_PRICE_SIGMA[segment] * rng.normal(size=n))
    price = np.maximum(5, np.round(price_usd / fx[currency, arrival])).astype(np.int64)
    usage_ratio = np.exp(np.log(0.25) + 0.5 * rng.normal(size=n))
    parent = _parents(rng, n)
    return _Customers(
        arrival=arrival,
        anchor=anchor,
        day=day,
        segment=segment,
        region=region,
        channel=_pick(rng, np.array(_CHANNEL_P), segment),
        size=_pick(rng, np.array(_SIZE_P), segment),
        currency=currency,
        csm=csm,
        billing=_BILLING[_pick(rng, np.array(_BILLING_P), segment)],
        parent=parent,
        price=price,
        usage=rng.random(n) < _USAGE_SHARE[segment],
        usage_usd=price_usd * usage_ratio,
        usage_growth=rng.normal(0.012, 0.012, size=n),
        names=_names(rng, parent),
    )


def _arrivals(rng: Rng, n: int, cal: _Calendar) -> tuple[Ints, Ints, Ints]:
    """Arrival month, anchor day and date, sorted by date so parents can precede children.

    About 40% of customers are the installed base on the first day; the rest arrive with
    linearly growing monthly volume (from the first month on), at least one a month while
    customers last. Those drawn
    for the first day after the window arrive then, so its last month gains new customers at
    its closing instant like every other month.
    """
    months = cal.months
    installed = n if months == 1 else max(1, round(0.4 * n))
    later = n - installed
    spread = np.arange(months + 1, dtype=np.int64)
    guaranteed = spread[1 : 1 + min(later, months - 1)]
    weights = 1.0 + 2.0 * spread / months
    weights[-1] *= 0.3  # the month after the window: only its first day's share
    rest = np.zeros(0, np.int64)
    if later > guaranteed.size:
        rest = rng.choice(spread, size=later - guaranteed.size, p=weights / weights.sum())
    arrival = np.concatenate([np.zeros(installed, np.int64), guaranteed, rest])
    drawn_day = np.where(rng.random(n) < 0.3, 1, rng.integers(1, 32, size=n))
    base = np.arange(n) < installed
    anchor = np.where(base | (arrival == months), 1, drawn_day).astype(np.int64)
    day = cal.on_day(arrival, anchor)
    order = np.argsort(day, kind="stable")
    return arrival[order], anchor[order], day[order]


def _pick(rng: Rng, probs: Floats, group: Ints) -> Ints:
    """One categorical draw per row from ``probs[group[row]]`` (rows of probabilities)."""
    cumulative = np.cumsum(probs, axis=1)
    u = rng.random(group.size)
    chosen = (u[:, None] >= cumulative[group]).sum(axis=1)
    return np.asarray(np.minimum(chosen, probs.shape[1] - 1), dtype=np.int64)


def _parents(rng: Rng, n: int) -> Ints:
    """About 10% of accounts are subsidiaries; a fifth of those sit one level deeper.

    A parent always has a lower index (arrived no later), which rules out cycles, and depth is
    capped at three levels (organization, subsidiary, sub-subsidiary).
    """
    parent = np.full(n, -1, dtype=np.int64)
    child = rng.random(n) < 0.10
    deeper = rng.random(n) < 0.20
    u = rng.random(n)
    child[0] = False
    roots = np.flatnonzero(~child)
    level2 = np.flatnonzero(child & ~deeper)
    level3 = np.flatnonzero(child & deeper)
    parent[level2] = _earlier(roots, level2, u[level2])
    below = np.searchsorted(level2, level3)
    on_root = below == 0
    parent[level3[on_root]] = _earlier(roots, level3[on_root], u[level3[on_root]])
    parent[level3[~on_root]] = _earlier(level2, level3[~on_root], u[level3[~on_root]])
    return parent


def _earlier(candidates: Ints, rows: Ints, u: Floats) -> Ints:
    """For each row, a uniformly chosen candidate with a lower index (one must exist)."""
    count = np.searchsorted(candidates, rows)
    return candidates[(u * count).astype(np.int64)]


def _names(rng: Rng, parent: Ints) -> npt.NDArray[np.str_]:
    """Fictional company names; subsidiaries are named after their parent plus a unit."""
    n = parent.size
    space = len(_NAME_FIRST) * len(_NAME_SECOND) * len(_NAME_SUFFIX)
    code = rng.choice(space, size=n, replace=n > space)
    first, rest = np.divmod(code, len(_NAME_SECOND) * len(_NAME_SUFFIX))
    second, suffix = np.divmod(rest, len(_NAME_SUFFIX))
    words = (np.array(_NAME_FIRST)[first], np.array(_NAME_SECOND)[second],
             np.array(_NAME_SUFFIX)[suffix])
    names = np.char.add(np.char.add(np.char.add(np.char.add(words[0], " "), words[1]), " "),
                        words[2]).astype(object)
    unit = np.array(_NAME_UNIT, dtype=object)[rng.integers(0, len(_NAME_UNIT), size=n)]
    level2 = np.flatnonzero((parent >= 0) & (parent[np.maximum(parent, 0)] < 0))
    level3 = np.flatnonzero((parent >= 0) & (parent[np.maximum(parent, 0)] >= 0))
    for rows in (level2, level3):  # parents' names first, so grandchildren inherit them
        names[rows] = names[parent[rows]] + " " + unit[rows]
    return names.astype(str)


# --- simulation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Lines:
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
        self.parts.append((rows, np.full(k, _USAGE), np.full(k, start), np.full(k, end),
                           cents, np.ones(k, np.int64)))

    def finish(self) -> _Lines:
        """Emit the lines still open (no end date) and gather every line recorded."""
        rows, cols = np.nonzero(self.open)
        self._emit(rows, cols, np.full(rows.size, -1, np.int64))
        columns = [np.concatenate([part[i] for part in self.parts]).astype(np.int64)
                   for i in range(6)]
        return _Lines(*columns)

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
class _Simulation:
    """The simulation's result, already cut at the end of the window."""

    lines: _Lines
    segment: Ints  # segment at the end of the window
    moves: tuple[Ints, Ints, Ints]  # (customer, day, new segment) of every segment change


def _simulate(rng: Rng, c: _Customers, cal: _Calendar, fx: Floats) -> _Simulation:
    """Walk the months: renewals, changes, add-ons, returns, arrivals, then usage billing.

    The month after the window is simulated too and then cut at its first instant (see
    `_cut`), so events dated exactly on the window's end are present, as in real data.
    """
    n = c.arrival.size
    phase = (rng.random(n) * c.billing).astype(np.int64)  # installed base renews staggered
    s = _State(_Book.empty(c.billing), np.zeros(n, np.bool_),
               np.where(c.day == cal.starts[0], -phase, c.arrival), np.full(n, -1, np.int64),
               c.segment.copy())
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


def _cut(s: _State, c: _Customers, limit: int) -> _Simulation:
    """Keep what is known at day ``limit``: later starts go, later ends become open ends."""
    lines = s.book.finish()
    keep = lines.start <= limit
    open_end = (lines.end > limit) & (lines.product != _USAGE)
    end = np.where(open_end, -1, lines.end)
    lines = _Lines(lines.cust[keep], lines.product[keep], lines.start[keep], end[keep],
                   lines.cents[keep], lines.billing[keep])
    cust, day, value = (np.concatenate([move[i] for move in s.moves]) for i in range(3))
    kept = day <= limit
    cust, day, value = cust[kept], day[kept], value[kept]
    order = np.lexsort((day, cust))
    cust, day, value = cust[order], day[order], value[order]
    segment = c.segment.copy()
    latest = np.r_[cust[1:] != cust[:-1], True][: cust.size]
    segment[cust[latest]] = value[latest]
    return _Simulation(lines, segment, (cust, day, value))


def _renewing(s: _State, c: _Customers, m: int) -> Bools:
    """Active customers whose contract term ends this month (monthly plans: every month)."""
    due = s.active & (m > s.term) & ((m - s.term) % c.billing == 0)
    return np.asarray(due, dtype=np.bool_)


def _per_term(p: Floats | float, billing: Ints) -> Floats:
    """A monthly probability compounded over a term, so churn rates match across plans."""
    return np.asarray(1.0 - (1.0 - np.asarray(p)) ** billing, dtype=np.float64)


def _renew(rng: Rng, s: _State, c: _Customers, m: int, day: Ints) -> Bools:
    """At renewal a customer may leave: every open line ends on the renewal date."""
    renewing = _renewing(s, c, m)
    churned = renewing & (rng.random(c.arrival.size) < _per_term(_CHURN[s.segment], c.billing))
    s.book.stop(churned, day)
    s.active &= ~churned
    s.left[churned] = m
    s.term[renewing & ~churned] = m
    return churned


def _resize_core(rng: Rng, s: _State, c: _Customers, fx: Floats, m: int, day: Ints,
                 staying: Bools) -> None:
    """Upgrades (any month) and downgrades (at renewal) replace the Core line on one date."""
    n = c.arrival.size
    u_up, u_down = rng.random(n), rng.random(n)
    grow, shrink = rng.uniform(1.1, 1.6, n), rng.uniform(0.6, 0.9, n)
    up = staying & (u_up < _UPGRADE[s.segment])
    old = s.book.price[:, 0]
    new = np.round(old * np.where(up, grow, shrink)).astype(np.int64)
    new = np.where(up, np.maximum(new, old + 1), np.maximum(new, 1))
    due = staying & (s.term == m)  # renewed this month
    down = due & ~up & (u_down < _per_term(_DOWNGRADE, c.billing)) & (new < old)
    change = up | down
    s.book.stop(change, day, slice(0, 1))
    s.book.start(change, 0, new, day)
    _move_segment(s, c, fx, m, day, up, down)


def _move_segment(s: _State, c: _Customers, fx: Floats, m: int, day: Ints, up: Bools,
                  down: Bools) -> None:
    """A customer that outgrows (or shrinks below) its segment's band changes segment."""
    usd = s.book.price[:, 0] * fx[c.currency, m]
    promote = up & (s.segment < 2) & (usd >= np.array(_PROMOTE_USD)[np.minimum(s.segment, 1)])
    demote = down & (s.segment > 0) & (usd < np.array(_DEMOTE_USD)[np.maximum(s.segment - 1, 0)])
    moved = np.flatnonzero(promote | demote)
    s.segment[promote] += 1
    s.segment[demote] -= 1
    s.moves.append((moved, day[moved], s.segment[moved].copy()))


def _addons(rng: Rng, s: _State, c: _Customers, m: int, day: Ints, staying: Bools) -> None:
    """Add-on products start any month and may be cancelled at renewal."""
    n = c.arrival.size
    renewed = staying & (s.term == m)
    cancel_p = _per_term(_ADDON_CANCEL, c.billing)
    for slot, p_start, ratio in ((1, _ADDON_START[0], _ADDON_RATIO[0]),
                                 (2, _ADDON_START[1], _ADDON_RATIO[1])):
        u_start, u_cancel, jitter = rng.random(n), rng.random(n), rng.uniform(0.7, 1.3, n)
        was_open = s.book.open[:, slot].copy()
        starts = staying & ~was_open & (u_start < p_start)
        cancels = renewed & was_open & (u_cancel < cancel_p)
        s.book.stop(cancels, day, slice(slot, slot + 1))
        price = np.maximum(1, np.round(s.book.price[:, 0] * ratio * jitter)).astype(np.int64)
        s.book.start(starts, slot, price, day)


def _come_back(rng: Rng, s: _State, c: _Customers, m: int, day: Ints) -> None:
    """Some churned customers return months later on a new Core line near their old price."""
    n = c.arrival.size
    u, factor = rng.random(n), rng.uniform(0.7, 1.2, n)
    back = ~s.active & (s.left >= 0) & (m - s.left >= _AWAY_MONTHS) & (u < _REACTIVATE)
    price = np.maximum(1, np.round(s.book.price[:, 0] * factor)).astype(np.int64)
    s.book.start(back, 0, price, day)
    s.active |= back
    s.term[back] = m


def _arrive(rng: Rng, s: _State, c: _Customers, m: int) -> None:
    """New customers open Core, and some buy add-ons from day one."""
    n = c.arrival.size
    new = c.arrival == m
    s.book.start(new, 0, c.price, c.day)
    for slot in (1, 2):
        u, jitter = rng.random(n), rng.uniform(0.7, 1.3, n)
        p = np.array(_ADDON_AT_ARRIVAL[slot - 1])[c.segment]
        price = np.maximum(1, np.round(c.price * _ADDON_RATIO[slot - 1] * jitter)).astype(np.int64)
        s.book.start(new & (u < p), slot, price, c.day)
    s.active |= new


def _bill_usage(rng: Rng, s: _State, c: _Customers, cal: _Calendar, fx: Floats, m: int,
                billed: Bools) -> None:
    """Metered customers get one usage line for month m, growing with noise over time."""
    noise = rng.normal(0.0, 0.12, size=c.arrival.size)
    rows = np.flatnonzero(billed & c.usage)
    age = m - c.arrival[rows]
    usd = c.usage_usd[rows] * np.exp(c.usage_growth[rows] * age + noise[rows])
    cents = np.maximum(1, np.round(usd / fx[c.currency[rows], m] * 100)).astype(np.int64)
    s.book.bill_usage(rows, int(cal.starts[m]), int(cal.starts[m + 1]), cents)


# --- attribute history ----------------------------------------------------------------------
@dataclass(frozen=True)
class _History:
    """customer_attributes rows; ``value`` is an index into the attribute's labels, -1 unset."""

    cust: Ints
    attribute: Ints  # 0 csm, 1 segment
    value: Ints
    day: Ints
    csm_now: Ints


def _attribute_history(rng: Rng, c: _Customers, sim: _Simulation, cal: _Calendar) -> _History:
    """CSM reassignments and segment moves, each with the value held since arrival first.

    The opening row at the arrival date keeps the history self-contained: the customers table
    holds today's value (as a CRM export would), and the history says what held before.
    """
    csm_cust, csm_day, csm_value = _csm_changes(rng, c, cal)
    seg_cust, seg_day, seg_value = sim.moves
    csm_now = c.csm.copy()
    latest = np.r_[csm_cust[1:] != csm_cust[:-1], True][: csm_cust.size]  # sorted by date
    csm_now[csm_cust[latest]] = csm_value[latest]
    parts = []
    for attribute, cust, day, value, initial in ((0, csm_cust, csm_day, csm_value, c.csm),
                                                 (1, seg_cust, seg_day, seg_value, c.segment)):
        opened = np.unique(cust)
        parts.append((np.concatenate([opened, cust]), np.full(opened.size + cust.size, attribute),
                      np.concatenate([initial[opened], value]),
                      np.concatenate([c.day[opened], day])))
    cust, attr, value, day = (np.concatenate([p[i] for p in parts]).astype(np.int64)
                              for i in range(4))
    order = np.lexsort((day, attr, cust))
    return _History(cust[order], attr[order], value[order], day[order], csm_now)


def _csm_changes(rng: Rng, c: _Customers, cal: _Calendar) -> tuple[Ints, Ints, Ints]:
    """A few % of customers a year get a new CSM from their region, on a date after arrival."""
    end = int(cal.starts[cal.months])
    years = np.maximum(end - 1 - c.day, 0) / 365.25
    count = np.minimum(rng.poisson(_CSM_CHANGES_PER_YEAR * years), 3)
    cust = np.repeat(np.arange(c.day.size), count)
    first = c.day[cust] + 1
    day = first + (rng.random(cust.size) * (end - first)).astype(np.int64)
    order = np.lexsort((day, cust))
    cust, day = cust[order], day[order]
    keep = np.r_[True, (cust[1:] != cust[:-1]) | (day[1:] != day[:-1])][: cust.size]
    cust, day = cust[keep], day[keep]
    pool = np.array([len(names) for names in _CSMS])
    base = np.concatenate([[0], np.cumsum(pool)[:-1]])
    region = c.region[cust]
    step = rng.integers(1, pool[region])  # never the same CSM again
    local = (c.csm[cust] - base[region] + _cumsum_by_group(step, cust)) % pool[region]
    value = np.where(rng.random(cust.size) < _CSM_UNSET, -1, base[region] + local)
    return cust, day, value.astype(np.int64)


def _cumsum_by_group(values: Ints, groups: Ints) -> Ints:
    """Running sum of ``values`` restarting at each new value of sorted ``groups``."""
    if values.size == 0:
        return values
    total = np.cumsum(values)
    first = np.r_[True, groups[1:] != groups[:-1]]
    before = (total - values)[first]
    return np.asarray(total - before[np.cumsum(first) - 1], dtype=np.int64)


# --- tables ---------------------------------------------------------------------------------
def _customers_table(ids: pa.Array, c: _Customers, sim: _Simulation, h: _History) -> pa.Table:
    """Today's values (segment and CSM after every change), as a CRM export would hold."""
    csm_labels = [name for region in _CSMS for name in region]
    return pa.table({
        "customer_id": ids,
        "name": pa.array(c.names),
        "parent_id": _take(ids, c.parent),
        "segment": _labels(_SEGMENTS, sim.segment),
        "csm": _labels(csm_labels, h.csm_now),
        "region": _labels(_REGIONS, c.region),
        "channel": _labels(_CHANNELS, c.channel),
        "size": _labels(_SIZES, c.size),
    })


def _subscriptions_table(ids: pa.Array, c: _Customers, lines: _Lines) -> pa.Table:
    """Lines sorted by customer, start and product, so ids read like a billing export."""
    order = np.lexsort((lines.product, lines.start, lines.cust))
    cust, product = lines.cust[order], lines.product[order]
    return pa.table({
        "subscription_id": _ids("S", cust.size, width=7),
        "customer_id": _take(ids, cust),
        "start_date": _dates(lines.start[order]),
        "end_date": _dates(lines.end[order]),
        "amount": _money(lines.cents[order]),
        "billing_months": pa.array(lines.billing[order]).cast(pa.string()),
        "currency": _labels(_CURRENCIES, c.currency[cust]),
        "kind": _labels(("recurring", "usage"), (product == _USAGE).astype(np.int64)),
        "product": _labels(_PRODUCTS, product),
    })


def _fx_table(cal: _Calendar, fx: Floats) -> pa.Table:
    """Monthly EUR and GBP rates from the first day on, so every line has one in force."""
    steps = cal.months + 1
    return pa.table({
        "date": _dates(np.tile(cal.starts[:steps], 2)),
        "currency": pa.array(np.repeat(_CURRENCIES[1:], steps).tolist()),
        "rate": pa.array([f"{rate:.4f}" for rate in fx[1:].ravel()]),
    })


def _attributes_table(ids: pa.Array, h: _History) -> pa.Table:
    """History rows; an unset CSM is a null value, written as an empty field."""
    csm_labels = [name for region in _CSMS for name in region]
    csm = _labels(csm_labels, np.where(h.attribute == 0, h.value, -1))
    segment = _labels(_SEGMENTS, np.where(h.attribute == 1, h.value, -1))
    return pa.table({
        "customer_id": _take(ids, h.cust),
        "attribute": _labels(("csm", "segment"), h.attribute),
        "value": pc.if_else(pa.array(h.attribute == 0), csm, segment),
        "valid_from": _dates(h.day),
    })


def _ids(prefix: str, n: int, width: int = 6) -> pa.Array:
    """Zero-padded identifiers, widened when ``n`` needs more digits (sorted = numbered)."""
    digits = pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string())
    padded = pc.utf8_lpad(digits, width=max(width, len(str(n))), padding="0")
    return pc.binary_join_element_wise(prefix, padded, "")


def _take(values: pa.Array, index: Ints) -> pa.Array:
    """``values[index]`` with null where ``index`` is -1 (an empty optional field)."""
    return pc.take(values, pa.array(index, mask=index < 0))


def _labels(labels: tuple[str, ...] | list[str], index: Ints) -> pa.Array:
    """Category codes to text in one Arrow take (fast even for millions of rows)."""
    return _take(pa.array(list(labels), pa.string()), index)


def _dates(days: Ints) -> pa.Array:
    """ISO dates from day numbers; -1 becomes null (no end date)."""
    return pa.array(days.astype("datetime64[D]"), mask=days < 0).cast(pa.string())


def _money(cents: Ints) -> pa.Array:
    """Plain decimals with two places from integer cents: exact, no float formatting."""
    whole, frac = np.divmod(cents, 100)
    hundredths = pa.array([f"{i:02d}" for i in range(100)])
    return pc.binary_join_element_wise(pa.array(whole).cast(pa.string()),
                                       pc.take(hundredths, pa.array(frac)), ".")


def _to_date(day: int) -> date:
    """A day number back to a date, for the summary."""
    return _EPOCH + timedelta(days=day)


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    """Write one table; CSV gets an unquoted header and unquoted values (none need quotes)."""
    if fmt == "parquet":
        pq.write_table(table, path)
        return
    with path.open("wb") as sink:
        sink.write((",".join(table.column_names) + "\n").encode())
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(table, sink, options)
