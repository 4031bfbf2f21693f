"""Health and usage signals held against retention: does a low score come before churn?

The optional ``signals`` table (customer_id, date, name, value) is staged by the dataset
layer. This module joins each starting-cohort unit of a ``CustomerTable`` to the signal's
latest value on or before the period start (one vectorised as-of join), buckets the units by
that value and applies the report's NRR and GRR definitions to each bucket; and lists the
paying customers with a low signal, largest MRR first. Definitions and a worked example:
docs/insights.md, "Health and usage signals".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from nrr.api import Dataset
from nrr.definitions import CustomersRequest, Level, ReportRequest
from nrr.engine.metrics import grr_of, nrr_of, percent
from nrr.errors import ConfigError, RequestError
from nrr.insights.ranges import no_whole_period
from nrr.results import CustomerTable, Result

COHORT = ("churn", "expansion", "contraction", "flat")  # categories of units with MRR(t0) > 0
NO_VALUE = "no value"


def signal_names(signals: pa.Table) -> list[str]:
    return sorted(set(signals.column("name").to_pylist()))


def signal_values(signals: pa.Table, name: str) -> pd.DataFrame:
    """``customer_id``, ``date`` (datetime64), ``value`` of one signal, sorted by date."""
    wanted = name.strip().lower()
    frame = signals.to_pandas()
    if frame.empty:
        raise ConfigError(
            "the dataset has no signals table: add signals.csv (customer_id, date, name, "
            "value), see docs/data-format.md"
        )
    frame = frame[frame["name"] == wanted]
    if frame.empty:
        raise ConfigError(
            f"no signal named {wanted!r}; the signals table holds "
            + ", ".join(signal_names(signals))
        )
    return (
        pd.DataFrame(
            {
                "_unit": frame["customer_id"].astype(str),
                "signal_date": pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
                "signal_value": frame["value"].astype("float64"),
            }
        )
        .sort_values("signal_date", kind="stable")
        .reset_index(drop=True)
    )


def value_at(rows: pd.DataFrame, unit: str, instant: str, values: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the signal's latest value on or before ``rows[instant]`` per unit.

    One vectorised as-of join (``merge_asof``); rows with no earlier value get NaN. At
    organization level the unit id is the top account's id, so an organization takes its
    top account's signal, as it takes its attributes.
    """
    keyed = rows.assign(
        _unit=rows[unit].astype(str),
        _at=pd.to_datetime(rows[instant]).astype("datetime64[ns]"),
        _row=np.arange(len(rows)),
    ).sort_values("_at", kind="stable")
    joined = pd.merge_asof(
        keyed, values, left_on="_at", right_on="signal_date", by="_unit", direction="backward"
    )
    return joined.sort_values("_row").drop(columns=["_unit", "_at", "_row"]).reset_index(drop=True)


def bucket_edges(
    values: npt.NDArray[np.float64], buckets: int, cuts: Sequence[float] | None
) -> npt.NDArray[np.float64]:
    """Inner bucket edges: the given cuts, or the quantiles splitting ``values`` evenly."""
    if cuts:
        edges = np.asarray(sorted(set(cuts)), dtype=np.float64)
    else:
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return np.asarray([], dtype=np.float64)
        edges = np.unique(np.quantile(finite, np.arange(1, buckets) / buckets))
    return edges


def bucket_labels(edges: npt.NDArray[np.float64]) -> list[str]:
    """``< a``, ``a – b``, ..., ``≥ z``: a value on an edge belongs to the bucket above it."""
    if edges.size == 0:
        return ["all"]
    shown = [f"{e:g}" for e in edges]
    inner = [f"{lo} – {hi}" for lo, hi in pairwise(shown)]
    return [f"< {shown[0]}", *inner, f"≥ {shown[-1]}"]


def assign_buckets(values: npt.NDArray[np.float64], edges: npt.NDArray[np.float64]) -> pd.Series:
    labels = bucket_labels(edges)
    index = np.searchsorted(edges, values, side="right")
    named = np.asarray(labels, dtype=object)[np.clip(index, 0, len(labels) - 1)]
    return pd.Series(np.where(np.isfinite(values), named, NO_VALUE), dtype=object)


def unit_column(level: Level) -> str:
    return "organization_id" if level is Level.ORGANIZATION else "customer_id"


@dataclass(frozen=True)
class SignalBuckets(Result):
    """NRR and GRR of the starting cohorts, bucketed by a signal's value at period start."""

    request: ReportRequest
    currency: str
    signal: str
    edges: tuple[float, ...]


def correlate(
    customers: CustomerTable,
    signals: pa.Table,
    name: str,
    buckets: int = 4,
    cuts: Sequence[float] | None = None,
) -> SignalBuckets:
    """Bucket every (unit, period) of the starting cohorts by the signal's value at ``t0``.

    Each bucket pools its unit-periods over the whole range: NRR = Σ MRR(t1) / Σ MRR(t0),
    GRR = (Σ MRR(t0) − contraction − churn) / Σ MRR(t0), the engine's definitions applied
    to the bucket's rows (so a bucket of one period is exactly that period's figures).
    """
    if buckets < 2:
        raise RequestError(
            "buckets-range",
            "{buckets} must be at least 2, got {asked}",
            ("buckets",),
            {"asked": buckets},
        )
    values = signal_values(signals, name)
    request = customers.request
    by = list(request.by)
    rows = customers.to_pandas()
    rows = rows[rows["category"].isin(COHORT)].reset_index(drop=True)
    rows = value_at(rows, unit_column(request.level), "period_start", values)
    measured = rows["signal_value"].to_numpy(np.float64)
    edges = bucket_edges(measured, buckets, cuts)
    rows["bucket"] = assign_buckets(measured, edges)
    table = _bucket_table(rows, by, bucket_labels(edges), unit_column(request.level))
    return SignalBuckets(
        table, request, customers.currency, name.strip().lower(), tuple(float(e) for e in edges)
    )


