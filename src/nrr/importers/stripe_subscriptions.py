"""A subscription's lines: its invoiced history, then its current state, then its end.

The rule (docs/importing.md, "Stripe"): each invoiced period of a licensed price is a line
at its invoiced amount; a proration dates a change inside a period; the subscription's
current items continue the last invoiced period (or, when they differ from it with no
proration to date the change, count from the current period's start, with a warning);
the end is ``ended_at`` (or ``canceled_at``) once ended, ``cancel_at`` or the period end
when scheduled. Consecutive periods at the same price and amount become one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from nrr.importers.stripe_invoices import Segment
from nrr.importers.stripe_money import (
    discount_end,
    discounted,
    is_once,
    per_billing_period,
    to_date,
)
from nrr.importers.stripe_prices import Registry, discounts_of, ident, items_of
from nrr.importers.stripe_read import Obj
from nrr.importers.summary import Tally

ENDED = ("canceled", "incomplete_expired")


def lines_of_subscription(
    sub: Obj,
    invoiced: list[Segment],
    cuts: list[tuple[str, date]],
    registry: Registry,
    tally: Tally,
) -> list[Segment]:
    sub_id = str(sub.get("id") or "")
    status = str(sub.get("status") or "active")
    if status == "incomplete":
        tally.skip("subscriptions in status incomplete (never paid)")
        return []
    segments = _bridge(sub_id, _cut(sorted(invoiced, key=lambda s: s.start), cuts), tally)
    current, tiered = _current(sub, registry, tally)
    for price_id in sorted(tiered - {s.price_id for s in segments}):
        tally.warn(
            f"subscription {sub_id}: price {price_id} has no unit amount (tiered) and no "
            "invoice line in the export: left out"
        )
    period_start, period_end = _period(sub)
    end = _end(sub, status, period_end)
    if status in ENDED:
        if segments:
            last = max(s.end or date.max for s in segments)
            if end is not None and end > last:
                segments = [s.until(end) if s.end == last else s for s in segments]
        else:
            segments = _from_start(sub, current)
    else:
        segments = _continue(
            sub_id, segments, current, tiered, (period_start, period_end), sub, tally
        )
    if end is not None:
        segments = [
            s.until(end) if s.end is None or s.end > end else s for s in segments if s.start < end
        ]
    return merge(segments)


def _cut(segments: list[Segment], cuts: list[tuple[str, date]]) -> list[Segment]:
    """A proration credit for a price ends that price's period on the change date."""
    for price_id, day in cuts:
        segments = [
            s.until(day)
            if s.price_id == price_id and s.start < day and (s.end is None or day < s.end)
            else s
            for s in segments
        ]
    return segments


def _bridge(sub_id: str, segments: list[Segment], tally: Tally) -> list[Segment]:
    """A gap between two invoiced periods keeps the price before it, with a warning.

    A Stripe subscription never resumes once ended (a new one has a new id), so a period
    with no invoice is a missing (or voided) invoice, not a churn and a reactivation.
    """
    covered: list[tuple[date, date]] = []
    for s in sorted(segments, key=lambda s: s.start):
        end = s.end or date.max
        if covered and s.start <= covered[-1][1]:
            covered[-1] = (covered[-1][0], max(covered[-1][1], end))
        else:
            covered.append((s.start, end))
    for (_, gap_start), (gap_end, _) in pairwise(covered):
        tally.warn(
            f"subscription {sub_id}: no invoice from {gap_start} to {gap_end}: "
            "the price before the gap is assumed to continue"
        )
        segments = [s.until(gap_end) if s.end == gap_start else s for s in segments]
    return segments


def _continue(
    sub_id: str,
    segments: list[Segment],
    current: list[Segment],
    tiered: set[str],
    period: tuple[date | None, date | None],
    sub: Obj,
    tally: Tally,
) -> list[Segment]:
    if not segments:
        return _from_start(sub, current)
    period_start, period_end = period
    last = max(s.end or date.max for s in segments)
    tail = [s for s in segments if s.end == last]
    # a tiered price has no amount of its own: its last invoiced amount carries on
    current = current + [replace(s, end=None) for s in tail if s.price_id in tiered]
    if period_end is None or last < period_end:
        # the current period is not invoiced (yet, or not in the export): the current items
        # continue the last invoiced period
        return segments + [replace(s, start=last) for s in current]
    if _same(tail, current):
        return [s.until(None) if s.end == last else s for s in segments]
    start = period_start or last
    tally.warn(
        f"subscription {sub_id}: its current items differ from its last invoice and no "
        f"proration line dates the change: the current price counts from its current "
        f"period's start {start} (when, and how often, it changed in between cannot be known)"
    )
    kept = [s.until(start) if s.end is not None and s.end > start else s for s in segments]
    kept = [s for s in kept if s.start < start]
    return kept + [replace(s, start=start) for s in current]


