"""``nrr forecast``: a thin command over ``nrr.insights.forecast``.

It parses the same selection options as ``nrr report`` (so a forecast is of exactly the
history ``nrr report`` prints), calls the insights, and renders with the shared
``--format``/``--output``/``--decimals``. The insights and their tables load inside the
command, so statsmodels, numpy and pandas never slow down ``--help``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from nrr.cli.errors import handle_errors
from nrr.cli.options import open_dataset, output_options, selection_options, selection_request
from nrr.cli.output import emit, notes, scheduled_notes, show, title, working
from nrr.insights.defaults import METRICS

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


def forecast_selection(func: F) -> F:
    """``selection_options`` with ``--period`` narrowed to what can be forecast."""
    func = selection_options(func)
    params: list[click.Parameter] = getattr(func, "__click_params__")  # noqa: B009
    for index, param in enumerate(params):
        if param.name == "period":
            params[index] = click.Option(
                ["--period"],
                type=click.Choice(["month", "quarter"]),
                default="month",
                show_default=True,
                help="Period grain of the history and of the forecast.",
            )
    return func


@click.command()
@forecast_selection
@click.option(
    "--horizon",
    type=click.IntRange(1, 60),
    default=6,
    show_default=True,
    help="How many periods to forecast.",
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    type=click.Choice(METRICS),
    help="Forecast only this metric; repeatable (default: all five).",
)
@click.option(
    "--backtest",
    is_flag=True,
    help="Instead of forecasting, compare the model with naive and drift "
    "forecasts on the last periods.",
)
@click.option(
    "--backtest-periods",
    type=click.IntRange(1, 120),
    default=None,
    metavar="K",
    help="Periods the backtest forecasts, one step ahead each (default: up to 6).",
)
@output_options
@handle_errors
def forecast(
    data: str,
    period: str,
    start: str | None,
    end: str | None,
    by: tuple[str, ...],
    level: str,
    filters: tuple[str, ...],
    currency: str | None,
    fx: str,
    fiscal_year_start: int,
    engine_name: str,
    spark_master: str | None,
    quiet: bool,
    horizon: int,
    metrics: tuple[str, ...],
    backtest: bool,
    backtest_periods: int | None,
    fmt: str,
    output: Path | None,
    decimals: int | None,
) -> None:
    """Forecast NRR, GRR and the expansion, contraction and churn MRR of DATA.

    Damped-trend exponential smoothing (statsmodels, the nrr[forecast] extra) with 80% and
    95% prediction intervals; a seasonal term only with two full years (eight quarters) of
    history. Needs at least 6 periods of history. See docs/insights.md.
    """
    from nrr.insights.backtest import backtest_report
    from nrr.insights.forecast import forecast_report
    from nrr.insights.series import check_grain
    from nrr.render.insights import (
        backtest_table,
        forecast_notes,
        forecast_table,
        verdict_notes,
    )

    dataset = open_dataset(data, engine_name, quiet, spark_master)
    request = selection_request(
        dataset,
        period,
        start,
        end,
        by,
        level,
        filters,
        currency,
        fx,
        fiscal_year_start,
        quiet=quiet,
    )
    check_grain(request)
    with working("computing the history", quiet):
        report = dataset.run(request)
    notes(scheduled_notes(report, "the models are fitted on them as they are"), quiet)
    chosen = list(metrics) or list(METRICS)
    if backtest:
        with working("backtesting", quiet):
            tested = backtest_report(report, backtest_periods, chosen)
        if fmt != "table":
            emit(tested.table, fmt, output, decimals)
            notes(list(tested.verdicts), quiet)
            return
        heading = title(f"backtest ({tested.tested} periods)", request, report.currency)
        show([backtest_table(tested, heading), verdict_notes(tested)], output)
        return
    with working("fitting the models", quiet):
        result = forecast_report(report, horizon, chosen)
    if fmt != "table":
        emit(result.table, fmt, output, decimals)
        notes([f"not forecast, too little history: {n}" for n in result.skipped], quiet)
        return
    heading = title(f"forecast, {horizon} periods ahead", request, report.currency)
    last = report.periods[-1].label
    show([forecast_table(result, heading), forecast_notes(result, last)], output)
