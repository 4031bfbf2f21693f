"""Subscription invoice lines -> MRR over time -> the fewest subscription lines that say it.

The rules (docs/importing.md, "Invoice lines"), written as arithmetic on exact fractions:

* a line whose service period is whole months (``[Jan 15, Apr 15)``: 3) pays
  ``amount / months`` a month over its period;
* a period that is not whole months is a proration: its monthly rate is its amount scaled
  up to the billing cycle it falls in (the ``billing_months`` of the subscription's whole
  periods, 1 without any), by days, the way billing systems prorate. A rate within one
  day's proration (plus the amount's rounding) of a whole period's rate of the same
  subscription *is* that rate: an invoice carries dates, not the hour of the change;
* a subscription's MRR on a day is the sum of the rates of its lines covering that day
  (a negative line, credit for unused time, lowers it), so an upgrade shows on its day;
* consecutive days with the same MRR make one line; a day no line covers is a gap (churn,
  and a reactivation if paying again later); a day whose lines net to zero only through a
  credit counts as not covered, while a line that is itself $0 (a trial, a 100%-off
  coupon) is a $0 line.
"""

from __future__ import annotations

import calendar
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from nrr.importers.invoice_read import InvoiceLine
from nrr.importers.summary import Tally

# the days of an average month (365.25 / 12), for a proration longer than its cycle
MONTH_DAYS = Fraction(36525, 1200)
Key = tuple[str, str, str, str]  # customer_id, subscription_id, product, currency


@dataclass(frozen=True)
class Charge:
    """A subscription line after its discounts: ``amount`` exact, ``places`` its decimals."""

    line: InvoiceLine
    amount: Fraction
    places: int

    @property
    def key(self) -> Key:
        line = self.line
        return (line.customer_id, line.subscription_id, line.product, line.currency)


@dataclass(frozen=True)
class Segment:
    """``[start, end)`` at ``mrr`` a month; ``months`` is the billing cycle it came from."""

    key: Key
    start: date
    end: date
    mrr: Fraction
    months: int


def places(value: Decimal) -> int:
    """The decimals an amount was written with (its rounding unit)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day of month clamped to the month's last."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def whole_months(start: date, end: date) -> int | None:
    """The months of ``[start, end)`` when it is whole months (month ends count as one
    anchor: ``[Jan 31, Feb 29)`` and ``[Feb 29, Mar 31)`` are one month each), else None."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months < 1:
        return None
    if add_months(start, months) == end:
        return months
    month_end = (start + timedelta(days=1)).day == 1 and (end + timedelta(days=1)).day == 1
    return months if month_end else None


def net_discounts(
    subscriptions: Sequence[InvoiceLine], discounts: Iterable[InvoiceLine], tally: Tally
) -> list[Charge]:
    """Each discount subtracted from the subscription lines it applies to, pro rata.

    A discount applies to the subscription lines of its invoice (``invoice_id``), or
    without one to those of its customer, product and service period; a product or a
    period it names narrows its invoice's lines to those. Its amount is subtracted whatever
    its sign, since exports write discounts either way.
    """
    amounts = [Fraction(line.amount) for line in subscriptions]
    digits = [places(line.amount) for line in subscriptions]
    for discount in discounts:
        targets = _targets(subscriptions, discount)
        base = sum((max(subscriptions[i].amount, Decimal(0)) for i in targets), start=0)
        if not targets or base == 0:
            tally.skip("discount lines with no subscription line to net against")
            continue
        tally.read("discount lines netted against subscription lines")
        off = abs(Fraction(discount.amount))
        for i in targets:
            amounts[i] -= off * Fraction(max(subscriptions[i].amount, Decimal(0))) / Fraction(base)
            digits[i] = max(digits[i], places(discount.amount))
    charges = []
    for line, amount, digit in zip(subscriptions, amounts, digits, strict=True):
        if amount < 0 <= line.amount:
            tally.warn("a discount larger than its subscription line: the line counts as $0")
            amount = Fraction(0)
        charges.append(Charge(line, amount, digit))
    return charges


