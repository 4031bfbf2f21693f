"""Checks of the oracle itself: tiny hand-computed datasets, the scenario files, and the
contract's identities on random datasets.

Why: the property test trusts the oracle to judge the engine, so the oracle needs its own
evidence. Every expected number below is derived by hand in the comments, from the
definitions page, not by running code.
"""

from __future__ import annotations

import json
import tempfile
import textwrap
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

from tests import oracle
from tests.compare import mismatches
from tests.oracle import METRIC_COLUMNS, load_dataset, monthly_value, period_spine
from tests.strategies import GeneratedDataset, RequestSpec, any_datasets, report_requests

F = Fraction
SCENARIOS = Path(__file__).parent / "scenarios"


def oracle_report_exact(data_dir: Path, **request: Any) -> list[dict[str, Any]]:
    """The oracle's exact rows, typed loosely so that tests can do arithmetic on them."""
    return oracle.oracle_report_exact(data_dir, **request)


def oracle_report(data_dir: Path, **request: Any) -> list[dict[str, Any]]:
    """The oracle's float rows, typed loosely like :func:`oracle_report_exact`."""
    return oracle.oracle_report(data_dir, **request)


def write_tables(directory: Path, **tables: str) -> Path:
    """Write each keyword as ``<name>.csv`` with the given (dedented) text."""
    for name, text in tables.items():
        (directory / f"{name}.csv").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return directory


def only_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(rows) == 1, rows
    return rows[0]


# --------------------------------------------------------------------------- movements


def test_month_movements_new_reactivation_and_bridge(tmp_path: Path) -> None:
    write_tables(
        tmp_path,
        customers="""
            customer_id,name,parent_id,segment
            a,A,,smb
            b,B,,smb
            c,C,,mid
            d,D,,mid
            e,E,,ent
        """,
        # a: 100 from Jan 1, +50 from Feb 1 (active at t1 = Feb 1) -> 100 -> 150, expansion 50
        # b: annual 1200 = 100/month, ends Jan 15 -> 100 -> 0, churn 100
        # c: starts Jan 10 -> 0 -> 30, new (never had MRR)
        # d: a line inside March 2023, then quarterly 90 = 30/month from Jan 20 ->
        #    0 -> 30, reactivation (MRR > 0 on 2023-03-05, before t0)
        # e: 40 until Jan 31, 25 from Jan 31 (a downgrade) -> 40 -> 25, contraction 15
        subscriptions="""
            customer_id,start_date,end_date,amount,billing_months
            a,2024-01-01,,100.00,1
            a,2024-02-01,,50.00,1
            b,2023-06-01,2024-01-15,1200.00,12
            c,2024-01-10,,30.00,
            d,2023-03-05,2023-03-20,60.00,1
            d,2024-01-20,,90.00,3
            e,2023-12-01,2024-01-31,40.00,1
            e,2024-01-31,,25.00,1
        """,
    )
    row = only_row(
        oracle_report_exact(tmp_path, period="month", start=date(2024, 1, 1), end=date(2024, 2, 1))
    )
    # cohort a, b, e: 100 + 100 + 40 = 240; ending 150 + 0 + 25 = 175
    assert row["customers_start"] == 3
    assert row["starting_mrr"] == 240
    assert (row["expansion_mrr"], row["contraction_mrr"], row["churn_mrr"]) == (50, 15, 100)
    assert row["ending_mrr"] == 175
    assert row["nrr"] == F(175 * 100, 240)  # 72.916...
    assert row["grr"] == F((240 - 15 - 100) * 100, 240)  # 52.083...
    assert row["logo_retention"] == F(200, 3)  # 2 of 3 logos kept
    assert (row["customers_expanded"], row["customers_contracted"], row["customers_churned"]) == (
        1,
        1,
        1,
    )
    assert (row["new_mrr"], row["customers_new"]) == (30, 1)
    assert (row["reactivation_mrr"], row["customers_reactivated"]) == (30, 1)
    # totals: 240 -> 175 + 30 + 30 = 235 = 240 + 30 + 30 + 50 - 15 - 100
    assert (row["total_mrr_start"], row["total_mrr_end"]) == (240, 235)


