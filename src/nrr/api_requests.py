"""Requests from keyword arguments, and the checks only a dataset can make.

A request checks itself (``nrr.definitions``: a range that holds a day, no grouping twice);
whether its attributes exist and its currency has rates depends on the data, so those
checks live here, next to the defaults the data supplies (its own date range). The
keyword helpers of ``Dataset`` and ``Dataset.run`` both come through here, so a request
built by hand is held to the same rules as one built from keywords.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

from nrr import periods
from nrr.data_values import values_of
from nrr.dataset import StagedData
from nrr.definitions import (
    PRODUCT,
    CohortRequest,
    FxMode,
    Grain,
    Level,
    Method,
    Period,
    ReportRequest,
    Unit,
)
from nrr.errors import RequestError

AnyRequest = TypeVar("AnyRequest", ReportRequest, CohortRequest)
P = ParamSpec("P")
R = TypeVar("R")


def report_request(
    period: str | Grain = Grain.MONTH,
    start: date | str | None = None,
    end: date | str | None = None,
    by: Sequence[str] | str = (),
    level: str | Level = Level.ACCOUNT,
    filters: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    currency: str | None = None,
    fiscal_year_start: int = 1,
    method: str | Method = Method.SNAPSHOT,
    fx: str | FxMode = FxMode.ACTUAL,
    unit: str | Unit = Unit.MRR,
) -> ReportRequest:
    """A report request from the Python API's keywords (strings or enums); ``start`` and
    ``end`` stay None where not given, for the dataset to fill in."""
    return ReportRequest(
        grain=_enum(Grain, period, "period"),
        start=_date(start, "start"),
        end=_date(end, "end"),
        by=tuple([by] if isinstance(by, str) else by),
        level=_enum(Level, level, "level"),
        filters=tuple((filters or {}).items() if isinstance(filters, Mapping) else filters or ()),
        currency=currency.upper() if currency else None,
        fiscal_year_start=fiscal_year_start,
        method=_enum(Method, method, "method"),
        fx=_enum(FxMode, fx, "fx"),
        unit=_enum(Unit, unit, "unit"),
    )


def cohort_request(
    grain: str | Grain = Grain.MONTH,
    start: date | str | None = None,
    end: date | str | None = None,
    by: str | None = None,
    level: str | Level = Level.ACCOUNT,
    currency: str | None = None,
    fiscal_year_start: int = 1,
    unit: str | Unit = Unit.MRR,
) -> CohortRequest:
    """A cohort request from the Python API's keywords."""
    return CohortRequest(
        grain=_enum(Grain, grain, "grain"),
        start=_date(start, "start"),
        end=_date(end, "end"),
        by=by.lower() if by else None,
        level=_enum(Level, level, "level"),
        currency=currency.upper() if currency else None,
        fiscal_year_start=fiscal_year_start,
        unit=_enum(Unit, unit, "unit"),
    )


def split_groups(values: Iterable[str], known: Iterable[str] = ()) -> list[str]:
    """Attribute names from ``--by`` values (or the web's ``by``): each value is one name
    when it is exactly a ``known`` attribute, else a comma-separated list of names.

    So an attribute whose name holds a comma stays usable (``--by "region, sub"``), and
    ``--by a,b`` still means two groupings when no attribute is called ``a,b``.
    """
    names = {name.lower() for name in known}
    groups: list[str] = []
    for value in values:
        whole = value.strip().lower()
        parts = [whole] if whole in names else [p.strip().lower() for p in value.split(",")]
        groups.extend(part for part in parts if part)
    return groups


def spine(request: ReportRequest | CohortRequest) -> list[Period]:
    """The whole periods of a request whose range is filled in."""
    assert request.start is not None and request.end is not None
    return periods.periods(request.grain, request.start, request.end, request.fiscal_year_start)


def resolved(staged: StagedData, request: AnyRequest) -> AnyRequest:
    """``request`` with the data's own range where it has none, checked against the data:
    its attributes, its currency and the work it asks for (``check_bounds``)."""
    if request.start is None or request.end is None:
        request = replace(
            request,
            start=request.start or default_start(staged),
            end=request.end or default_end(staged),
        )
    # Attributes first: a name that is no attribute is that, not "too many groups".
    if isinstance(request, ReportRequest):
        check_attributes(staged, request.by, "by")
        check_attributes(staged, [name for name, _ in request.filters], "filters")
    else:
        check_attributes(staged, [request.by] if request.by else [], "by")
    check_bounds(staged, request)
    currency = request.currency
    if currency and currency != staged.base_currency:
        first = spine(request)
        if first:
            check_currency(staged, currency, first[0].start)
    return request


# The work one request may ask for (docs/security.md, Limits). A request holds the engine
# while it runs, so ``end=2999-12-01`` (11,000 empty months) or ``start=1800-01-01`` must be
# refused before anything runs, whichever interface asked.
HORIZON_MONTHS = 60  # how far past the data's as-of month a range may end
SLACK_MONTHS = 60  # how far before the data's first month a range may start
ROW_BUDGET = 100_000  # report rows (periods x groups) or cohort cells (x groups) per request


