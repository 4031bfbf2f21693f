"""``generate``: the demo's one entry point, from arguments to four written tables.

The steps run in a fixed order on one seeded generator (see the package docstring): the
calendar and rates, the customers, the simulation, the attribute history, then the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np

from nrr.demo.customers import draw_customers
from nrr.demo.history import attribute_history
from nrr.demo.shape import CURRENCIES
from nrr.demo.simulation import simulate
from nrr.demo.tables import (
    attributes_table,
    customers_table,
    fx_table,
    numbered_ids,
    subscriptions_table,
    write_table,
)
from nrr.demo.timeline import Calendar, fx_path, to_date
from nrr.errors import ConfigError


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
    cal = Calendar.build(start, months)
    fx = fx_path(rng, months)
    people = draw_customers(rng, customers, cal, fx)
    sim = simulate(rng, people, cal, fx)
    history = attribute_history(rng, people, sim, cal)
    ids = numbered_ids("C", customers)
    tables = {
        "customers": customers_table(ids, people, sim, history),
        "subscriptions": subscriptions_table(ids, people, sim.lines),
        "fx_rates": fx_table(cal, fx),
        "customer_attributes": attributes_table(ids, history),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_table(table, directory / f"{name}.{fmt}", fmt)
    used = np.unique(people.currency[sim.lines.cust])
    return DemoSummary(
        directory=directory,
        customers=customers,
        organizations=int(np.count_nonzero(people.parent < 0)),
        subscriptions=int(sim.lines.cust.size),
        attribute_changes=int(history.cust.size),
        currencies=tuple(sorted(CURRENCIES[int(c)] for c in used)),
        first_month=start,
        last_month=to_date(int(cal.starts[months - 1])),
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
