"""The public Python API and the plain-Python building blocks under it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

import nrr
from nrr.definitions import Band, Grain, ReportRequest
from nrr.periods import periods

WORKED = Path(__file__).parent / "scenarios" / "worked_example" / "data"


def test_public_surface() -> None:
    assert set(nrr.__all__) >= {"load", "Dataset", "Report", "InputError", "ConfigError"}


def test_report_round_trip() -> None:
    ds = nrr.load(WORKED)
    report = ds.report(period="quarter", start="2024-01-01", end="2024-04-01")
    assert isinstance(report.to_arrow(), pa.Table)
    frame = report.to_pandas()
    assert frame.loc[0, "nrr"] == pytest.approx(110.0)
    assert frame.loc[0, "grr"] == pytest.approx(95.0)
    assert frame.loc[0, "logo_retention"] == pytest.approx(90.0)
    text = repr(report)
    assert text.splitlines()[0] == "<Report quarter account-level NRR in USD, 1 rows>"
    assert "2024 Q1" in text and "110.0% (healthy)" in text
    assert "worked_example" in repr(ds)


def test_input_error_carries_every_issue(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("customer_id\nc1\nc1\n")
    (tmp_path / "events.csv").write_text("customer_id,date,mrr\nc2,2024-01-01,-1\n")
    with pytest.raises(nrr.InputError) as caught:
        nrr.load(tmp_path)
    rules = sorted(issue.rule for issue in caught.value.issues)
    assert rules == ["amount-negative", "customer-unknown", "id-duplicate"]


def test_unknown_options_are_config_errors() -> None:
    ds = nrr.load(WORKED)
    with pytest.raises(nrr.ConfigError, match="period must be one of month, quarter"):
        ds.report(period="week")
    with pytest.raises(nrr.ConfigError, match="level must be one of account, organization"):
        ds.report(level="team")
    with pytest.raises(nrr.ConfigError, match="fiscal year start must be a month number"):
        ReportRequest(fiscal_year_start=13)


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (110.01, Band.EXCEPTIONAL),
        (110.0, Band.HEALTHY),
        (100.0, Band.HEALTHY),
        (99.99, Band.CONCERNING),
        (90.0, Band.CONCERNING),
        (89.99, Band.CRITICAL),
        (None, None),
        (float("nan"), None),
    ],
)
def test_bands(value: float | None, band: Band | None) -> None:
    assert Band.of(value) is band


def bounds(grain: Grain, start: date, end: date, fys: int = 1) -> list[tuple[str, str]]:
    return [(p.start.isoformat(), p.end.isoformat()) for p in periods(grain, start, end, fys)]


def test_periods_lie_wholly_inside_the_range() -> None:
    assert bounds(Grain.QUARTER, date(2024, 1, 15), date(2024, 10, 1)) == [
        ("2024-04-01", "2024-07-01"),
        ("2024-07-01", "2024-10-01"),
    ]
    assert bounds(Grain.MONTH, date(2024, 2, 1), date(2024, 3, 31)) == [
        ("2024-02-01", "2024-03-01")
    ]


def test_fiscal_periods() -> None:
    assert bounds(Grain.YEAR, date(2023, 1, 1), date(2025, 1, 1), 4) == [
        ("2023-04-01", "2024-04-01")
    ]
    assert bounds(Grain.QUARTER, date(2024, 1, 1), date(2024, 7, 1), 2)[0] == (
        "2024-02-01",
        "2024-05-01",
    )
    labels = [p.label for p in periods(Grain.QUARTER, date(2024, 4, 1), date(2025, 4, 1), 4)]
    assert labels == ["FY2025 Q1", "FY2025 Q2", "FY2025 Q3", "FY2025 Q4"]


def test_ttm_periods_end_at_every_month_boundary() -> None:
    assert bounds(Grain.TTM, date(2023, 1, 1), date(2024, 3, 1)) == [
        ("2023-01-01", "2024-01-01"),
        ("2023-02-01", "2024-02-01"),
        ("2023-03-01", "2024-03-01"),
    ]


def test_pinned_stack_runs_a_ten_row_pipeline() -> None:
    """Fails loudly if a dependency bump changes range joins, windows or date parts."""
    t = ibis.memtable(
        pa.table(
            {
                "k": ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"],
                "start": [date(2024, m, 1 + m) for m in range(1, 11)],
                "v": [float(i) for i in range(10)],
            }
        )
    )
    instants = ibis.memtable(pa.table({"t": [date(2024, 3, 1), date(2024, 8, 1)]}))
    joined = t.join(instants, [t.start <= instants.t])
    window = ibis.window(group_by=t.k, order_by=t.start)
    expr = joined.group_by(["k", "t"]).aggregate(total=joined.v.sum()).order_by(["k", "t"])
    rows = ibis.duckdb.connect().to_pyarrow(expr).to_pylist()
    # starts Jan 2 .. Oct 11; by Mar 1 only a's two rows (0 + 1); by Aug 1 a..d's first 7
    assert [(r["k"], r["t"].month, r["total"]) for r in rows] == [
        ("a", 3, 1.0),
        ("a", 8, 1.0),
        ("b", 8, 5.0),
        ("c", 8, 9.0),
        ("d", 8, 6.0),
    ]
    lead = t.mutate(nxt=t.start.lead().over(window), m=t.start.year() * 12 + t.start.month())
    out = ibis.duckdb.connect().to_pyarrow(lead.order_by("start")).to_pylist()
    assert out[0]["nxt"] == date(2024, 2, 3)
    assert out[0]["m"] == 2024 * 12 + 1
