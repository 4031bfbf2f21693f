"""One request in: ``Dataset.run`` for every kind, and request errors in each face's words."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import nrr
from nrr.cli import cli
from nrr.cli.words import cli_words
from nrr.definitions import CohortRequest, CustomersRequest, Grain, ReportRequest
from nrr.errors import ConfigError, RequestError
from tests.compare import close, mismatches

WORKED = Path(__file__).parent / "scenarios" / "worked_example" / "data"
JAN, MAY = date(2024, 1, 1), date(2024, 5, 1)


@pytest.fixture(scope="module")
def ds() -> nrr.Dataset:
    return nrr.load(WORKED)


def same_rows(a: list[dict[str, object]], b: list[dict[str, object]]) -> bool:
    """Row for row, key for key; floats to within the last bits (DuckDB's parallel sums
    add in any order)."""
    return len(a) == len(b) and all(
        x.keys() == y.keys() and all(close(x[k], y[k]) for k in x)
        for x, y in zip(a, b, strict=True)
    )


def test_run_takes_every_kind_of_request(ds: nrr.Dataset) -> None:
    report = ds.run(ReportRequest(grain=Grain.QUARTER))  # the data's own range
    assert not mismatches(report.to_pylist(), ds.report(period="quarter").to_pylist(), [])
    asked = ds.request(period="quarter", start="2024-01-01", end="2024-07-01")
    churned = ds.run(CustomersRequest(asked, ("churn",)))
    assert same_rows(
        churned.to_pylist(),
        ds.customers(
            period="quarter", start="2024-01-01", end="2024-07-01", category="churn"
        ).to_pylist(),
    )
    lines = ds.run(CustomersRequest(asked, lines=True))
    assert same_rows(
        lines.to_pylist(),
        ds.customers(
            period="quarter", start="2024-01-01", end="2024-07-01", lines=True
        ).to_pylist(),
    )
    cohorts = ds.run(CohortRequest(grain=Grain.QUARTER))
    assert same_rows(cohorts.to_pylist(), ds.cohorts(grain="quarter").to_pylist())


def test_run_checks_a_request_built_by_hand(ds: nrr.Dataset) -> None:
    with pytest.raises(RequestError, match="unknown attribute 'planet'") as caught:
        ds.run(ReportRequest(by=("planet",)))
    assert caught.value.field == "by"
    with pytest.raises(RequestError) as caught:
        ds.run(ReportRequest(filters=(("planet", "mars"),)))
    assert caught.value.field == "filters"
    with pytest.raises(RequestError, match="fx_rates has no JPY rate"):
        ds.run(CohortRequest(currency="JPY"))


def test_keyword_helpers_keep_their_signatures() -> None:
    request = inspect.signature(nrr.Dataset.request).parameters
    report = inspect.signature(nrr.Dataset.report)
    assert list(report.parameters) == list(request)
    assert report.return_annotation == "Report"


@pytest.mark.parametrize(
    ("build", "rule", "library"),
    [
        (
            lambda: ReportRequest(start=MAY, end=JAN),
            "start-before-end",
            "start 2024-05-01 must be before end 2024-01-01",
        ),
        (
            lambda: CohortRequest(start=MAY, end=JAN),
            "start-before-end",
            "start 2024-05-01 must be before end 2024-01-01",
        ),
        (
            lambda: ReportRequest(by=("segment", "segment")),
            "by-repeated",
            "attribute 'segment' appears twice in by",
        ),
        (
            lambda: CustomersRequest(categories=("upsell",)),
            "category-unknown",
            "category must be one of churn, expansion, contraction, flat, new, reactivation, "
            "got 'upsell'",
        ),
        (
            lambda: CohortRequest(grain=Grain.YEAR),
            "cohort-grain",
            "cohorts are by month or quarter, not year",
        ),
    ],
)
def test_library_errors_speak_library_words(build: object, rule: str, library: str) -> None:
    with pytest.raises(RequestError) as caught:
        build()  # type: ignore[operator]
    error = caught.value
    assert isinstance(error, ConfigError) and error.exit_code == 2
    assert error.rule == rule and str(error) == library and "--" not in str(error)


def test_keyword_errors_name_the_keyword(ds: nrr.Dataset) -> None:
    with pytest.raises(RequestError, match=r"^start must be a date in YYYY-MM-DD form"):
        ds.report(start="May 2024")
    with pytest.raises(RequestError, match=r"^no whole quarter cohort lies .*widen start/end"):
        ds.cohorts(grain="quarter", start="2024-01-01", end="2024-02-01")


def test_the_cli_says_them_with_its_options() -> None:
    ordered = RequestError(
        "start-before-end",
        "{start} {first} must be before {end} {last}",
        ("start", "end"),
        {"first": "2025-01-01", "last": "2024-01-01"},
    )
    assert cli_words(ordered) == "--from 2025-01-01 must be before --to 2024-01-01"
    with pytest.raises(RequestError) as caught:
        ReportRequest(by=("segment", "segment"))
    assert cli_words(caught.value) == "a grouping is repeated in --by: segment, segment"
    assert cli_words(ConfigError("plain words")) == "plain words"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["report", "--from", "2024-05-01", "--to", "2024-01-01"],
            "--from 2024-05-01 must be before --to 2024-01-01",
        ),
        (
            ["report", "--by", "segment", "--by", "segment"],
            "a grouping is repeated in --by: segment, segment",
        ),
        (["customers", "--from", "2030-01-01"], "--from 2030-01-01 must be before --to "),
        (
            ["cohorts", "--grain", "quarter", "--from", "2024-01-01", "--to", "2024-02-01"],
            "no whole quarter cohort lies inside [2024-01-01, 2024-02-01); widen --from/--to",
        ),
    ],
)
def test_cli_messages_are_unchanged(args: list[str], message: str) -> None:
    command, *options = args
    result = CliRunner().invoke(cli, [command, str(WORKED), *options])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}"), result.stderr
