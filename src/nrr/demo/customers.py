"""Every customer's static profile: arrival, segment, region, currency, price, parent, name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nrr.demo.shape import (
    BILLING,
    BILLING_P,
    CHANNEL_P,
    CSMS,
    EMEA_CURRENCY_P,
    NAME_FIRST,
    NAME_SECOND,
    NAME_SUFFIX,
    NAME_UNIT,
    PRICE_MEDIAN_USD,
    PRICE_SIGMA,
    REGION_P,
    SEGMENT_P,
    SIZE_P,
    USAGE_SHARE,
    Bools,
    Floats,
    Ints,
    Rng,
)
from nrr.demo.timeline import Calendar


# --- customers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Customers:
    """Static draws per customer, in arrival order (index i is customer C{i+1})."""

    arrival: Ints  # month index of the first line
    anchor: Ints  # day of month (1..31) the customer's contract dates fall on
    day: Ints  # arrival date
    segment: Ints
    region: Ints
    channel: Ints
    size: Ints
    currency: Ints
    csm: Ints  # global index into the flattened CSMS
    billing: Ints
    parent: Ints  # -1 for an organization's top account
    price: Ints  # Core monthly price at arrival, whole units of the customer's currency
    usage: Bools  # on metered Automation
    usage_usd: Floats  # usage charge per month at arrival, in USD
    usage_growth: Floats  # monthly log growth of usage
    names: npt.NDArray[np.str_]


def draw_customers(rng: Rng, n: int, cal: Calendar, fx: Floats) -> Customers:
    """Draw every customer's static profile; amounts depend on segment, currency on region."""
    arrival, anchor, day = _arrivals(rng, n, cal)
    segment = _pick(rng, np.array([SEGMENT_P]), np.zeros(n, np.int64))
    region = _pick(rng, np.array([REGION_P]), np.zeros(n, np.int64))
    emea_currency = _pick(rng, np.array([EMEA_CURRENCY_P]), np.zeros(n, np.int64))
    currency = np.where(region == 1, emea_currency, 0)
    pool = np.array([len(names) for names in CSMS])
    base = np.concatenate([[0], np.cumsum(pool)[:-1]])
    csm = base[region] + (rng.random(n) * pool[region]).astype(np.int64)
    price_usd = PRICE_MEDIAN_USD[segment] * np.exp(PRICE_SIGMA[segment] * rng.normal(size=n))
    price = np.maximum(5, np.round(price_usd / fx[currency, arrival])).astype(np.int64)
    usage_ratio = np.exp(np.log(0.25) + 0.5 * rng.normal(size=n))
    parent = _parents(rng, n)
    return Customers(
        arrival=arrival,
        anchor=anchor,
        day=day,
        segment=segment,
        region=region,
        channel=_pick(rng, np.array(CHANNEL_P), segment),
        size=_pick(rng, np.array(SIZE_P), segment),
        currency=currency,
        csm=csm,
        billing=BILLING[_pick(rng, np.array(BILLING_P), segment)],
        parent=parent,
        price=price,
        usage=rng.random(n) < USAGE_SHARE[segment],
        usage_usd=price_usd * usage_ratio,
        usage_growth=rng.normal(0.012, 0.012, size=n),
        names=_names(rng, parent),
    )


def _arrivals(rng: Rng, n: int, cal: Calendar) -> tuple[Ints, Ints, Ints]:
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
    space = len(NAME_FIRST) * len(NAME_SECOND) * len(NAME_SUFFIX)
    code = rng.choice(space, size=n, replace=n > space)
    first, rest = np.divmod(code, len(NAME_SECOND) * len(NAME_SUFFIX))
    second, suffix = np.divmod(rest, len(NAME_SUFFIX))
    words = (
        np.array(NAME_FIRST)[first],
        np.array(NAME_SECOND)[second],
        np.array(NAME_SUFFIX)[suffix],
    )
    names = np.char.add(
        np.char.add(np.char.add(np.char.add(words[0], " "), words[1]), " "), words[2]
    ).astype(object)
    unit = np.array(NAME_UNIT, dtype=object)[rng.integers(0, len(NAME_UNIT), size=n)]
    level2 = np.flatnonzero((parent >= 0) & (parent[np.maximum(parent, 0)] < 0))
    level3 = np.flatnonzero((parent >= 0) & (parent[np.maximum(parent, 0)] >= 0))
    for rows in (level2, level3):  # parents' names first, so grandchildren inherit them
        names[rows] = names[parent[rows]] + " " + unit[rows]
    return names.astype(str)
