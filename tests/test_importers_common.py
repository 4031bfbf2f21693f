"""The import summary and the output folder shared by every importer."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nrr.errors import ConfigError
from nrr.importers.summary import Tally
from nrr.importers.writer import prepare_folder, write_table


def test_summary_counts_and_orders_what_was_left_out() -> None:
    tally = Tally("stripe export")
    tally.read("invoices", 3)
    tally.wrote("subscriptions", 2)
    tally.skip("tax lines", 1)
    tally.skip("one-time invoice items", 4)
    tally.warn("subscription sub_1 changed twice between two invoices")
    tally.warn("subscription sub_1 changed twice between two invoices")
    assert tally.summary().lines() == [
        "imported from stripe export:",
        "  read 3 invoices",
        "  wrote 2 rows to subscriptions",
        "left out:",
        "  4 one-time invoice items",
        "  1 tax lines",
        "warnings:",
        "  subscription sub_1 changed twice between two invoices (2 times)",
    ]


def test_an_import_never_writes_into_a_folder_that_holds_anything(tmp_path: Path) -> None:
    (tmp_path / "kept.csv").write_text("x\n")
    with pytest.raises(ConfigError, match="not empty"):
        prepare_folder(tmp_path)
    assert (tmp_path / "kept.csv").read_text() == "x\n"
    with pytest.raises(ConfigError, match="is a file"):
        prepare_folder(tmp_path / "kept.csv")
    prepare_folder(tmp_path / "new" / "dataset")
    assert (tmp_path / "new" / "dataset").is_dir()


def test_tables_are_written_as_text_with_empty_missing_values(tmp_path: Path) -> None:
    rows = [{"customer_id": "c1", "amount": "0.10"}, {"customer_id": "c2"}]
    assert write_table(tmp_path, "subscriptions", ["customer_id", "amount"], rows) == 2
    with (tmp_path / "subscriptions.csv").open(newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["customer_id", "amount"],
            ["c1", "0.10"],
            ["c2", ""],
        ]
    with pytest.raises(ValueError):
        write_table(tmp_path, "bad", ["customer_id"], [{"customer_id": "c", "typo": "1"}])