def check_bounds(staged: StagedData, request: ReportRequest | CohortRequest) -> None:
    """Refuse a range far outside the data, or more rows than ``ROW_BUDGET``.

    Past the as-of month the data only holds scheduled ends, and before its first month
    nothing at all: five years either side covers any contract the data can describe. The
    row count is estimated before the query: periods times the groups the grouped
    attributes (or products) could form.
    """
    assert request.start is not None and request.end is not None
    earliest = _months_after(default_start(staged), -SLACK_MONTHS)
    latest = _months_after(default_end(staged), HORIZON_MONTHS)
    if request.start < earliest:
        raise RequestError(
            "range-too-early",
            "{start} {first} is more than {slack} months before the data's first month "
            "({data}): the earliest allowed is {earliest}",
            ("start",),
            {
                "first": request.start,
                "slack": SLACK_MONTHS,
                "data": default_start(staged),
                "earliest": earliest,
            },
        )
    if request.end > latest:
        raise RequestError(
            "range-too-late",
            "{end} {last} is more than {horizon} months after the data's as-of month "
            "({data}): the latest allowed is {latest}",
            ("end",),
            {
                "last": request.end,
                "horizon": HORIZON_MONTHS,
                "data": default_end(staged),
                "latest": latest,
            },
        )
    count = len(spine(request))
    if isinstance(request, ReportRequest) and request.method is Method.COMPOUNDED:
        # The compounded method computes the monthly report over the range as well.
        count += len(spine(replace(request, grain=Grain.MONTH, method=Method.SNAPSHOT)))
    if isinstance(request, CohortRequest):
        count = count * (count + 1) // 2  # one cell per cohort and age
    grouped = request.by if isinstance(request, ReportRequest) else [request.by] * bool(request.by)
    groups = estimated_groups(staged, [str(name) for name in grouped], ROW_BUDGET // max(count, 1))
    if count * groups > ROW_BUDGET:
        raise RequestError(
            "row-budget",
            "the request asks for about {rows:,} rows ({periods:,} periods or cells x {groups:,} "
            "groups), over the limit of {budget:,}: narrow {start}/{end} or use fewer "
            "attributes in {by}",
            ("by", "start", "end"),
            {"rows": count * groups, "periods": count, "groups": groups, "budget": ROW_BUDGET},
        )


def estimated_groups(staged: StagedData, names: Sequence[str], enough: int) -> int:
    """How many groups ``names`` could form (each attribute's values plus "unset", or the
    products), counted only when a cheap upper bound could exceed ``enough``."""
    if not names:
        return 1
    rows = len(staged.customers) + len(staged.attribute_history) + len(staged.lines) + 1
    upper: int = rows ** len(names)
    if upper <= enough:
        return upper
    return math.prod(_distinct(staged, name) for name in names)


def _distinct(staged: StagedData, name: str) -> int:
    """The values ``name`` takes anywhere in the data, plus one for "unset"."""
    return len(values_of(staged, name)) + 1


def _months_after(day: date, months: int) -> date:
    return periods.month_start(periods.month_index(day) + months)


def default_start(staged: StagedData) -> date:
    first = staged.first_date or date.today()
    return first.replace(day=1)


def default_end(staged: StagedData) -> date:
    """The first month start on or after the latest line start (or event).

    Scheduled future end dates do not stretch the range: the data says nothing yet about
    revenue starting after its latest start, so later periods would only show churn.
    """
    last = staged.last_start or date.today()
    end = periods.month_start(periods.first_boundary_on_or_after(last))
    if end <= default_start(staged):
        end = periods.month_start(periods.month_index(last) + 1)
    return end


def check_attributes(staged: StagedData, asked: Sequence[str], field: str) -> None:
    known = set(staged.attributes) | {PRODUCT}
    unknown = [name for name in asked if name not in known]
    if unknown:
        raise RequestError(
            "attribute-unknown",
            "unknown attribute {name!r}; available: {known}",
            (field,),
            {"name": unknown[0], "known": ", ".join(sorted(known))},
        )


def check_currency(staged: StagedData, currency: str, first: date) -> None:
    fx = staged.fx_rates.to_pandas()
    dates = fx.loc[fx["currency"] == currency, "valid_from"]
    if dates.empty:
        raise RequestError(
            "currency-unknown",
            "cannot report in {code}: fx_rates has no {code} rate (currencies with rates: {known})",
            ("currency",),
            {"code": currency, "known": ", ".join(sorted(set(fx["currency"])))},
        )
    if min(dates) > first:
        raise RequestError(
            "currency-too-late",
            "cannot report in {code}: no {code} rate in force on {first} (first rate {rate})",
            ("currency",),
            {"code": currency, "first": first.isoformat(), "rate": min(dates).isoformat()},
        )


def keywords_of(
    build: Callable[P, Any],
) -> Callable[[Callable[[Any, Any], R]], Callable[Concatenate[Any, P], R]]:
    """Give a method that takes a built request the keywords of the function building it.

    So ``Dataset.request(...)`` and ``Dataset.report(...)`` take ``report_request``'s
    keywords, written once; ``help()`` and ``inspect.signature`` show those keywords and the
    method's result.
    """

    def decorate(func: Callable[[Any, Any], R]) -> Callable[Concatenate[Any, P], R]:
        def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return func(self, build(*args, **kwargs))

        signature = inspect.signature(build)
        me = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
        method.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[me, *signature.parameters.values()],
            return_annotation=inspect.signature(func).return_annotation,
        )
        method.__name__, method.__qualname__ = func.__name__, func.__qualname__
        method.__doc__, method.__module__ = func.__doc__, func.__module__
        return method

    return decorate


def _enum(kind: Any, value: Any, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise RequestError(
            "choice-unknown",
            "{" + name + "} must be one of {choices}, got {value!r}",
            (name,),
            {"choices": choices, "value": value},
        ) from None


def _date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RequestError(
            "date-invalid",
            "{" + name + "} must be a date in YYYY-MM-DD form, got {value!r}",
            (name,),
            {"value": value},
        ) from None
