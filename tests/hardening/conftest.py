"""Fixtures of the hardening tests: the web tests' small demo dataset, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

import nrr
from nrr.api import Dataset
from tests.web.helpers import make_demo


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def dataset(demo_dir: Path) -> Dataset:
    return nrr.load(demo_dir)
