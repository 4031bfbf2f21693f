"""Requests from keyword arguments, and the checks only a dataset can make.

A request checks itself (``nrr.definitions``: a range that holds a day, no grouping twice);
whether its attributes exist and its currency has rates depends on the data, so those
checks live here, next to the defaults the data supplies (its own date range). The
keyword helpers of ``Dataset`` and ``Dataset.run`` both come through here, so a request
built by hand is held to the same rules as one built from keywords.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

from nrr import periods
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
    )


def cohort_request(
    grain: str | Grain = Grain.MONTH,
    start: date | str | None = None,
    end: date | str | None = None,
    by: str | None = None,
    level: str | Level = Level.ACCOUNT,
    currency: str | None = None,
    fiscal_year_start: int = 1,
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
    )


def spine(request: ReportRequest | CohortRequest) -> list[Period]:
    """The whole periods of a request whose range is filled in."""
    assert request.start is not None and request.end is not None
    return periods.periods(request.grain, request.start, request.end, request.fiscal_year_start)


def resolved(staged: StagedData, request: AnyRequest) -> AnyRequest:
    """``request`` with the data's own range where it has none, checked against the data."""
    if request.start is None or request.end is None:
        request = replace(
            request,
            start=request.start or default_start(staged),
            end=request.end or default_end(staged),
        )
    if isinstance(request, ReportRequest):
        check_attributes(staged, request.by, "by")
        check_attributes(staged, [name for name, _ in request.filters], "filters")
    else:
        check_attributes(staged, [request.by] if request.by else [], "by")
    currency = request.currency
    if currency and currency != staged.base_currency:
        first = spine(request)
        if first:
            check_currency(staged, currency, first[0].start)
    return request


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
    build: Callable[Concatenate[Any, P], Any],
) -> Callable[[Callable[[Any, Any], R]], Callable[Concatenate[Any, P], R]]:
    """Give a method that takes a built request the keywords of the method building it.

    So ``report(...)`` is ``report(request(...))`` with ``request``'s signature written
    once; ``help()`` and ``inspect.signature`` show those keywords and the method's result.
    """

    def decorate(func: Callable[[Any, Any], R]) -> Callable[Concatenate[Any, P], R]:
        def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return func(self, build(self, *args, **kwargs))

        returns = inspect.signature(func).return_annotation
        method.__signature__ = inspect.signature(build).replace(  # type: ignore[attr-defined]
            return_annotation=returns
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
