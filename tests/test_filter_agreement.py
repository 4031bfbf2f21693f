"""The drill-down agrees with the report for every filter set, on every interface (issue 14).

One filter implementation serves the report, the drill-down, cohorts' callers and widgets
(the request's ``filters``, applied by the engine's plan). Random filter sets, with
repeated attributes (which combine with AND, so two values of one attribute keep nobody)
and product filters, must give drill-down rows whose per-category sums are the report's
figures for each period: through the Python API, ``nrr customers`` against ``nrr report``,
and ``/api/customers`` against ``/api/report``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nrr.api import Dataset
from nrr.cli import cli
from tests.compare import mismatches
from tests.test_drilldown import rebuild
from tests.web.helpers import TestClient, client_for

Filters = list[tuple[str, str]]
ATTRIBUTES = ("segment", "region", "product")


@pytest.fixture(scope="module")
def values(dataset: Dataset) -> dict[str, list[str]]:
    """Each filtered attribute's values in the data, and one it never takes."""
    staged = dataset.staged
    found = {
        name: sorted(str(v) for v in pc.unique(staged.customers[name]).to_pylist() if v)
        for name in ATTRIBUTES
        if name != "product"
    }
    found["product"] = sorted(pc.unique(staged.lines["product"]).to_pylist())
    return {name: [*vals, "nobody"] for name, vals in found.items()}


@pytest.fixture(scope="module")
def web(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Any:
    with client_for(dataset, tmp_path_factory.mktemp("store") / "s.sqlite") as client:
        yield client


def filter_sets() -> st.SearchStrategy[list[tuple[str, int]]]:
    """Up to four (attribute, value index) pairs: repeats of one attribute are likely."""
    pair = st.tuples(st.sampled_from(ATTRIBUTES), st.integers(0, 9))
    return st.lists(pair, max_size=4)


def _pick(values: dict[str, list[str]], chosen: list[tuple[str, int]]) -> Filters:
    return [(name, values[name][index % len(values[name])]) for name, index in chosen]


def _agree(report: list[dict[str, Any]], drill: list[dict[str, Any]], where: str) -> None:
    live = [r for r in report if r["customers_start"] or r["total_mrr_end"]]
    problems = mismatches(live, rebuild(drill, []), [])
    assert not problems, where + ":\n" + "\n".join(problems[:10])


def _cli(command: str, data: Path, period: str, filters: Filters) -> list[dict[str, Any]]:
    args = [command, str(data), "--period", period, "--format", "json", "-q"]
    for name, value in filters:
        args += ["--filter", f"{name}={value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _web(client: TestClient, path: str, period: str, filters: Filters) -> list[dict[str, Any]]:
    params = [("period", period), *(("filter", f"{n}={v}") for n, v in filters)]
    if path == "/api/customers":
        params.append(("limit", "20000"))
    body = client.get(path, params=params).json()
    assert body["ok"], body
    if path == "/api/customers":
        assert not body["truncated"]
    rows: list[dict[str, Any]] = body["rows"]
    return rows


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(chosen=filter_sets(), period=st.sampled_from(["month", "quarter"]))
def test_the_drilldown_sums_to_the_report_for_any_filters(
    dataset: Dataset,
    demo_dir: Path,
    values: dict[str, list[str]],
    web: TestClient,
    chosen: list[tuple[str, int]],
    period: str,
) -> None:
    filters = _pick(values, chosen)
    report = dataset.report(period=period, filters=filters).to_pylist()
    drill = dataset.customers(period=period, filters=filters).to_pylist()
    _agree(report, drill, f"python {filters}")
    cli_report = _cli("report", demo_dir, period, filters)
    _agree(cli_report, _cli("customers", demo_dir, period, filters), f"cli {filters}")
    web_report = _web(web, "/api/report", period, filters)
    _agree(web_report, _web(web, "/api/customers", period, filters), f"web {filters}")
    # The three interfaces give one report.
    assert not mismatches(cli_report, report, [])
    assert not mismatches(web_report, report, [])


def test_two_values_of_one_attribute_keep_nobody_everywhere(
    dataset: Dataset, web: TestClient, values: dict[str, list[str]]
) -> None:
    """The issue's example: segment=SMB and segment=Enterprise is an empty population."""
    first, second = values["segment"][:2]
    both = [("segment", first), ("segment", second)]
    assert not dataset.customers(filters=both).to_pylist()
    assert _web(web, "/api/customers", "month", both) == []
    assert all(r["starting_mrr"] == 0 for r in _web(web, "/api/report", "month", both))


def test_cohorts_take_no_filters(web: TestClient) -> None:
    """Cohorts have no filter: the API refuses one instead of ignoring it."""
    response = web.get("/api/cohorts", params={"filter": "segment=SMB"})
    assert response.status_code == 422 and "filter" in response.json()["error"]
