"""One suite, every engine: the hand-derived scenarios run on PySpark too.

Every case of tests/scenarios and tests/scenarios_cohorts (month ends, leap days, fiscal
quarters, ttm, currencies, hierarchies, cohorts) must give the golden numbers on Spark, as
they do on DuckDB. Spark starts once per session (~7 s) in local mode on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nrr
from tests.compare import mismatches

pytestmark = [
    pytest.mark.spark,
    # py4j leaves its gateway sockets to the garbage collector; not ours to fix.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

ROOT = Path(__file__).parent


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("nrr-parity")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _folders(kind: str) -> list[Path]:
    return sorted(p for p in (ROOT / kind).iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", _folders("scenarios"), ids=lambda p: p.name)
def test_report_scenarios_on_spark(spark: Any, folder: Path) -> None:
    ds = nrr.load(folder / "data", engine_name="spark", session=spark)
    problems = []
    for case in json.loads((folder / "cases.json").read_text()):
        request = case["request"]
        rows = ds.report(**request).to_pylist()
        found = mismatches(rows, case["rows"], request.get("by", []))
        problems += [f"{case['name']}: {p}" for p in found]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("folder", _folders("scenarios_cohorts"), ids=lambda p: p.name)
def test_cohort_scenarios_on_spark(spark: Any, folder: Path) -> None:
    ds = nrr.load(folder / "data", engine_name="spark", session=spark)
    duck = nrr.load(folder / "data")
    for case in json.loads((folder / "cases.json").read_text()):
        request = case["request"]
        by = request.get("by")
        groups = [by] if by else []
        got = [_as_period(r) for r in ds.cohorts(**request).to_pylist()]
        want = [_as_period(r) for r in duck.cohorts(**request).to_pylist()]
        assert len(got) == len(case["rows"])
        assert not mismatches(got, want, ["age", *groups]), case["name"]


def test_drilldown_on_spark(spark: Any) -> None:
    folder = ROOT / "scenarios" / "reactivation" / "data"
    request: dict[str, Any] = {"period": "month", "start": "2023-01-01", "end": "2024-07-01"}
    got = nrr.load(folder, engine_name="spark", session=spark).customers(**request)
    want = nrr.load(folder).customers(**request)
    assert got.to_pylist() == want.to_pylist()


def _as_period(row: dict[str, Any]) -> dict[str, Any]:
    """Cohort rows keyed like report rows, so one comparison serves both."""
    return {"period_start": row["cohort"], "period_end": row["cohort"], **row}
