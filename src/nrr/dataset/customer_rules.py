"""The rules of customer ids: unique, known parents without cycles, known customers.

Every table names customers by id; one lookup (``CustomerIndex``) serves all these rules,
and the engine keeps its result as each line's customer and organization.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.checked import Checked, as_array, as_mask, usable
from nrr.dataset.text import Strings, Text, is_empty


class CustomerIndex:
    """Where each customer id that a rule looks up sits in the customers table.

    ``pc.index_in`` hashes its whole value set on every call, a tenth of a second at a
    million ids, and the ids are looked up by the uniqueness rule, the parent rule and every
    table that names customers. Dictionary-encoding the ids followed by all those columns
    hashes the ids once. Codes number values by first appearance, so the ids hold the codes
    below ``distinct`` and a looked-up value with such a code is known; its row is the first
    id with that code, the row ``index_in`` finds. Found rows are int32 and null when
    unknown, as ``index_in`` gives them.
    """

    def __init__(self, ids: Text, columns: Mapping[str, Text]) -> None:
        parts = [ids.plain(), *(column.values for column in columns.values())]
        encoded = pc.dictionary_encode(
            pa.chunked_array([chunk for part in parts for chunk in _chunks(part)], pa.string())
        )
        starts = np.cumsum([0, *(len(part) for part in parts)])[:-1]
        codes = [
            pa.chunked_array(
                [chunk.indices for chunk in encoded.slice(start, len(part)).chunks], pa.int32()
            )
            for start, part in zip(starts, parts, strict=True)
        ]
        id_codes = np.asarray(as_array(codes[0]).to_numpy(zero_copy_only=False))
        distinct = int(id_codes.max()) + 1 if len(id_codes) else 0
        self.unique = distinct == len(ids)  # every id differs
        # the first row holding each code (needed only when some id repeats)
        first = (
            None if self.unique else pa.array(np.unique(id_codes, return_index=True)[1], pa.int32())
        )
        self.found: dict[str, Strings] = {}  # the name given in ``columns`` -> rows
        for (name, column), found in zip(columns.items(), codes[1:], strict=True):
            rows = pc.if_else(pc.less(found, distinct), found, pa.scalar(None, pa.int32()))
            if first is not None:
                rows = pc.take(first, rows)
            self.found[name] = rows if column.codes is None else pc.take(rows, column.codes)


def _chunks(values: Strings) -> list[pa.Array]:
    return values.chunks if isinstance(values, pa.ChunkedArray) else [values]


PARENTS = "customers.parent_id"  # the parent ids' entry in ``CustomerIndex.found``


def index_customers(checked: Mapping[str, Checked]) -> CustomerIndex | None:
    """One lookup of every column holding customer ids, when the customers table has ids.

    It needs only the text, not the column rules: ``read_dataset`` builds it while the
    columns are checked, and drops it when the customers' ids then break a rule (an error
    path, where the time does not matter); ``check_known_customers`` reads a table's
    lookup only when its ids passed.
    """
    customers = checked.get("customers")
    if customers is None or "customer_id" not in customers.text:
        return None
    columns = {
        name: table.text["customer_id"]
        for name, table in checked.items()
        if name != "customers" and "customer_id" in table.text
    }
    if "parent_id" in customers.text:
        columns[PARENTS] = customers.text["parent_id"]
    return CustomerIndex(customers.text["customer_id"], columns)


def check_customers(
    checked: Checked, index: CustomerIndex | None
) -> tuple[Text, npt.NDArray[np.int64] | None]:
    """Unique ids, known parents, no cycles. Returns ids and each row's organization row.

    ``index`` is ``index_customers``' lookup: None when the ids are not usable.
    """
    ids = checked.text.get("customer_id", Text(pa.array([], pa.string())))
    blank = is_empty(ids)
    duplicated = np.zeros(len(ids), dtype=bool)
    first_row: dict[str, int] = {}
    if len(ids) and not (
        index.unique if index is not None else len(pc.unique(ids.plain())) == len(ids)
    ):
        # the first row of each value, then every other row holding it
        codes = _codes(ids)
        _, first = np.unique(codes, return_index=True)
        duplicated[:] = True
        duplicated[first] = False
        duplicated &= ~blank
        for r in np.flatnonzero(duplicated):
            first_row[ids.value(int(r))] = int(first[codes[r]])
    checked.flag(
        duplicated,
        "customer_id",
        "id-duplicate",
        lambda r: (
            f"customer_id {checked.value('customer_id', r)!r} already appears on "
            f"{checked.place(first_row[checked.value('customer_id', r)])}"
        ),
    )
    if duplicated.any() or not usable(checked, "customer_id") or blank.any():
        return ids, None
    if "parent_id" not in checked.text:
        return ids, np.arange(len(ids), dtype=np.int64)
    assert index is not None  # the ids are usable
    return ids, _organizations(checked, ids, index.found[PARENTS])


def _codes(values: Text) -> npt.NDArray[np.int64]:
    """Each row's value as a number: equal values, equal numbers."""
    codes = pc.dictionary_encode(as_array(values.values))
    indices = np.asarray(codes.indices.to_numpy(zero_copy_only=False)).astype(np.int64)
    return indices if values.codes is None else indices[values.codes_np]


def _organizations(checked: Checked, ids: Text, found: Strings) -> npt.NDArray[np.int64] | None:
    """Top-most ancestor of each row by pointer jumping (log depth vectorised passes);
    ``found`` is each parent's row (null: unknown)."""
    parents = checked.text["parent_id"]
    has_parent = ~is_empty(parents)
    position = np.asarray(
        as_array(pc.fill_null(found, -1)).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    unknown = has_parent & (position < 0)
    checked.flag(
        unknown,
        "parent_id",
        "parent-unknown",
        lambda r: (
            f"parent_id {checked.value('parent_id', r)!r} is not a customer_id of "
            "the customers table"
        ),
    )
    if unknown.any():
        return None
    self_index = np.arange(len(ids), dtype=np.int64)
    pointer = np.where(has_parent, position, self_index).astype(np.int64)
    for _ in range(int(np.ceil(np.log2(len(ids) + 1))) + 1):
        jumped = pointer[pointer]
        if np.array_equal(jumped, pointer):  # every row at a fixed point: no jump moves it
            break
        pointer = jumped
    # After 2^k > n jumps an acyclic chain has reached its root (a row without parent);
    # a row that still points at a row with a parent sits on, or hangs below, a cycle.
    cyclic = np.array(has_parent[pointer], dtype=bool)
    checked.flag(
        cyclic,
        "parent_id",
        "parent-cycle",
        lambda r: (
            f"the parent chain of {checked.value('customer_id', r)!r} loops back on "
            "itself and never reaches a top-level account"
        ),
    )
    return None if cyclic.any() else pointer


def check_known_customers(checked: Checked, index: CustomerIndex) -> None:
    if not usable(checked, "customer_id"):
        return
    values = checked.text["customer_id"]
    found = index.found[checked.raw.name]
    checked.customer_index = found
    unknown = as_mask(pc.is_null(found)) & ~is_empty(values)
    checked.flag(
        unknown,
        "customer_id",
        "customer-unknown",
        lambda r: f"customer_id {checked.value('customer_id', r)!r} is not in the customers table",
    )
