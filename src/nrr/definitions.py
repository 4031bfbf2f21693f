"""Frozen definitions of what a user asks for.

One request object is the single entry point to the engine (the CLI, the Python API and the
tests all build a ``ReportRequest``), so a figure cannot depend on which face asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from nrr.errors import ConfigError


class Grain(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    TTM = "ttm"


class Level(StrEnum):
    ACCOUNT = "account"
    ORGANIZATION = "organization"


class Band(StrEnum):
    """Interpretation bands of section 4 of the contract."""

    EXCEPTIONAL = "exceptional"
    HEALTHY = "healthy"
    CONCERNING = "concerning"
    CRITICAL = "critical"

    @classmethod
    def of(cls, nrr: float | None) -> Band | None:
        """Band of an NRR percentage; 110 and 100 are healthy, 90 is concerning."""
        if nrr is None or nrr != nrr:  # None or NaN: undefined NRR has no band
            return None
        if nrr > 110:
            return cls.EXCEPTIONAL
        if nrr >= 100:
            return cls.HEALTHY
        if nrr >= 90:
            return cls.CONCERNING
        return cls.CRITICAL


PRODUCT = "product"

REPORT_METRICS: tuple[str, ...] = (
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

COUNT_METRICS = frozenset(
    {
        "customers_start",
        "customers_expanded",
        "customers_contracted",
        "customers_churned",
        "customers_new",
        "customers_reactivated",
    }
)
PERCENT_METRICS = frozenset({"nrr", "grr", "logo_retention"})


@dataclass(frozen=True)
class Period:
    """A half-open interval ``[start, end)`` whose bounds are month starts."""

    start: date
    end: date
    label: str


@dataclass(frozen=True)
class ReportRequest:
    """Everything that determines a period report.

    ``start``/``end`` of None mean "the data's own range"; the dataset resolves them.
    """

    grain: Grain = Grain.MONTH
    start: date | None = None
    end: date | None = None
    by: tuple[str, ...] = ()
    level: Level = Level.ACCOUNT
    filters: tuple[tuple[str, str], ...] = ()
    currency: str | None = None
    fiscal_year_start: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise ConfigError(
                f"fiscal year start must be a month number 1-12, got {self.fiscal_year_start}"
            )
        if self.start and self.end and self.start >= self.end:
            raise ConfigError(
                f"--from {self.start.isoformat()} must be before --to {self.end.isoformat()}"
            )
        if len(set(self.by)) != len(self.by):
            raise ConfigError(f"a grouping is repeated in --by: {', '.join(self.by)}")

