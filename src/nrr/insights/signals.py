"""Leading indicators of NRR: what moves before NRR moves.

Why these: NRR moves after the fact. The first signs of a falling NRR are a rising share of
the base contracting or churning, and churn or contraction rising against its own recent
average. This module turns a ``Report`` of the public API into those readings with pure,
vectorised pandas (no loop over customers), so no figure is computed any other way than the
engine computes it. Health and usage signals are in ``nrr.insights.health``.

Definitions (docs/insights.md has the worked examples):

* growth of a movement = its change from the group's previous period, in % of the previous
  amount (null when the previous period is missing or its amount is 0);
* rate of a movement = amount / starting MRR × 100; share = customers moving / customers in
  the starting cohort × 100;
* early warning: the churn or contraction rate is more than ``threshold`` % above its mean
  over the previous ``window`` periods (at least ``MIN_BASELINE`` of them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from nrr.definitions import ReportRequest
from nrr.engine.metrics import percent
from nrr.errors import ConfigError
from nrr.insights.benchmarks import annotate
from nrr.insights.defaults import THRESHOLD, WINDOW
from nrr.results import Report, Result, marked_scheduled

MIN_BASELINE = 3  # periods the trailing mean needs before any warning
MOVEMENTS = ("expansion", "contraction", "churn")
WATCHED = ("contraction", "churn")  # the movements an early warning watches


# --- leading indicators ---------------------------------------------------------------------
@dataclass(frozen=True)
class Indicators(Result):
    """One row per report row: growth, shares, rates, baselines and the early warning."""

    request: ReportRequest
    currency: str
    threshold: float
    window: int


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator × 100``, null where the denominator is 0 or missing."""
    den = denominator.astype("float64")
    return percent(numerator.astype("float64"), den.where(den != 0))


def _full_grid(
    frame: pd.DataFrame, by: Sequence[str], count: int
) -> tuple[pd.DataFrame, pd.MultiIndex]:
    """Every (group, period position) pair, so "previous period" means the one before;
    and the report's own rows as keys of that grid, in the report's order."""
    frame = frame.assign(
        _group=frame.groupby(list(by), dropna=False, sort=False).ngroup() if by else 0
    )
    grid = pd.MultiIndex.from_product(
        [np.sort(frame["_group"].unique()), np.arange(count)], names=["_group", "_pos"]
    )
    rows = pd.MultiIndex.from_frame(frame[["_group", "_pos"]])
    return frame.set_index(["_group", "_pos"]).reindex(grid), rows


def leading_indicators(
    report: Report, threshold: float = THRESHOLD, window: int = WINDOW
) -> Indicators:
    """Leading indicators of each row of ``report`` (any grain, grouped or not)."""
    if threshold < 0 or window < MIN_BASELINE:
        raise ConfigError(
            f"the warning threshold must be >= 0 and the window >= {MIN_BASELINE} periods"
        )
    by = list(report.groups)
    frame = report.to_pandas()
    position = {p.start: i for i, p in enumerate(report.periods)}
    frame["_pos"] = frame["period_start"].map(position)
    grid, order = _full_grid(frame, by, len(report.periods))
    grouped = grid.groupby(level="_group", sort=False)
    out = pd.DataFrame(index=grid.index)
    for movement in MOVEMENTS:
        amount = grid[f"{movement}_mrr"].astype("float64")
        previous = grouped[f"{movement}_mrr"].shift(1).astype("float64")
        out[f"{movement}_growth"] = ratio(amount - previous, previous)
    for share, count in (
        ("expanding", "expanded"),
        ("contracting", "contracted"),
        ("churned", "churned"),
    ):
        out[f"{share}_share"] = ratio(grid[f"customers_{count}"], grid["customers_start"])
    reasons = pd.Series("", index=grid.index)
    for movement in WATCHED:
        rate = ratio(grid[f"{movement}_mrr"], grid["starting_mrr"])
        baseline = rate.groupby(level="_group", sort=False).transform(
            lambda r: r.shift(1).rolling(window, min_periods=MIN_BASELINE).mean()
        )
        out[f"{movement}_rate"], out[f"{movement}_baseline"] = rate, baseline
        rising = (rate > baseline * (1 + threshold / 100)) & (rate > 0)
        reasons = reasons.where(~rising, reasons + np.where(reasons == "", "", " and ") + movement)
    out["early_warning"] = reasons != ""
    out["warning"] = reasons.where(reasons != "", None)
    rows = pd.concat([grid, out], axis=1).loc[order].reset_index(drop=True)
    table = marked_scheduled(_indicator_table(annotate(rows), by), report.as_of)
    return Indicators(table, report.request, report.currency, threshold, window)


_INDICATOR_COLUMNS = (
    "period_start",
    "period_end",
    "customers_start",
    "starting_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churn_mrr",
    "nrr",
    "grr",
    "expansion_growth",
    "contraction_growth",
    "churn_growth",
    "expanding_share",
    "contracting_share",
    "churned_share",
    "contraction_rate",
    "churn_rate",
    "contraction_baseline",
    "churn_baseline",
    "early_warning",
    "warning",
    "industry_band",
    "quadrant",
)


def _indicator_table(rows: pd.DataFrame, by: Sequence[str]) -> pa.Table:
    columns = ["period_start", "period_end", *by, *_INDICATOR_COLUMNS[2:]]
    data: dict[str, Any] = {}
    for name in columns:
        values = rows[name]
        if name in ("period_start", "period_end"):
            data[name] = pa.array(values.tolist(), pa.date32())
        elif name == "customers_start":
            data[name] = pa.array(values.astype("int64").tolist(), pa.int64())
        elif name == "early_warning":
            data[name] = pa.array(values.astype(bool).tolist(), pa.bool_())
        elif name in ("warning", "industry_band", "quadrant", *by):
            data[name] = pa.array([None if pd.isna(v) else v for v in values], pa.string())
        else:
            data[name] = pa.array(
                values.astype("float64").to_numpy(), pa.float64(), from_pandas=True
            )
    return pa.table(data)
