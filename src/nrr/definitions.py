"""Frozen definitions of what a user asks for.

One frozen request is the single way into the engine: a ``ReportRequest``, the drill-down's
``CustomersRequest`` (which carries the report's request) or a ``CohortRequest``. The CLI,
the web, the Python API and the tests all build one, so a figure cannot depend on which
face asked for it. A request that breaks its own rules raises ``RequestError`` in the
library's words; each interface re-words it (docs/python-api.md, Errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from nrr.errors import RequestError


class Grain(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    TTM = "ttm"


class Level(StrEnum):
    ACCOUNT = "account"
    ORGANIZATION = "organization"


class Method(StrEnum):
    """How a multi-month period's NRR is computed (docs/definitions.md, Methods)."""

    SNAPSHOT = "snapshot"  # the contract's: MRR at t1 of the cohort at t0, over MRR at t0
    COMPOUNDED = "compounded"  # the product of the period's monthly snapshot ratios


class FxMode(StrEnum):
    ACTUAL = "actual"  # each instant at the rate in force on it (the contract's)
    CONSTANT = "constant"  # both ends of a period at the rate in force at its start


class Unit(StrEnum):
    """How amounts are shown (docs/definitions.md, ARR): as MRR, or as ARR = 12 x MRR.

    Only amounts change with the unit; ratios (NRR, GRR, logo retention) are the same in
    both, since both ends of a ratio are multiplied alike. The x12 is computed in one place
    (``nrr.engine.metrics.in_unit``); this enum only names the unit and its columns.
    """

    MRR = "mrr"
    ARR = "arr"

    @property
    def label(self) -> str:
        """``MRR`` or ``ARR``: what a header, a title or an axis says."""
        return self.value.upper()

    def column(self, name: str) -> str:
        """The name amount column ``name`` (named for MRR) has in this unit.

        So a table never says MRR over annual figures: ``starting_mrr`` is ``starting_arr``
        in ARR, the drill-down's ``mrr_start`` is ``arr_start``, a line's ``monthly_value``
        is its ``annual_value``. Names without ``mrr`` (``delta``) keep their name.
        """
        if self is Unit.MRR:
            return name
        return ANNUAL_NAMES.get(name, name.replace("mrr", "arr"))


ANNUAL_NAMES = {"monthly_value": "annual_value"}


def _check_unit(request: ReportRequest | CohortRequest) -> None:
    """A request built by hand with ``unit="arr"`` holds ``Unit.ARR``; any other value is a
    ``RequestError`` naming the field (as the keyword helpers say it)."""
    value = request.unit
    try:
        unit = Unit(value)
    except ValueError:
        raise RequestError(
            "choice-unknown",
            "{unit} must be one of {choices}, got {value!r}",
            ("unit",),
            {"choices": ", ".join(u.value for u in Unit), "value": value},
        ) from None
    object.__setattr__(request, "unit", unit)  # frozen: set once, while being built


class Band(StrEnum):
    """Interpretation bands of an NRR figure (docs/definitions.md, Interpretation bands).

    The one definition of the thresholds (``BAND_FLOORS``): the CLI, the results and the
    web API read them here (the dashboard gets them from the API), and this module stays
    free of the data stack because the CLI's --help path imports it.
    """

    EXCEPTIONAL = "exceptional"
    HEALTHY = "healthy"
    CONCERNING = "concerning"
    CRITICAL = "critical"

    @classmethod
    def of(cls, nrr: float | None) -> Band | None:
        """Band of an NRR percentage; 110 and 100 are healthy, 90 is concerning."""
        if nrr is None or nrr != nrr:  # None or NaN: undefined NRR has no band
            return None
        nrr = round(nrr, 9)  # 110.00000000000001 from float division is exactly 110: healthy
        for band, floor, floor_included in BAND_FLOORS:
            if nrr > floor or (floor_included and nrr == floor):
                return band
        return cls.CRITICAL

    @classmethod
    def of_grr(cls, grr: float | None) -> Band | None:
        """GRR has no bands of its own: the diagnosis threshold (``GRR_HEALTHY``) splits it
        into healthy and concerning, for the tone of a GRR figure."""
        if grr is None:
            return None
        return cls.HEALTHY if grr >= GRR_HEALTHY else cls.CONCERNING

    @classmethod
    def ranges(cls) -> tuple[tuple[Band, float | None, float | None], ...]:
        """``(band, low, high)`` from the best band down; None is unbounded."""
        edges = [floor for _, floor, _ in BAND_FLOORS]
        highs: list[float | None] = [None, *edges]
        lows: list[float | None] = [*edges, None]
        bands = [band for band, _, _ in BAND_FLOORS] + [cls.CRITICAL]
        return tuple(zip(bands, lows, highs, strict=True))


