"""Hand-derived cohort scenarios: tests/scenarios_cohorts/*/NOTES.md derives every number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import nrr
from tests.compare import close, normal

SCENARIOS = Path(__file__).parent / "scenarios_cohorts"


def _cases() -> list[Any]:
    params = []
    for folder in sorted(p for p in SCENARIOS.iterdir() if p.is_dir()):
        assert (folder / "NOTES.md").stat().st_size > 200, folder.name
        for case in json.loads((folder / "cases.json").read_text()):
            params.append(pytest.param(folder, case, id=f"{folder.name}:{case['name']}"))
    return params


@pytest.mark.parametrize(("folder", "case"), _cases())
def test_cohort_scenario(folder: Path, case: dict[str, Any]) -> None:
    request = case["request"]
    by = request.get("by")
    table = nrr.load(folder / "data").cohorts(**request)

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (normal(row["cohort"]), row["age"], row[by] if by else None)

    got = {key(r): r for r in table.to_pylist()}
    want = {key(r): r for r in case["rows"]}
    assert sorted(got, key=str) == sorted(want, key=str)
    problems = [
        f"{k} {column}: got {got[k][column]!r}, want {value!r}"
        for k, row in want.items()
        for column, value in row.items()
        if column not in ("cohort", "age", by) and not close(normal(got[k][column]), value)
    ]
    assert not problems, "\n".join(problems)
