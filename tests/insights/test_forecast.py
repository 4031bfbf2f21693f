"""Forecasts on synthetic series whose truth is known, the backtest, and the refusals."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from nrr.definitions import Grain
from nrr.errors import ConfigError
from nrr.insights import backtest as bt
from nrr.insights import forecast as fc
from nrr.insights import series as sr
from tests.insights.helpers import make_report, series_report


def noisy(slope: float, sd: float, seed: int, n: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` observations of ``100 + slope·t`` plus Gaussian noise, and the next ``h`` truths."""
    t = np.arange(n + h)
    truth = 100 + slope * t
    observed = truth[:n] + np.random.default_rng(seed).normal(0, sd, n)
    return observed, truth[n:]


def inside(result: fc.SeriesForecast, truth: np.ndarray, level: int = 95) -> np.ndarray:
    lower, upper = result.bounds[level]
    return (truth >= lower) & (truth <= upper)


def test_a_level_series_keeps_its_truth_inside_the_95_interval() -> None:
    for seed in range(4):
        observed, truth = noisy(0.0, 1.0, seed, n=24, h=6)
        result = fc.forecast_values(observed, 6)
        assert result.model == "ETS(A,Ad,N)"
        assert inside(result, truth).all(), seed


def test_a_trend_is_followed_and_its_truth_covered() -> None:
    """NRR rising 0.2 pp a month under 0.8 pp of noise, 24 months, 6 ahead.

    A damped trend flattens a trend that in truth goes on, so the last steps of a few seeds
    can fall just outside; over 8 seeds × 6 steps the truth must be inside the 95% interval
    at least 90% of the time (measured: 94%) and the forecast must rise.
    """
    covered, total = 0, 0
    for seed in range(8):
        observed, truth = noisy(0.2, 0.8, seed, n=24, h=6)
        result = fc.forecast_values(observed, 6)
        covered += int(inside(result, truth).sum())
        total += len(truth)
        assert result.mean[-1] > result.mean[0] > observed[:6].mean()
        lo95, hi95 = result.bounds[95]
        lo80, hi80 = result.bounds[80]
        assert (lo95 <= lo80).all() and (lo80 <= result.mean).all()
        assert (result.mean <= hi80).all() and (hi80 <= hi95).all()
    assert covered / total >= 0.90


def test_two_full_seasons_allow_a_seasonal_term_when_it_pays() -> None:
    t = np.arange(60)
    truth = 100 + 4 * np.sin(2 * np.pi * t / 12)
    observed = truth[:48] + np.random.default_rng(1).normal(0, 1.0, 48)
    result = fc.forecast_values(observed, 12, season=12)
    assert result.model == "ETS(A,Ad,A) season 12"
    assert inside(result, truth[48:]).all()
    short = fc.forecast_values(observed[:20], 3, season=12)  # under two seasons: never seasonal
    assert short.model == "ETS(A,Ad,N)"


def test_a_constant_series_is_forecast_as_itself() -> None:
    result = fc.forecast_values([100.0] * 8, 3)
    assert result.model == "constant"
    assert result.mean.tolist() == [100.0] * 3
    assert result.bounds[95][0].tolist() == [100.0] * 3


def test_forecast_rows_are_bounded_labelled_and_continue_the_spine() -> None:
    observed, _ = noisy(0.3, 1.5, 3, n=12, h=0)
    report = series_report(list(99.5 + observed - 100), metric="grr")
    result = fc.forecast_report(report, 3, ["grr"])
    rows = result.to_pylist()
    assert [r["label"] for r in rows] == ["Jan 2023", "Feb 2023", "Mar 2023"]
    assert [r["period_start"] for r in rows] == [date(2023, m, 1) for m in (1, 2, 3)]
    assert all(r["upper_95"] <= 100.0 for r in rows)  # GRR cannot exceed 100%
    assert rows[0]["history"] == 12 and rows[0]["metric"] == "grr"


def test_a_gap_restarts_the_series_and_short_groups_are_skipped() -> None:
    """Group x has all 8 months; y has no row in March (nobody in it), so only April to
    August count: 5 months, too few; z has no row in the last month: nothing to extend."""
    rows = [{"period": i, "team": "x", "nrr": 100.0 + i % 3} for i in range(8)]
    rows += [{"period": i, "team": "y", "nrr": 98.0 + i} for i in (0, 1, 3, 4, 5, 6, 7)]
    rows += [{"period": i, "team": "z", "nrr": 101.0} for i in range(7)]
    report = make_report(rows, date(2024, 1, 1), date(2024, 9, 1), by=["team"])
    series = {s.group: s for s in sr.report_series(report, ["nrr"])}
    assert [p.label for p in series[("y",)].periods] == [
        "Apr 2024",
        "May 2024",
        "Jun 2024",
        "Jul 2024",
        "Aug 2024",
    ]
    assert series[("y",)].values.tolist() == [101.0, 102.0, 103.0, 104.0, 105.0]
    assert len(series[("z",)].values) == 0
    result = fc.forecast_report(report, 2, ["nrr"])
    assert {r["team"] for r in result.to_pylist()} == {"x"}
    assert result.skipped == (
        "NRR (team=y): 5 period(s) of history",
        "NRR (team=z): 0 period(s) of history",
    )


