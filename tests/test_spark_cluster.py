"""The same numbers on a real Spark cluster shape: a standalone master and one worker.

Both start on loopback from the installed pyspark (``spark-class``); ``nrr report
--engine spark --spark-master spark://127.0.0.1:PORT`` runs in its own process (one
SparkContext per process) and must print exactly the DuckDB report's rows.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyspark
import pytest

from tests.compare import mismatches

pytestmark = pytest.mark.spark

SCENARIO = Path(__file__).parent / "scenarios" / "fiscal_quarters" / "data"
SPARK_CLASS = Path(pyspark.__file__).parent / "bin" / "spark-class"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark")


@pytest.fixture(scope="module")
def cluster(work: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(work),
        "SPARK_WORKER_DIR": str(work / "worker"),
        "PYSPARK_PYTHON": sys.executable,
    }
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    with (
        (work / "master.log").open("w") as master_log,
        (work / "worker.log").open("w") as worker_log,
    ):
        master = subprocess.Popen(
            [
                str(SPARK_CLASS),
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--webui-port",
                str(free_port()),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=master_log,
        )
        worker = None
        try:
            wait_for(port)
            worker = subprocess.Popen(
                [
                    str(SPARK_CLASS),
                    "org.apache.spark.deploy.worker.Worker",
                    url,
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    "1",
                    "--memory",
                    "1g",
                    "--webui-port",
                    str(free_port()),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=worker_log,
            )
            yield url
        finally:
            for process in (worker, master):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)


def report(*args: str, env: dict[str, str] | None = None) -> list[dict[str, object]]:
    command = [
        sys.executable,
        "-m",
        "nrr",
        "report",
        str(SCENARIO),
        "--period",
        "quarter",
        "--fiscal-year-start",
        "4",
        "--from",
        "2023-10-01",
        "--to",
        "2025-01-01",
        "--format",
        "json",
        "--quiet",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_standalone_cluster_gives_the_duckdb_numbers(cluster: str, work: Path) -> None:
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    on_cluster = report("--engine", "spark", "--spark-master", cluster, env=env)
    on_duckdb = report()
    assert on_duckdb
    assert not mismatches(on_cluster, on_duckdb, [])
    # the worker ran the application's executor (it keeps a folder per application)
    assert list((work / "worker").glob("app-*")), "no executor ran on the worker"