def test_float_rows_have_contract_columns_and_types(tmp_path: Path) -> None:
    write_tables(
        tmp_path,
        customers="customer_id\na\n",
        subscriptions="customer_id,start_date,amount\na,2024-01-01,10.10\n",
    )
    rows = oracle_report(tmp_path, period="month", start=date(2023, 12, 1), end=date(2024, 3, 1))
    assert [row["period_start"] for row in rows] == [
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]
    assert list(rows[0]) == ["period_start", "period_end", *METRIC_COLUMNS]
    # December: nobody at t0, a is new at t1 (10.10); NRR undefined, not 0
    assert rows[0]["nrr"] is None and rows[0]["grr"] is None and rows[0]["logo_retention"] is None
    assert rows[0]["new_mrr"] == 10.1 and isinstance(rows[0]["customers_new"], int)
    assert rows[1]["nrr"] == 100.0 and isinstance(rows[1]["starting_mrr"], float)


def test_reactivation_looks_at_any_instant_before_t0(tmp_path: Path) -> None:
    write_tables(
        tmp_path,
        customers="customer_id\nr\nz\n",
        # r had 10 for Jan 5-20 (between two boundaries), then 20 from Mar 1 -> reactivated in
        # February. z's January line is worth 0, so z never had MRR > 0: new in February.
        subscriptions="""
            customer_id,start_date,end_date,amount
            r,2024-01-05,2024-01-20,10.00
            r,2024-03-01,,20.00
            z,2024-01-05,2024-01-20,0.00
            z,2024-03-01,,20.00
        """,
    )
    rows = oracle_report_exact(
        tmp_path, period="month", start=date(2024, 1, 1), end=date(2024, 3, 1)
    )
    january, february = rows
    # January: r and z are 0 on Jan 1 and on Feb 1: nothing at all.
    assert january["total_mrr_start"] == january["total_mrr_end"] == 0
    assert (january["customers_new"], january["customers_reactivated"]) == (0, 0)
    assert (february["reactivation_mrr"], february["customers_reactivated"]) == (20, 1)
    assert (february["new_mrr"], february["customers_new"]) == (20, 1)


# --------------------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    ("kind", "amount", "months", "start", "end", "expected"),
    [
        # recurring: amount / billing_months
        ("recurring", "1200", 12, date(2024, 1, 1), None, F(100)),
        ("recurring", "100", 3, date(2024, 1, 1), None, F(100, 3)),
        # usage, same day of month: calendar-month difference (Jan 15 -> Apr 15 = 3)
        ("usage", "300", 1, date(2024, 1, 15), date(2024, 4, 15), F(100)),
        # usage, Jan 31 -> Mar 31: same day, 2 months (no February 31st needed)
        ("usage", "200", 1, date(2024, 1, 31), date(2024, 3, 31), F(100)),
        # usage, Jan 1 -> Jan 31: 30 days = 30 / 30.4375 months -> 300 * 30.4375 / 30 = 304.375
        ("usage", "300", 1, date(2024, 1, 1), date(2024, 1, 31), F(304375, 1000)),
        # usage, Jan 30 -> Feb 29 (leap): different days, 30 days again
        ("usage", "300", 1, date(2024, 1, 30), date(2024, 2, 29), F(304375, 1000)),
        # usage, from a leap day to the next Feb 28: days differ, 365 days -> 365 / (365 / 30.4375)
        ("usage", "365", 1, date(2024, 2, 29), date(2025, 2, 28), F(487, 16)),
    ],
)
def test_monthly_value(
    kind: str, amount: str, months: int, start: date, end: date | None, expected: Fraction
) -> None:
    assert monthly_value(kind, F(amount), months, start, end) == expected


# --------------------------------------------------------------------------- fx, levels, groups


