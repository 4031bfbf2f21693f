"""Every request's work is bounded by the library, whichever interface asks (issue 14).

The range may reach ``HORIZON_MONTHS`` past the data's as-of month and ``SLACK_MONTHS``
before its first month; rows (periods x groups, or cohort cells x groups) stay within
``ROW_BUDGET``; a request lists at most ``MAX_FILTERS`` filters and ``MAX_GROUPS``
groupings. Past a bound: ``RequestError`` naming it, exit 2 on the command line.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import nrr
from nrr.api import Dataset
from nrr.api_requests import HORIZON_MONTHS, ROW_BUDGET, SLACK_MONTHS, split_groups
from nrr.cli import cli
from nrr.definitions import (
    MAX_FILTERS,
    MAX_GROUPS,
    CohortRequest,
    CustomersRequest,
    Method,
    ReportRequest,
)
from nrr.errors import ConfigError, RequestError
from nrr.insights.defaults import MAX_HORIZON

WORKED = Path(__file__).parent / "scenarios" / "worked_example" / "data"
FAST = 10.0  # seconds: loading the small dataset and refusing; the unbounded run took minutes


def run(*args: str) -> tuple[Result, float]:
    began = time.monotonic()
    result = CliRunner().invoke(cli, list(args))
    return result, time.monotonic() - began


@pytest.fixture(scope="module")
def worked() -> Dataset:
    return nrr.load(WORKED)


@pytest.mark.parametrize(
    ("command", "option", "value", "limit"),
    [
        ("report", "--to", "2999-12-01", f"{HORIZON_MONTHS} months after"),
        ("report", "--from", "1800-01-01", f"{SLACK_MONTHS} months before"),
        ("customers", "--to", "2999-12-01", f"{HORIZON_MONTHS} months after"),
        ("cohorts", "--to", "2999-12-01", f"{HORIZON_MONTHS} months after"),
        ("signals", "--to", "2999-12-01", f"{HORIZON_MONTHS} months after"),
    ],
)
def test_a_range_far_past_the_data_is_exit_2_fast(
    command: str, option: str, value: str, limit: str
) -> None:
    args = [command, str(WORKED), option, value]
    if command != "cohorts":
        args += ["--period", "month"]
    result, seconds = run(*args)
    assert result.exit_code == 2, result.output
    assert limit in result.stderr and option in result.stderr
    assert seconds < FAST


def test_forecast_refuses_the_same_range() -> None:
    pytest.importorskip("statsmodels")
    result, seconds = run("forecast", str(WORKED), "--to", "2999-12-01")
    assert result.exit_code == 2 and "--to 2999-12-01" in result.stderr
    assert seconds < FAST


def test_ten_thousand_filters_are_refused_fast() -> None:
    filters = [arg for i in range(10_000) for arg in ("--filter", f"segment=s{i}")]
    result, seconds = run("report", str(WORKED), *filters)
    assert result.exit_code == 2
    assert f"at most {MAX_FILTERS}" in result.stderr and "--filter" in result.stderr
    assert seconds < FAST


def test_every_library_entry_point_is_bounded(worked: Dataset) -> None:
    far = date(2999, 12, 1)
    with pytest.raises(RequestError) as error:
        worked.report(end=far)
    assert error.value.rule == "range-too-late" and error.value.field == "end"
    with pytest.raises(RequestError, match="months before"):
        worked.customers(start=date(1800, 1, 1))
    for request in (
        ReportRequest(end=far),
        CustomersRequest(ReportRequest(end=far)),
        CohortRequest(end=far),
    ):
        with pytest.raises(RequestError, match="months after"):
            worked.run(request)  # type: ignore[call-overload]
    with pytest.raises(RequestError):
        worked.resolve(ReportRequest(start=date(1800, 1, 1)))


def test_the_bound_leaves_the_data_s_own_range_and_its_neighbourhood(worked: Dataset) -> None:
    """Five years either side of the data stays allowed (scheduled ends, empty lead-in)."""
    own = worked.request()
    assert own.start and own.end
    widened = replace(own, start=date(own.start.year - 4, 1, 1), end=date(own.end.year + 4, 1, 1))
    assert worked.resolve(widened) == widened


def test_the_row_budget_counts_periods_times_groups(dataset: Dataset) -> None:
    every = ("segment", "csm", "region", "channel", "size")
    with pytest.raises(RequestError) as error:
        dataset.request(by=every)
    assert error.value.rule == "row-budget" and f"{ROW_BUDGET:,}" in str(error.value)
    dataset.request(by=every[:2])  # well within it


def test_filter_and_grouping_counts_are_limited() -> None:
    with pytest.raises(RequestError, match=f"at most {MAX_FILTERS}"):
        ReportRequest(filters=tuple(("segment", str(i)) for i in range(MAX_FILTERS + 1)))
    with pytest.raises(RequestError, match=f"at most {MAX_GROUPS}"):
        ReportRequest(by=tuple(f"a{i}" for i in range(MAX_GROUPS + 1)))


def test_a_forecast_horizon_is_bounded_by_the_library(dataset: Dataset) -> None:
    pytest.importorskip("statsmodels")
    from nrr.insights.forecast import forecast_report

    with pytest.raises(ConfigError, match=f"1 to {MAX_HORIZON}"):
        forecast_report(dataset.report(), 10**6)


# --- attribute names with commas in --by ------------------------------------------------------
def test_split_groups_keeps_an_exact_attribute_name_whole() -> None:
    known = ("region, sub", "segment", "csm")
    assert split_groups(["Region, Sub"], known) == ["region, sub"]
    assert split_groups(["segment,csm"], known) == ["segment", "csm"]
    assert split_groups(["segment", "region, sub"], known) == ["segment", "region, sub"]


def test_an_attribute_with_a_comma_is_usable_in_by(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("customers.csv", "subscriptions.csv"):
        (data / name).write_bytes((WORKED / name).read_bytes())
    customers = (data / "customers.csv").read_text().splitlines()
    ids = [line.split(",")[0] for line in customers[1:]]
    rows = [
        f'{cid},"region, sub",{"north" if i % 2 else "south"},2020-01-01'
        for i, cid in enumerate(ids)
    ]
    (data / "customer_attributes.csv").write_text(
        "customer_id,attribute,value,valid_from\n" + "\n".join(rows) + "\n"
    )
    result, _ = run("report", str(data), "--by", "region, sub", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"region, sub": "north"' in result.stdout.replace('":"', '": "')


def test_a_last_n_widget_is_counted_by_the_periods_it_shows(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grouped "last 3 months" widget fits a budget the data's whole range would not."""
    from nrr.api_requests import estimated_groups
    from nrr.web.models import WidgetSpec
    from nrr.web.widgets import widget_request

    groups = estimated_groups(dataset.staged, ["csm"], 0)
    monkeypatch.setattr("nrr.api_requests.ROW_BUDGET", 3 * groups)
    spec = WidgetSpec.model_validate(
        {"group_by": "csm", "timeframe": {"grain": "month", "mode": "last", "last": 3}}
    )
    request = widget_request(dataset, spec)
    assert len(dataset.periods(request)) == 3
    with pytest.raises(RequestError, match="row"):
        dataset.request(by="csm")  # the whole range is over the same budget


def test_the_compounded_method_counts_its_monthly_report(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compounded quarters compute the months too: the budget counts them."""
    quarters = dataset.request(period="quarter", start="2024-01-01", end="2025-01-01")
    monkeypatch.setattr("nrr.api_requests.ROW_BUDGET", 10)  # 4 quarters fit, 4 + 12 do not
    dataset.resolve(quarters)
    with pytest.raises(RequestError) as error:
        dataset.resolve(replace(quarters, method=Method.COMPOUNDED))
    assert error.value.rule == "row-budget"


def test_a_column_that_is_no_attribute_is_named_as_such(dataset: Dataset) -> None:
    with pytest.raises(RequestError, match="unknown attribute 'customer_id'"):
        dataset.request(by="customer_id")
