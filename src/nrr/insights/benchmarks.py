"""Where an NRR figure sits among peers: industry bands and the NRR–GRR quadrant.

Why a separate scale from ``nrr.definitions.Band``: the contract's interpretation bands
(critical < 90 ≤ concerning < 100 ≤ healthy ≤ 110 < exceptional) judge one company's own
retention, while boards and investors compare against published B2B SaaS benchmarks, which
put the bar higher (best-in-class is 120%+). Both are shown; neither replaces the other.

The quadrant reuses the diagnosis thresholds of ``nrr.definitions`` (NRR 100%: the base
grows; GRR 90%: healthy gross retention), so the report's diagnosis line and the quadrant
can never disagree. Everything here is a pure function of the two percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from nrr.definitions import GRR_HEALTHY, NRR_GROWTH


class IndustryBand(StrEnum):
    """Published B2B SaaS NRR bands (docs/insights.md, Benchmarks): where a figure sits
    among peers. Not the NRR interpretation bands, which are ``nrr.definitions.Band``."""

    BEST_IN_CLASS = "best-in-class"  # >= 120%
    GOOD = "good"  # 110% <= NRR < 120%
    AVERAGE = "average"  # 100% <= NRR < 110%
    BELOW_AVERAGE = "below average"  # < 100%

    @classmethod
    def of(cls, nrr: float | None) -> IndustryBand | None:
        """The band of an NRR percentage; each lower bound belongs to its band (120 is
        best-in-class, 110 good, 100 average). Undefined NRR (None, NaN) has no band."""
        if nrr is None or nrr != nrr:
            return None
        value = round(nrr, 9)  # 110.00000000000001 from float division is exactly 110
        for band, floor in _FLOORS:
            if value >= floor:
                return band
        return cls.BELOW_AVERAGE


# Lower bound of each band, best first; "below average" is everything under the last one.
_FLOORS: tuple[tuple[IndustryBand, float], ...] = (
    (IndustryBand.BEST_IN_CLASS, 120.0),
    (IndustryBand.GOOD, 110.0),
    (IndustryBand.AVERAGE, 100.0),
)
BAND_RANGES: dict[IndustryBand, str] = {
    IndustryBand.BEST_IN_CLASS: "120%+",
    IndustryBand.GOOD: "110–120%",
    IndustryBand.AVERAGE: "100–110%",
    IndustryBand.BELOW_AVERAGE: "< 100%",
}


class Quadrant(StrEnum):
    """The NRR–GRR quadrant: does the base grow, and is it kept without leaking?"""

    HIGH_HIGH = "high NRR, high GRR"
    EXPANSION_MASKING_CHURN = "high NRR, lower GRR"
    LOW_CHURN_LOW_EXPANSION = "low NRR, high GRR"
    LOW_LOW = "low NRR, low GRR"

    @classmethod
    def of(cls, nrr: float | None, grr: float | None) -> Quadrant | None:
        """Thresholds NRR 100% and GRR 90% (``nrr.definitions``); both inclusive."""
        if nrr is None or grr is None or nrr != nrr or grr != grr:
            return None
        high_nrr = round(nrr, 9) >= NRR_GROWTH
        high_grr = round(grr, 9) >= GRR_HEALTHY
        if high_nrr:
            return cls.HIGH_HIGH if high_grr else cls.EXPANSION_MASKING_CHURN
        return cls.LOW_CHURN_LOW_EXPANSION if high_grr else cls.LOW_LOW


QUADRANT_MEANING: dict[Quadrant, str] = {
    Quadrant.HIGH_HIGH: "a healthy base that leaks little and grows by expansion",
    Quadrant.EXPANSION_MASKING_CHURN: "expansion masking churn: growth hides a leaky base",
    Quadrant.LOW_CHURN_LOW_EXPANSION: "low churn but little expansion: the base is not growing",
    Quadrant.LOW_LOW: "churn and contraction are shrinking the base",
}


@dataclass(frozen=True)
class Benchmark:
    """One NRR/GRR pair placed against the industry bands and the quadrant."""

    nrr: float | None
    grr: float | None
    band: IndustryBand | None
    quadrant: Quadrant | None

    @property
    def next_band(self) -> tuple[IndustryBand, float] | None:
        """The next band up and the percentage points of NRR missing to reach it."""
        if self.nrr is None or self.band is None:
            return None
        above = [(band, floor) for band, floor in reversed(_FLOORS) if floor > round(self.nrr, 9)]
        return (above[0][0], above[0][1] - self.nrr) if above else None

    @property
    def next_band_gap(self) -> float | None:
        found = self.next_band
        return found[1] if found else None

    def sentence(self) -> str:
        """A line for people: the band with its range, the gap to the next, the quadrant."""
        if self.band is None or self.nrr is None:
            return "no starting MRR: no benchmark for this period"
        text = f"NRR {self.nrr:.1f}% is {self.band.value} ({BAND_RANGES[self.band]})"
        found = self.next_band
        if found is not None:
            text += f", {found[1]:.1f} pp short of {found[0].value}"
        if self.quadrant is not None:
            text += f"; {self.quadrant.value} — {QUADRANT_MEANING[self.quadrant]}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "industry_band": self.band.value if self.band else None,
            "band_range": BAND_RANGES[self.band] if self.band else None,
            "next_band_gap": self.next_band_gap,
            "quadrant": self.quadrant.value if self.quadrant else None,
            "quadrant_meaning": QUADRANT_MEANING[self.quadrant] if self.quadrant else None,
            "sentence": self.sentence(),
        }


def benchmark(nrr: float | None, grr: float | None) -> Benchmark:
    """Place one period's NRR and GRR (percentages) against peers."""
    clean_nrr = None if nrr is None or nrr != nrr else float(nrr)
    clean_grr = None if grr is None or grr != grr else float(grr)
    return Benchmark(
        clean_nrr, clean_grr, IndustryBand.of(clean_nrr), Quadrant.of(clean_nrr, clean_grr)
    )


def annotate(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``industry_band`` and ``quadrant`` columns from its ``nrr``/``grr``.

    Vectorised with ``np.select`` so a grouped report of thousands of rows costs one pass;
    rows with an undefined NRR (no starting MRR) get nulls, never a band.
    """
    nrr = frame["nrr"].to_numpy(dtype=np.float64, na_value=np.nan).round(9)
    grr = frame["grr"].to_numpy(dtype=np.float64, na_value=np.nan).round(9)
    bands = _select(
        frame.index,
        [nrr >= floor for _, floor in _FLOORS] + [nrr < _FLOORS[-1][1]],
        [band.value for band, _ in _FLOORS] + [IndustryBand.BELOW_AVERAGE.value],
    )
    high_nrr, high_grr = nrr >= NRR_GROWTH, grr >= GRR_HEALTHY
    defined = ~np.isnan(nrr) & ~np.isnan(grr)
    quadrants = _select(
        frame.index,
        [
            defined & high_nrr & high_grr,
            defined & high_nrr & ~high_grr,
            defined & ~high_nrr & high_grr,
            defined & ~high_nrr & ~high_grr,
        ],
        [q.value for q in Quadrant],
    )
    return frame.assign(industry_band=bands, quadrant=quadrants)


def _select(
    index: pd.Index, conditions: list[npt.NDArray[np.bool_]], values: list[str]
) -> pd.Series:
    """``np.select`` into a nullable string column (null where no condition holds)."""
    chosen = np.select(conditions, values, default="")
    return pd.Series(chosen, index=index, dtype="string").replace("", pd.NA)
