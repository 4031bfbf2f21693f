"""nrr: net revenue retention analytics.

>>> import nrr
>>> ds = nrr.load("demo-data")                                  # doctest: +SKIP
>>> ds.report(period="quarter", start="2024-01-01", end="2025-01-01").to_pandas()  # doctest: +SKIP

The public names resolve on first use (PEP 562), so ``import nrr`` and the CLI's ``--help``
do not pay for importing ibis, DuckDB, pandas and pyarrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nrr.api import Dataset, load
    from nrr.definitions import (
        Band,
        CohortRequest,
        CustomersRequest,
        FxMode,
        Grain,
        Level,
        Method,
        Period,
        ReportRequest,
        Unit,
        diagnose,
    )
    from nrr.errors import ConfigError, EngineError, InputError, NrrError, RequestError
    from nrr.results import CohortTable, CustomerTable, Report

__all__ = [
    "Band",
    "CohortRequest",
    "CohortTable",
    "ConfigError",
    "CustomerTable",
    "CustomersRequest",
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
    "RequestError",
    "Unit",
    "diagnose",
    "load",
]
__version__ = "0.1.0"

_MODULES = {
    "Dataset": "nrr.api",
    "load": "nrr.api",
    "Band": "nrr.definitions",
    "CohortRequest": "nrr.definitions",
    "CustomersRequest": "nrr.definitions",
    "FxMode": "nrr.definitions",
    "Grain": "nrr.definitions",
    "Level": "nrr.definitions",
    "Method": "nrr.definitions",
    "Period": "nrr.definitions",
    "ReportRequest": "nrr.definitions",
    "Unit": "nrr.definitions",
    "diagnose": "nrr.definitions",
    "ConfigError": "nrr.errors",
    "EngineError": "nrr.errors",
    "InputError": "nrr.errors",
    "NrrError": "nrr.errors",
    "RequestError": "nrr.errors",
    "CohortTable": "nrr.results",
    "CustomerTable": "nrr.results",
    "Report": "nrr.results",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        # AttributeError (not ImportError) so that `from nrr import engine` finds submodules
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
