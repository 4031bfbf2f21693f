"""Tests of the demo generator (`nrr.demo`).

Why: the demo is the first dataset people see and the input of every benchmark, so it must
(1) pass the contract's strict validation by construction, (2) be byte-for-byte reproducible
from its seed, (3) show every feature nrr reports on (currencies, billing terms, usage lines,
parent chains, point-in-time attributes, reactivations, upgrades) and (4) look like a real
B2B SaaS business. The validity checks are re-implemented here with pandas, independently
of nrr's validator, so a bug in one does not hide a bug in the other.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from nrr.demo import DemoSummary, generate
from nrr.errors import ConfigError

TABLES = ("customers", "subscriptions", "fx_rates", "customer_attributes")
COLUMNS = {
    "customers": [
        "customer_id",
        "name",
        "parent_id",
        "segment",
        "csm",
        "region",
        "channel",
        "size",
    ],
    "subscriptions": [
        "subscription_id",
        "customer_id",
        "start_date",
        "end_date",
        "amount",
        "billing_months",
        "currency",
        "kind",
        "product",
    ],
    "fx_rates": ["date", "currency", "rate"],
    "customer_attributes": ["customer_id", "attribute", "value", "valid_from"],
}
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
AMOUNT = r"\d+(\.\d{1,2})?"
Tables = dict[str, pd.DataFrame]


def read_tables(directory: Path, fmt: str = "csv") -> Tables:
    """Every table as text, empty optional fields as "" (CSV) or null mapped to "" (Parquet)."""
    if fmt == "csv":
        return {
            name: pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in TABLES
        }
    return {name: pd.read_parquet(directory / f"{name}.parquet").fillna("") for name in TABLES}


def dates(column: pd.Series) -> pd.Series:
    """Parse ISO dates strictly; "" becomes NaT."""
    return pd.to_datetime(column.where(column != ""), format="%Y-%m-%d")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, Tables]:
    summary = generate(tmp_path_factory.mktemp("demo"), customers=3000, months=36, seed=7)
    return summary, read_tables(summary.directory)


@pytest.fixture(scope="module")
def lines(demo: tuple[DemoSummary, Tables]) -> pd.DataFrame:
    """Subscriptions with parsed dates and amounts."""
    subs = demo[1]["subscriptions"]
    return subs.assign(
        start=dates(subs["start_date"]),
        end=dates(subs["end_date"]),
        value=subs["amount"].astype(float),
        billing=subs["billing_months"].astype(int),
    )


# --- validity: the contract's rules, checked independently --------------------------------
def assert_valid(tables: Tables) -> None:
    for name, columns in COLUMNS.items():
        assert list(tables[name].columns) == columns, name
    assert_customers_valid(tables["customers"])
    assert_subscriptions_valid(tables)
    assert_fx_covers_lines(tables)
    assert_attributes_valid(tables)


def assert_customers_valid(customers: pd.DataFrame) -> None:
    ids = customers["customer_id"]
    assert (ids != "").all() and ids.is_unique
    parents = customers.loc[customers["parent_id"] != "", "parent_id"]
    assert parents.isin(ids).all()
    parent_of = dict(zip(ids, customers["parent_id"], strict=True))
    for start in ids[parents.index]:  # no cycles: every chain reaches a top account
        seen, current = set(), start
        while current:
            assert current not in seen, f"cycle through {current}"
            seen.add(current)
            current = parent_of[current]


def assert_subscriptions_valid(tables: Tables) -> None:
    subs = tables["subscriptions"]
    assert subs["subscription_id"].is_unique
    assert subs["customer_id"].isin(tables["customers"]["customer_id"]).all()
    assert subs["start_date"].str.fullmatch(ISO_DATE).all()
    ended = subs["end_date"] != ""
    assert subs.loc[ended, "end_date"].str.fullmatch(ISO_DATE).all()
    start, end = dates(subs["start_date"]), dates(subs["end_date"])
    assert (end[ended] > start[ended]).all()
    assert subs["amount"].str.fullmatch(AMOUNT).all()  # plain, >= 0, at most 2 decimals
    assert subs["billing_months"].str.fullmatch(r"[1-9]\d*").all()
    assert subs["currency"].str.fullmatch(r"[A-Z]{3}").all()
    assert subs["kind"].isin(["recurring", "usage"]).all()
    assert ended[subs["kind"] == "usage"].all()


def assert_fx_covers_lines(tables: Tables) -> None:
    """Every non-USD line has a rate for its currency dated on or before its start."""
    fx = tables["fx_rates"]
    assert fx["date"].str.fullmatch(ISO_DATE).all()
    assert (fx["rate"].astype(float) > 0).all()
    assert not fx.duplicated(["date", "currency"]).any()
    first_rate = dates(fx["date"]).groupby(fx["currency"]).min()
    subs = tables["subscriptions"]
    foreign = subs[subs["currency"] != "USD"]
    assert foreign["currency"].isin(first_rate.index).all()
    assert (dates(foreign["start_date"]) >= foreign["currency"].map(first_rate)).all()


def assert_attributes_valid(tables: Tables) -> None:
    attrs = tables["customer_attributes"]
    assert attrs["customer_id"].isin(tables["customers"]["customer_id"]).all()
    assert (attrs["attribute"] != "").all()
    assert attrs["valid_from"].str.fullmatch(ISO_DATE).all()
    assert not attrs.duplicated(["customer_id", "attribute", "valid_from"]).any()
    unset = attrs["value"] == ""  # deliberate: an account left without a CSM for a while
    assert (attrs.loc[unset, "attribute"] == "csm").all()
    assert unset.sum() <= 0.05 * len(attrs)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_arguments_give_identical_files(tmp_path: Path, fmt: str) -> None:
    for run in ("a", "b"):
        generate(tmp_path / run, customers=400, months=24, seed=11, fmt=fmt)  # type: ignore[arg-type]
    for name in TABLES:
        first = (tmp_path / "a" / f"{name}.{fmt}").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.{fmt}").read_bytes(), name


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", customers=200, months=12, seed=1)
    generate(tmp_path / "b", customers=200, months=12, seed=2)
    path = Path("subscriptions.csv")
    assert (tmp_path / "a" / path).read_bytes() != (tmp_path / "b" / path).read_bytes()


def test_default_size_is_valid(demo: tuple[DemoSummary, Tables]) -> None:
    assert_valid(demo[1])


@pytest.mark.parametrize(("customers", "months"), [(50, 6), (1, 1), (7, 2), (30, 120)])
def test_small_and_odd_sizes_are_valid(tmp_path: Path, customers: int, months: int) -> None:
    summary = generate(tmp_path, customers=customers, months=months)
    tables = read_tables(tmp_path)
    assert_valid(tables)
    assert len(tables["customers"]) == summary.customers == customers
    assert len(tables["subscriptions"]) == summary.subscriptions > 0


def test_parquet_holds_the_same_rows_as_csv(tmp_path: Path) -> None:
    generate(tmp_path, customers=300, months=18, fmt="csv")
    generate(tmp_path, customers=300, months=18, fmt="parquet")
    csv, parquet = read_tables(tmp_path, "csv"), read_tables(tmp_path, "parquet")
    for name in TABLES:
        pd.testing.assert_frame_equal(csv[name], parquet[name], check_dtype=False)


def test_summary_describes_the_files(demo: tuple[DemoSummary, Tables]) -> None:
    summary, tables = demo
    customers, subs = tables["customers"], tables["subscriptions"]
    assert summary.customers == len(customers)
    assert summary.organizations == (customers["parent_id"] == "").sum()
    assert summary.subscriptions == len(subs)
    assert summary.attribute_changes == len(tables["customer_attributes"])
    assert summary.currencies == tuple(sorted(subs["currency"].unique()))
    assert (summary.first_month, summary.last_month) == (date(2023, 1, 1), date(2025, 12, 1))


def test_csv_is_plain_text(demo: tuple[DemoSummary, Tables]) -> None:
    """Unquoted values, plain decimals (no exponent), one header line per file."""
    for name in TABLES:
        text = (demo[0].directory / f"{name}.csv").read_text(encoding="utf-8")
        assert text.splitlines()[0] == ",".join(COLUMNS[name])
        assert '"' not in text and "e+" not in text and text.endswith("\n")


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="first day of a month"):
        generate(tmp_path, start=date(2023, 1, 15))
    with pytest.raises(ConfigError, match="customers"):
        generate(tmp_path, customers=0)
    with pytest.raises(ConfigError, match="months"):
        generate(tmp_path, months=0)
    with pytest.raises(ConfigError, match="fmt"):
        generate(tmp_path, fmt="xlsx")  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_only_its_own_files_are_written(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    generate(tmp_path, customers=20, months=3, start=date(2024, 2, 1))
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{name}.csv" for name in TABLES] + ["notes.txt"]
    )


# --- features the demo must show -------------------------------------------------------------
def test_currencies_and_billing_terms(demo: tuple[DemoSummary, Tables]) -> None:
    subs = demo[1]["subscriptions"]
    assert {"EUR", "GBP"} <= set(subs["currency"])
    assert subs["currency"].value_counts().idxmax() == "USD"
    recurring = subs[subs["kind"] == "recurring"]
    assert set(recurring["billing_months"]) == {"1", "3", "12"}
    assert set(recurring["product"]) == {"Core", "Analytics", "Support"}
    emea = demo[1]["customers"].query("region == 'EMEA'")["customer_id"]
    assert (subs[subs["customer_id"].isin(emea)]["currency"] == "EUR").mean() > 0.3


def test_usage_lines_bill_one_calendar_month_each(lines: pd.DataFrame) -> None:
    usage = lines[lines["kind"] == "usage"]
    assert len(usage) > 1000
    assert (usage["start"].dt.day == 1).all()
    assert (usage["end"] == usage["start"] + pd.DateOffset(months=1)).all()
    assert not usage.duplicated(["customer_id", "start"]).any()


def test_dates_are_not_only_month_starts(lines: pd.DataFrame) -> None:
    recurring = lines[lines["kind"] == "recurring"]
    days = pd.concat([recurring["start"], recurring["end"].dropna()]).dt.day
    assert (days != 1).mean() > 0.3
    assert days.isin([29, 30, 31]).sum() > 100
    assert (days == 15).any()


def test_parent_chains_reach_three_levels(demo: tuple[DemoSummary, Tables]) -> None:
    customers = demo[1]["customers"]
    parent_of = dict(zip(customers["customer_id"], customers["parent_id"], strict=True))
    depth = customers["customer_id"].map(lambda c: 1 + depth_above(c, parent_of))
    assert depth.max() == 3 and (depth == 3).sum() >= 5
    assert 0.07 < (depth > 1).mean() < 0.13
    ids = customers["customer_id"]
    child = customers["parent_id"] != ""
    assert (customers.loc[child, "parent_id"] < ids[child]).all()  # parents created first


def depth_above(customer: str, parent_of: dict[str, str]) -> int:
    depth, current = 0, parent_of[customer]
    while current:
        depth, current = depth + 1, parent_of[current]
    return depth


def test_attribute_history(demo: tuple[DemoSummary, Tables], lines: pd.DataFrame) -> None:
    customers, attrs = demo[1]["customers"], demo[1]["customer_attributes"]
    arrival = lines.groupby("customer_id")["start"].min()
    valid_from = dates(attrs["valid_from"])
    first_row = ~attrs.duplicated(["customer_id", "attribute"])
    # each history opens at the arrival date; every change comes strictly later
    assert (valid_from[first_row] == attrs.loc[first_row, "customer_id"].map(arrival)).all()
    assert (valid_from[~first_row] > attrs.loc[~first_row, "customer_id"].map(arrival)).all()
    csm_changes = attrs[~first_row & (attrs["attribute"] == "csm")]
    years = 3
    assert 0.01 * years < csm_changes["customer_id"].nunique() / len(customers) < 0.1 * years
    assert (attrs.loc[~first_row, "attribute"] == "segment").sum() >= 10
    # the customers table holds the latest value
    latest = attrs.drop_duplicates(["customer_id", "attribute"], keep="last")
    for attribute in ("csm", "segment"):
        rows = latest[latest["attribute"] == attribute].set_index("customer_id")["value"]
        current = customers.set_index("customer_id")[attribute]
        assert (current[rows.index] == rows).all()


def test_attribute_values(demo: tuple[DemoSummary, Tables]) -> None:
    customers = demo[1]["customers"]
    assert set(customers["segment"]) == {"SMB", "Mid-Market", "Enterprise"}
    assert set(customers["region"]) == {"NA", "EMEA", "APAC", "LATAM"}
    assert set(customers["channel"]) == {"direct", "partner", "self-serve"}
    assert set(customers["size"]) == {"1-10", "11-50", "51-200", "201-1000", "1000+"}
    assert 12 <= customers.loc[customers["csm"] != "", "csm"].nunique() <= 20
    assert customers["name"].str.len().gt(5).all()


def test_customers_arrive_every_month(
    demo: tuple[DemoSummary, Tables], lines: pd.DataFrame
) -> None:
    summary = demo[0]
    arrival = lines.groupby("customer_id")["start"].min()
    installed = (arrival == pd.Timestamp(summary.first_month)).mean()
    assert 0.35 < installed < 0.45
    window = pd.date_range(summary.first_month, summary.last_month, freq="MS")
    counts = arrival.dt.to_period("M").value_counts()
    assert all(counts.get(month.to_period("M"), 0) > 0 for month in window)
    later = counts.sort_index().iloc[1 : len(window)]
    assert later.iloc[-6:].mean() > later.iloc[:6].mean()  # a growing company


def test_upgrades_downgrades_and_add_ons(lines: pd.DataFrame) -> None:
    recurring = lines[lines["kind"] == "recurring"]
    ends = recurring.dropna(subset=["end"])
    replaced = ends.merge(
        recurring,
        left_on=["customer_id", "product", "end"],
        right_on=["customer_id", "product", "start"],
        suffixes=("", "_next"),
    )
    assert (replaced["value_next"] > replaced["value"]).sum() > 100
    assert (replaced["value_next"] < replaced["value"]).sum() > 10
    arrival = recurring.groupby("customer_id")["start"].transform("min")
    add_ons = recurring[(recurring["product"] != "Core") & (recurring["start"] > arrival)]
    assert add_ons["customer_id"].nunique() > 50


def test_churned_customers_come_back(lines: pd.DataFrame) -> None:
    """A reactivation is a gap in a customer's coverage followed by new lines."""
    ordered = lines.sort_values(["customer_id", "start"])
    covered = ordered["end"].fillna(pd.Timestamp.max)
    covered_until = covered.groupby(ordered["customer_id"]).cummax()
    previous = covered_until.groupby(ordered["customer_id"]).shift()
    gap = ordered["start"] > previous
    returned = ordered.loc[gap, "customer_id"].nunique()
    assert 20 < returned < 0.1 * ordered["customer_id"].nunique()


