"""Forecast NRR, GRR and the movement amounts, with 80% and 95% prediction intervals.

Why exponential smoothing with a damped additive trend: retention series are short (two or
three years of months, a dozen quarters) and mostly level with slow drifts, which is what
ETS(A,Ad,N) captures without extrapolating a trend for ever. A seasonal term is tried only
with at least two full seasons of history, and kept only when it lowers the AICc (with 24
months it almost never does: twelve seasonal states cost more than they explain).

Whether the model is worth more than "next month looks like this month" on a given
dataset is measured by ``nrr.insights.backtest``.

statsmodels is an optional extra (``nrr[forecast]``), imported only when a model is fitted.
Every figure comes from a ``Report`` of the public API; nothing here reads data.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from nrr.definitions import Period, ReportRequest
from nrr.errors import ConfigError, RequestError
from nrr.insights.defaults import MAX_HORIZON, METRICS
from nrr.insights.series import (
    SEASON,
    Floats,
    Series,
    future_periods,
    usable_series,
)
from nrr.results import Report, Result

MIN_PERIODS = 6  # fewer points cannot tell a level from a trend from noise
PERCENT_METRICS = frozenset({"nrr", "grr"})
LEVELS = (80, 95)  # prediction interval coverages, in percent


@dataclass(frozen=True)
class SeriesForecast:
    """Point forecasts and interval bounds for the next ``len(mean)`` periods."""

    model: str
    mean: Floats
    bounds: dict[int, tuple[Floats, Floats]]  # coverage -> (lower, upper)

    def clipped(self, low: float, high: float) -> SeriesForecast:
        """Bounded to what the metric can be (money >= 0, GRR <= 100%)."""

        def clip(values: Floats) -> Floats:
            return np.clip(values, low, high)

        bounds = {level: (clip(lo), clip(hi)) for level, (lo, hi) in self.bounds.items()}
        return SeriesForecast(self.model, clip(self.mean), bounds)


def _ets() -> Any:
    """statsmodels' ETSModel, or a ConfigError saying which extra to install."""
    try:  # through importlib: statsmodels has no type stubs, and this keeps it optional
        module = importlib.import_module("statsmodels.tsa.exponential_smoothing.ets")
    except ImportError as exc:
        raise ConfigError("forecasting needs statsmodels: pip install 'nrr[forecast]'") from exc
    return module.ETSModel


def _fit(values: Floats, season: int | None) -> Any:
    """One ETS fit, quietly: convergence chatter is not the user's business, the backtest is."""
    kwargs: dict[str, Any] = {"error": "add", "trend": "add", "damped_trend": True}
    if season:
        kwargs.update(seasonal="add", seasonal_periods=season)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _ets()(pd.Series(values), **kwargs).fit(disp=False)


def _best_fit(values: Floats, season: int | None) -> tuple[Any, str]:
    """The damped-trend model, or its seasonal variant when there are two full seasons of
    history and the seasonal terms pay for themselves in AICc."""
    fitted = _fit(values, None)
    name = "ETS(A,Ad,N)"
    if season and len(values) >= 2 * season:
        seasonal = _fit(values, season)
        if np.isfinite(seasonal.aicc) and seasonal.aicc < fitted.aicc:
            return seasonal, f"ETS(A,Ad,A) season {season}"
    return fitted, name


def _z(level: int) -> float:
    """The two-sided normal quantile of a coverage in percent (95 -> 1.96)."""
    return NormalDist().inv_cdf(0.5 + level / 200)


def naive_forecast(values: Floats, horizon: int, model: str = "naive") -> SeriesForecast:
    """The last value, with random-walk intervals (spread of the one-step changes × √h).

    Used for constant series, where ETS has nothing to estimate, and when a fit fails.
    """
    steps = np.arange(1, horizon + 1, dtype=np.float64)
    sigma = float(np.std(np.diff(values), ddof=1)) if len(values) > 2 else 0.0
    mean = np.full(horizon, values[-1], dtype=np.float64)
    spread = sigma * np.sqrt(steps)
    bounds = {level: (mean - _z(level) * spread, mean + _z(level) * spread) for level in LEVELS}
    return SeriesForecast(model, mean, bounds)