FX_TABLES = {
    "customers": """
        customer_id,parent_id,segment
        p,,ent
        k,p,smb
        g,k,smb
        s,,smb
    """,
    "subscriptions": """
        customer_id,start_date,end_date,amount,currency
        k,2024-01-01,,100.00,EUR
        g,2024-01-01,2024-02-15,50.00,USD
        s,2024-02-01,,10.00,
    """,
    "fx_rates": """
        date,currency,rate
        2023-01-01,EUR,1.1
        2024-02-01,EUR,1.2
    """,
}


def test_organization_level_groups_by_the_organizations_own_value(tmp_path: Path) -> None:
    write_tables(tmp_path, **FX_TABLES)
    rows = oracle_report_exact(
        tmp_path,
        period="month",
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
        by=["segment"],
        level="organization",
    )
    keys = [(row["period_start"].month, row["segment"]) for row in rows]
    assert keys == [(1, "ent"), (1, "smb"), (2, "ent"), (2, "smb")]
    jan_ent, jan_smb, feb_ent, feb_smb = rows
    # organization p = p + k + g (k and g are smb, but p's own value is ent).
    # Jan 1: 100 EUR * 1.1 + 50 = 160; Feb 1: 100 * 1.2 (the new rate) + 50 = 170 -> +10
    assert (jan_ent["starting_mrr"], jan_ent["expansion_mrr"], jan_ent["ending_mrr"]) == (
        160,
        10,
        170,
    )
    assert jan_ent["nrr"] == F(10625, 100)
    # s has nothing on Jan 1 and 10 on Feb 1: new, in its own group; no cohort -> null NRR
    assert (jan_smb["customers_start"], jan_smb["new_mrr"], jan_smb["nrr"]) == (0, 10, None)
    # Feb 1 -> Mar 1: g ended Feb 15, 170 -> 120, contraction 50; NRR = 120/170
    assert (feb_ent["contraction_mrr"], feb_ent["nrr"]) == (50, F(12000, 170))
    assert (feb_smb["starting_mrr"], feb_smb["ending_mrr"], feb_smb["nrr"]) == (10, 10, 100)


def test_cross_rate_reporting_currency(tmp_path: Path) -> None:
    write_tables(tmp_path, **FX_TABLES)
    assert load_dataset(tmp_path).base_currency == "USD"  # the one used currency without rates
    rows = oracle_report_exact(
        tmp_path, period="month", start=date(2024, 1, 1), end=date(2024, 2, 1), currency="EUR"
    )
    row = only_row(rows)
    # in EUR, base amounts divide by the EUR rate at the same instant:
    # k: 100 EUR -> 110 USD -> 100 EUR at both ends (flat)
    # g: 50 USD / 1.1 = 500/11 on Jan 1; 50 / 1.2 = 125/3 on Feb 1 -> contraction 125/33
    # s: new 10 / 1.2 = 25/3
    assert row["starting_mrr"] == 100 + F(500, 11)
    assert row["contraction_mrr"] == F(500, 11) - F(125, 3) == F(125, 33)
    assert row["ending_mrr"] == 100 + F(125, 3)
    assert row["new_mrr"] == F(25, 3)
    assert row["total_mrr_end"] == 150


def test_point_in_time_attributes_and_case_insensitive_columns(tmp_path: Path) -> None:
    write_tables(
        tmp_path,
        customers="Customer_ID,SEGMENT\nx,smb\n",
        subscriptions="CUSTOMER_ID,Start_Date,AMOUNT\nx,2023-01-01,100\n",
        # ent from Feb 1 (valid_from == t0 is in force), unset from Mar 1
        customer_attributes="""
            customer_id,attribute,value,valid_from
            x,Segment,ent,2024-02-01
            x,Segment,,2024-03-01
        """,
    )
    rows = oracle_report(
        tmp_path, period="month", start=date(2024, 1, 1), end=date(2024, 4, 1), by=["segment"]
    )
    # January: before x's first history row -> the customers table's smb
    assert [row["segment"] for row in rows] == ["smb", "ent", None]
    assert all(row["nrr"] == 100.0 for row in rows)


