"""Shared fixtures; the header names the versions the numbers were computed with."""

from __future__ import annotations

import duckdb
import ibis
import pandas
import pyarrow
import sqlglot


def pytest_report_header() -> list[str]:
    return [
        f"ibis {ibis.__version__}, duckdb {duckdb.__version__}, sqlglot {sqlglot.__version__}, "
        f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}"
    ]
