"""A straightforward pandas monthly NRR report, as a data analyst would write it.

Usage: python bench/pandas_baseline.py DATA OUT.csv [--from 2023-01-01] [--to 2026-01-01]

Why it exists: issue 6 measures nrr against what a team would otherwise do by hand. This is
that notebook, turned into a script: read the Parquet (or CSV) files, normalise each line to
MRR, convert at the rate in force, build the customer x month grid at month starts, shift
it by one month, classify every customer's move and group by month. It is written from
shared/data-contract.md and docs/definitions.md only (it does not import nrr), it uses
idiomatic vectorised pandas (no Python loop over rows; one loop over the month starts),
and it is checked to give nrr's numbers, so the speed ratio compares equal answers.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 30.4375
FLAT_TOLERANCE = 1e-9  # docs/definitions.md, reading 9: moves below 1 part in 1e9 are flat


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """One contract table from ``name``.parquet or ``name``.csv, lower-cased columns."""
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.exists():
        frame = pd.read_parquet(parquet)
    elif csv.exists():
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    else:
        return None
    frame.columns = [c.strip().lower() for c in frame.columns]
    return frame


def blank_to_na(values: pd.Series) -> pd.Series:
    """Empty text means "not given" in the contract."""
    return values.where(values.astype(str).str.strip() != "")


def load_lines(folder: Path, base: str | None = None) -> pd.DataFrame:
    """Subscriptions with typed columns and each line's monthly value in its own currency."""
    subs = read_table(folder, "subscriptions")
    if subs is None:
        raise SystemExit(f"{folder}: no subscriptions table")
    subs["start_date"] = pd.to_datetime(subs["start_date"])
    subs["end_date"] = pd.to_datetime(blank_to_na(subs["end_date"]))
    subs["amount"] = pd.to_numeric(subs["amount"])
    months = subs["billing_months"] if "billing_months" in subs else pd.Series(np.nan, subs.index)
    subs["billing_months"] = pd.to_numeric(blank_to_na(months)).fillna(1)
    kind = subs["kind"] if "kind" in subs else pd.Series(np.nan, subs.index)
    subs["kind"] = blank_to_na(kind).fillna("recurring")
    currency = subs["currency"] if "currency" in subs else pd.Series(np.nan, subs.index)
    subs["currency"] = blank_to_na(currency).str.strip()
    subs["mrr"] = monthly_value(subs)
    # A category: every month's group-by then yields every customer in the same order, so
    # the month columns line up without re-aligning a million text labels 37 times.
    subs["customer_id"] = subs["customer_id"].astype("category")
    return subs


def monthly_value(subs: pd.DataFrame) -> pd.Series:
    """recurring: amount / billing_months; usage: amount / months spanned (contract §1)."""
    start, end = subs["start_date"], subs["end_date"]
    calendar_months = (end.dt.year * 12 + end.dt.month) - (start.dt.year * 12 + start.dt.month)
    days = (end - start).dt.days
    spanned = np.where(start.dt.day == end.dt.day, calendar_months, days / DAYS_PER_MONTH)
    usage: pd.Series = subs["amount"] / spanned
    recurring = subs["amount"] / subs["billing_months"]
    return pd.Series(np.where(subs["kind"] == "usage", usage, recurring), index=subs.index)


def load_rates(folder: Path) -> pd.DataFrame:
    """fx_rates sorted by date: units of the reporting currency per unit of ``currency``."""
    fx = read_table(folder, "fx_rates")
    if fx is None:
        return pd.DataFrame(
            {
                "date": pd.Series([], dtype="datetime64[ns]"),
                "currency": pd.Series([], dtype=str),
                "rate": pd.Series([], dtype=float),
            }
        )
    fx["date"] = pd.to_datetime(fx["date"])
    fx["currency"] = fx["currency"].str.strip()
    fx["rate"] = pd.to_numeric(fx["rate"])
    return fx.sort_values("date")


def base_currency(subs: pd.DataFrame, fx: pd.DataFrame) -> str:
    """The currency used without rates of its own (the one fx_rates quote into), else USD."""
    rateless = sorted(set(subs["currency"].dropna().unique()) - set(fx["currency"].unique()))
    return rateless[0] if rateless else "USD"


def rates_at(fx: pd.DataFrame, month: pd.Timestamp, base: str) -> dict[str, float]:
    """The rate in force at ``month``: the latest one on or before it."""
    latest = fx[fx["date"] <= month].groupby("currency")["rate"].last()
    in_force = {str(currency): float(rate) for currency, rate in latest.items()}
    in_force[base] = 1.0
    return in_force


