"""The writer: the simulation as the four tables of docs/data-format.md, in CSV or Parquet.

Values are built as Arrow text (ids, ISO dates, money from integer cents), so the files are
exact and identical for the same arguments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nrr.demo.customers import Customers
from nrr.demo.history import History
from nrr.demo.shape import (
    CHANNELS,
    CSMS,
    CURRENCIES,
    PRODUCTS,
    REGIONS,
    SEGMENTS,
    SIZES,
    USAGE,
    Floats,
    Ints,
)
from nrr.demo.simulation import Lines, Simulation
from nrr.demo.timeline import Calendar


# --- tables ---------------------------------------------------------------------------------
def customers_table(ids: pa.Array, c: Customers, sim: Simulation, h: History) -> pa.Table:
    """Today's values (segment and CSM after every change), as a CRM export would hold."""
    csm_labels = [name for region in CSMS for name in region]
    return pa.table(
        {
            "customer_id": ids,
            "name": pa.array(c.names),
            "parent_id": _take(ids, c.parent),
            "segment": _labels(SEGMENTS, sim.segment),
            "csm": _labels(csm_labels, h.csm_now),
            "region": _labels(REGIONS, c.region),
            "channel": _labels(CHANNELS, c.channel),
            "size": _labels(SIZES, c.size),
        }
    )


def subscriptions_table(ids: pa.Array, c: Customers, lines: Lines) -> pa.Table:
    """Lines sorted by customer, start and product, so ids read like a billing export."""
    order = np.lexsort((lines.product, lines.start, lines.cust))
    cust, product = lines.cust[order], lines.product[order]
    return pa.table(
        {
            "subscription_id": numbered_ids("S", cust.size, width=7),
            "customer_id": _take(ids, cust),
            "start_date": _dates(lines.start[order]),
            "end_date": _dates(lines.end[order]),
            "amount": _money(lines.cents[order]),
            "billing_months": pa.array(lines.billing[order]).cast(pa.string()),
            "currency": _labels(CURRENCIES, c.currency[cust]),
            "kind": _labels(("recurring", "usage"), (product == USAGE).astype(np.int64)),
            "product": _labels(PRODUCTS, product),
        }
    )


def fx_table(cal: Calendar, fx: Floats) -> pa.Table:
    """Monthly EUR and GBP rates from the first day on, so every line has one in force."""
    steps = cal.months + 1
    return pa.table(
        {
            "date": _dates(np.tile(cal.starts[:steps], 2)),
            "currency": pa.array(np.repeat(CURRENCIES[1:], steps).tolist()),
            "rate": pa.array([f"{rate:.4f}" for rate in fx[1:].ravel()]),
        }
    )


def attributes_table(ids: pa.Array, h: History) -> pa.Table:
    """History rows; an unset CSM is a null value, written as an empty field."""
    csm_labels = [name for region in CSMS for name in region]
    csm = _labels(csm_labels, np.where(h.attribute == 0, h.value, -1))
    segment = _labels(SEGMENTS, np.where(h.attribute == 1, h.value, -1))
    return pa.table(
        {
            "customer_id": _take(ids, h.cust),
            "attribute": _labels(("csm", "segment"), h.attribute),
            "value": pc.if_else(pa.array(h.attribute == 0), csm, segment),
            "valid_from": _dates(h.day),
        }
    )


def numbered_ids(prefix: str, n: int, width: int = 6) -> pa.Array:
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
    return pc.binary_join_element_wise(
        pa.array(whole).cast(pa.string()), pc.take(hundredths, pa.array(frac)), "."
    )


def write_table(table: pa.Table, path: Path, fmt: str) -> None:
    """Write one table; CSV gets an unquoted header and unquoted values (none need quotes)."""
    if fmt == "parquet":
        pq.write_table(table, path)
        return
    with path.open("wb") as sink:
        sink.write((",".join(table.column_names) + "\n").encode())
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(table, sink, options)
