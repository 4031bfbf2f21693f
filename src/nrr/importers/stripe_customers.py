"""Stripe customers as nrr's customers table; ``metadata`` keys become attribute columns.

An attribute cannot take a name nrr reserves (docs/data-format.md, ``attribute-reserved``),
and column names are case-insensitive, so such a key is renamed ``metadata_<key>`` and a
key equal to another but for case is left out; both with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from nrr.dataset.contract import RESERVED_ATTRIBUTES
from nrr.importers.stripe_read import Obj
from nrr.importers.summary import Tally


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)


def customers_of(objects: Iterable[Obj], tally: Tally) -> list[Customer]:
    out = []
    for obj in objects:
        if obj.get("deleted"):
            tally.skip("deleted customers")
            continue
        name = str(obj.get("name") or obj.get("email") or "")
        metadata = obj.get("metadata") or {}
        attributes = {str(k): "" if v is None else str(v) for k, v in metadata.items()}
        out.append(Customer(str(obj.get("id") or ""), name, attributes))
    return out


def attribute_columns(customers: Iterable[Customer], tally: Tally) -> dict[str, str]:
    """Each metadata key's column name: reserved names renamed, case twins left out."""
    columns: dict[str, str] = {}
    taken: dict[str, str] = {}
    for customer in customers:
        for key in customer.attributes:
            if key in columns or not key.strip():
                continue
            column = key
            if key.lower() in RESERVED_ATTRIBUTES:
                column = f"metadata_{key}"
                tally.warn(f"metadata key {key!r} is a name nrr reserves: written as {column!r}")
            if column.lower() in taken:
                tally.warn(
                    f"metadata key {key!r} differs from {taken[column.lower()]!r} only by "
                    "letter case (column names are case-insensitive): left out"
                )
                continue
            taken[column.lower()] = key
            columns[key] = column
    return columns


def rows_of(
    customers: list[Customer], columns: Mapping[str, str]
) -> tuple[list[str], list[dict[str, str]]]:
    header = ["customer_id", "name", "parent_id", *columns.values()]
    rows = []
    for customer in customers:
        row = {"customer_id": customer.id, "name": customer.name}
        for key, column in columns.items():
            if key in customer.attributes:
                row[column] = customer.attributes[key]
        rows.append(row)
    return header, rows
