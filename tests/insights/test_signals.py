"""Leading indicators and health-signal buckets against numbers derived by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

import nrr
from nrr.api import Dataset
from nrr.errors import ConfigError
from nrr.insights.health import signal_report
from nrr.insights.signals import leading_indicators
from tests.insights.helpers import make_report, write_hand_dataset

# Six months with 100 customers and $1,000 starting MRR each:
#   churn MRR        10 10 10 10 20 10  -> churn rate       1 1 1 1 2 1 %
#   contraction MRR  20 20 20 20 20 40  -> contraction rate 2 2 2 2 2 4 %
#   expansion MRR    50 100 50 50 50 50
# The trailing mean needs 3 earlier periods (so Jan-Mar have none):
#   May churn: mean(Jan-Apr) = 1%, 2% > 1% × 1.5 -> warning "churn"
#   Jun churn: mean(Jan-May) = 1.2%, 1% is not; Jun contraction: mean 2%, 4% > 3% -> "contraction"
# Growth: expansion Feb (100-50)/50 = +100%, Mar -50%; churn May +100%, Jun -50%.
CHURN = (10, 10, 10, 10, 20, 10)
CONTRACTION = (20, 20, 20, 20, 20, 40)
EXPANSION = (50, 100, 50, 50, 50, 50)


def six_months(**extra: object) -> list[dict[str, object]]:
    return [
        {
            "period": i,
            "customers_start": 100,
            "starting_mrr": 1000.0,
            "churn_mrr": CHURN[i],
            "contraction_mrr": CONTRACTION[i],
            "expansion_mrr": EXPANSION[i],
            "customers_expanded": 10 + i,
            "customers_contracted": 5,
            "customers_churned": 1,
            "nrr": 100.0 + (EXPANSION[i] - CHURN[i] - CONTRACTION[i]) / 10,
            "grr": 97.0,
            **extra,
        }
        for i in range(6)
    ]


def test_growth_shares_rates_and_the_early_warning() -> None:
    report = make_report(six_months(), date(2024, 1, 1), date(2024, 7, 1))
    rows = leading_indicators(report).to_pylist()
    assert [r["churn_rate"] for r in rows] == [1.0, 1.0, 1.0, 1.0, 2.0, 1.0]
    assert [r["churn_baseline"] for r in rows][:3] == [None, None, None]
    assert [r["churn_baseline"] for r in rows][3:] == pytest.approx([1.0, 1.0, 1.2])
    assert [r["warning"] for r in rows] == [None, None, None, None, "churn", "contraction"]
    assert [r["early_warning"] for r in rows] == [False] * 4 + [True, True]
    assert [r["expansion_growth"] for r in rows][:3] == [None, 100.0, -50.0]
    assert [r["churn_growth"] for r in rows][4:] == [100.0, -50.0]
    assert [r["expanding_share"] for r in rows] == pytest.approx([10, 11, 12, 13, 14, 15])
    assert rows[0]["contracting_share"] == 5.0 and rows[0]["churned_share"] == 1.0
    assert rows[0]["industry_band"] == "average" and rows[1]["nrr"] == pytest.approx(107.0)


def test_the_threshold_is_strict_and_configurable() -> None:
    report = make_report(six_months(), date(2024, 1, 1), date(2024, 7, 1))
    # +100% exactly (2% against 1%) is not "more than 100% above": no churn warning in May.
    rows = leading_indicators(report, threshold=100).to_pylist()
    assert [r["warning"] for r in rows] == [None] * 6
    rows = leading_indicators(report, threshold=10, window=3).to_pylist()
    assert [r["warning"] for r in rows][4:] == ["churn", "contraction"]


def test_a_missing_period_breaks_growth_and_groups_stay_apart() -> None:
    """Team y has no row in March: April's growth has no previous period to compare with."""
    rows = six_months(team="x") + [r for r in six_months(team="y") if r["period"] != 2]
    report = make_report(rows, date(2024, 1, 1), date(2024, 7, 1), by=["team"])
    out = leading_indicators(report).to_pylist()
    y = [r for r in out if r["team"] == "y"]
    assert [r["period_start"].month for r in y] == [1, 2, 4, 5, 6]
    assert y[2]["expansion_growth"] is None and y[3]["churn_growth"] == 100.0
    # y's trailing mean skips the empty month: May has only Jan, Feb, Apr (3 periods).
    assert y[3]["churn_baseline"] == pytest.approx(1.0) and y[3]["warning"] == "churn"
    x = [r for r in out if r["team"] == "x"]
    assert [r["warning"] for r in x] == [None, None, None, None, "churn", "contraction"]