def _targets(lines: Sequence[InvoiceLine], discount: InvoiceLine) -> list[int]:
    def same_period(line: InvoiceLine) -> bool:
        return (line.start, line.end) == (discount.start, discount.end)

    mine = [
        i
        for i, line in enumerate(lines)
        if line.customer_id == discount.customer_id and line.currency == discount.currency
    ]
    if discount.invoice_id:
        mine = [i for i in mine if lines[i].invoice_id == discount.invoice_id]
        if discount.product:
            mine = [i for i in mine if lines[i].product == discount.product]
        if discount.start is not None and any(same_period(lines[i]) for i in mine):
            mine = [i for i in mine if same_period(lines[i])]
        return mine
    return [i for i in mine if lines[i].product == discount.product and same_period(lines[i])]


def _cycle(charges: Sequence[Charge]) -> tuple[int, set[Fraction]]:
    """A key's billing cycle (the commonest whole period) and its whole periods' rates."""
    months: Counter[int] = Counter()
    rates = set()
    for charge in charges:
        line = charge.line
        assert line.start is not None and line.end is not None
        n = whole_months(line.start, line.end)
        if n is not None:
            months[n] += 1
            if charge.amount > 0:
                rates.add(charge.amount / n)
    return (months.most_common(1)[0][0] if months else 1), rates


def rate_of(charge: Charge, cycle: int, rates: set[Fraction], tally: Tally) -> Fraction:
    """The monthly rate a charge pays over its service period (module docstring)."""
    line = charge.line
    assert line.start is not None and line.end is not None
    n = whole_months(line.start, line.end)
    if n is not None:
        return charge.amount / n
    days = (line.end - line.start).days
    cycle_start = add_months(line.end, -cycle)
    if cycle_start > line.start:  # longer than its cycle: by days of an average month
        return charge.amount / (days / MONTH_DAYS)
    cycle_days = (line.end - cycle_start).days
    rate = charge.amount * cycle_days / (days * cycle)
    rounding = Fraction(1, 2 * 10**charge.places) * cycle_days / (days * cycle)
    near = [r for r in rates if abs(abs(rate) - r) <= min(r / days, r / 10) + rounding]
    if near:
        best = min(near, key=lambda r: abs(abs(rate) - r))
        return best if rate >= 0 else -best
    if rate != 0:
        tally.warn(
            "a prorated period whose monthly rate matches no whole period of its "
            "subscription: kept at its rate by days"
        )
    return rate


def segments(key: Key, charges: Sequence[Charge], tally: Tally) -> list[Segment]:
    """A key's MRR over time as merged segments (module docstring)."""
    cycle, rates = _cycle(charges)
    ends = {c.line.end for c in charges}
    if any(c.line.start - timedelta(days=1) in ends for c in charges if c.line.start):
        tally.warn(
            "periods of a subscription leave one-day gaps (churn and reactivation): if the "
            'service period end is the last day paid for, map it with period_end = "inclusive"'
        )
    periods = Counter((c.line.start, c.line.end) for c in charges if c.line.amount > 0)
    if any(count > 1 for count in periods.values()):
        tally.warn(
            "a period billed twice for one subscription and product: both count "
            "(a voided or reissued invoice in the export?)"
        )
    rated = []
    for charge in charges:
        line = charge.line
        assert line.start is not None and line.end is not None
        months = whole_months(line.start, line.end) or cycle
        rated.append((line.start, line.end, rate_of(charge, cycle, rates, tally), months))
    points = sorted({day for start, end, _, _ in rated for day in (start, end)})
    out: list[Segment] = []
    for start, end in itertools.pairwise(points):
        covering = [(rate, months) for s, e, rate, months in rated if s <= start < e]
        mrr = sum((rate for rate, _ in covering), start=Fraction(0))
        if not covering or (mrr == 0 and any(rate < 0 for rate, _ in covering)):
            continue
        if mrr < 0:
            tally.warn("credits larger than a subscription's charges: that time counts as no line")
            continue
        cycles = {months for rate, months in covering if rate > 0}
        segment = Segment(key, start, end, mrr, cycles.pop() if len(cycles) == 1 else 1)
        last = out[-1] if out else None
        if last is not None and last.end == start and last.mrr == mrr:
            months = last.months if last.months == segment.months else 1
            out[-1] = replace(last, end=end, months=months)
        else:
            out.append(segment)
    return out


def subscription_segments(charges: Iterable[Charge], tally: Tally) -> list[Segment]:
    """Every key's segments, in customer, subscription, product order."""
    by_key: dict[Key, list[Charge]] = defaultdict(list)
    for charge in charges:
        by_key[charge.key].append(charge)
    return [seg for key in sorted(by_key) for seg in segments(key, by_key[key], tally)]
