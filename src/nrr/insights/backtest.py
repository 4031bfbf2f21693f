"""Backtest the forecast: does it beat "next period equals this period" on this data?

Why: a forecast of a noisy ratio can be worse than the obvious guess. ``backtest_report``
fits the model on the periods before each of the last K periods and forecasts that one
period (a rolling origin, one step ahead), does the same for the naive (last value) and
drift (first-to-last line) baselines, and says plainly whether the model wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from nrr.definitions import ReportRequest
from nrr.errors import RequestError
from nrr.insights.defaults import METRICS
from nrr.insights.forecast import MIN_PERIODS, PERCENT_METRICS, forecast_values, metric_range
from nrr.insights.series import (
    SEASON,
    Floats,
    Series,
    check_grain,
    report_series,
    usable_series,
)
from nrr.results import Report, Result

BASELINES = ("naive", "drift")


@dataclass(frozen=True)
class Backtest(Result):
    """Errors of the model and the baselines per (group, metric), and what they mean."""

    request: ReportRequest
    currency: str
    tested: int  # K: how many final periods were forecast one step ahead
    verdicts: tuple[str, ...]
    skipped: tuple[str, ...] = field(default=())


def _baseline(method: str, history: Floats) -> float:
    """One step ahead: naive repeats the last value; drift extends the first-to-last line."""
    if method == "naive" or len(history) < 2:
        return float(history[-1])
    return float(history[-1] + (history[-1] - history[0]) / (len(history) - 1))


def _one_step(history: Floats, season: int, metric: str) -> tuple[float, str]:
    result = forecast_values(history, 1, season).clipped(*metric_range(metric))
    return float(result.mean[0]), result.model


def _errors(forecasts: Floats, actual: Floats) -> tuple[float, float | None]:
    """MAE, and MAPE in % over the periods whose actual value is not zero (else None)."""
    error = np.abs(forecasts - actual)
    nonzero = actual != 0
    mape = float(np.mean(error[nonzero] / np.abs(actual[nonzero])) * 100) if nonzero.any() else None
    return float(np.mean(error)), mape


def backtest_values(
    values: Floats, tested: int, season: int, metric: str
) -> dict[str, tuple[float, float | None, str]]:
    """Rolling-origin one-step errors over the last ``tested`` values, per method.

    Returns ``{"model" | "naive" | "drift": (mae, mape, model name)}``.
    """
    n = len(values)
    actual = values[n - tested :]
    predicted: dict[str, list[float]] = {"model": [], "naive": [], "drift": []}
    name = ""
    for origin in range(n - tested, n):
        history = values[:origin]
        point, name = _one_step(history, season, metric)
        predicted["model"].append(point)
        for method in BASELINES:
            predicted[method].append(_baseline(method, history))
    out: dict[str, tuple[float, float | None, str]] = {}
    for method, points in predicted.items():
        mae, mape = _errors(np.asarray(points), actual)
        out[method] = (mae, mape, name if method == "model" else method)
    return out


def default_tested(report: Report, metrics: Sequence[str]) -> int:
    """Up to 6 tested periods, leaving the first fold its 6 periods of history."""
    check_grain(report.request)
    longest = max((len(s.values) for s in report_series(report, metrics)), default=0)
    return max(1, min(6, longest - MIN_PERIODS))


def backtest_report(
    report: Report, tested: int | None = None, metrics: Sequence[str] = METRICS
) -> Backtest:
    """Backtest every (group, metric) series of ``report`` on its last ``tested`` periods."""
    tested = default_tested(report, metrics) if tested is None else tested
    if tested < 1:
        raise RequestError(
            "tested-range",
            "{tested} must be at least 1, got {asked}",
            ("tested",),
            {"asked": tested},
        )
    need = (
        f"backtesting the last {tested} needs {MIN_PERIODS + tested} ({MIN_PERIODS} to fit "
        f"the first forecast, {tested} tested; lower {{tested}})"
    )
    usable, skipped = usable_series(report, metrics, MIN_PERIODS + tested, need, ("tested",))
    season = SEASON[report.request.grain]
    rows: list[dict[str, Any]] = []
    verdicts = []
    for series in usable:
        scores = backtest_values(series.values, tested, season, series.metric)
        beats = scores["model"][0] < scores["naive"][0]
        verdicts.append(_verdict(series, report, scores, tested, beats))
        for method, (mae, mape, model) in scores.items():
            rows.append(
                {
                    **dict(zip(report.groups, series.group, strict=True)),
                    "metric": series.metric,
                    "method": method,
                    "model": model,
                    "tested_periods": tested,
                    "mae": mae,
                    "mape": mape,
                    "beats_naive": beats,
                }
            )
    table = pa.Table.from_pylist(rows, schema=_backtest_schema(report))
    return Backtest(table, report.request, report.currency, tested, tuple(verdicts), tuple(skipped))


def _backtest_schema(report: Report) -> pa.Schema:
    groups = [report.table.schema.field(g) for g in report.groups]
    return pa.schema(
        [
            *groups,
            ("metric", pa.string()),
            ("method", pa.string()),
            ("model", pa.string()),
            ("tested_periods", pa.int64()),
            ("mae", pa.float64()),
            ("mape", pa.float64()),
            ("beats_naive", pa.bool_()),
        ]
    )


def _verdict(
    series: Series,
    report: Report,
    scores: dict[str, tuple[float, float | None, str]],
    tested: int,
    beats: bool,
) -> str:
    unit: Callable[[float], str] = (
        (lambda v: f"{v:.2f} pp")
        if series.metric in PERCENT_METRICS
        else (lambda v: f"{v:,.2f} {report.currency}")
    )
    model, naive = scores["model"][0], scores["naive"][0]
    grain = report.request.grain.value
    head = f"{series.describe(report.groups)}: "
    if beats:
        return (
            head + f"the model beats the naive forecast (MAE {unit(model)} vs "
            f"{unit(naive)} over the last {tested} {grain}s)"
        )
    return (
        head + f"the model does NOT beat the naive forecast on this data (MAE "
        f'{unit(model)} vs {unit(naive)} over the last {tested} {grain}s): "next '
        f'{grain} equals this {grain}" is at least as good a forecast here'
    )