# Lower edge of every band but the last, best first, and whether the edge belongs to the band:
# above 110 is exceptional (110 itself is healthy), from 100 healthy, from 90 concerning.
BAND_FLOORS: tuple[tuple[Band, float, bool], ...] = (
    (Band.EXCEPTIONAL, 110.0, False),
    (Band.HEALTHY, 100.0, True),
    (Band.CONCERNING, 90.0, True),
)


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


# How much one request may list (docs/security.md, Limits): each filter and grouping adds
# a join or a filter to the query, so 10,000 filters would hold the engine for minutes.
MAX_FILTERS = 100
MAX_GROUPS = 10


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
    method: Method = Method.SNAPSHOT
    fx: FxMode = FxMode.ACTUAL
    unit: Unit = Unit.MRR

    def __post_init__(self) -> None:
        _check_unit(self)
        if not 1 <= self.fiscal_year_start <= 12:
            raise RequestError(
                "fiscal-year-start",
                "fiscal year start must be a month number 1-12, got {value}",
                ("fiscal_year_start",),
                {"value": self.fiscal_year_start},
            )
        check_range(self.start, self.end)
        for name, items, limit in (
            ("filters", self.filters, MAX_FILTERS),
            ("by", self.by, MAX_GROUPS),
        ):
            if len(items) > limit:
                raise RequestError(
                    f"{name}-limit",
                    "{" + name + "} lists {count:,} items; at most {limit} are allowed",
                    (name,),
                    {"count": len(items), "limit": limit},
                )
        repeated = next((name for name in self.by if self.by.count(name) > 1), None)
        if repeated is not None:
            raise RequestError(
                "by-repeated",
                "attribute {name!r} appears twice in {by}",
                ("by",),
                {"name": repeated, "groups": ", ".join(self.by)},
            )


def check_range(start: date | None, end: date | None) -> None:
    """``[start, end)`` must hold at least a day."""
    if start and end and start >= end:
        raise RequestError(
            "start-before-end",
            "{start} {first} must be before {end} {last}",
            ("start", "end"),
            {"first": start.isoformat(), "last": end.isoformat()},
        )


CATEGORIES = ("churn", "expansion", "contraction", "flat", "new", "reactivation")
# The column marking rows after the data's as-of date, and what every output says of them
# (docs/definitions.md, "Scheduled is not happened").
SCHEDULED = "scheduled"
SCHEDULED_NOTE = "scheduled: after the data's as-of date, movements are committed, not yet happened"


@dataclass(frozen=True)
class CustomersRequest:
    """The drill-down: the units behind the report ``report`` asks for.

    It carries the report's own request, so the rows it lists are exactly the ones whose
    sums are that report's figures. ``categories`` keeps the units with those movements
    (every unit when empty); ``lines`` lists the subscription lines (or events) active at
    either end of each period instead of the units.
    """

    report: ReportRequest = field(default_factory=ReportRequest)
    categories: tuple[str, ...] = ()
    lines: bool = False

    def __post_init__(self) -> None:
        unknown = [c for c in self.categories if c not in CATEGORIES]
        if unknown:
            raise RequestError(
                "category-unknown",
                "{category} must be one of {choices}, got {value!r}",
                ("category",),
                {"choices": ", ".join(CATEGORIES), "value": unknown[0]},
            )


@dataclass(frozen=True)
class CohortRequest:
    """Acquisition cohorts (contract section 2): who was acquired when, and what remains."""

    grain: Grain = Grain.MONTH
    start: date | None = None
    end: date | None = None
    by: str | None = None
    level: Level = Level.ACCOUNT
    currency: str | None = None
    fiscal_year_start: int = 1
    unit: Unit = Unit.MRR

    def __post_init__(self) -> None:
        _check_unit(self)
        if self.grain not in (Grain.MONTH, Grain.QUARTER):
            raise RequestError(
                "cohort-grain",
                "cohorts are by month or quarter, not {value}",
                ("grain",),
                {"value": self.grain.value},
            )
        check_range(self.start, self.end)


# Diagnosis thresholds (docs/definitions.md, Interpretation).
NRR_GROWTH = 100.0
GRR_HEALTHY = 90.0


def diagnose(nrr: float | None, grr: float | None) -> str:
    """One sentence on what the NRR/GRR pair says; thresholds NRR 100%, GRR 90%."""
    if nrr is None or grr is None or nrr != nrr or grr != grr:
        return "no starting MRR: nothing to retain in this period"
    if nrr >= NRR_GROWTH and grr >= GRR_HEALTHY:
        return "healthy base: low churn and expansion on top"
    if nrr >= NRR_GROWTH:
        return "high NRR, lower GRR: expansion is masking churn"
    if grr >= GRR_HEALTHY:
        return "low churn but little expansion: the base is not growing"
    return "churn and contraction are shrinking the base"
