"""nrr: net revenue retention analytics.

>>> import nrr
>>> ds = nrr.load("demo-data")                                  # doctest: +SKIP
>>> ds.report(period="quarter", start="2024-01-01", end="2025-01-01").to_pandas()  # doctest: +SKIP
"""

from nrr.api import Dataset, Report, load
from nrr.definitions import Band, Grain, Level, Period, ReportRequest
from nrr.errors import ConfigError, EngineError, InputError, NrrError

__all__ = [
    "Band",
    "ConfigError",
    "Dataset",
    "EngineError",
    "Grain",
    "InputError",
    "Level",
    "NrrError",
    "Period",
    "Report",
    "ReportRequest",
    "load",
]
__version__ = "0.1.0"
