"""Period spines in plain Python.

Periods are few (hundreds at most), so building them here is clearer than in SQL, and it
keeps fiscal calendars and trailing windows out of backend-specific date arithmetic. Every
boundary is the first day of a month.
"""

from __future__ import annotations

from datetime import date

from nrr.definitions import Grain, Period

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_index(d: date) -> int:
    """Months since year 0: integer month arithmetic avoids month-end and leap-day drift."""
    return d.year * 12 + d.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def first_boundary_on_or_after(d: date) -> int:
    """Index of the first month start at or after ``d``."""
    return month_index(d) + (0 if d.day == 1 else 1)


def periods(grain: Grain, start: date, end: date, fiscal_year_start: int = 1) -> list[Period]:
    """Every period of ``grain`` lying wholly inside ``[start, end)``, in order."""
    first = first_boundary_on_or_after(start)
    last = month_index(end)  # a period may end on ``end`` only if it is a month start (<= end)
    if grain is Grain.TTM:
        return [_ttm(m) for m in range(first + 12, last + 1)]
    length = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[grain]
    offset = (fiscal_year_start - 1) % length
    begin = first + (offset - first) % length
    return [
        _calendar(grain, m, length, fiscal_year_start)
        for m in range(begin, last - length + 1, length)
    ]


def _calendar(grain: Grain, m: int, length: int, fiscal_year_start: int) -> Period:
    start, end = month_start(m), month_start(m + length)
    if grain is Grain.MONTH:
        label = f"{_MONTHS[start.month - 1]} {start.year}"
    else:
        # Fiscal years are named after the calendar year they end in (FY2025 = Apr 2024-Mar 2025).
        fy_start = m - (m % 12 - (fiscal_year_start - 1)) % 12
        fiscal_year = month_start(fy_start + 11).year
        prefix = "FY" if fiscal_year_start != 1 else ""
        if grain is Grain.YEAR:
            label = f"{prefix}{fiscal_year}" if prefix else str(start.year)
        else:
            quarter = (m - fy_start) // 3 + 1
            label = f"{prefix}{fiscal_year} Q{quarter}" if prefix else f"{start.year} Q{quarter}"
    return Period(start=start, end=end, label=label)


def _ttm(m: int) -> Period:
    end = month_start(m)
    last = month_start(m - 1)
    label = f"TTM {_MONTHS[last.month - 1]} {last.year}"
    return Period(start=month_start(m - 12), end=end, label=label)
