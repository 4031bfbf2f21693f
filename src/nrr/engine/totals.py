"""Period totals from change points, with a row only for the units that change.

Why a second path: the general one (``report.unit_movements``) gives every unit a row per
period — m0, m1, category — which the drill-down needs. At 1M customers x 36 months that
is 20M rows paired by a hash aggregate: most of a report's time and memory. Totals need
far fewer rows. Between two change points a unit's MRR in its own currency is constant, so
in a period without a change point it moves only with its currency's exchange rate, as
every other such unit of that currency does. Those *unchanged* units are summed per currency,
group (product or attributes that hold still, which are part of the unit's key) and period
as "open at t0 minus the units that change", and classified by the rate's move; a unit gets
a row of its own only for a period it has a change point in (about one row per change
point). Units with lines in several currencies cannot be split that way; their levels are
expanded to instants and paired as on the general path (few units have them). Tests
check that both paths, and the drill-down built on the general one, give the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from nrr.definitions import COUNT_METRICS, PERCENT_METRICS, REPORT_METRICS, FxMode, Period
from nrr.engine import fx, metrics, movements
from nrr.engine.changepoints import Instants, change_points, expand, levels, steps
from nrr.engine.sources import CURRENCY_CODE, Sources

SUMS = tuple(m for m in REPORT_METRICS if m not in PERCENT_METRICS)
ZERO = ibis.literal(0.0, "float64")


@dataclass(frozen=True)
class PeriodIndex:
    """The periods by the indexes of their bounds among the instants (``start_i``,
    ``end_i``), and for each period the indexes ``change_i`` in ``(start_i, end_i]``: a
    change point at ``change_i`` falls inside that period."""

    periods: pa.Table  # period_start, period_end, start_i, end_i
    crossing: pa.Table  # change_i, period_start
    consecutive: bool  # every period ends at the instant after its start (not ttm)

    @classmethod
    def build(cls, periods: Sequence[Period], dates: Sequence[date]) -> PeriodIndex:
        index = {t: n for n, t in enumerate(sorted(set(dates)))}
        bounds = [(p.start, p.end, index[p.start], index[p.end]) for p in periods]
        crossing = [
            (change, start)
            for start, _, first, last in bounds
            for change in range(first + 1, last + 1)
        ]
        return cls(
            pa.table(
                {
                    "period_start": pa.array([s for s, _, _, _ in bounds], pa.date32()),
                    "period_end": pa.array([e for _, e, _, _ in bounds], pa.date32()),
                    "start_i": pa.array([i for _, _, i, _ in bounds], pa.int64()),
                    "end_i": pa.array([i for _, _, _, i in bounds], pa.int64()),
                }
            ),
            pa.table(
                {
                    "change_i": pa.array([i for i, _ in crossing], pa.int64()),
                    "period_start": pa.array([s for _, s in crossing], pa.date32()),
                }
            ),
            all(last == first + 1 for _, _, first, last in bounds),
        )


def unit_facts(lines: ir.Table, keys: list[str]) -> ir.Table:
    """``(keys, first_start, multi_currency)``: the first day of MRR > 0 (new vs
    reactivation) and whether the unit has lines in more than one currency."""
    positive_start = ibis.ifelse(lines.value > 0, lines.start_date, ibis.null("date"))
    return lines.group_by(keys).aggregate(
        first_start=positive_start.min(),
        multi_currency=lines.currency.min() != lines.currency.max(),
    )


def period_rates(periods: ir.Table, rates: ir.Table, fx_mode: FxMode) -> ir.Table:
    """``(period_start, period_end, start_i, end_i, currency, rate_start, rate_end)``: each
    currency's factor at both ends of each period (the start's at both ends for constant
    currency)."""
    start = rates.rename(start_currency="currency", start_i="i", rate_start="factor")
    end = rates.view().rename(end_currency="currency", end_i="i", rate_end="factor")
    joined = periods.join(start, "start_i").join(
        end, [start.start_currency == end.end_currency, "end_i"]
    )
    rate_end = joined.rate_start if fx_mode is FxMode.CONSTANT else joined.rate_end
    return joined.select(
        "period_start",
        "period_end",
        "start_i",
        "end_i",
        currency=joined.start_currency,
        rate_start="rate_start",
        rate_end=rate_end,
    )


def changed_rows(
    moves: ir.Table, crossing: ir.Table, keys: list[str], consecutive: bool
) -> ir.Table:
    """``(period_start, period_end, keys, currency, first_start, before, m0, m1)`` for
    every unit with a change point inside a period; ``before`` stays in its currency."""
    moving = moves.filter((moves.before > 0) | (moves.after > 0))
    crossed = moving.join(crossing, [moving.i == crossing.change_i, "currency"])
    if not consecutive:  # several change points may fall in one period: first and last
        crossed = crossed.group_by(["period_start", *keys, "currency"]).aggregate(
            period_end=crossed.period_end.max(),
            first_start=crossed.first_start.max(),
            rate_start=crossed.rate_start.max(),
            rate_end=crossed.rate_end.max(),
            before=crossed.before.argmin(crossed.i),
            after=crossed.after.argmax(crossed.i),
        )
        crossed = crossed.filter((crossed.before > 0) | (crossed.after > 0))
    return crossed.select(
        "period_start",
        "period_end",
        *keys,
        "currency",
        "first_start",
        "before",
        m0=crossed.before * crossed.rate_start,
        m1=crossed.after * crossed.rate_end,
    )


def changed_sums(changed: ir.Table, groups: list[str]) -> ir.Table:
    """The report sums of the changing units per period, group and currency, with what
    they held at t0 in their own currency (``left_value``, ``left_units``): subtracted
    from what was open, that leaves the unchanged units."""
    rows = metrics.categorize(changed)
    left = rows.before > 0
    return metrics.sums_of(
        rows,
        [*groups, "currency"],
        {
            "left_value": ibis.ifelse(left, rows.before, ZERO).sum(),
            "left_units": ibis.ifelse(left, 1, 0).sum().cast("int64"),
        },
    )


def net_flows(moves: ir.Table, by: list[str]) -> ir.Table:
    """``(by, i, value, units)``: how much MRR (in its currency) and how many units start
    or stop paying at each instant. Their running sum over ``i`` is what is open then, as
    each unit's changes add up to its level."""
    opened = ibis.ifelse(moves.after > 0, 1, 0) - ibis.ifelse(moves.before > 0, 1, 0)
    return moves.group_by([*by, "i"]).aggregate(
        value=(moves.after - moves.before).sum(), units=opened.sum().cast("int64")
    )


