"""customer_attributes rows: CSM reassignments and segment moves, point in time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nrr.demo.customers import Customers
from nrr.demo.shape import CSM_CHANGES_PER_YEAR, CSM_UNSET, CSMS, Ints, Rng
from nrr.demo.simulation import Simulation
from nrr.demo.timeline import Calendar


# --- attribute history ----------------------------------------------------------------------
@dataclass(frozen=True)
class History:
    """customer_attributes rows; ``value`` is an index into the attribute's labels, -1 unset."""

    cust: Ints
    attribute: Ints  # 0 csm, 1 segment
    value: Ints
    day: Ints
    csm_now: Ints


def attribute_history(rng: Rng, c: Customers, sim: Simulation, cal: Calendar) -> History:
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
    for attribute, cust, day, value, initial in (
        (0, csm_cust, csm_day, csm_value, c.csm),
        (1, seg_cust, seg_day, seg_value, c.segment),
    ):
        opened = np.unique(cust)
        parts.append(
            (
                np.concatenate([opened, cust]),
                np.full(opened.size + cust.size, attribute),
                np.concatenate([initial[opened], value]),
                np.concatenate([c.day[opened], day]),
            )
        )
    cust, attr, value, day = (
        np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(4)
    )
    order = np.lexsort((day, attr, cust))
    return History(cust[order], attr[order], value[order], day[order], csm_now)


def _csm_changes(rng: Rng, c: Customers, cal: Calendar) -> tuple[Ints, Ints, Ints]:
    """A few % of customers a year get a new CSM from their region, on a date after arrival."""
    end = int(cal.starts[cal.months])
    years = np.maximum(end - 1 - c.day, 0) / 365.25
    count = np.minimum(rng.poisson(CSM_CHANGES_PER_YEAR * years), 3)
    cust = np.repeat(np.arange(c.day.size), count)
    first = c.day[cust] + 1
    day = first + (rng.random(cust.size) * (end - first)).astype(np.int64)
    order = np.lexsort((day, cust))
    cust, day = cust[order], day[order]
    keep = np.r_[True, (cust[1:] != cust[:-1]) | (day[1:] != day[:-1])][: cust.size]
    cust, day = cust[keep], day[keep]
    pool = np.array([len(names) for names in CSMS])
    base = np.concatenate([[0], np.cumsum(pool)[:-1]])
    region = c.region[cust]
    step = rng.integers(1, pool[region])  # never the same CSM again
    local = (c.csm[cust] - base[region] + _cumsum_by_group(step, cust)) % pool[region]
    value = np.where(rng.random(cust.size) < CSM_UNSET, -1, base[region] + local)
    return cust, day, value.astype(np.int64)


def _cumsum_by_group(values: Ints, groups: Ints) -> Ints:
    """Running sum of ``values`` restarting at each new value of sorted ``groups``."""
    if values.size == 0:
        return values
    total = np.cumsum(values)
    first = np.r_[True, groups[1:] != groups[:-1]]
    before = (total - values)[first]
    return np.asarray(total - before[np.cumsum(first) - 1], dtype=np.int64)
