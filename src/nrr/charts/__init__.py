"""Plotly figures of nrr's results: the one definition of each chart.

The notebook's ``.plot()``, the board export and the dashboard draw the same figures from
here, so a chart cannot look (or read) differently depending on where it is shown. Charts
take plain data (an Arrow table and a ``Frame``), not result objects: ``results.py`` calls
them without an import cycle. Plotly is imported inside each builder, so ``import nrr``
stays fast (tests/test_cold_start.py).

    frame     Frame (currency, groups, MRR or ARR, period labels); the table's columns
    text      money and percent as people read them
    style     colours, the band shading and the 100% line, the shared layout
    trend     NRR (and GRR) per period, one line per group
    bridge    the MRR bridge waterfall of one period or the whole range
    bars      one bar per group for one period
    heatmap   cohorts x age
"""

from nrr.charts.bars import bars
from nrr.charts.bridge import bridge
from nrr.charts.frame import Frame
from nrr.charts.heatmap import cohort_heatmap
from nrr.charts.trend import trend

__all__ = ["Frame", "bars", "bridge", "cohort_heatmap", "trend"]