def sum_parts(parts: list[ir.Table], groups: list[str]) -> ir.Table:
    """The report sums of several partial tables with the same columns, per period and
    group."""
    union = ibis.union(*(part.select(*parts[0].columns) for part in parts), distinct=False)
    return union.group_by(["period_start", "period_end", *groups]).aggregate(
        **{m: union[m].sum().cast("int64" if m in COUNT_METRICS else "float64") for m in SUMS}
    )


def unchanged_sums(moves: ir.Table, sums: ir.Table, rated: ir.Table, groups: list[str]) -> ir.Table:
    """Report sums of the units with MRR at t0 and no change point in the period, per
    period and group: their native value is "open at t0 minus what changes"."""
    flows = net_flows(moves, ["currency", *groups])
    opened = flows.join(rated, [flows.currency == rated.currency, flows.i <= rated.start_i])
    keys = ["period_start", "currency", *groups]
    open_at_start = opened.group_by(keys).aggregate(
        period_end=opened.period_end.max(),
        rate_start=opened.rate_start.max(),
        rate_end=opened.rate_end.max(),
        value=opened.value.sum(),
        units=opened.units.sum(),
    )
    leaving = sums.select(*keys, "left_value", "left_units")
    joined = open_at_start.left_join(leaving, keys)
    unchanged = joined.select(
        *keys,
        "period_end",
        "rate_start",
        "rate_end",
        value=joined.value - joined.left_value.fill_null(0.0),
        units=joined.units - joined.left_units.fill_null(0),
    )
    return metrics.uniform_sums(unchanged.filter(unchanged.units > 0), groups)


def multi_currency_rows(
    moves: ir.Table,
    instants: Instants,
    periods: ir.Table,
    rates: ir.Table,
    keys: list[str],
    fx_mode: FxMode,
) -> ir.Table:
    """The general path for units with lines in several currencies: levels expanded to
    instants, converted, paired per period (``moves`` holds only such units)."""
    native = expand(levels(moves, keys), instants, keys)
    if fx_mode is FxMode.CONSTANT:
        both = movements.per_period(native, periods, [*keys, "currency"])
        values = movements.convert_at_start(both, rates, keys)
    else:
        converted = native.join(rates, ["currency", "t"]).select(
            *keys, "t", mrr=(native.mrr * rates.factor).cast("float64")
        )
        values = movements.per_period(converted, periods, keys)
    first = moves.select(*keys, "first_start").distinct()
    return metrics.classify(values, first, keys)


def totals_expr(
    lines: ir.Table,
    instants: Instants,
    period_index: PeriodIndex,
    small: ir.Table,
    rates: ir.Table,
    keys: list[str],
    groups: list[str],
    fx_mode: FxMode,
) -> ir.Table:
    """``(period_start, period_end, groups, report sums)`` without per-unit rows.

    ``small`` builds a backend table from Arrow; ``rates`` is ``(currency, t, factor)``;
    ``groups`` must be a subset of ``keys`` (the product, or nothing).
    """
    periods = small(period_index.periods)
    indexed = rates.join(instants.table, "t").select("currency", "i", "factor")
    rated = period_rates(periods, indexed, fx_mode)
    crossing = small(period_index.crossing).join(rated, "period_start")
    changes = change_points(lines, instants, keys).join(unit_facts(lines, keys), keys)
    moves = steps(changes, keys)  # read once: the big tables below are each read once
    one_currency = moves.filter(~moves.multi_currency).drop("multi_currency", "delta")
    changed = changed_rows(one_currency, crossing, keys, period_index.consecutive)
    sums = changed_sums(changed.drop(*[k for k in keys if k not in groups]), groups)
    multi = multi_currency_rows(
        moves.filter(moves.multi_currency), instants, periods, rates, keys, fx_mode
    )
    parts = [
        sums.drop("currency", "left_value", "left_units"),
        metrics.sums_of(multi, groups),
        unchanged_sums(one_currency, sums, rated, groups),
    ]
    return sum_parts(parts, groups)


def coded(lines: ir.Table) -> ir.Table:
    """The lines with their currency as its integer code (``Sources.currency_codes``)."""
    return lines.mutate(currency=lines[CURRENCY_CODE])


def coded_rates(sources: Sources, instants: ir.Table, reporting: str) -> ir.Table:
    """``(currency code, t, factor)``: ``fx.rates_at`` keyed like ``coded`` lines."""
    named = fx.rates_at(sources.fx_rates, instants, reporting)
    joined = named.join(sources.currency_codes, "currency")
    return joined.select(currency=joined[CURRENCY_CODE], t="t", factor="factor")
