"""Fixtures: one demo dataset per session (loading validates it), a fresh store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import nrr
from nrr.api import Dataset
from tests.web.helpers import TestClient, client_for, make_demo


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def dataset(demo_dir: Path) -> Dataset:
    return nrr.load(demo_dir)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "dashboards.sqlite"


@pytest.fixture
def client(dataset: Dataset, store_path: Path) -> Iterator[TestClient]:
    with client_for(dataset, store_path) as test_client:
        yield test_client
