"""The Ibis connection and the staging tables registered on it.

One ``Backend`` per loaded dataset: the staging tables are registered once, so a dashboard
asking for many reports does not copy the data again for each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from nrr.errors import ConfigError, EngineError

ENGINES = ("duckdb", "spark")


@dataclass
class Backend:
    """An Ibis connection plus the dataset's tables on it."""

    name: str
    con: Any
    tables: dict[str, ir.Table] = field(default_factory=dict)

    def register(self, name: str, data: pa.Table) -> ir.Table:
        """Expose a staging table to the engine once, as a view over the Arrow data."""
        if self.name == "spark":
            # Arrow straight into Spark: through pandas a null string would become "NaN".
            frame = self.con._session.createDataFrame(data)
            frame.createOrReplaceTempView(f"nrr_{name}")
        else:
            # DuckDB scans the Arrow table in place: no copy of millions of lines.
            self.con.con.register(f"nrr_{name}", data)
        table = self.con.table(f"nrr_{name}")
        self.tables[name] = table
        return table

    def small(self, data: pa.Table) -> ir.Table:
        """A small per-request table (period spines): Arrow, never pandas (NaT breaks Spark)."""
        return ibis.memtable(data)

    def execute(self, expr: ir.Table) -> pa.Table:
        try:
            result = self.con.to_pyarrow(expr)
        except Exception as exc:  # the backend's own exception types vary by engine
            raise EngineError(f"the {self.name} engine failed: {exc}".splitlines()[0]) from exc
        return result if isinstance(result, pa.Table) else pa.table(result)

    def interrupt(self) -> bool:
        """Cancel the query running on this connection, from another thread.

        Why: the dashboard gives each query a time budget (``nrr.web.budget``) and must be
        able to stop one that overruns without closing the connection the dataset's tables
        live on; DuckDB stops at its next check and the connection takes the next query.
        An interrupt while no query runs is forgotten when the next one starts. Spark is
        not interrupted (cancelling its jobs would cancel every job of a shared session):
        False says so, and the query runs to its end.
        """
        if self.name != "duckdb":
            return False
        self.con.con.interrupt()
        return True

    def compile(self, expr: ir.Table) -> str:
        return str(self.con.compile(expr))


def _keep_join_sides(con: Any) -> None:
    """Build every hash join on the right-hand (smaller) input, as the engine writes them.

    DuckDB estimates every Arrow scan at one row (duckdb/duckdb#25631), and the staging
    tables are Arrow scans; so its build-side optimizer compares two estimates of 1 and
    picks by row width, which at 1M customers built hash tables of 6M change points
    against a 108-row rate table (0.6 s of a 3.5 s report) and, in cohorts, 23M rows
    that an empty probe side then never used. The engine instead writes each join with
    the large input on the left (the probe side), and this keeps that choice. A DuckDB
    without the setting keeps its own choice: slower, never wrong.
    """
    import duckdb

    try:
        con.raw_sql("SET disabled_optimizers = 'build_side_probe_side'")
    except duckdb.Error:  # an optimizer renamed in a later DuckDB: keep its defaults
        return


def _no_progress_bar(con: Any) -> None:
    """stderr belongs to nrr's own messages: DuckDB's progress bar is switched off.

    Inside Jupyter without ipywidgets DuckDB starts with the bar off and refuses any change
    to the setting (even to off), which made ``nrr.load`` fail in a notebook: the setting is
    changed only when the bar is on.
    """
    [(on,)] = con.con.execute("SELECT current_setting('enable_progress_bar')").fetchall()
    if on:
        con.raw_sql("SET enable_progress_bar = false")


def connect(engine: str = "duckdb", **options: Any) -> Backend:
    """Connect to an engine; DuckDB is embedded, Spark needs ``pip install nrr[spark]``."""
    if engine == "duckdb":
        con = ibis.duckdb.connect(**options)
        _no_progress_bar(con)
        _keep_join_sides(con)
        return Backend("duckdb", con)
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError as exc:
            raise ConfigError("the spark engine needs PySpark: install nrr[spark]") from exc
        session = options.get("session")
        if session is None:
            from pyspark.sql import SparkSession

            session = (
                SparkSession.builder.master(options.get("master") or "local[2]")
                .appName("nrr")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate()
            )
        return Backend("spark", ibis.pyspark.connect(session))
    raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
