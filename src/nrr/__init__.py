"""nrr: net revenue retention analytics.

>>> import nrr
>>> ds = nrr.load("demo-data")                                  # doctest: +SKIP
>>> ds.report(period="quarter", start="2024-01-01", end="2025-01-01").to_pandas()  # doctest: +SKIP
"""

from nrr.api import Dataset, load
from nrr.definitions import (
    Band,
    CohortRequest,
    FxMode,
    Grain,
    Level,
    Method,
    Period,
    ReportRequest,
    diagnose,
)
from nrr.errors import ConfigError, EngineError, InputError, NrrError
from nrr.results import CohortTable, CustomerTable, Report

__all__ = [
    "Band",
    "CohortRequest",
    "CohortTable",
    "ConfigError",
    "CustomerTable",
    "Dataset",
    "EngineError",
    "FxMode",
    "Grain",
    "InputError",
    "Level",
    "Method",
    "NrrError",
    "Period",
    "Report",
    "ReportRequest",
    "diagnose",
    "load",
]
__version__ = "0.1.0"
