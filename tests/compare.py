"""Row-set comparison of reports with float tolerance, shared by scenario and property tests."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

REL, ABS = 1e-9, 1e-6


def normal(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return normal(value.item())
    return value


def key_of(row: dict[str, Any], groups: Sequence[str]) -> tuple[Any, ...]:
    return tuple(normal(row[k]) for k in ("period_start", "period_end", *groups))


def mismatches(
    actual: Iterable[dict[str, Any]],
    expected: Iterable[dict[str, Any]],
    groups: Sequence[str],
) -> list[str]:
    """Human-readable differences between two row sets (empty when they agree)."""
    got = {key_of(r, groups): r for r in actual}
    want = {key_of(r, groups): r for r in expected}
    problems = [f"missing row {k}" for k in want.keys() - got.keys()]
    problems += [f"unexpected row {k}" for k in got.keys() - want.keys()]
    for key in want.keys() & got.keys():
        for column, value in want[key].items():
            if column in ("period_start", "period_end", *groups):
                continue
            if not close(normal(got[key][column]), normal(value)):
                problems.append(f"{key} {column}: got {got[key][column]!r}, want {value!r}")
    return sorted(problems)


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=ABS)
    return bool(a == b)
