"""``nrr signals``: a thin command over ``nrr.insights`` (leading indicators, health buckets).

It parses the same selection options as ``nrr report``, calls one function of the insights
package, and renders with the shared ``--format``/``--output``/``--decimals``. The insights
and their tables load inside the command, so numpy and pandas never slow down ``--help``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import RenderableType
from rich.text import Text

from nrr.cli.errors import handle_errors
from nrr.cli.options import open_dataset, output_options, selection_options, selection_request
from nrr.cli.output import emit, notes, scheduled_notes, show, title, working
from nrr.insights.defaults import THRESHOLD, WINDOW

if TYPE_CHECKING:
    from nrr.api import Dataset
    from nrr.definitions import ReportRequest

F = TypeVar("F", bound=Callable[..., Any])


def _cuts(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a list of numbers such as 40,70", param_hint="--cuts"
        ) from None


@click.command()
@selection_options
@click.option(
    "--threshold",
    type=click.FloatRange(0),
    default=THRESHOLD,
    show_default=True,
    metavar="PCT",
    help="Early warning when the churn or contraction rate is more "
    "than PCT % above its average over the previous periods.",
)
@click.option(
    "--window",
    type=click.IntRange(3, 36),
    default=WINDOW,
    show_default=True,
    help="Previous periods averaged for the early warning.",
)
@click.option(
    "--correlate",
    "signal",
    default=None,
    metavar="SIGNAL",
    help="Bucket customers by this signal's value at period start (signals table).",
)
@click.option(
    "--buckets",
    type=click.IntRange(2, 10),
    default=4,
    show_default=True,
    help="With --correlate: quantile buckets of the signal.",
)
@click.option(
    "--cuts",
    default=None,
    metavar="X[,X]",
    help="With --correlate: bucket edges instead of quantiles, e.g. 40,70.",
)
@click.option(
    "--below",
    type=float,
    default=None,
    metavar="X",
    help="With --correlate: at risk below this value (default: the lowest bucket's upper edge).",
)
@click.option(
    "--top",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="With --correlate: how many at-risk customers to list.",
)
@click.option(
    "--at-risk",
    "only_at_risk",
    is_flag=True,
    help="With --correlate: output only the at-risk list.",
)
@output_options
@handle_errors
def signals(
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
    threshold: float,
    window: int,
    signal: str | None,
    buckets: int,
    cuts: str | None,
    below: float | None,
    top: int,
    only_at_risk: bool,
    fmt: str,
    output: Path | None,
    decimals: int | None,
) -> None:
    """Leading indicators of NRR per period, or NRR by a health or usage signal.

    Without --correlate: growth of expansion, contraction and churn MRR, the share of the
    starting cohort expanding, contracting and churning, and an early warning when churn or
    contraction rises beyond --threshold. With --correlate SIGNAL: NRR and GRR per bucket of
    the signal's value at period start, and the at-risk customers (low signal, large MRR).
    """
    if only_at_risk and not signal:
        raise click.UsageError("--at-risk lists customers by a signal: add --correlate SIGNAL")
    from nrr.insights.signals import leading_indicators
    from nrr.render import period_label
    from nrr.render.insights import benchmark_line, indicators_table

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
    if signal:
        _correlate(
            dataset,
            request,
            signal,
            buckets,
            _cuts(cuts),
            below,
            top,
            only_at_risk,
            fmt,
            output,
            decimals,
            quiet,
        )
        return
    with working("computing the history", quiet):
        report = dataset.run(request)
    notes(scheduled_notes(report, "their rates are the scheduled ones"), quiet)
    result = leading_indicators(report, threshold, window)
    if fmt != "table":
        emit(result.table, fmt, output, decimals)
        return
    label = period_label(report.periods)
    heading = title("leading indicators", request, report.currency) + (
        f" · early warning: churn or contraction rate > {threshold:g}% above its "
        f"{window}-period average"
    )
    totals = dataset.totals(report) if request.by else report  # the whole population
    overall = totals.to_pylist() if totals is not None else []
    show([indicators_table(result, label, heading), benchmark_line(overall, label)], output)


def _correlate(
    dataset: Dataset,
    request: ReportRequest,
    signal: str,
    buckets: int,
    cuts: list[float] | None,
    below: float | None,
    top: int,
    only_at_risk: bool,
    fmt: str,
    output: Path | None,
    decimals: int | None,
    quiet: bool,
) -> None:
    from nrr.insights.health import signal_report, unit_column
    from nrr.render.insights import at_risk_table, buckets_table

    with working(f"bucketing customers by {signal}", quiet):
        result = signal_report(dataset, request, signal, buckets, cuts, below, top)
    risky = result.at_risk
    if fmt != "table":
        emit((risky if only_at_risk else result.buckets).table, fmt, output, decimals)
        return
    unit = unit_column(request.level)
    risk_title = (
        f"At risk on {risky.as_of}: {risky.signal} below {risky.below:g}, largest MRR first "
        f"(top {top})"
    )
    parts: list[RenderableType] = [at_risk_table(risky, unit, risk_title)]
    if not only_at_risk:
        heading = title(
            f"NRR by {result.buckets.signal} at period start", request, result.buckets.currency
        )
        parts.insert(0, buckets_table(result.buckets, heading))
        parts.insert(
            1,
            Text(
                "Each bucket pools its customers' periods: NRR = Σ MRR at period end / Σ MRR at "
                "period start.",
                style="dim",
            ),
        )
    show(parts, output)