# --- refusals -------------------------------------------------------------------------------
def test_fewer_than_six_periods_are_refused() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^a forecast needs at least 6 periods of history, "
        r"got 5$",
    ):
        fc.forecast_values([100.0, 101.0, 99.0, 100.5, 100.2], 3)
    report = series_report([100.0, 101.0, 99.0, 100.5, 100.2], start=date(2024, 1, 1))
    with pytest.raises(ConfigError) as caught:
        fc.forecast_report(report, 3)
    assert str(caught.value) == (
        "NRR has 5 period(s) of history (Jan 2024 to May 2024); a forecast needs at least 6 "
        "periods: widen start/end"
    )


def test_no_group_with_enough_history_is_refused() -> None:
    rows = [{"period": i, "team": t, "nrr": 100.0} for i in range(4) for t in ("x", "y")]
    report = make_report(rows, date(2024, 1, 1), date(2024, 5, 1), by=["team"])
    with pytest.raises(
        ConfigError,
        match=r"no group has enough history \(NRR \(team=x\): 4 "
        r"period\(s\) of history; NRR \(team=y\): 4 period\(s\) of "
        r"history\); a forecast needs at least 6 periods",
    ):
        fc.forecast_report(report, 2, ["nrr"])


@pytest.mark.parametrize("grain", [Grain.YEAR, Grain.TTM])
def test_years_and_trailing_windows_are_refused(grain: Grain) -> None:
    report = make_report([], date(2015, 1, 1), date(2025, 1, 1), grain=grain)
    with pytest.raises(
        ConfigError,
        match=f"^forecasts are by month or quarter, not {grain.value}: years give too few points",
    ):
        fc.forecast_report(report, 2)


def test_a_missing_statsmodels_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str, package: str | None = None) -> object:
        raise ModuleNotFoundError(f"No module named {name!r}", name="statsmodels")

    monkeypatch.setattr(fc.importlib, "import_module", missing)
    with pytest.raises(
        ConfigError,
        match=r"^forecasting needs statsmodels: pip install "
        r"'nrr\[forecast\]'$",
    ):
        fc.forecast_values([100.0, 101.0, 99.0, 100.5, 100.2, 99.7], 2)


def test_a_backtest_needs_room_to_fit_before_what_it_tests() -> None:
    report = series_report([100.0 + (i % 4) for i in range(10)])
    with pytest.raises(ConfigError) as caught:
        bt.backtest_report(report, 5, ["nrr"])
    assert str(caught.value) == (
        "NRR has 10 period(s) of history (Jan 2022 to Oct 2022); backtesting the last 5 needs "
        "11 (6 to fit the first forecast, 5 tested; lower tested): widen start/end"
    )
    assert bt.default_tested(report, ["nrr"]) == 4  # 10 periods: 6 to fit, 4 to test


# --- backtest -------------------------------------------------------------------------------
def test_backtest_scores_the_model_against_naive_and_drift() -> None:
    """On a noisy level series the last value is a poor guess: the smoothed level wins.

    The baselines are checked by hand on the last 2 of 8 values (origins 6 and 7):
      naive predicts 103 then 97 for actual 97, 102: errors 6 and 5, MAE 5.5
      drift predicts 103 + (103-100)/5 = 103.6, then 97 + (97-100)/6 = 96.5: MAE 6.05
    """
    values = [100.0, 97.0, 103.0, 97.0, 103.0, 103.0, 97.0, 102.0]
    scores = bt.backtest_values(np.asarray(values), 2, 12, "nrr")
    assert scores["naive"][0] == pytest.approx(5.5)
    assert scores["drift"][0] == pytest.approx((abs(103.6 - 97) + abs(96.5 - 102)) / 2)
    assert scores["naive"][1] == pytest.approx((6 / 97 + 5 / 102) / 2 * 100)
    assert scores["model"][0] < scores["naive"][0]
    result = bt.backtest_report(series_report(values), 2, ["nrr"])
    assert [r["method"] for r in result.to_pylist()] == ["model", "naive", "drift"]
    assert all(r["beats_naive"] for r in result.to_pylist())
    assert result.verdicts[0].startswith("NRR: the model beats the naive forecast (MAE ")
    assert result.verdicts[0].endswith(" pp vs 5.50 pp over the last 2 months)")


def test_backtest_says_plainly_when_the_model_loses() -> None:
    """A random walk is best forecast by its last value; the verdict must say so."""
    walk = 100 + np.cumsum(np.random.default_rng(0).normal(0, 2.0, 16))
    result = bt.backtest_report(series_report(list(walk)), 6, ["nrr"])
    rows = {r["method"]: r for r in result.to_pylist()}
    assert rows["model"]["mae"] > rows["naive"]["mae"]
    assert not any(r["beats_naive"] for r in rows.values())
    assert result.verdicts == (
        f"NRR: the model does NOT beat the naive forecast on this data (MAE "
        f"{rows['model']['mae']:.2f} pp vs {rows['naive']['mae']:.2f} pp over the last 6 "
        'months): "next month equals this month" is at least as good a forecast here',
    )
