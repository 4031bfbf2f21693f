"""A slow, obviously-correct implementation of the data contract, used as a test oracle.

Why this package exists: the real engine computes NRR with vectorised expressions (range
joins, windows, float64). Those are fast but easy to get subtly wrong at month ends, leap
days, currency boundaries or hierarchy edges. This package restates docs/data-format.md
and docs/definitions.md as plain loops over customers and lines, in exact rational
arithmetic (``fractions.Fraction``), so that property tests can compare the engine with a
reading a reviewer can check line by line against the documents.

Rules of the package (it lives in ``tests/``: nrr itself never imports it):

- standard library only, and nothing imported from the rest of ``nrr`` (independence);
- clarity over speed: every MRR figure is recomputed by looping over every line;
- the input is assumed valid (validation is the engine's job, not the oracle's).
"""

from __future__ import annotations

from tests.oracle.model import (
    METRIC_COLUMNS,
    REPORT_COLUMNS,
    Line,
    OracleDataset,
    monthly_value,
)
from tests.oracle.reading import infer_base_currency, load_dataset
from tests.oracle.report import Movements, oracle_report, oracle_report_exact
from tests.oracle.units import attribute_at, build_units, mrr_at, period_spine

__all__ = [
    "METRIC_COLUMNS",
    "REPORT_COLUMNS",
    "Line",
    "Movements",
    "OracleDataset",
    "attribute_at",
    "build_units",
    "infer_base_currency",
    "load_dataset",
    "monthly_value",
    "mrr_at",
    "oracle_report",
    "oracle_report_exact",
    "period_spine",
]
