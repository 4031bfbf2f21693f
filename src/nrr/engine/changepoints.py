"""MRR at the instants from change points, without expanding lines to instants.

A line only changes a unit's MRR at the first instant on or after its start and the first
on or after its end. So each line becomes two signed deltas at instant indexes (found by an
equality join on an integer month key), the deltas are summed per unit, currency and index,
and a running sum turns them into levels that hold until the next change. Only the levels
are expanded to the instants they hold at — one row per unit and instant it pays at,
however many lines it has — instead of one row per line and instant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from nrr.engine.sources import FOREVER
from nrr.periods import month_index

# A running sum of +v and -v may leave 1e-13 instead of 0: such a level is no revenue.
ZERO_LEVEL = 1e-9
FOREVER_INDEX = 2**31


def instant_tables(instants: Sequence[date]) -> tuple[pa.Table, pa.Table]:
    """``(i, t)`` for the sorted instants, and ``(mk, i)``: for every month key from the
    first instant to one past the last, the index of the first instant on or after it
    (``len(instants)`` past the last: "never within the request")."""
    ordered = sorted(set(instants))
    keys = [month_index(t) for t in ordered]
    lookup_keys = list(range(keys[0], keys[-1] + 2))
    position, index = 0, []
    for key in lookup_keys:
        while position < len(keys) and keys[position] < key:
            position += 1
        index.append(position)
    return (
        pa.table(
            {
                "i": pa.array(range(len(ordered)), pa.int64()),
                "t": pa.array(ordered, pa.date32()),
            }
        ),
        pa.table({"mk": pa.array(lookup_keys, pa.int64()), "i": pa.array(index, pa.int64())}),
    )


def _month_key(day: ir.DateValue, low: int, high: int) -> ir.IntegerValue:
    """Index of the first month start on or after ``day``, clamped into the lookup range."""
    key = day.year().cast("int64") * 12 + day.month().cast("int64") - 1
    key = key + ibis.ifelse(day.day() > 1, 1, 0)
    return ibis.least(ibis.greatest(key, low), high)


def change_points(lines: ir.Table, instants: Instants, keys: list[str]) -> ir.Table:
    """``(keys, currency, i, delta)``: the net change of each unit's MRR in one currency at
    instant index ``i`` (none after the last instant)."""
    low, high = instants.low, instants.high
    # Two distinct lookup tables: joining one table twice makes Ibis resolve both sides'
    # columns to the same relation.
    starts = instants.start_lookup.rename(start_i="i", start_mk="mk")
    ends = instants.end_lookup.rename(end_i="i", end_mk="mk")
    # Fill before clamping: GREATEST/LEAST skip NULLs on some engines (DuckDB), so an open
    # end would clamp to the first instant instead of "never".
    end_key = _month_key(lines.end_date.fill_null(ibis.literal(FOREVER)), low, high)
    keyed = lines.mutate(start_mk=_month_key(lines.start_date, low, high), end_mk=end_key)
    keyed = keyed.select(*keys, "currency", "value", "start_mk", "end_mk")
    if instants.monthly:  # every month start is an instant: the index is arithmetic
        spans = keyed.select(
            *keys, "currency", "value", start_i=keyed.start_mk - low, end_i=keyed.end_mk - low
        )
    else:
        spans = keyed.join(starts, "start_mk").join(ends, "end_mk")
    # A line that starts and ends between the same two instants (or outside the request)
    # never pays at one: both its deltas go after the last instant, where the filter below
    # drops them. (Filtering the lines on ``start_i < end_i`` instead made DuckDB compute
    # every month key twice, once in the filter and once in the projection.)
    after = ibis.literal(instants.size, "int64")
    pays = spans.start_i < spans.end_i
    # Both deltas of a line from one pass (unnest of a pair), not a union of two passes:
    # a union reads the joined lines twice, which DuckDB materializes (1.8 GB at 1M).
    pair = ibis.array(
        [
            ibis.struct({"i": ibis.ifelse(pays, spans.start_i, after), "delta": spans.value}),
            ibis.struct({"i": ibis.ifelse(pays, spans.end_i, after), "delta": -spans.value}),
        ]
    )
    unpacked = spans.select(*keys, "currency", pair=pair.unnest())
    deltas = unpacked.select(*keys, "currency", i=unpacked.pair["i"], delta=unpacked.pair["delta"])
    # A change after the last instant moves no level any request reads (running sums look
    # back): a line still open at the end of a request (1.5M of 6M at 1M customers) then
    # costs the big aggregate and window one row, not two.
    deltas = deltas.filter(deltas.i < instants.size)
    return deltas.group_by([*keys, "currency", "i"]).aggregate(delta=deltas.delta.sum())


def steps(changes: ir.Table, keys: list[str]) -> ir.Table:
    """Each change point with the unit's MRR (in its currency) just before and after it;
    0 where it has none."""
    series = [changes[k] for k in [*keys, "currency"]]
    upto = ibis.window(group_by=series, order_by=changes.i, rows=(None, 0))
    sums = changes.mutate(after=changes.delta.sum().over(upto))
    before = sums.after - sums.delta  # the previous running sum, up to the last bit
    zero = ibis.literal(0.0, "float64")
    return sums.mutate(
        after=ibis.ifelse(sums.after > ZERO_LEVEL, sums.after, zero),
        before=ibis.ifelse(before > ZERO_LEVEL, before, zero),
    )


def levels(moves: ir.Table, keys: list[str]) -> ir.Table:
    """``(keys, currency, i, until, level)`` from ``steps``: each unit's MRR per currency,
    ``level`` from instant index ``i`` up to (not including) ``until``, where it pays."""
    series = [moves[k] for k in [*keys, "currency"]]
    ordered = ibis.window(group_by=series, order_by=moves.i)  # lead takes no frame (Spark)
    spans = moves.mutate(until=moves.i.lead().over(ordered))
    paying = spans.filter(spans.after > 0)
    return paying.select(
        *keys, "currency", "i", level="after", until=paying.until.fill_null(FOREVER_INDEX)
    )


def expand(spans: ir.Table, instants: Instants, keys: list[str]) -> ir.Table:
    """``(keys, currency, t, mrr)``: the ``levels`` at every instant they hold at."""
    at = instants.table
    joined = spans.join(at, [at.i >= spans.i, at.i < spans.until])
    return joined.select(*keys, "currency", "t", mrr=joined.level)


def native_levels(lines: ir.Table, instants: Instants, keys: list[str]) -> ir.Table:
    """``(keys, currency, t, mrr)``: each unit's MRR per currency at every instant it pays,
    in the lines' own currency."""
    changes = change_points(lines, instants, keys)
    return expand(levels(steps(changes, keys), keys), instants, keys)


@dataclass(frozen=True)
class Instants:
    """The instants of a request on a backend: ``table`` is ``(i, t)``, numbered in order,
    and the month-key lookups find the index of the first instant on or after a date."""

    table: ir.Table
    start_lookup: ir.Table
    end_lookup: ir.Table
    low: int
    high: int
    monthly: bool  # the instants are every month start from the first to the last
    size: int  # how many instants: index ``size`` means "after the last one"

    @classmethod
    def build(cls, small: Callable[[pa.Table], ir.Table], dates: Sequence[date]) -> Instants:
        numbered, lookup = instant_tables(dates)
        keys = sorted({month_index(t) for t in dates})
        low, high = keys[0], keys[-1] + 1
        monthly = keys == list(range(low, high))
        return cls(
            small(numbered), small(lookup), small(lookup), low, high, monthly, numbered.num_rows
        )
