"""DuckDB builds each hash join on the smaller input.

Why a test: DuckDB estimates every Arrow scan at one row, so left to its build-side
optimizer it chose by row width and built hash tables of millions of change points against
a 108-row rate table (and, in cohorts, 23M rows for an empty probe side). The engine writes
its joins with the large input on the left and turns that optimizer off
(``backend._keep_join_sides``); this reads DuckDB's own profile of real reports and fails
if a join builds on its larger input again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import nrr
from nrr.api import Dataset
from nrr.demo import generate

# Below this many rows a build side costs nothing worth guarding; two inputs within a
# factor of two of each other may build on either.
SMALL = 2_000
FACTOR = 2


@pytest.fixture(scope="module")
def larger(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("join-sides")
    generate(folder, customers=3_000, months=24, seed=5, fmt="parquet")
    return nrr.load(folder)


def joins(node: dict[str, Any]) -> Iterator[tuple[str, int, int]]:
    """Every two-input join of a profile tree: (conditions, probe rows, build rows)."""
    children = node.get("children", [])
    if "JOIN" in str(node.get("operator_type", "")) and len(children) == 2:
        info = node.get("extra_info") or {}
        yield (
            str(info.get("Conditions", "")),
            int(children[0].get("operator_cardinality", 0)),
            int(children[1].get("operator_cardinality", 0)),
        )
    for child in children:
        yield from joins(child)


REQUESTS: dict[str, Callable[[Dataset], object]] = {
    "month": lambda d: d.report("month", date(2023, 1, 1), date(2025, 1, 1)),
    "segment": lambda d: d.report("month", date(2023, 1, 1), date(2025, 1, 1), by="segment"),
    "quarter organization": lambda d: d.report(
        "quarter", date(2023, 1, 1), date(2025, 1, 1), level="organization"
    ),
    "ttm": lambda d: d.report("ttm", date(2024, 1, 1), date(2025, 1, 1)),
    "cohorts": lambda d: d.cohorts(),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_hash_joins_build_on_the_smaller_input(larger: Dataset, tmp_path: Path, name: str) -> None:
    con = larger.backend.con.con
    profile = tmp_path / "profile.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{profile}'")
    try:
        REQUESTS[name](larger)
    finally:
        con.execute("PRAGMA disable_profiling")
    found = list(joins(json.loads(profile.read_text())))
    assert found, "the profile lists no join: the test reads the wrong profile"
    wrong = [(c, p, b) for c, p, b in found if b > SMALL and b > FACTOR * p]
    assert not wrong, f"hash joins built on the larger input (conditions, probe, build): {wrong}"
