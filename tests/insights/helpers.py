"""Small hand-made inputs for the insights tests: a Report from rows, a tiny dataset.

The tiny dataset's numbers are derived by hand in the docstring of ``write_hand_dataset``;
the tests assert exactly those numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from nrr.definitions import Grain, Period, ReportRequest
from nrr.periods import month_index, month_start, periods
from nrr.results import Report

FLOATS = (
    "starting_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churn_mrr",
    "ending_mrr",
    "nrr",
    "grr",
)
INTS = ("customers_start", "customers_expanded", "customers_contracted", "customers_churned")


def make_report(
    rows: Sequence[dict[str, Any]],
    start: date,
    end: date,
    grain: Grain = Grain.MONTH,
    by: Sequence[str] = (),
) -> Report:
    """A Report whose rows are given: only the columns the insights read, defaults 0.

    ``rows`` carry ``period`` (index into the spine of ``[start, end)``) and any figure.
    """
    spine: list[Period] = periods(grain, start, end)
    data: dict[str, list[Any]] = {"period_start": [], "period_end": []}
    for name in (*by, *INTS, *FLOATS):
        data[name] = []
    for row in rows:
        period = spine[row["period"]]
        data["period_start"].append(period.start)
        data["period_end"].append(period.end)
        for name in by:
            data[name].append(row.get(name))
        for name in INTS:
            data[name].append(int(row.get(name, 0)))
        for name in FLOATS:
            data[name].append(row.get(name, 0.0))
    schema = pa.schema(
        [("period_start", pa.date32()), ("period_end", pa.date32())]
        + [(name, pa.string()) for name in by]
        + [(name, pa.int64()) for name in INTS]
        + [(name, pa.float64()) for name in FLOATS]
    )
    request = ReportRequest(grain=grain, start=start, end=end, by=tuple(by))
    return Report(pa.table(data, schema=schema), request, tuple(spine), "USD")


def series_report(
    values: Sequence[float], metric: str = "nrr", start: date = date(2022, 1, 1)
) -> Report:
    """A monthly ungrouped Report whose ``metric`` is ``values`` (others constant)."""
    end = month_start(month_index(start) + len(values))
    rows = [
        {"period": i, "nrr": 100.0, "grr": 95.0, "starting_mrr": 1000.0, metric: v}
        for i, v in enumerate(values)
    ]
    return make_report(rows, start, end)


CUSTOMERS = "customer_id,name,segment\n" + "".join(
    f"c{i},Customer {i},{'a' if i <= 3 else 'b'}\n" for i in range(1, 9)
)
SUBSCRIPTIONS = """customer_id,start_date,end_date,amount
c1,2023-12-01,2024-01-15,100
c2,2023-12-01,2024-01-10,200
c2,2024-01-10,,150
c3,2023-12-01,,300
c4,2023-12-01,2024-01-20,400
c4,2024-01-20,,500
c5,2023-12-01,2024-02-15,100
c6,2023-12-01,2024-01-05,50
c7,2024-02-05,,1000
c8,2023-12-01,,100
"""
SIGNALS = """customer_id,date,name,value
c1,2023-12-15,health_score,10
c1,2024-01-10,health_score,95
c2,2023-12-15,health_score,30
c2,2024-01-10,Health_Score,80
c3,2023-12-15,health_score,60
c3,2024-01-01,usage,5
c4,2023-12-15,health_score,90
c5,2023-12-15,health_score,70
c5,2024-02-01,health_score,40
c6,2023-12-15,health_score,20
c7,2024-02-10,health_score,25
"""


def write_hand_dataset(folder: Path, signals: bool = True) -> Path:
    """Eight customers, January and February 2024 (``--from 2024-01-01 --to 2024-03-01``).

    Movements (MRR at Jan 1 → Feb 1 → Mar 1):
      c1 100 → 0 (churn, Jan)          c5 100 → 100 → 0 (churn, Feb)
      c2 200 → 150 (contraction, Jan)  c6  50 → 0 (churn, Jan)
      c3 300 → 300 → 300 (flat)        c7 new in Feb: 0 → 1000 (never in a cohort)
      c4 400 → 500 (expansion, Jan)    c8 100 → 100 → 100 (flat, no signal at all)

    health_score at each period start = the latest value dated on or before it:
      Jan 1: c1 10, c2 30, c3 60, c4 90, c5 70, c6 20 (c1's and c2's Jan 10 values are later)
      Feb 1: c2 80 (Jan 10; the name is matched case-insensitively), c3 60, c4 90,
             c5 40 (dated Feb 1 itself: "on or before" includes it)
    ``usage`` is another signal and never mixes in.

    Buckets with --cuts 50 (a value on the edge goes up):
      < 50: Jan c1 100→0, c2 200→150, c6 50→0; Feb c5 100→0
            start 450, end 150, contraction 50, churn 250: NRR = GRR = 150/450 = 33.33%;
            4 unit-periods, 4 customers, 3 churned: logo churn 75%
      ≥ 50: Jan c3 300→300, c4 400→500, c5 100→100; Feb c2 150, c3 300, c4 500 (flat)
            start 1750, end 1850, expansion 100: NRR 105.714%, GRR 100%; 6 unit-periods,
            4 customers (c2, c3, c4, c5), none churned
      no value: c8 in Jan and Feb, 100→100: NRR 100%, 2 unit-periods, 1 customer
    With --buckets 2 the median of the ten values (10 20 30 40 60 60 70 80 90 90) is 60:
    the same split, labelled "< 60" and "≥ 60".

    At risk at Mar 1 (the end of the last period): c2 150 (80), c3 300 (60), c4 500 (90),
    c7 1000 (25, measured Feb 10), c8 100 (no value). Below 50: c7 only. Below 65: c7, c3.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "customers.csv").write_text(CUSTOMERS)
    (folder / "subscriptions.csv").write_text(SUBSCRIPTIONS)
    if signals:
        (folder / "signals.csv").write_text(SIGNALS)
    return folder