def forecast_values(
    values: Sequence[float] | Floats, horizon: int, season: int | None = None
) -> SeriesForecast:
    """Forecast a series ``horizon`` periods ahead with 80% and 95% prediction intervals."""
    series = np.asarray(values, dtype=np.float64)
    if len(series) < MIN_PERIODS:
        raise ConfigError(
            f"a forecast needs at least {MIN_PERIODS} periods of history, got {len(series)}"
        )
    if np.ptp(series) == 0:
        return naive_forecast(series, horizon, "constant")
    try:
        fitted, name = _best_fit(series, season)
        prediction = fitted.get_prediction(start=len(series), end=len(series) + horizon - 1)
        bounds = {}
        for level in LEVELS:
            frame = prediction.summary_frame(alpha=1 - level / 100)
            bounds[level] = (frame["pi_lower"].to_numpy(float), frame["pi_upper"].to_numpy(float))
        mean = np.asarray(prediction.predicted_mean, dtype=np.float64)
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as exc:
        return naive_forecast(series, horizon, f"naive (ETS failed: {exc})")
    if not np.isfinite(mean).all():
        return naive_forecast(series, horizon, "naive (ETS gave no finite forecast)")
    return SeriesForecast(name, mean, bounds)


def metric_range(metric: str) -> tuple[float, float]:
    """What values a metric can take: GRR within 0–100%, everything else non-negative."""
    return (0.0, 100.0) if metric == "grr" else (0.0, math.inf)


@dataclass(frozen=True)
class Forecast(Result):
    """One row per (group, metric, future period): point forecast and interval bounds."""

    request: ReportRequest
    periods: tuple[Period, ...]  # the forecast periods
    currency: str
    skipped: tuple[str, ...] = field(default=())  # series with too little history


def forecast_report(report: Report, horizon: int, metrics: Sequence[str] = METRICS) -> Forecast:
    """Forecast each metric of each group of ``report`` for the next ``horizon`` periods."""
    if not 1 <= horizon <= MAX_HORIZON:
        # Bounded here, not only by the interfaces: each period ahead is a row per series.
        raise RequestError(
            "horizon-range",
            "{horizon} must be 1 to {most} periods, got {asked}",
            ("horizon",),
            {"most": MAX_HORIZON, "asked": horizon},
        )
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ConfigError(f"cannot forecast {unknown[0]!r}; choose from {', '.join(METRICS)}")
    need = f"a forecast needs at least {MIN_PERIODS} periods"
    usable, skipped = usable_series(report, metrics, MIN_PERIODS, need)
    ahead = future_periods(report, horizon)
    season = SEASON[report.request.grain]
    schema = _forecast_schema(report)
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for series in usable:
        result = forecast_values(series.values, horizon, season)
        result = result.clipped(*metric_range(series.metric))
        _append_rows(columns, report.groups, series, result, ahead)
    table = pa.table(columns, schema=schema)
    return Forecast(table, report.request, tuple(ahead), report.currency, tuple(skipped))


def _forecast_schema(report: Report) -> pa.Schema:
    groups = [report.table.schema.field(g) for g in report.groups]
    return pa.schema(
        [
            *groups,
            ("metric", pa.string()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
            ("label", pa.string()),
            ("forecast", pa.float64()),
            ("lower_80", pa.float64()),
            ("upper_80", pa.float64()),
            ("lower_95", pa.float64()),
            ("upper_95", pa.float64()),
            ("model", pa.string()),
            ("history", pa.int64()),
            ("last_actual", pa.float64()),
        ]
    )


def _append_rows(
    columns: dict[str, list[Any]],
    by: Sequence[str],
    series: Series,
    result: SeriesForecast,
    ahead: Sequence[Period],
) -> None:
    """Extend the output columns by one series' ``len(ahead)`` forecast rows."""
    steps = len(ahead)
    for name, value in zip(by, series.group, strict=True):
        columns[name].extend([value] * steps)
    columns["metric"].extend([series.metric] * steps)
    columns["period_start"].extend(p.start for p in ahead)
    columns["period_end"].extend(p.end for p in ahead)
    columns["label"].extend(p.label for p in ahead)
    columns["forecast"].extend(result.mean.tolist())
    for level in LEVELS:
        lower, upper = result.bounds[level]
        columns[f"lower_{level}"].extend(lower.tolist())
        columns[f"upper_{level}"].extend(upper.tolist())
    columns["model"].extend([result.model] * steps)
    columns["history"].extend([len(series.values)] * steps)
    columns["last_actual"].extend([float(series.values[-1])] * steps)
