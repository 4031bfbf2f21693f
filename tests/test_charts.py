"""The charts draw the table they are given: values, the 100% line, the bands from
``BAND_FLOORS``, a bridge that reconciles to the report's end, one line per group, and
ARR labels. The worked example's figures are derived by hand in
tests/scenarios/worked_example/NOTES.md; the small tables here are written by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import nrr
from nrr.charts import Frame, bars, bridge, cohort_heatmap, trend
from nrr.charts.style import BAND_COLORS, BAND_FILLS, BENCHMARK_NAME
from nrr.definitions import BAND_FLOORS, Band
from nrr.errors import ConfigError
from tests.test_cold_start import run_python

WORKED = Path(__file__).parent / "scenarios" / "worked_example" / "data"
JAN, FEB, MAR, APR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)
# NOTES.md, case q1_by_month: NRR and GRR of January, February, March.
MONTHLY_NRR = (104.75, 1099600 / 10721, 28295 / 277)
MONTHLY_GRR = (98.0, 1054600 / 10721, 54595 / 554)


@pytest.fixture(scope="module")
def worked() -> nrr.Dataset:
    return nrr.load(WORKED)


def frame_of(report: Any, unit: str = "mrr") -> Frame:
    return Frame(report.currency, report.groups, unit, {p.start: p.label for p in report.periods})


def shapes(figure: Any, name: str) -> list[Any]:
    return [s for s in figure.layout.shapes if s.name == name]


def test_trend_draws_the_reports_nrr_and_grr(worked: nrr.Dataset) -> None:
    report = worked.report(period="month", start=JAN, end=APR)
    figure = trend(report.table, frame_of(report))
    nrr_line, grr_line = figure.data
    assert (nrr_line.name, grr_line.name) == ("NRR", "GRR")
    assert nrr_line.x == ("Jan 2024", "Feb 2024", "Mar 2024")
    assert nrr_line.y == pytest.approx(MONTHLY_NRR)
    assert grr_line.y == pytest.approx(MONTHLY_GRR)
    assert nrr_line.text[1] == "Feb 2024 · NRR: 102.6%"
    (line,) = shapes(figure, BENCHMARK_NAME)
    assert (line.y0, line.y1, line.line.dash) == (100, 100, "dash")
    assert "MRR in USD" in figure.layout.title.text


def test_the_band_shapes_are_the_band_floors_with_their_colours() -> None:
    # An NRR from 70% to 130% spans every band, so each is drawn between its floors.
    table = pa.table({"period_start": [JAN, FEB], "nrr": [70.0, 130.0], "grr": [70.0, 95.0]})
    figure = trend(table, Frame("USD"))
    low, high = figure.layout.yaxis.range
    drawn = {s.name: s for s in figure.layout.shapes if s.type == "rect"}
    assert set(drawn) == {band.value for band in Band}
    edges = {band: floor for band, floor, _ in BAND_FLOORS}
    for band, bottom, top in Band.ranges():
        shape = drawn[band.value]
        assert shape.fillcolor == BAND_FILLS[band]
        assert shape.y0 == (low if bottom is None else edges[band])
        assert shape.y1 == pytest.approx(high if top is None else top)
    assert drawn["exceptional"].y0 == 110 and drawn["concerning"].y1 == 100
    assert drawn["critical"].y1 == 90


def test_a_grouped_trend_has_one_line_per_group() -> None:
    table = pa.table(
        {
            "period_start": [JAN, JAN, FEB, FEB, FEB],
            "segment": ["smb", "enterprise", "smb", "enterprise", None],
            "nrr": [95.0, 112.0, 97.0, 108.0, 100.0],
            "grr": [90.0, 99.0, 91.0, 98.0, 100.0],
        }
    )
    figure = trend(table, Frame("EUR", ("segment",), labels={JAN: "Jan", FEB: "Feb"}))
    assert [t.name for t in figure.data] == ["smb", "enterprise", "(none)"]
    assert figure.data[0].y == (95.0, 97.0)
    assert figure.data[1].y == (112.0, 108.0)
    assert figure.data[2].y == (None, 100.0)  # no row in January: a gap, not a zero
    assert len({t.line.color for t in figure.data}) == 3
    assert figure.layout.showlegend


def test_the_quarter_bridge_is_the_hand_derived_one(worked: nrr.Dataset) -> None:
    report = worked.report(period="quarter", start=JAN, end=APR)
    figure = bridge(report.table, frame_of(report))
    (waterfall,) = figure.data
    assert waterfall.x == (
        "Start",
        "New",
        "Reactivation",
        "Expansion",
        "Contraction",
        "Churn",
        "End",
    )
    assert waterfall.measure == ("absolute", *["relative"] * 5, "total")
    # NOTES.md, case q1_quarter_vitally_example
    third = 25000 / 12
    expected = (250000 / 3, 3850, 0, 12500, -third, -third, 286550 / 3)
    assert waterfall.y == pytest.approx(expected)
    assert sum(waterfall.y[:-1]) == pytest.approx(report.table["total_mrr_end"][0].as_py())
    assert waterfall.text[1] == "+$3,850" and waterfall.text[4] == "−$2,083"
    assert figure.layout.title.text == "MRR bridge, 2024 Q1 (USD)"


def test_the_whole_range_bridge_ends_on_the_last_periods_end(worked: nrr.Dataset) -> None:
    report = worked.report(period="month", start=JAN, end=APR)
    figure = bridge(report.table, frame_of(report))
    (waterfall,) = figure.data
    # NOTES.md, case q1_by_month: January's start, each move summed over the months.
    expected = (250000 / 3, 2050 + 700 + 1200, 0, 5625 + 3750 + 3325)
    assert waterfall.y[:4] == pytest.approx(expected)
    assert waterfall.y[-1] == pytest.approx(286550 / 3)
    assert sum(waterfall.y[:-1]) == pytest.approx(waterfall.y[-1])
    assert "FX between periods" not in waterfall.x  # the months chain: nothing to revalue
    one = bridge(report.table, frame_of(report), period=FEB).data[0]
    assert one.y[0] == pytest.approx(268025 / 3) and one.y[-1] == pytest.approx(277000 / 3)


def bridge_rows(**columns: list[Any]) -> pa.Table:
    base: dict[str, list[Any]] = {
        "period_start": [JAN, FEB],
        "total_mrr_start": [1000.0, 1210.0],
        "new_mrr": [100.0, 0.0],
        "reactivation_mrr": [10.0, 0.0],
        "expansion_mrr": [150.0, 50.0],
        "contraction_mrr": [20.0, 10.0],
        "churn_mrr": [40.0, 0.0],
        "total_mrr_end": [1200.0, 1250.0],
    }
    base.update(columns)
    return pa.table(base)


def test_a_revaluation_between_periods_is_a_step_of_its_own() -> None:
    # January ends on 1,200 but February starts on 1,210 (a rate moved): +10 between them.
    (waterfall,) = bridge(bridge_rows(), Frame("USD")).data
    assert waterfall.x[-2:] == ("FX between periods", "End")
    assert waterfall.y == pytest.approx((1000, 100, 10, 200, -30, -40, 10, 1250))


def test_overlapping_windows_are_not_summed() -> None:
    # Trailing windows ending in January and February share eleven months: the bridge of
    # the range is the last window's, not the sum of both.
    table = bridge_rows(period_end=[date(2024, 2, 1), date(2024, 3, 1)])
    ttm = table.set_column(0, "period_start", pa.array([date(2023, 2, 1), date(2023, 3, 1)]))
    (waterfall,) = bridge(ttm, Frame("USD")).data
    assert waterfall.y == pytest.approx((1210, 0, 0, 50, -10, 0, 1250))
    assert "FX between periods" not in waterfall.x


def test_a_grouped_bridge_is_the_total_of_its_groups() -> None:
    table = pa.concat_tables([bridge_rows(), bridge_rows()])
    table = table.append_column("segment", pa.array(["a", "a", "b", "b"]))
    (waterfall,) = bridge(table, Frame("USD", ("segment",))).data
    assert waterfall.y[0] == 2000 and waterfall.y[-1] == 2500
    with pytest.raises(ConfigError, match="no period starts on 2024-03-01"):
        bridge(table, Frame("USD"), period=MAR)


def test_bars_are_one_per_group_coloured_by_band() -> None:
    segments = ["a", "b", "c", "d"]
    table = pa.table(
        {
            "period_start": [JAN] * 4 + [FEB] * 4,
            "segment": segments * 2,
            "nrr": [100.0] * 4 + [95.0, 115.0, 80.0, 105.0],
        }
    )
    figure = bars(table, Frame("USD", ("segment",)))
    (bar,) = figure.data
    assert bar.x == ("b", "d", "a", "c")  # February, the last period, best first
    assert bar.y == (115.0, 105.0, 95.0, 80.0)
    bands = (Band.EXCEPTIONAL, Band.HEALTHY, Band.CONCERNING, Band.CRITICAL)
    assert bar.marker.color == tuple(BAND_COLORS[b] for b in bands)
    assert shapes(figure, BENCHMARK_NAME)[0].y0 == 100
    assert bars(table, Frame("USD", ("segment",)), period=JAN).data[0].y == (100.0,) * 4


def test_arr_tables_are_labelled_arr() -> None:
    arr = {
        name.replace("mrr", "arr"): values
        for name, values in {
            "total_mrr_start": [12000.0],
            "new_mrr": [1200.0],
            "reactivation_mrr": [0.0],
            "expansion_mrr": [600.0],
            "contraction_mrr": [0.0],
            "churn_mrr": [1800.0],
            "total_mrr_end": [12000.0],
        }.items()
    }
    table = pa.table({"period_start": [JAN], "nrr": [95.0], "grr": [85.0], **arr})
    frame = Frame("GBP", unit="arr")
    figure = bridge(table, frame)
    assert figure.layout.title.text.startswith("ARR bridge")
    assert figure.layout.yaxis.title.text == "ARR (GBP)"
    assert figure.data[0].text[0] == "£12,000"
    assert "% of starting ARR" in trend(table, frame).layout.yaxis.title.text
    assert "ARR in GBP" in trend(table, frame).layout.title.text


def test_the_cohort_heatmap_is_the_cohort_table(worked: nrr.Dataset) -> None:
    cohorts = worked.cohorts(grain="month", start=JAN, end=APR)
    figure = cohort_heatmap(cohorts.table, Frame(cohorts.currency))
    (heat,) = figure.data
    rows = cohorts.table.to_pylist()
    assert len(heat.y) == len({r["cohort"] for r in rows})
    for row in rows:
        i = heat.y.index(row["cohort"].isoformat())
        assert heat.z[i][heat.x.index(str(row["age"]))] == row["nrr"]
    assert heat.zmin < 90 and heat.zmax > 110
    money = cohort_heatmap(cohorts.table, Frame(cohorts.currency, unit="arr"), metric="mrr")
    assert "ARR in USD" in money.layout.title.text


def test_a_hand_written_cohort_table() -> None:
    table = pa.table(
        {
            "cohort": [JAN, JAN, FEB],
            "age": [0, 1, 0],
            "nrr": [100.0, 120.0, 100.0],
            "logo_retention": [100.0, 50.0, 100.0],
        }
    )
    heat = cohort_heatmap(table, Frame("USD", labels={JAN: "Jan", FEB: "Feb"})).data[0]
    assert heat.y == ("Jan", "Feb") and heat.x == ("0", "1")
    assert [list(r) for r in heat.z] == [[100.0, 120.0], [100.0, None]]
    assert heat.text[0][1] == "120.0%"


def test_importing_the_charts_does_not_import_plotly() -> None:
    out = run_python("import sys, nrr.charts; print('plotly' in sys.modules)")
    assert out.strip() == "False"
