"""The report itself: each unit's movement per period, summed into the report's rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

from tests.oracle.model import Line, OracleDataset, UnitKey
from tests.oracle.reading import load_dataset
from tests.oracle.units import (
    build_units,
    group_of,
    had_mrr_before,
    mrr_at,
    passes_filters,
    period_spine,
)


@dataclass
class Movements:
    """The accumulators of one report row, exact until the very end."""

    customers_start: int = 0
    starting_mrr: Fraction = Fraction(0)
    expansion_mrr: Fraction = Fraction(0)
    contraction_mrr: Fraction = Fraction(0)
    churn_mrr: Fraction = Fraction(0)
    ending_mrr: Fraction = Fraction(0)
    customers_expanded: int = 0
    customers_contracted: int = 0
    customers_churned: int = 0
    new_mrr: Fraction = Fraction(0)
    reactivation_mrr: Fraction = Fraction(0)
    customers_new: int = 0
    customers_reactivated: int = 0
    total_mrr_start: Fraction = Fraction(0)
    total_mrr_end: Fraction = Fraction(0)

    def add(self, start: Fraction, end: Fraction, had_before: bool) -> None:
        """Classify one unit by its MRR at t0 and t1, exactly as the contract lists it."""
        self.total_mrr_start += start
        self.total_mrr_end += end
        if start > 0:
            self.customers_start += 1
            self.starting_mrr += start
            self.ending_mrr += end
            if end == 0:
                self.customers_churned += 1
                self.churn_mrr += start
            elif end > start:
                self.customers_expanded += 1
                self.expansion_mrr += end - start
            elif end < start:
                self.customers_contracted += 1
                self.contraction_mrr += start - end
        elif end > 0 and had_before:
            self.customers_reactivated += 1
            self.reactivation_mrr += end
        elif end > 0:
            self.customers_new += 1
            self.new_mrr += end

    def metrics(self) -> dict[str, object]:
        """The metric columns of a report row; percentages null when the cohort is empty."""
        defined = self.starting_mrr > 0
        hundred = Fraction(100)
        kept = self.starting_mrr - self.contraction_mrr - self.churn_mrr
        logos = Fraction(self.customers_start - self.customers_churned)
        return {
            "customers_start": self.customers_start,
            "starting_mrr": self.starting_mrr,
            "expansion_mrr": self.expansion_mrr,
            "contraction_mrr": self.contraction_mrr,
            "churn_mrr": self.churn_mrr,
            "ending_mrr": self.ending_mrr,
            "nrr": self.ending_mrr / self.starting_mrr * hundred if defined else None,
            "grr": kept / self.starting_mrr * hundred if defined else None,
            "customers_expanded": self.customers_expanded,
            "customers_contracted": self.customers_contracted,
            "customers_churned": self.customers_churned,
            "logo_retention": logos / self.customers_start * hundred if defined else None,
            "new_mrr": self.new_mrr,
            "reactivation_mrr": self.reactivation_mrr,
            "customers_new": self.customers_new,
            "customers_reactivated": self.customers_reactivated,
            "total_mrr_start": self.total_mrr_start,
            "total_mrr_end": self.total_mrr_end,
        }


@dataclass(frozen=True)
class _Request:
    """The report parameters after defaults are resolved."""

    by: tuple[str, ...]
    filters: Mapping[str, str]
    currency: str


def _period_rows(
    dataset: OracleDataset,
    units: Mapping[UnitKey, list[Line]],
    request: _Request,
    t0: date,
    t1: date,
) -> list[dict[str, object]]:
    """The rows of one period: one per group that has a unit with MRR > 0 at t0 or t1, or
    exactly one row when the report is ungrouped (even if nothing is active)."""
    groups: dict[tuple[str | None, ...], Movements] = {}
    if not request.by:
        groups[()] = Movements()
    for unit, lines in units.items():
        if not passes_filters(dataset, unit[0], request.filters, t0):
            continue
        start = mrr_at(dataset, lines, t0, request.currency)
        end = mrr_at(dataset, lines, t1, request.currency)
        if request.by and start == 0 and end == 0:
            continue
        group = group_of(dataset, unit, request.by, t0)
        groups.setdefault(group, Movements()).add(start, end, had_mrr_before(lines, t0))
    rows = []
    for group, movements in groups.items():
        row: dict[str, object] = {"period_start": t0, "period_end": t1}
        row.update(zip(request.by, group, strict=True))
        row.update(movements.metrics())
        rows.append(row)
    return rows


def _group_sort_key(row: Mapping[str, object], by: Sequence[str]) -> tuple[object, ...]:
    """Sort by period start, then group values with null first."""
    values = [row[column] for column in by]
    return (row["period_start"], *((value is not None, value or "") for value in values))


def oracle_report_exact(
    data_dir: Path,
    *,
    period: str,
    start: date,
    end: date,
    by: Sequence[str] = (),
    level: str = "account",
    filters: Mapping[str, str] | None = None,
    currency: str | None = None,
    fiscal_year_start: int = 1,
) -> list[dict[str, object]]:
    """The report rows with exact values: money and percentages as ``Fraction``.

    Tests use this form to check identities (the MRR bridge) with no rounding at all.
    """
    dataset = load_dataset(data_dir)
    filters = dict(filters or {})
    product_filter = next((v for k, v in filters.items() if k.lower() == "product"), None)
    request = _Request(tuple(by), filters, currency or dataset.base_currency)
    by_product = any(column.lower() == "product" for column in by)
    units = build_units(dataset, level, by_product, product_filter)
    rows = []
    for t0, t1 in period_spine(period, start, end, fiscal_year_start):
        rows.extend(_period_rows(dataset, units, request, t0, t1))
    rows.sort(key=lambda row: _group_sort_key(row, request.by))
    return rows


def oracle_report(
    data_dir: Path,
    *,
    period: str,
    start: date,
    end: date,
    by: Sequence[str] = (),
    level: str = "account",
    filters: Mapping[str, str] | None = None,
    currency: str | None = None,
    fiscal_year_start: int = 1,
) -> list[dict[str, object]]:
    """The report rows as the engine returns them: money and percentages as float, counts
    as int, dates as ``date``, group values as str or None. Rounding happens only here."""
    exact = oracle_report_exact(
        data_dir,
        period=period,
        start=start,
        end=end,
        by=by,
        level=level,
        filters=filters,
        currency=currency,
        fiscal_year_start=fiscal_year_start,
    )
    return [
        {key: float(value) if isinstance(value, Fraction) else value for key, value in row.items()}
        for row in exact
    ]