def test_product_units_and_product_filter(tmp_path: Path) -> None:
    write_tables(
        tmp_path,
        customers="customer_id\na\n",
        # product A 100 all along; B 50 until Jan 20; an unnamed product 5 from Jan 25
        subscriptions="""
            customer_id,start_date,end_date,amount,product
            a,2024-01-01,,100,A
            a,2024-01-01,2024-01-20,50,B
            a,2024-01-25,,5,
        """,
    )
    jan = {"period": "month", "start": date(2024, 1, 1), "end": date(2024, 2, 1)}
    by_product = oracle_report_exact(tmp_path, by=["product"], **jan)
    # three units (a, A), (a, B), (a, null); the null group sorts first
    assert [row["product"] for row in by_product] == [None, "A", "B"]
    unnamed, product_a, product_b = by_product
    assert (unnamed["new_mrr"], unnamed["customers_new"]) == (5, 1)
    assert product_a["nrr"] == 100
    assert (product_b["churn_mrr"], product_b["customers_churned"]) == (50, 1)
    # one account-level unit: 150 -> 105, a contraction of 45
    whole = only_row(oracle_report_exact(tmp_path, **jan))
    assert (whole["starting_mrr"], whole["contraction_mrr"], whole["customers_start"]) == (
        150,
        45,
        1,
    )
    # the product filter keeps only A's lines: 100 -> 100
    only_a = only_row(oracle_report_exact(tmp_path, filters={"product": "A"}, **jan))
    assert (only_a["starting_mrr"], only_a["ending_mrr"], only_a["new_mrr"]) == (100, 100, 0)


def test_events_are_latest_value_on_or_before_t(tmp_path: Path) -> None:
    write_tables(
        tmp_path,
        customers="customer_id\ne\nf\n",
        # e: 100 from 2023-06-10, cancelled 2023-08-01, back at 80 on 2024-01-15
        #    -> 0 on Jan 1, 80 on Feb 1: reactivation (had 100 in 2023)
        # f: 50 from Jan 1 (an event on t0 is in force), 70 from Feb 1 -> expansion 20
        events="""
            customer_id,date,mrr
            f,2024-02-01,70.00
            e,2024-01-15,80.00
            e,2023-06-10,100.00
            f,2024-01-01,50.00
            e,2023-08-01,0
        """,
    )
    row = only_row(
        oracle_report_exact(tmp_path, period="month", start=date(2024, 1, 1), end=date(2024, 2, 1))
    )
    assert (row["customers_start"], row["starting_mrr"], row["expansion_mrr"]) == (1, 50, 20)
    assert row["nrr"] == 140
    assert (row["reactivation_mrr"], row["customers_reactivated"], row["new_mrr"]) == (80, 1, 0)
    assert (row["total_mrr_start"], row["total_mrr_end"]) == (50, 150)


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("period", "start", "end", "fys", "expected"),
    [
        # fiscal year from April: quarters start Apr, Jul, Oct, Jan -> calendar-aligned anyway
        (
            "quarter",
            date(2024, 1, 1),
            date(2025, 1, 1),
            4,
            [(1, 2024, 4, 2024), (4, 2024, 7, 2024), (7, 2024, 10, 2024), (10, 2024, 1, 2025)],
        ),
        # fiscal year from February: quarters Feb, May, Aug, Nov; Nov-Feb does not fit
        (
            "quarter",
            date(2024, 1, 1),
            date(2025, 1, 1),
            2,
            [(2, 2024, 5, 2024), (5, 2024, 8, 2024), (8, 2024, 11, 2024)],
        ),
        # ttm: one twelve-month window per month boundary m with [m - 12, m) inside
        (
            "ttm",
            date(2023, 1, 1),
            date(2024, 3, 1),
            1,
            [(1, 2023, 1, 2024), (2, 2023, 2, 2024), (3, 2023, 3, 2024)],
        ),
        # fiscal years from July: only Jul 2023 - Jul 2024 lies inside
        ("year", date(2023, 1, 1), date(2025, 1, 1), 7, [(7, 2023, 7, 2024)]),
        # calendar year 2024 does not fit in [Jan 1, Dec 1)
        ("year", date(2024, 1, 1), date(2024, 12, 1), 1, []),
        # a start inside a month: the first whole month is the next one
        ("month", date(2024, 1, 15), date(2024, 3, 1), 1, [(2, 2024, 3, 2024)]),
    ],
)
def test_period_spine(
    period: str, start: date, end: date, fys: int, expected: list[tuple[int, int, int, int]]
) -> None:
    spine = period_spine(period, start, end, fys)
    assert spine == [(date(y0, m0, 1), date(y1, m1, 1)) for m0, y0, m1, y1 in expected]


