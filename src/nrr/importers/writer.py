"""The output folder of an import: always new (or empty), CSV with exact decimal text.

An import never writes into a folder that holds anything, so it cannot overwrite a user's
dataset or mix two imports. Values are written as the text the importer made (amounts as
exact decimal strings, dates as ISO), never through floats.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from nrr.dataset import read_dataset
from nrr.errors import ConfigError

Row = Mapping[str, str]
# The columns every importer writes to subscriptions.csv (docs/data-format.md).
SUBSCRIPTION_COLUMNS = (
    "customer_id",
    "start_date",
    "end_date",
    "amount",
    "billing_months",
    "currency",
    "kind",
    "product",
    "subscription_id",
)


def prepare_folder(out: Path) -> None:
    """Create ``out``, or accept it when it is an empty folder; refuse anything else."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file: give a new folder for the imported dataset")
    if out.is_dir() and any(out.iterdir()):
        raise ConfigError(
            f"--out {out} is not empty: give a new folder (an import never overwrites files)"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create --out {out}: {exc.strerror or exc}") from exc


def write_table(out: Path, name: str, columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Write ``rows`` as ``out/name.csv`` with ``columns`` as the header; return the count.

    A row's missing column is written empty (the format's "no value"); a key that is not a
    column is a bug in the importer, so it raises instead of being dropped silently.
    """
    path = out / f"{name}.csv"
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns} | dict(row))
            count += 1
    return count


def check_written(out: Path) -> None:
    """Read and validate the written folder like any dataset (``InputError`` when it fails).

    An importer's output is checked, not trusted: a user learns at import time, not at
    their first report, whether the export made a valid dataset.
    """
    read_dataset(out)
