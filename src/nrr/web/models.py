"""Pydantic request models of the JSON API, and the widget spec the store persists.

Why pydantic here: FastAPI turns a failed validation into one 422 error (in our error shape)
listing every bad field, and the same models document the API in ``/openapi.json``. Field
names follow the CLI (``period``, ``by``, ``level``, ``filter``) so a URL reads like the
command it mirrors; ``start``/``end`` stand for ``--from``/``--to``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from nrr.api_requests import split_groups
from nrr.definitions import Grain, Level, Unit
from nrr.insights.defaults import MAX_HORIZON

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
# A request's dates: those the data contract accepts (rule date-range). How far a range may
# reach beyond the data is the library's bound (nrr.api_requests.check_bounds), for every
# interface alike.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
# Widgets one dashboard may hold (docs/security.md, Limits): every open runs each of them.
MAX_WIDGETS = 100


def _within_contract(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"dates lie between {FIRST_DAY} and {LAST_DAY}")
    return day


Day = Annotated[date, AfterValidator(_within_contract)]
# The movement categories of nrr.definitions.CATEGORIES (a test keeps the two equal).
Category = Literal["churn", "expansion", "contraction", "flat", "new", "reactivation"]


class Metric(StrEnum):
    """What a widget plots; ``mrr`` is everyone's MRR at the end of each period."""

    NRR = "nrr"
    GRR = "grr"
    LOGO_RETENTION = "logo_retention"
    MRR = "mrr"
    EXPANSION_MRR = "expansion_mrr"
    CONTRACTION_MRR = "contraction_mrr"
    CHURN_MRR = "churn_mrr"
    NEW_MRR = "new_mrr"


METRIC_COLUMN = {metric: metric.value for metric in Metric} | {Metric.MRR: "total_mrr_end"}


class Chart(StrEnum):
    LINE = "line"
    BAR = "bar"
    TABLE = "table"
    KPI = "kpi"
    WATERFALL = "waterfall"
    HEATMAP = "heatmap"


class _Strict(BaseModel):
    """Unknown fields are errors: a typo must not silently fall back to a default."""

    model_config = ConfigDict(extra="forbid")


class _Range(_Strict):
    """``start``/``end``: first days of months; the range is ``[start, end)``."""

    start: Day | None = None
    end: Day | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start and self.end and self.start >= self.end:
            raise ValueError(
                f"start ({self.start.isoformat()}) must be before end ({self.end.isoformat()})"
            )
        return self


class SelectionQuery(_Range):
    """Which periods and units: what ``/api/report``, the forecast and the signals share."""

    period: Grain = Grain.MONTH
    by: list[str] = Field(default_factory=list, description="attributes, repeat or comma-join")
    level: Level = Level.ACCOUNT
    filter: list[str] = Field(default_factory=list, description="ATTRIBUTE=VALUE, repeatable")
    currency: Currency | None = None
    fiscal_year_start: int = Field(1, ge=1, le=12)
    format: Literal["json", "csv"] = "json"
    raw_csv: bool = Field(False, description="csv text as it is, no ' before =+-@ (--raw-csv)")

    @field_validator("filter")
    @classmethod
    def _filters_are_pairs(cls, values: list[str]) -> list[str]:
        for text in values:
            name, sep, _ = text.partition("=")
            if not sep or not name.strip():
                raise ValueError(f"a filter is ATTRIBUTE=VALUE, got {text!r}")
        return values

    def groups(self, known: Sequence[str] = ()) -> list[str]:
        """The ``by`` values as names, split like ``--by`` (``split_groups``)."""
        return split_groups(self.by, known)

    def filters(self) -> list[tuple[str, str]]:
        pairs = (text.partition("=") for text in self.filter)
        return [(name.strip().lower(), value) for name, _, value in pairs]


