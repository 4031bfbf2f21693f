"""``.plot()`` draws a result with the one definition of each chart (``nrr.charts``)."""

from __future__ import annotations

from datetime import date

import pytest

import nrr
from nrr import charts
from nrr.charts import Frame
from tests.test_api import WORKED


@pytest.fixture(scope="module")
def ds() -> nrr.Dataset:
    return nrr.load(WORKED)


def test_a_report_plots_the_charts_module_figures(ds: nrr.Dataset) -> None:
    report = ds.report(period="month", start="2024-01-01", end="2024-04-01")
    frame = Frame(report.currency, (), "mrr", {p.start: p.label for p in report.periods})
    table = report.to_arrow()
    assert report.plot().to_dict() == charts.trend(table, frame).to_dict()
    assert report.plot(kind="bridge").to_dict() == charts.bridge(table, frame).to_dict()
    feb = date(2024, 2, 1)
    named = report.plot(kind="bridge", period=report.label(feb)).to_dict()
    assert named == charts.bridge(table, frame, period=feb).to_dict()
    assert report.plot(kind="bridge", period="2024-02-01").to_dict() == named
    assert report.plot(kind="bar", period=feb).to_dict() == (
        charts.bars(table, frame, period=feb).to_dict()
    )
    assert [t.type for t in report.plot().data] == ["scatter", "scatter"]  # NRR and GRR


def test_a_grouped_report_draws_a_line_and_a_bar_per_group(ds: nrr.Dataset) -> None:
    report = ds.report(period="month", start="2024-01-01", end="2024-04-01", by="segment")
    groups = set(report.to_arrow().column("segment").to_pylist())
    lines = [t for t in report.plot().data if t.type == "scatter" and t.name in groups]
    assert {t.name for t in lines} == groups
    (bar,) = report.plot(kind="bar").data
    assert set(bar.x) | set(bar.y) >= groups


def test_cohorts_plot_as_a_heatmap(ds: nrr.Dataset) -> None:
    cohorts = ds.cohorts(grain="month", start="2023-01-01", end="2024-04-01")
    (heat,) = cohorts.plot().data
    assert heat.type == "heatmap"
    expected = charts.cohort_heatmap(cohorts.to_arrow(), Frame(cohorts.currency))
    assert cohorts.plot().to_dict() == expected.to_dict()


def test_a_wrong_kind_or_period_is_named(ds: nrr.Dataset) -> None:
    report = ds.report(period="quarter", start="2024-01-01", end="2024-04-01")
    with pytest.raises(nrr.ConfigError, match="kind must be one of trend, bridge, bar, got 'pie'"):
        report.plot(kind="pie")
    with pytest.raises(
        nrr.ConfigError, match="'2023 Q4' is not one of the report's periods: 2024 Q1"
    ):
        report.plot(kind="bridge", period="2023 Q4")
