"""Fixtures: the session's demo dataset (tests/conftest.py) as ``demo``, and the hand
dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

import nrr
from nrr.api import Dataset
from tests.insights.helpers import write_hand_dataset


@pytest.fixture(scope="session")
def demo(dataset: Dataset) -> Dataset:
    return dataset


@pytest.fixture(scope="session")
def hand_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hand_dataset(tmp_path_factory.mktemp("hand"))


@pytest.fixture(scope="session")
def hand(hand_dir: Path) -> Dataset:
    return nrr.load(hand_dir)
