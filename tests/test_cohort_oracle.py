"""Acquisition cohorts against the oracle, on random datasets.

The engine sums change points per cohort and currency and never builds a unit x instant
table (engine/cohorts.py); here every cell is recomputed from scratch with the oracle's
exact per-unit MRR (``mrr_at`` over each unit's lines), following docs/definitions.md
"Acquisition cohorts": a unit's cohort holds its first day of MRR > 0, age k is measured
k months (quarters) after the cohort period's end, groups are the attribute at that first
day. Multi-currency units, organizations, products and a foreign reporting currency are
all drawn by the strategies.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import nrr
from nrr.definitions import Grain
from nrr.periods import month_index, month_start, periods
from tests import oracle
from tests.strategies import GeneratedDataset, any_datasets

REL_TOL = 1e-9
ABS_TOL = 1e-6


def oracle_cohorts(
    data: oracle.OracleDataset,
    grain: str,
    start: date,
    end: date,
    by: str | None,
    level: str,
    currency: str,
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """``(cohort, group, age) -> customers, customers_active, mrr`` with exact sums."""
    by_product = by == "product"
    cohorts = periods(Grain(grain), start, end)
    step = 3 if grain == "quarter" else 1
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    members: dict[tuple[date, Any], list[list[oracle.Line]]] = defaultdict(list)
    for (owner, product), lines in oracle.build_units(data, level, by_product, None).items():
        positive = [line.start for line in lines if line.value > 0]
        if not positive:
            continue
        first = min(positive)
        cohort = next((c for c in cohorts if c.start <= first < c.end), None)
        if cohort is None:
            continue
        group = product if by_product else None
        if by and not by_product:
            group = oracle.attribute_at(data, owner, by, first)
        members[(cohort.start, group)].append(lines)
    for (cohort_start, group), units in members.items():
        cohort = next(c for c in cohorts if c.start == cohort_start)
        first = month_index(cohort.end)
        for age in range((month_index(end) - first) // step + 1):
            t = month_start(first + age * step)
            values = [oracle.mrr_at(data, lines, t, currency) for lines in units]
            cells[(cohort_start, group, age)] = {
                "customers": len(units),
                "customers_active": sum(1 for v in values if v > 0),
                "mrr": sum(values, Fraction(0)),
            }
    return cells


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    dataset=any_datasets(),
    grain=st.sampled_from(("month", "quarter")),
    by=st.sampled_from((None, "segment", "product")),
    level=st.sampled_from(("account", "organization")),
    foreign=st.booleans(),
    start=st.integers(2023 * 12, 2024 * 12 + 6),
    length=st.integers(3, 36),
)
def test_cohorts_match_the_oracle(
    tmp_path_factory: pytest.TempPathFactory,
    dataset: GeneratedDataset,
    grain: str,
    by: str | None,
    level: str,
    foreign: bool,
    start: int,
    length: int,
) -> None:
    note(repr(dataset))
    folder = dataset.write(tmp_path_factory.mktemp("dataset"))
    data = oracle.load_dataset(folder)
    currency = "EUR" if foreign and "EUR" in dataset.rated_currencies() else None
    if grain == "quarter":  # a range starting mid-quarter may hold no whole quarter
        start -= start % 3
    first, last = month_start(start), month_start(start + length)
    loaded = nrr.load(folder)
    got_rows = loaded.cohorts(grain, first, last, by=by, level=level, currency=currency).to_pylist()
    want = oracle_cohorts(data, grain, first, last, by, level, currency or data.base_currency)
    group = by or ""
    got = {(r["cohort"], r.get(group) if by else None, r["age"]): r for r in got_rows}
    assert set(got) == set(want), "cells differ (engine vs oracle)"
    for key, expected in want.items():
        row = got[key]
        assert row["customers"] == expected["customers"], (key, row, expected)
        assert row["customers_active"] == expected["customers_active"], (key, row, expected)
        assert math.isclose(row["mrr"], float(expected["mrr"]), rel_tol=REL_TOL, abs_tol=ABS_TOL), (
            key,
            row,
            expected,
        )
