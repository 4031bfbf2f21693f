"""The oracle's data model: one revenue line, a dataset, and the monthly value of a line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

#: The days-based divisor of usage lines: the average month, 365.25 / 12 = 30.4375 days.
USAGE_DAYS_PER_MONTH = Fraction(487, 16)


#: Months in a (fiscal) year.
MONTHS_PER_YEAR = 12


#: The base currency when no currency is left without rates (definitions.md, Currency).
DEFAULT_BASE_CURRENCY = "USD"


#: The metric columns of a period report, after the period and group columns, in order.
METRIC_COLUMNS: tuple[str, ...] = (
    "customers_start",
    "starting_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churn_mrr",
    "ending_mrr",
    "nrr",
    "grr",
    "customers_expanded",
    "customers_contracted",
    "customers_churned",
    "logo_retention",
    "new_mrr",
    "reactivation_mrr",
    "customers_new",
    "customers_reactivated",
    "total_mrr_start",
    "total_mrr_end",
)


#: Every column of an ungrouped period report (group columns go after period_end).
REPORT_COLUMNS: tuple[str, ...] = ("period_start", "period_end", *METRIC_COLUMNS)


#: A unit of the report: (owning customer or organization id, product). The product part is
#: None for every unit unless the report groups by product.
UnitKey = tuple[str, str | None]


@dataclass(frozen=True)
class Line:
    """One revenue line, already monthly-normalized, in its own currency.

    Events become lines too (``[date, next event's date)``), so every rule downstream is
    written once, as the definitions page says the engine does it.
    """

    customer_id: str
    start: date
    end: date | None
    value: Fraction
    currency: str
    product: str | None

    def active_at(self, t: date) -> bool:
        """The contract's activity test: ``start_date <= t < end_date``; no end never ends."""
        return self.start <= t and (self.end is None or t < self.end)


@dataclass(frozen=True)
class OracleDataset:
    """Everything the oracle needs, parsed from the CSV tables into plain Python values."""

    parents: Mapping[str, str | None]
    attributes: Mapping[str, Mapping[str, str | None]]
    history: Mapping[tuple[str, str], Sequence[tuple[date, str | None]]]
    lines: Sequence[Line]
    rates: Mapping[str, Sequence[tuple[date, Fraction]]]
    base_currency: str


def month_index(d: date) -> int:
    """Months since year 0: calendar math from integers, so month ends cannot surprise."""
    return d.year * 12 + d.month - 1


def month_start(index: int) -> date:
    """The first day of the month with the given ``month_index``."""
    return date(index // 12, index % 12 + 1, 1)


def monthly_value(
    kind: str, amount: Fraction, billing_months: int, start: date, end: date | None
) -> Fraction:
    """The monthly-normalized value of a line (docs/definitions.md, MRR at an instant).

    Recurring lines spread the charge over their billing period. Usage lines spread the
    charge over the service period: whole calendar months when both dates share a day of
    month (so Jan 31 -> Mar 31 is exactly 2), otherwise days / 30.4375.
    """
    if kind != "usage":
        return amount / billing_months
    if end is None:
        raise ValueError("a usage line needs an end_date (contract: it is then required)")
    if start.day == end.day:
        return amount / (month_index(end) - month_index(start))
    return amount / (Fraction((end - start).days) / USAGE_DAYS_PER_MONTH)
