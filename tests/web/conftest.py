"""Fixtures: a fresh store per test, and a client over the session's demo dataset
(``demo_dir``, ``dataset``: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nrr.api import Dataset
from tests.web.helpers import TestClient, client_for


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "dashboards.sqlite"


@pytest.fixture
def client(dataset: Dataset, store_path: Path) -> Iterator[TestClient]:
    with client_for(dataset, store_path) as test_client:
        yield test_client