def test_an_empty_period_has_no_rates_and_no_warning() -> None:
    rows = six_months()
    rows[5] = {"period": 5, "nrr": None, "grr": None}
    report = make_report(rows, date(2024, 1, 1), date(2024, 7, 1))
    last = leading_indicators(report).to_pylist()[-1]
    assert last["churn_rate"] is None and last["expanding_share"] is None
    assert last["early_warning"] is False and last["industry_band"] is None


# --- health signals: the hand dataset (tests/insights/helpers.py derives every number) -------
def request(ds: Dataset, **options: object) -> nrr.ReportRequest:
    return ds.request("month", "2024-01-01", "2024-03-01", **options)  # type: ignore[arg-type]


def test_signals_are_staged_with_names_folded(hand: Dataset) -> None:
    table = hand.staged.signals
    assert table.schema.names == ["customer_id", "date", "name", "value"]
    assert table.schema.field("date").type == pa.date32()
    assert sorted(set(table.column("name").to_pylist())) == ["health_score", "usage"]
    assert hand.staged.table_rows["signals"] == 11


def test_buckets_by_cuts_match_the_hand_numbers(hand: Dataset) -> None:
    result = signal_report(hand, request(hand), "health_score", cuts=[50])
    rows = {r["bucket"]: r for r in result.buckets.to_pylist()}
    assert list(rows) == ["< 50", "≥ 50", "no value"]
    low, high, none = rows["< 50"], rows["≥ 50"], rows["no value"]
    assert (low["starting_mrr"], low["ending_mrr"]) == (450.0, 150.0)
    assert (low["contraction_mrr"], low["churn_mrr"], low["expansion_mrr"]) == (50.0, 250.0, 0.0)
    assert low["nrr"] == pytest.approx(100 / 3) and low["grr"] == pytest.approx(100 / 3)
    assert (low["unit_periods"], low["customers"], low["churned"]) == (4, 4, 3)
    assert low["logo_churn"] == 75.0
    assert (high["starting_mrr"], high["ending_mrr"], high["expansion_mrr"]) == (
        1750.0,
        1850.0,
        100.0,
    )
    assert high["nrr"] == pytest.approx(1850 / 1750 * 100) and high["grr"] == 100.0
    assert (high["unit_periods"], high["customers"], high["churned"]) == (6, 4, 0)
    assert (none["nrr"], none["unit_periods"], none["customers"]) == (100.0, 2, 1)
    assert result.buckets.edges == (50.0,)


def test_quantile_buckets_use_the_median_and_at_risk_lists_low_large_customers(
    hand: Dataset,
) -> None:
    result = signal_report(hand, request(hand), "health_score", buckets=2, below=65)
    assert result.buckets.edges == (60.0,)
    assert [r["bucket"] for r in result.buckets.to_pylist()] == ["< 60", "≥ 60", "no value"]
    risky = result.at_risk.to_pylist()
    assert [(r["customer_id"], r["mrr"], r["signal_value"]) for r in risky] == [
        ("c7", 1000.0, 25.0),
        ("c3", 300.0, 60.0),
    ]
    assert risky[0]["signal_date"] == date(2024, 2, 10)
    assert result.at_risk.as_of == date(2024, 3, 1)
    default = signal_report(hand, request(hand), "health_score", cuts=[50])
    assert [r["customer_id"] for r in default.at_risk.to_pylist()] == ["c7"]  # below 50


def test_grouped_and_organization_buckets(hand: Dataset) -> None:
    """Segment a = c1, c2, c3: < 50 holds c1 (100 → 0) and c2 (200 → 150): NRR 50%."""
    result = signal_report(
        hand, request(hand, by="segment", level="organization"), "health_score", cuts=[50]
    )
    rows = {(r["segment"], r["bucket"]): r for r in result.buckets.to_pylist()}
    assert rows[("a", "< 50")]["nrr"] == pytest.approx(50.0)
    assert rows[("b", "≥ 50")]["nrr"] == pytest.approx(110.0)  # c4 400 → 500, c5 100 → 100
    assert "organization_id" in result.at_risk.table.column_names


def test_unknown_signals_and_datasets_without_signals_are_refused(
    hand: Dataset, tmp_path: Path
) -> None:
    with pytest.raises(
        ConfigError,
        match=r"^no signal named 'nps'; the signals table holds "
        r"health_score, usage$",
    ):
        signal_report(hand, request(hand), "nps")
    bare = nrr.load(write_hand_dataset(tmp_path / "bare", signals=False))
    with pytest.raises(
        ConfigError,
        match=r"^the dataset has no signals table: add "
        r"signals.csv \(customer_id, date, name, value\)",
    ):
        signal_report(bare, request(bare), "health_score")