def mrr_grid(subs: pd.DataFrame, fx: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Customers x month starts: MRR in the reporting currency (0 when nothing is active)."""
    base = base_currency(subs, fx)
    currency = subs["currency"].fillna(base)
    columns = {}
    for month in months:
        active = (subs["start_date"] <= month) & (
            subs["end_date"].isna() | (subs["end_date"] > month)
        )
        rate = currency[active].map(rates_at(fx, month, base)).astype(float)
        converted = subs.loc[active, "mrr"] * rate
        by_customer = subs.loc[active, "customer_id"]
        columns[month] = converted.groupby(by_customer, observed=False).sum()
    return pd.DataFrame(columns)


def customer_months(grid: pd.DataFrame, first_start: pd.Series) -> pd.DataFrame:
    """Long format: one row per customer and period with MRR at its start and its end.

    melt stacks the grid month by month, so within a customer the rows are in month order
    and a group-wise shift(-1) is the next month's MRR.
    """
    long = (
        grid.rename_axis(index="customer_id")
        .reset_index()
        .melt(id_vars="customer_id", var_name="period_start", value_name="mrr_start")
    )
    long["mrr_end"] = long.groupby("customer_id", observed=True)["mrr_start"].shift(-1)
    long = long[long["period_start"] < grid.columns[-1]]
    long = long[(long["mrr_start"] > 0) | (long["mrr_end"] > 0)]
    return long.merge(first_start.rename("first_start"), on="customer_id", how="left")


def classify(long: pd.DataFrame) -> pd.DataFrame:
    """churn / expansion / contraction / flat for the cohort, new / reactivation outside it."""
    m0, m1 = long["mrr_start"], long["mrr_end"]
    tolerance = m0 * FLAT_TOLERANCE
    in_cohort = m0 > 0
    long["category"] = np.select(
        [
            in_cohort & (m1 == 0),
            in_cohort & (m1 > m0 + tolerance),
            in_cohort & (m1 < m0 - tolerance),
            in_cohort,
            long["first_start"] < long["period_start"],
        ],
        ["churn", "expansion", "contraction", "flat", "reactivation"],
        default="new",
    )
    return long


def monthly_report(long: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Group by month: the section-3 columns of the contract, one row per period."""
    m0, m1, category = long["mrr_start"], long["mrr_end"], long["category"]
    cohort = m0 > 0
    parts = pd.DataFrame(
        {
            "period_start": long["period_start"],
            "customers_start": cohort.astype(int),
            "starting_mrr": m0,
            "expansion_mrr": np.where(category == "expansion", m1 - m0, 0.0),
            "contraction_mrr": np.where(category == "contraction", m0 - m1, 0.0),
            "churn_mrr": np.where(category == "churn", m0, 0.0),
            "ending_mrr": np.where(cohort, m1, 0.0),
            "customers_expanded": (category == "expansion").astype(int),
            "customers_contracted": (category == "contraction").astype(int),
            "customers_churned": (category == "churn").astype(int),
            "new_mrr": np.where(category == "new", m1, 0.0),
            "reactivation_mrr": np.where(category == "reactivation", m1, 0.0),
            "customers_new": (category == "new").astype(int),
            "customers_reactivated": (category == "reactivation").astype(int),
            "total_mrr_start": m0,
            "total_mrr_end": m1,
        }
    )
    report = parts.groupby("period_start").sum().reindex(months[:-1], fill_value=0)
    report = report.rename_axis("period_start").reset_index()
    report.insert(1, "period_end", months[1:])
    return add_ratios(report)


def add_ratios(report: pd.DataFrame) -> pd.DataFrame:
    """NRR, GRR and logo retention in percent; empty (null) when nothing was active at t0."""
    start = report["starting_mrr"].where(report["starting_mrr"] > 0)
    logos = report["customers_start"].where(report["customers_start"] > 0)
    report["nrr"] = report["ending_mrr"] / start * 100
    report["grr"] = (start - report["contraction_mrr"] - report["churn_mrr"]) / start * 100
    report["logo_retention"] = (logos - report["customers_churned"]) / logos * 100
    order = [
        "period_start",
        "period_end",
        "customers_start",
        "starting_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churn_mrr",
        "ending_mrr",
        "nrr",
        "grr",
        "customers_expanded",
        "customers_contracted",
        "customers_churned",
        "logo_retention",
        "new_mrr",
        "reactivation_mrr",
        "customers_new",
        "customers_reactivated",
        "total_mrr_start",
        "total_mrr_end",
    ]
    return report[order]


def run(folder: Path, out: Path, start: date, end: date) -> None:
    """Read, compute and write the report from ``start`` to ``end`` (first days of months)."""
    subs = load_lines(folder)
    fx = load_rates(folder)
    months = pd.date_range(start, end, freq="MS")
    grid = mrr_grid(subs, fx, months)
    first_start = subs[subs["mrr"] > 0].groupby("customer_id")["start_date"].min()
    report = monthly_report(classify(customer_months(grid, first_start)), months)
    for column in ("period_start", "period_end"):
        report[column] = report[column].dt.strftime("%Y-%m-%d")
    report.to_csv(out, index=False, float_format="%.17g")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--from", dest="start", type=date.fromisoformat, default=date(2023, 1, 1))
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2026, 1, 1))
    args = parser.parse_args()
    run(args.data, args.out, args.start, args.end)


if __name__ == "__main__":
    main()