class ReportQuery(SelectionQuery):
    """The query string of ``/api/report`` (the options of ``nrr report``).

    ``unit`` is here and not on the forecast's and signals' queries: those work in MRR
    (as ``nrr forecast`` and ``nrr signals`` do), and a unit they ignored would mislead.
    """

    unit: Unit = Field(Unit.MRR, description="amounts as mrr, or as arr (12 x MRR)")


ForecastMetric = Literal["nrr", "grr", "expansion_mrr", "contraction_mrr", "churn_mrr"]


def _nrr_only() -> list[ForecastMetric]:
    return ["nrr"]


class ForecastQuery(SelectionQuery):
    """``/api/forecast``: the options of ``nrr forecast`` (period month or quarter)."""

    horizon: int = Field(6, ge=1, le=MAX_HORIZON)
    metric: list[ForecastMetric] = Field(default_factory=_nrr_only)


class SignalsQuery(SelectionQuery):
    """``/api/signals``: the options of ``nrr signals`` (``correlate`` names a signal)."""

    threshold: float = Field(50.0, ge=0)
    window: int = Field(6, ge=3, le=36)
    correlate: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = (
        None
    )
    buckets: int = Field(4, ge=2, le=10)
    cuts: list[float] = Field(default_factory=list)
    below: float | None = None
    top: int = Field(20, ge=1, le=500)


class PeriodsQuery(_Range):
    period: Grain = Grain.MONTH
    fiscal_year_start: int = Field(1, ge=1, le=12)


class CustomersQuery(ReportQuery):
    """``/api/customers``: the units behind a report's figures, optionally one category."""

    category: Category | None = None
    limit: int = Field(2000, ge=1, le=20000)


class CohortsQuery(_Range):
    grain: Literal["month", "quarter"] = "month"
    by: str | None = None
    level: Level = Level.ACCOUNT
    unit: Unit = Unit.MRR


class Timeframe(_Strict):
    """A grain plus either an explicit range or the last N whole periods of the data."""

    grain: Grain = Grain.QUARTER
    mode: Literal["last", "range"] = "last"
    last: int = Field(4, ge=1, le=120)
    start: Day | None = None
    end: Day | None = None
    fiscal_year_start: int = Field(1, ge=1, le=12)

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Self:
        if self.mode == "range" and self.start and self.end and self.start >= self.end:
            raise ValueError("timeframe start must be before its end")
        return self


class FilterSpec(_Strict):
    attribute: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    value: str


class WidgetSpec(_Strict):
    """What a widget shows. Stored as JSON; validated again whenever it is read back."""

    target: Literal["accounts", "organizations"] = "accounts"
    metric: Metric = Metric.NRR
    chart: Chart = Chart.LINE
    group_by: str | None = None
    timeframe: Timeframe = Field(default_factory=lambda: Timeframe.model_validate({}))
    filters: list[FilterSpec] = Field(default_factory=list)
    currency: Currency | None = None
    # A spec stored before ARR existed has no unit: it reads back as MRR, as it was drawn.
    unit: Unit = Unit.MRR

    @model_validator(mode="after")
    def _waterfall_is_one_bridge(self) -> Self:
        if self.chart is Chart.WATERFALL and self.group_by:
            raise ValueError("a waterfall shows one MRR bridge: remove the grouping")
        return self

    @property
    def level(self) -> Level:
        return Level.ORGANIZATION if self.target == "organizations" else Level.ACCOUNT


class WidgetIn(_Strict):
    title: Name
    spec: WidgetSpec = Field(default_factory=WidgetSpec)


class WidgetPatch(_Strict):
    title: Name | None = None
    spec: WidgetSpec | None = None


class DashboardIn(_Strict):
    name: Name


class OrderIn(_Strict):
    widget_ids: list[int]


class DashboardDocument(_Strict):
    """The export/import file: a dashboard without ids, so it can move between stores."""

    format: Literal["nrr-dashboard"] = "nrr-dashboard"
    version: Literal[1] = 1
    name: Name
    widgets: list[WidgetIn] = Field(
        default_factory=list, max_length=MAX_WIDGETS, description=f"at most {MAX_WIDGETS}"
    )
