"""The history a forecast reads: one series per group and metric out of a ``Report``.

Kept apart from the models (``forecast``) because the backtest reads the same series and
asks the same question first: is there enough unbroken history to fit anything?
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from nrr import periods as spine
from nrr.definitions import Grain, Period, ReportRequest
from nrr.errors import ConfigError, RequestError
from nrr.insights.ranges import no_whole_period
from nrr.results import Report

Floats = npt.NDArray[np.float64]

SEASON = {Grain.MONTH: 12, Grain.QUARTER: 4}
MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3}
ROUNDING = 6  # decimals kept of each observed value before fitting (see report_series)
METRIC_NAMES = {
    "nrr": "NRR",
    "grr": "GRR",
    "expansion_mrr": "Expansion MRR",
    "contraction_mrr": "Contraction MRR",
    "churn_mrr": "Churn MRR",
}


@dataclass(frozen=True)
class Series:
    """One metric of one group: its trailing run of defined values, oldest first."""

    group: tuple[Any, ...]
    metric: str
    values: Floats
    periods: tuple[Period, ...]  # the periods ``values`` belong to

    def describe(self, by: Sequence[str]) -> str:
        where = ", ".join(
            f"{g}={'(unset)' if v is None else v}" for g, v in zip(by, self.group, strict=False)
        )
        return METRIC_NAMES[self.metric] + (f" ({where})" if where else "")


def check_grain(request: ReportRequest) -> None:
    if request.grain not in SEASON:
        raise ConfigError(
            f"forecasts are by month or quarter, not {request.grain.value}: years give too "
            "few points and trailing-twelve-month windows overlap, so their errors are not "
            "independent"
        )


def report_series(report: Report, metrics: Sequence[str]) -> Iterator[Series]:
    """Each (group, metric) series of ``report`` on the full period spine.

    A period a group has no row for (nobody in it at either end) or whose ratio is undefined
    (no starting MRR) breaks the series: only the run after the last gap is used, so the
    model never bridges a hole it cannot see.
    """
    by = list(report.groups)
    frame = report.to_pandas()
    position = {p.start: i for i, p in enumerate(report.periods)}
    frame["_pos"] = frame["period_start"].map(position)
    groups = frame.groupby(by, dropna=False, sort=True) if by else [((), frame)]
    for key, rows in groups:
        group = key if isinstance(key, tuple) else (key,)
        group = tuple(None if isinstance(v, float) and v != v else v for v in group)
        for metric in metrics:
            full = np.full(len(report.periods), np.nan)
            full[rows["_pos"].to_numpy(int)] = rows[metric].to_numpy(np.float64, na_value=np.nan)
            gaps = np.flatnonzero(~np.isfinite(full))
            first = int(gaps[-1]) + 1 if len(gaps) else 0
            # Rounded: DuckDB's parallel sums differ in the last bit from run to run, and
            # the likelihood optimiser can turn that into a visibly different fit.
            values = np.round(full[first:], ROUNDING)
            yield Series(group, metric, values, tuple(report.periods[first:]))


def future_periods(report: Report, horizon: int) -> list[Period]:
    """The ``horizon`` periods after the report's last one, labelled like the report's."""
    request = report.request
    last = report.periods[-1].end
    months = MONTHS[request.grain] * horizon
    end = spine.month_start(spine.month_index(last) + months)
    return spine.periods(request.grain, last, end, request.fiscal_year_start)


def _span(series: Series) -> str:
    if not series.periods:
        return ""
    return f" ({series.periods[0].label} to {series.periods[-1].label})"


def usable_series(
    report: Report,
    metrics: Sequence[str],
    minimum: int,
    need: str,
    need_fields: tuple[str, ...] = (),
) -> tuple[list[Series], list[str]]:
    """The series with at least ``minimum`` periods, and a note for each one skipped.

    Ungrouped, a short series is an error (there is nothing else to show); grouped, the
    groups with enough history are still used and the others are named in a note.
    ``need`` says what the minimum is for, as the messages tell it.
    """
    check_grain(report.request)
    if not report.periods:
        raise no_whole_period()
    usable, skipped = [], []
    for series in report_series(report, metrics):
        if len(series.values) >= minimum:
            usable.append(series)
        elif not report.groups:
            quarterly = report.request.grain is Grain.QUARTER
            history = f"{METRIC_NAMES[series.metric]} has {len(series.values)} period(s) of history"
            raise RequestError(
                "history-too-short",
                RequestError.literal(f"{history}{_span(series)}; ")
                + need
                + ": widen {start}/{end}"
                + (" or use {period} month" if quarterly else ""),
                ("start", "end", *need_fields, *(("period",) if quarterly else ())),
            )
        else:
            skipped.append(
                f"{series.describe(report.groups)}: {len(series.values)} period(s) of history"
            )
    if not usable:
        shown = "; ".join(skipped[:3]) + ("; ..." if len(skipped) > 3 else "")
        raise RequestError(
            "history-too-short",
            RequestError.literal(f"no group has enough history ({shown}); ") + need,
            ("start", "end", *need_fields),
        )
    return usable, skipped


# --- forecast ------------------------------------------------------------------------------
