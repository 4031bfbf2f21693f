"""The forecast and signals endpoints: API requests to ``nrr.insights`` calls, results to JSON.

Why the lock is released before fitting: the dataset's DuckDB connection must be used by
one thread at a time, but fitting a model is pure numpy work that can take a second; other
requests (the report the same page asked for) should not wait behind it.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from nrr.definitions import ReportRequest
from nrr.insights.benchmarks import IndustryBand, benchmark
from nrr.insights.forecast import forecast_report
from nrr.insights.health import SignalReport, signal_report
from nrr.insights.series import check_grain
from nrr.insights.signals import leading_indicators
from nrr.render import render_bytes
from nrr.results import Report
from nrr.web.errors import NotAvailableError
from nrr.web.models import ForecastQuery, SignalsQuery
from nrr.web.queries import band, clean_rows, describe, labelled, period_label, periods_json
from nrr.web.state import WebState

Row = dict[str, Any]


def _request(state: WebState, query: ForecastQuery | SignalsQuery) -> ReportRequest:
    with state.lock:
        request: ReportRequest = state.dataset.request(
            query.period,
            query.start,
            query.end,
            query.groups(state.dataset.attributes),
            query.level,
            query.filters(),
            query.currency,
            query.fiscal_year_start,
        )
    if isinstance(query, ForecastQuery):
        check_grain(request)  # before any query runs
    return request


def _history(state: WebState, query: ForecastQuery | SignalsQuery) -> Report:
    request = _request(state, query)
    with state.lock:
        return state.dataset.run(request)


def forecast_rows(state: WebState, query: ForecastQuery) -> tuple[Report, Any]:
    if importlib.util.find_spec("statsmodels") is None:
        raise NotAvailableError("forecasts need statsmodels: pip install 'nrr[forecast]'")
    report = _history(state, query)
    return report, forecast_report(report, query.horizon, list(dict.fromkeys(query.metric)))


def forecast_payload(state: WebState, query: ForecastQuery) -> Row:
    report, result = forecast_rows(state, query)
    rows = [
        {**row, "industry_band": _industry(row["forecast"]) if row["metric"] == "nrr" else None}
        for row in clean_rows(result.to_pylist())
    ]
    return {
        "ok": True,
        "request": describe(report.request),
        "currency": report.currency,
        "horizon": query.horizon,
        "history": {"periods": len(report.periods), "last": report.periods[-1].label},
        "periods": periods_json(result.periods),
        "rows": rows,
        "models": sorted({row["model"] for row in rows}),
        "skipped": list(result.skipped),
    }


def forecast_csv(state: WebState, query: ForecastQuery) -> bytes:
    """Exactly what ``nrr forecast --format csv`` writes for the same options."""
    return render_bytes(
        forecast_rows(state, query)[1].table, "csv", escape_formulas=not query.raw_csv
    )


def _industry(value: float | None) -> str | None:
    found = IndustryBand.of(value)
    return found.value if found else None


def signals_payload(state: WebState, query: SignalsQuery) -> Row:
    report = _history(state, query)
    indicators = leading_indicators(report, query.threshold, query.window)
    rows = labelled(report, indicators.to_pylist(), period_label(report))
    names = list(state.described.signal_names)  # known since the data was loaded
    with state.lock:
        totals = state.dataset.totals(report) if report.groups else report
        correlation = _correlation(state, report.request, query) if query.correlate else None
    overall = totals.to_pylist() if totals is not None and len(totals) else []
    latest = overall[-1] if overall else None
    return {
        "ok": True,
        "request": describe(report.request),
        "currency": report.currency,
        "periods": periods_json(report.periods),
        "threshold": query.threshold,
        "window": query.window,
        "rows": rows,
        "warnings": sum(1 for row in rows if row["early_warning"]),
        "benchmark": (
            {
                "label": report.label(latest["period_start"]),
                **benchmark(latest["nrr"], latest["grr"]).to_dict(),
            }
            if latest
            else None
        ),
        "signals": names,
        "correlation": correlation,
    }


def correlated(state: WebState, request: ReportRequest, query: SignalsQuery) -> SignalReport:
    """The signal's buckets and at-risk list for ``query``, read once for the page and its
    files (the caller holds the lock: this queries the engine)."""
    assert query.correlate is not None
    return signal_report(
        state.dataset,
        request,
        query.correlate,
        query.buckets,
        query.cuts or None,
        query.below,
        query.top,
    )


def _correlation(state: WebState, request: ReportRequest, query: SignalsQuery) -> Row:
    """Buckets and the at-risk list (the caller holds the lock: this queries the engine)."""
    result = correlated(state, request, query)
    buckets = [{**row, "band": band(row["nrr"])} for row in clean_rows(result.buckets.to_pylist())]
    risky = result.at_risk
    return {
        "signal": result.buckets.signal,
        "edges": list(result.buckets.edges),
        "buckets": buckets,
        "below": risky.below,
        "as_of": risky.as_of.isoformat(),
        "at_risk": clean_rows(risky.to_pylist()),
    }


def signals_csv(state: WebState, query: SignalsQuery) -> bytes:
    """What ``nrr signals --format csv`` writes: indicators, or buckets with ``correlate``."""
    if not query.correlate:
        report = _history(state, query)
        return render_bytes(
            leading_indicators(report, query.threshold, query.window).table,
            "csv",
            escape_formulas=not query.raw_csv,
        )
    request = _request(state, query)
    with state.lock:
        result = correlated(state, request, query)
    return render_bytes(result.buckets.table, "csv", escape_formulas=not query.raw_csv)
