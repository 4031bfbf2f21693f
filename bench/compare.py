"""Check that two report CSVs hold the same numbers, so speed ratios compare equal answers.

Why tolerances and not equality: the three implementations add the same floats in
different orders, which changes the last bits. rel 1e-9 / abs 1e-6 is far below a cent on
any realistic MRR and far above float noise; a wrong classification or a missing customer
moves a figure by whole units.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

REL = 1e-9
ABS = 1e-6
KEY = ("period_start", "period_end")


class Mismatch(AssertionError):
    """The reports differ: the benchmark must not publish ratios for different answers."""


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _number(text: str) -> float | None:
    """A CSV cell as a number; empty (a null percentage) is None."""
    return None if text.strip() == "" else float(text)


def _same(expected: str, actual: str) -> bool:
    a, b = _number(expected), _number(actual)
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def differences(expected: Path, actual: Path, limit: int = 10) -> list[str]:
    """Every column of every row, keyed by period; empty when the reports agree."""
    columns, rows = read_rows(expected)
    other_columns, other_rows = read_rows(actual)
    if columns != other_columns:
        return [f"columns differ: {columns} vs {other_columns}"]
    if [tuple(r[k] for k in KEY) for r in rows] != [tuple(r[k] for k in KEY) for r in other_rows]:
        return [f"periods differ: {len(rows)} rows vs {len(other_rows)} rows"]
    found = []
    for row, other in zip(rows, other_rows, strict=True):
        for column in columns:
            if column not in KEY and not _same(row[column], other[column]):
                found.append(f"{row['period_start']} {column}: {row[column]} vs {other[column]}")
    return found[:limit]


def check(expected: Path, actual: Path, label: str) -> None:
    """Raise Mismatch, naming the first differing cells, unless the reports agree."""
    found = differences(expected, actual)
    if found:
        lines = "\n  ".join(found)
        raise Mismatch(f"{label} does not give nrr's numbers ({actual} vs {expected}):\n  {lines}")
