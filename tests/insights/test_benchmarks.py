"""Industry bands and the NRR–GRR quadrant: boundaries, nulls, and the vectorised form."""

from __future__ import annotations

import pandas as pd
import pytest

from nrr.insights.benchmarks import IndustryBand, Quadrant, annotate, benchmark


@pytest.mark.parametrize(
    ("nrr", "band"),
    [
        (135.0, IndustryBand.BEST_IN_CLASS),
        (120.0, IndustryBand.BEST_IN_CLASS),
        (119.99, IndustryBand.GOOD),
        (110.00000000000001, IndustryBand.GOOD),
        (110.0, IndustryBand.GOOD),
        (109.9, IndustryBand.AVERAGE),
        (100.0, IndustryBand.AVERAGE),
        (99.99, IndustryBand.BELOW_AVERAGE),
        (40.0, IndustryBand.BELOW_AVERAGE),
        (None, None),
        (float("nan"), None),
    ],
)
def test_industry_bands_include_their_lower_bound(
    nrr: float | None, band: IndustryBand | None
) -> None:
    assert IndustryBand.of(nrr) is band


@pytest.mark.parametrize(
    ("nrr", "grr", "quadrant"),
    [
        (104.0, 92.0, Quadrant.HIGH_HIGH),
        (100.0, 90.0, Quadrant.HIGH_HIGH),
        (115.0, 80.0, Quadrant.EXPANSION_MASKING_CHURN),
        (97.0, 95.0, Quadrant.LOW_CHURN_LOW_EXPANSION),
        (85.0, 80.0, Quadrant.LOW_LOW),
        (None, 95.0, None),
    ],
)
def test_quadrants_use_the_diagnosis_thresholds(
    nrr: float | None, grr: float | None, quadrant: Quadrant | None
) -> None:
    assert Quadrant.of(nrr, grr) is quadrant


def test_the_sentence_names_band_gap_and_quadrant() -> None:
    assert benchmark(104.25, 85.0).sentence() == (
        "NRR 104.2% is average (100–110%), 5.8 pp short of good; high NRR, lower GRR — "
        "expansion masking churn: growth hides a leaky base"
    )
    assert benchmark(121.0, 95.0).next_band is None
    assert benchmark(None, None).sentence() == "no starting MRR: no benchmark for this period"


def test_annotate_matches_the_scalar_functions_row_by_row() -> None:
    frame = pd.DataFrame(
        {"nrr": [125.0, 110.0, 100.0, 95.0, None], "grr": [95.0, 85.0, 90.0, 80.0, None]},
        index=[10, 11, 12, 13, 14],
    )
    out = annotate(frame)
    for row in out.itertuples():
        band = IndustryBand.of(row.nrr if row.nrr == row.nrr else None)
        quadrant = Quadrant.of(row.nrr, row.grr) if row.nrr == row.nrr else None
        assert (None if pd.isna(row.industry_band) else row.industry_band) == (
            band.value if band else None
        )
        assert (None if pd.isna(row.quadrant) else row.quadrant) == (
            quadrant.value if quadrant else None
        )
    assert list(out.index) == [10, 11, 12, 13, 14]
