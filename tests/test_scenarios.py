"""Hand-derived scenarios: each folder's NOTES.md derives the numbers in its cases.json.

A reviewer checks NOTES.md with pencil and paper; this test checks the engine agrees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import nrr
from tests.compare import mismatches

SCENARIOS = Path(__file__).parent / "scenarios"


def _cases() -> list[Any]:
    params = []
    for folder in sorted(p for p in SCENARIOS.iterdir() if p.is_dir()):
        for case in json.loads((folder / "cases.json").read_text()):
            params.append(pytest.param(folder, case, id=f"{folder.name}:{case['name']}"))
    return params


def test_every_scenario_documents_its_derivation() -> None:
    folders = [p for p in SCENARIOS.iterdir() if p.is_dir()]
    assert len(folders) >= 14
    for folder in folders:
        assert (folder / "NOTES.md").stat().st_size > 200, folder.name
        assert (folder / "data" / "customers.csv").exists(), folder.name


@pytest.mark.parametrize(("folder", "case"), _cases())
def test_scenario(folder: Path, case: dict[str, Any]) -> None:
    request = case["request"]
    report = nrr.load(folder / "data").report(**request)
    rows = report.to_pylist()
    assert rows, "the report is empty"
    problems = mismatches(rows, case["rows"], request.get("by", []))
    assert not problems, "\n".join(problems)
