"""Shared fixtures; the header names the versions the numbers were computed with."""

from __future__ import annotations

import os
from pathlib import Path

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


# CI runs a fixed, reproducible set of examples (a red CI must be reproducible); locally
# each run explores new ones. HYPOTHESIS_PROFILE=thorough explores far more.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# The web tests' small demo dataset, written and loaded once per session and shared by the
# web, insights and hardening suites.
import pytest  # noqa: E402

import nrr  # noqa: E402
from nrr.api import Dataset  # noqa: E402


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.web.helpers import make_demo

    return make_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def dataset(demo_dir: Path) -> Dataset:
    return nrr.load(demo_dir)