# --- realism: retention like a real B2B SaaS business ----------------------------------------
def mrr_at(lines: pd.DataFrame, fx: pd.DataFrame, instant: pd.Timestamp) -> pd.Series:
    """MRR per customer in USD at an instant, straight from the contract's definitions."""
    active = lines[(lines["start"] <= instant) & (lines["end"].isna() | (lines["end"] > instant))]
    same_day = active["start"].dt.day == active["end"].dt.day
    months = (active["end"].dt.year - active["start"].dt.year) * 12 + (
        active["end"].dt.month - active["start"].dt.month
    )
    spanned = months.where(same_day, (active["end"] - active["start"]).dt.days / 30.4375)
    monthly = (active["value"] / active["billing"]).where(
        active["kind"] == "recurring", active["value"] / spanned
    )
    in_force = fx[dates(fx["date"]) <= instant].drop_duplicates("currency", keep="last")
    rate = active["currency"].map(in_force.set_index("currency")["rate"].astype(float))
    return (monthly * rate.fillna(1.0)).groupby(active["customer_id"]).sum()


def test_retention_is_realistic(demo: tuple[DemoSummary, Tables], lines: pd.DataFrame) -> None:
    fx = demo[1]["fx_rates"].sort_values("date")
    boundaries = pd.date_range(demo[0].first_month, periods=37, freq="MS")
    mrr = [mrr_at(lines, fx, instant) for instant in boundaries]
    for year in range(3):
        start, end = mrr[12 * year], mrr[12 * year + 12]
        cohort = start[start > 0]
        nrr = end.reindex(cohort.index, fill_value=0).sum() / cohort.sum() * 100
        assert 95 < nrr < 115, (year, nrr)
    churn = []
    for start, end in itertools.pairwise(mrr):
        cohort = start[start > 0]
        churn.append((end.reindex(cohort.index, fill_value=0) == 0).mean())
    assert 0.01 < sum(churn) / len(churn) < 0.02
    assert max(churn) < 0.03


@pytest.mark.slow
def test_benchmark_size_generates(tmp_path: Path) -> None:
    """100k customers over 3 years feed the benchmarks (its speed is measured in bench/)."""
    summary = generate(tmp_path, customers=100_000, months=36)
    assert summary.subscriptions > 400_000
    last_customer = (tmp_path / "customers.csv").read_text().splitlines()[-1]
    assert last_customer.startswith("C100000,")
