"""The dataset as the engine receives it: typed Arrow tables that satisfy every rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

from nrr.dataset.issues import Issue

LINE_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("amount", pa.float64()),
        ("billing_months", pa.int64()),
        ("currency", pa.string()),
        ("kind", pa.string()),
        ("product", pa.string()),
        ("subscription_id", pa.string()),
    ]
)


SIGNAL_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("date", pa.date32()),
        ("name", pa.string()),  # trimmed and lower-cased, like attribute names
        ("value", pa.float64()),
    ]
)


def no_signals() -> pa.Table:
    """The signals table of a dataset that has none: the schema, no rows."""
    return SIGNAL_SCHEMA.empty_table()


@dataclass(frozen=True)
class StagedData:
    """A dataset that satisfies the contract, as typed Arrow tables."""

    source: Path | str  # a path, or a database URL with any password removed
    customers: pa.Table  # customer_id, organization_id, one column per attribute
    lines: pa.Table  # LINE_SCHEMA; events are turned into lines [date, next date)
    fx_rates: pa.Table  # currency, valid_from, rate (the base currency always has rate 1)
    attribute_history: pa.Table  # customer_id, attribute, value (null = unset), valid_from
    base_currency: str
    revenue_table: str  # "subscriptions" or "events"
    table_rows: dict[str, int]
    attributes: tuple[str, ...]
    currencies: tuple[str, ...]
    first_date: date | None
    last_date: date | None
    last_start: date | None  # the latest line start or event: the data's "as of" date
    warnings: tuple[Issue, ...] = field(default=())
    signals: pa.Table = field(default_factory=no_signals)  # SIGNAL_SCHEMA; optional input
    # Each line's row in ``customers`` (int32), when the lines keep the order they were
    # read in (subscriptions); None for events, which are reordered.
    line_customers: pa.Array | pa.ChunkedArray | None = None
    # Each customer's organization row in ``customers`` (int64), known from the parent
    # rule; None when the staged data was built some other way.
    customer_organizations: pa.Array | None = None
    # ``lines["currency"]`` as dictionary codes, when it was read as a dictionary (the
    # engine numbers the currencies from the codes instead of hashing every line's text).
    line_currencies: pa.DictionaryArray | None = None
    # The column mapping the tables were read through (docs/mapping.md), if any: a
    # dashboard reloading changed files reads them through it again.
    mapping: Path | None = None

    @property
    def organizations(self) -> int:
        return len(pa.compute.unique(self.customers["organization_id"]))