def _same(tail: list[Segment], current: list[Segment]) -> bool:
    invoiced = sorted((s.price_id, s.amount) for s in tail)
    return invoiced == sorted((s.price_id, s.amount) for s in current)


def _from_start(sub: Obj, current: list[Segment]) -> list[Segment]:
    """No invoice in the export: the current items from the start (after a $0 trial).

    A tiered price has no amount without an invoice: it is left out, with a warning.
    """
    start = to_date(sub.get("start_date") or sub.get("created"))
    trial_start, trial_end = to_date(sub.get("trial_start")), to_date(sub.get("trial_end"))
    out: list[Segment] = []
    for s in current:
        if trial_start is not None and trial_end is not None and s.amount > 0:
            out.append(replace(s, start=trial_start, end=trial_end, amount=Decimal(0)))
            out.append(replace(s, start=trial_end))
        else:
            out.append(replace(s, start=trial_start or start or s.start))
    return out


def _current(sub: Obj, registry: Registry, tally: Tally) -> tuple[list[Segment], set[str]]:
    """The current items as open lines (start set by the caller), net of recurring discounts.

    Also the ids of tiered prices (no ``unit_amount``), whose value only invoices tell.
    """
    sub_id = str(sub.get("id") or "")
    customer = ident(sub.get("customer"))
    period_start, _ = _period(sub)
    trialing = str(sub.get("status")) == "trialing"
    discounts = [
        d
        for d in (registry.discount(d) for d in discounts_of(sub))
        if d is not None and not is_once(d) and not _expired(d, period_start)
    ]
    out: list[Segment] = []
    tiered: set[str] = set()
    amount_off_left = True
    for item in items_of(sub):
        price = registry.price(item.get("price") or item.get("plan"))
        if price is None or not price.recurring or price.metered:
            continue
        if price.unit is None:
            tiered.add(price.id)
            continue
        currency = price.currency or str(sub.get("currency") or "").upper()
        value = Decimal(0) if trialing else price.unit * Decimal(str(item.get("quantity") or 1))
        for discount in discounts:
            coupon = discount.get("coupon") or (discount.get("source") or {}).get("coupon") or {}
            if coupon.get("amount_off") is not None and not amount_off_left:
                continue
            before = value
            value = discounted(value, discount, currency)
            if coupon.get("amount_off") is not None and before > value:
                amount_off_left = False
        amount, months = per_billing_period(
            value, str(price.interval), price.interval_count, currency
        )
        day = period_start or date.min
        out.append(
            Segment(customer, sub_id, price.id, price.product, day, None, amount, months, currency)
        )
    return out, tiered


def _expired(discount: Mapping[str, Any], day: date | None) -> bool:
    end = discount_end(discount)
    return end is not None and day is not None and end <= day


def _period(sub: Obj) -> tuple[date | None, date | None]:
    """The current period, on the subscription (older API) or its first item (newer)."""
    items = items_of(sub)
    first = items[0] if items else {}
    start = sub.get("current_period_start") or first.get("current_period_start")
    end = sub.get("current_period_end") or first.get("current_period_end")
    return to_date(start), to_date(end)


def _end(sub: Obj, status: str, period_end: date | None) -> date | None:
    if status in ENDED:
        return to_date(sub.get("ended_at") or sub.get("canceled_at") or sub.get("cancel_at"))
    if sub.get("cancel_at"):
        return to_date(sub.get("cancel_at"))
    if sub.get("cancel_at_period_end"):
        return period_end
    return None


def merge(segments: list[Segment]) -> list[Segment]:
    """Consecutive periods of one price at one amount as one line; empty periods dropped."""
    out: list[Segment] = []
    for s in sorted(segments, key=lambda s: (s.price_id, s.start)):
        if s.end is not None and s.end <= s.start:
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.price_id == s.price_id
            and prev.end == s.start
            and (prev.amount, prev.billing_months, prev.currency)
            == (s.amount, s.billing_months, s.currency)
        ):
            out[-1] = prev.until(s.end)
        else:
            out.append(s)
    return sorted(out, key=lambda s: (s.start, s.price_id))
