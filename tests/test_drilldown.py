"""The customers behind every number: drill-down rows sum to the report's rows.

Checked on the demo dataset for the requests a CS lead makes, and on random datasets. The
drill-down comes from the engine's per-unit path and ungrouped or by-product reports from
its totals path (engine/totals.py), so these tests also hold the two paths to one answer.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import nrr
from nrr.demo import generate
from tests.compare import mismatches
from tests.strategies import GeneratedDataset, RequestSpec, any_datasets, report_requests


@pytest.fixture(scope="module")
def demo() -> nrr.Dataset:
    folder = Path(tempfile.mkdtemp(prefix="nrr-drill-"))
    generate(folder, customers=400, months=24, seed=5)
    return nrr.load(folder)


def rebuild(rows: Sequence[dict[str, Any]], groups: Sequence[str]) -> list[dict[str, Any]]:
    """The report's sums and counts recomputed from drill-down rows, independently."""
    out: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        key = (row["period_start"], row["period_end"], *(row[g] for g in groups))
        agg = out[key]
        category, start, end = row["category"], row["mrr_start"], row["mrr_end"]
        agg["customers_start"] += start > 0
        agg["starting_mrr"] += start
        agg["ending_mrr"] += end if start > 0 else 0.0
        agg["total_mrr_start"] += start
        agg["total_mrr_end"] += end
        agg[f"customers_{_count_name(category)}"] += 1
        if category in ("expansion", "contraction", "churn"):
            agg[f"{category}_mrr"] += abs(row["delta"])
        if category in ("new", "reactivation"):
            agg[f"{category}_mrr"] += end
    rows_out = []
    for key, agg in out.items():
        row = dict(zip(("period_start", "period_end", *groups), key, strict=True))
        row.update({k: v for k, v in agg.items() if k != "customers_flat"})
        rows_out.append(row)
    return rows_out


def _count_name(category: str) -> str:
    return {
        "expansion": "expanded",
        "contraction": "contracted",
        "churn": "churned",
        "new": "new",
        "reactivation": "reactivated",
        "flat": "flat",
    }[category]


def assert_sums_match(ds: nrr.Dataset, **request: Any) -> None:
    report = ds.report(**request)
    drill = ds.customers(**request)
    groups = list(request.get("by", []))
    expected = rebuild(drill.to_pylist(), groups)
    report_rows = [r for r in report.to_pylist() if r["customers_start"] or r["total_mrr_end"]]
    problems = mismatches(report_rows, expected, groups)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize(
    "request_args",
    [
        {"period": "month", "by": ["csm"]},
        {"period": "quarter", "level": "organization", "by": ["segment"]},
        {"period": "quarter", "by": ["product"], "filters": {"region": "EMEA"}},
        {"period": "year", "fiscal_year_start": 4, "fx": "constant"},
        {"period": "ttm", "currency": "EUR"},
        {"period": "month", "level": "organization", "by": ["product"]},
        {"period": "month", "currency": "GBP", "fx": "constant"},
    ],
    ids=[
        "month-csm",
        "quarter-org-segment",
        "product-emea",
        "fiscal-constant-fx",
        "ttm-eur",
        "month-org-product",
        "month-gbp-constant",
    ],
)
def test_drilldown_sums_to_the_report_on_demo_data(
    demo: nrr.Dataset, request_args: dict[str, Any]
) -> None:
    assert_sums_match(demo, **request_args)


def test_category_filter_and_lines(demo: nrr.Dataset) -> None:
    churned = demo.customers(period="quarter", category="churn").to_pylist()
    assert churned and all(r["category"] == "churn" and r["mrr_end"] == 0 for r in churned)
    lines = demo.customers(period="quarter", category="expansion", lines=True).to_pylist()
    assert lines
    for line in lines:
        start, end = line["start_date"], line["end_date"]
        at_t0 = start <= line["period_start"] and (end is None or end > line["period_start"])
        at_t1 = start <= line["period_end"] and (end is None or end > line["period_end"])
        assert at_t0 or at_t1
        assert line["active_at"] == ("both" if at_t0 and at_t1 else "start" if at_t0 else "end")


def test_unknown_category_is_refused(demo: nrr.Dataset) -> None:
    with pytest.raises(nrr.ConfigError, match="category must be one of"):
        demo.customers(category="upsell")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(dataset=any_datasets(), spec=report_requests())
def test_drilldown_sums_to_the_report_on_random_data(
    dataset: GeneratedDataset, spec: RequestSpec
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ds = nrr.load(dataset.write(Path(folder)))
        assert_sums_match(ds, **spec.for_dataset(dataset).kwargs())