def _bucket_table(
    rows: pd.DataFrame, by: Sequence[str], labels: Sequence[str], unit: str
) -> pa.Table:
    category = rows["category"]
    rows = rows.assign(
        _expansion=rows["delta"].where(category == "expansion", 0.0),
        _contraction=(-rows["delta"]).where(category == "contraction", 0.0),
        _churn=rows["mrr_start"].where(category == "churn", 0.0),
        _churned=(category == "churn").astype("int64"),
    )
    keys = [*by, "bucket"]
    grouped = rows.groupby(keys, dropna=False, sort=False)
    out = grouped.agg(
        unit_periods=("mrr_start", "size"),
        customers=(unit, "nunique"),
        low=("signal_value", "min"),
        high=("signal_value", "max"),
        starting_mrr=("mrr_start", "sum"),
        ending_mrr=("mrr_end", "sum"),
        expansion_mrr=("_expansion", "sum"),
        contraction_mrr=("_contraction", "sum"),
        churn_mrr=("_churn", "sum"),
        churned=("_churned", "sum"),
    ).reset_index()
    starting = out["starting_mrr"].where(out["starting_mrr"] != 0)  # no cohort: NaN, not 0
    out["nrr"] = nrr_of(starting, out["ending_mrr"])
    out["grr"] = grr_of(starting, out["contraction_mrr"], out["churn_mrr"])
    out["logo_churn"] = percent(
        out["churned"].astype("float64"), out["unit_periods"].astype("float64")
    )
    order = {label: i for i, label in enumerate([*labels, NO_VALUE])}
    out = out.assign(_order=out["bucket"].map(order)).sort_values(
        [*by, "_order"], kind="stable", na_position="last"
    )
    return pa.Table.from_pandas(out.drop(columns="_order"), preserve_index=False)


@dataclass(frozen=True)
class AtRisk(Result):
    """Units active at the end of the range with a low signal, largest MRR first."""

    request: ReportRequest
    currency: str
    signal: str
    below: float
    as_of: date


def at_risk(
    customers: CustomerTable, signals: pa.Table, name: str, below: float, top: int = 20
) -> AtRisk:
    """Units with MRR > 0 at the end of the last period whose latest signal value on or
    before that instant is below ``below``, sorted by that MRR (largest first)."""
    if not customers.periods:
        raise no_whole_period()
    last = customers.periods[-1]
    request = customers.request
    unit = unit_column(request.level)
    rows = customers.to_pandas()
    rows = rows[(rows["period_start"] == last.start) & (rows["mrr_end"] > 0)]
    rows = value_at(rows.reset_index(drop=True), unit, "period_end", signal_values(signals, name))
    low = rows[rows["signal_value"] < below].sort_values(
        ["mrr_end", "signal_value", unit], ascending=[False, True, True], kind="stable"
    )
    picked = low.head(top)
    table = pa.table(
        {
            **{g: pa.array(picked[g].tolist(), pa.string()) for g in request.by},
            unit: pa.array(picked[unit].tolist(), pa.string()),
            "mrr": pa.array(picked["mrr_end"].to_numpy(np.float64), pa.float64()),
            "signal_value": pa.array(picked["signal_value"].to_numpy(np.float64), pa.float64()),
            "signal_date": pa.array(picked["signal_date"].dt.date.tolist(), pa.date32()),
            "category": pa.array(picked["category"].tolist(), pa.string()),
        }
    )
    return AtRisk(table, request, customers.currency, name.strip().lower(), below, last.end)


# --- one entry point for the CLI and the web API ----------------------------------------------
@dataclass(frozen=True)
class SignalReport:
    """What ``nrr signals --correlate`` shows: the buckets and the at-risk list."""

    buckets: SignalBuckets
    at_risk: AtRisk


def signal_report(
    dataset: Dataset,
    request: ReportRequest,
    name: str,
    buckets: int = 4,
    cuts: Sequence[float] | None = None,
    below: float | None = None,
    top: int = 20,
) -> SignalReport:
    """Bucket the cohorts of ``request`` by signal ``name`` and list the at-risk units.

    ``below`` defaults to the upper edge of the lowest bucket (the first cut, or the
    ``1/buckets`` quantile): "low" means low compared with this customer base.
    """
    signals = dataset.staged.signals
    values = signal_values(signals, name)  # a missing table or name fails before any query
    if values.empty:
        raise ConfigError(f"signal {name!r} has no values")
    customers = dataset.run(CustomersRequest(request))
    bucketed = correlate(customers, signals, name, buckets, cuts)
    if below is None:
        if not bucketed.edges:
            raise RequestError(
                "below-required",
                RequestError.literal(f"every {name} value at period start is the same: ")
                + "give {below} to say what a low value is",
                ("below",),
            )
        below = bucketed.edges[0]
    return SignalReport(bucketed, at_risk(customers, signals, name, below, top))