def test_ungrouped_report_has_a_row_per_period_even_when_empty(tmp_path: Path) -> None:
    write_tables(
        tmp_path, customers="customer_id\na\n", subscriptions="customer_id,start_date,amount\n"
    )
    rows = oracle_report(tmp_path, period="month", start=date(2024, 1, 1), end=date(2024, 3, 1))
    assert len(rows) == 2
    assert all(row["total_mrr_end"] == 0.0 and row["nrr"] is None for row in rows)
    grouped = oracle_report(
        tmp_path, period="month", start=date(2024, 1, 1), end=date(2024, 3, 1), by=["segment"]
    )
    assert grouped == []


# --------------------------------------------------------------------------- scenario files


# The oracle implements the contract alone (snapshot method, actual rates); cases using the
# project's extra options are checked against their hand derivation by test_scenarios.py.
BEYOND_CONTRACT = ("method", "fx")


def _scenario_cases() -> list[Any]:
    cases = []
    for path in sorted(SCENARIOS.glob("*/cases.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            if "rows" in case and not set(BEYOND_CONTRACT) & set(case["request"]):
                cases.append(pytest.param(path.parent / "data", case, id=case["name"]))
    assert len(cases) >= 40
    return cases


@pytest.mark.parametrize(("data_dir", "case"), _scenario_cases())
def test_oracle_matches_scenario_expectations(data_dir: Path, case: dict[str, Any]) -> None:
    """The scenarios' expected rows are derived by hand in their NOTES.md; the oracle is an
    independent derivation of the same numbers. Rows compare as a set (their order in
    cases.json is not part of the contract)."""
    request = dict(case["request"])
    for key in ("start", "end"):
        request[key] = date.fromisoformat(request[key])
    rows = oracle_report(data_dir, **request)
    problems = mismatches(rows, case["rows"], request.get("by", []))
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- identities


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dataset=any_datasets(), spec=report_requests())
def test_oracle_identities_hold_exactly(dataset: GeneratedDataset, spec: RequestSpec) -> None:
    """The contract's identities, with no tolerance at all (the oracle is exact)."""
    spec = spec.for_dataset(dataset)
    note(repr(dataset))
    with tempfile.TemporaryDirectory() as folder:
        rows = oracle_report_exact(dataset.write(Path(folder)), **spec.kwargs())
    for row in rows:
        start, end = row["total_mrr_start"], row["total_mrr_end"]
        moves = (
            row["new_mrr"]
            + row["reactivation_mrr"]
            + row["expansion_mrr"]
            - row["contraction_mrr"]
            - row["churn_mrr"]
        )
        assert end == start + moves
        assert row["ending_mrr"] == (
            row["starting_mrr"] + row["expansion_mrr"] - row["contraction_mrr"] - row["churn_mrr"]
        )
        if row["starting_mrr"] == 0:
            assert row["nrr"] is None and row["grr"] is None and row["customers_start"] == 0
        else:
            assert row["ending_mrr"] / row["starting_mrr"] * 100 == row["nrr"]
            assert row["grr"] <= 100 and row["grr"] <= row["nrr"]
        moved = row["customers_expanded"] + row["customers_contracted"] + row["customers_churned"]
        assert moved <= row["customers_start"]
        assert min(row[column] for column in METRIC_COLUMNS if row[column] is not None) >= 0
