"""Property tests: the real engine against the oracle on random valid datasets.

Why: hand-written scenarios cover the cases someone thought of; the engine's vectorised
pipeline (range joins, windows, float64, currency intervals, hierarchy) must also agree
with the slow, exact oracle on the cases nobody thought of. A failure prints the dataset
as CSV text and the request, ready to become a scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

import nrr
from tests.oracle import METRIC_COLUMNS, oracle_report
from tests.strategies import GeneratedDataset, RequestSpec, any_datasets, report_requests

REL_TOL = 1e-9
ABS_TOL = 1e-6

Key = tuple[Any, ...]


def _is_null(value: Any) -> bool:
    """None, NaN, NaT and pd.NA are all 'null' for the comparison."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except TypeError:  # pd.NA refuses to be a bool
        return True


def _as_date(value: Any) -> date:
    """A period bound from the engine's frame as a plain date (datetime64 or date)."""
    if isinstance(value, datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):
        converted: datetime = value.to_pydatetime()
        return converted.date()
    return date.fromisoformat(str(value)[:10])


def _as_group(value: Any) -> str | None:
    return None if _is_null(value) else str(value)


def _as_number(value: Any) -> float | None:
    return None if _is_null(value) else float(value)


def engine_rows(data_dir: Path, spec: RequestSpec) -> tuple[list[str], list[dict[str, Any]]]:
    """Run the engine's public API and normalise its frame to plain Python values."""
    frame = nrr.load(data_dir).report(**spec.kwargs()).to_pandas()
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {
            "period_start": _as_date(record["period_start"]),
            "period_end": _as_date(record["period_end"]),
        }
        row.update({column: _as_group(record[column]) for column in spec.by})
        row.update({column: _as_number(record[column]) for column in METRIC_COLUMNS})
        rows.append(row)
    return [str(column) for column in frame.columns], rows


def _keyed(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> dict[Key, Mapping[str, Any]]:
    keyed = {}
    for row in rows:
        key = (row["period_start"], row["period_end"], *(row[column] for column in by))
        assert key not in keyed, f"duplicate row {key}"
        keyed[key] = row
    return keyed


def _close(got: float | None, want: float | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _assert_bridge(row: Mapping[str, Any]) -> None:
    """total_mrr_end = total_mrr_start + new + reactivation + expansion - contraction - churn,
    and NRR = ending / starting x 100, to within float rounding of the terms' size."""
    terms = [
        row["total_mrr_start"],
        row["new_mrr"],
        row["reactivation_mrr"],
        row["expansion_mrr"],
        -row["contraction_mrr"],
        -row["churn_mrr"],
    ]
    scale = max(1.0, sum(abs(term) for term in terms), abs(row["total_mrr_end"]))
    assert abs(row["total_mrr_end"] - sum(terms)) <= ABS_TOL * scale, row
    if row["starting_mrr"] > 0:
        assert row["nrr"] is not None, row
        expected_nrr = row["ending_mrr"] / row["starting_mrr"] * 100
        assert math.isclose(row["nrr"], expected_nrr, rel_tol=REL_TOL, abs_tol=ABS_TOL), row
    else:
        assert row["nrr"] is None and row["grr"] is None, row


def _expected_columns(by: Sequence[str]) -> list[str]:
    return ["period_start", "period_end", *by, *METRIC_COLUMNS]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(dataset=any_datasets(), spec=report_requests())
def test_engine_matches_oracle(
    tmp_path_factory: pytest.TempPathFactory, dataset: GeneratedDataset, spec: RequestSpec
) -> None:
    spec = spec.for_dataset(dataset)
    note(repr(dataset))
    data_dir = dataset.write(tmp_path_factory.mktemp("dataset"))
    want = _keyed(oracle_report(data_dir, **spec.kwargs()), spec.by)
    columns, got_rows = engine_rows(data_dir, spec)
    got = _keyed(got_rows, spec.by)

    expected_columns = _expected_columns(spec.by)
    # A range past the data's as-of date gains the ``scheduled`` mark (docs/definitions.md).
    assert columns in (expected_columns, [*expected_columns, "scheduled"])
    assert set(got) == set(want), "row sets differ (engine == oracle)"
    for key, expected in want.items():
        actual = got[key]
        mismatches = {
            column: (actual[column], expected[column])
            for column in METRIC_COLUMNS
            if not _close(actual[column], _as_number(expected[column]))
        }
        assert not mismatches, f"row {key}: (engine, oracle) = {mismatches}"
    for row in got_rows:
        _assert_bridge(row)
