"""Fixtures: the web tests' demo dataset (with a health_score signal) and the hand dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

import nrr
from nrr.api import Dataset
from tests.insights.helpers import write_hand_dataset
from tests.web.helpers import make_demo


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo(demo_dir: Path) -> Dataset:
    return nrr.load(demo_dir)


@pytest.fixture(scope="session")
def hand_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hand_dataset(tmp_path_factory.mktemp("hand"))


@pytest.fixture(scope="session")
def hand(hand_dir: Path) -> Dataset:
    return nrr.load(hand_dir)
