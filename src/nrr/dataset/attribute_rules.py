"""The rules of attributes: the names nrr reserves, and one value per customer, attribute
and date in ``customer_attributes`` (docs/definitions.md, Grouping and filters)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.checked import Checked, as_array, objects, usable
from nrr.dataset.columns import as_datetime64
from nrr.dataset.contract import RESERVED_ATTRIBUTES, RESERVED_CUSTOMER_COLUMNS
from nrr.dataset.issues import Issue
from nrr.dataset.text import Text, nullable_text


def attribute_columns(checked: Checked) -> list[str]:
    """The customers table's attributes: its columns but its own (the reserved names are
    rejected by ``check_customer_columns``)."""
    return [c for c in checked.text if c not in RESERVED_CUSTOMER_COLUMNS]


# Why each reserved name cannot be an attribute, as a message says it.
_RESERVED_WHY = {
    "customer_id": "it is the customer's id",
    "name": "it is the customers table's display name",
    "parent_id": "it is the customers table's parent account",
    "product": "the lines' product, used for grouping and filtering",
    "organization_id": "it holds each account's top-most account",
}


def check_customer_columns(checked: Checked) -> None:
    """A customers column is an attribute unless it is one of the table's own columns; one
    named ``product`` or ``organization_id`` would shadow a name nrr gives a meaning."""
    for name in checked.text:
        if name in RESERVED_ATTRIBUTES and name not in RESERVED_CUSTOMER_COLUMNS:
            checked.issues.append(
                Issue(
                    checked.raw.source,
                    1,
                    name,
                    "attribute-reserved",
                    f"column {name!r} would be an attribute, but nrr reserves the name "
                    f"({_RESERVED_WHY[name]}): rename the column",
                )
            )


def attribute_names(checked: Checked) -> Text:
    """Attribute names as they compare: trimmed and lower-cased, like column names."""
    return checked.text["attribute"].trimmed.derive(pc.utf8_lower)


def check_customer_attributes(checked: Checked) -> None:
    """No reserved names, and one value per (customer, attribute, valid_from): two would
    make "the value in force at t0" depend on row order. Identical rows are harmless (the
    engine sees one value either way) and pass."""
    if "attribute" not in checked.text:
        return
    names = attribute_names(checked)
    reserved = names.mask(lambda v: pc.is_in(v, value_set=pa.array(sorted(RESERVED_ATTRIBUTES))))
    checked.flag(
        reserved,
        "attribute",
        "attribute-reserved",
        lambda r: (
            f"attribute {checked.value('attribute', r)!r} is a name nrr reserves "
            f"({_RESERVED_WHY[names.value(r)]}); use another name"
        ),
    )
    if "value" in checked.text and usable(checked, "customer_id", "attribute", "valid_from"):
        _check_attribute_conflicts(checked, names)


def _check_attribute_conflicts(checked: Checked, names: Text) -> None:
    """Each later row of a repeated key whose value differs from the key's first row.

    An Arrow hash count finds whether any key repeats at all: a history without repeats,
    the usual case, costs no pandas."""
    keys = pa.table(
        {
            "c": checked.text["customer_id"].plain(),
            "a": names.plain(),
            "d": checked.dates["valid_from"],
        }
    )
    counts = keys.group_by(["c", "a", "d"]).aggregate([([], "count_all")])
    if not len(counts) or pc.max(counts["count_all"]).as_py() == 1:  # no key repeats
        return
    import pandas as pd  # only a history with repeated keys gets here

    # values as the engine compares them: exactly, an empty (or blank) value meaning unset
    value = pc.fill_null(nullable_text(checked.text["value"]), "")
    frame = pd.DataFrame(
        {
            "c": objects(checked.text["customer_id"]),
            "a": objects(names),
            "d": as_datetime64(checked.dates["valid_from"]),
            "v": np.asarray(as_array(value).to_numpy(zero_copy_only=False), dtype=object),
            "row": np.arange(checked.rows),
        }
    )
    first = frame.groupby(["c", "a", "d"], sort=False, dropna=False)[["v", "row"]].transform(
        "first"
    )
    conflict = np.asarray(frame["v"] != first["v"], dtype=bool)
    first_row = np.asarray(first["row"], dtype=np.int64)
    checked.flag(
        conflict,
        "value",
        "attribute-conflict",
        lambda r: (
            f"customer {checked.value('customer_id', r)!r} already has "
            f"{names.value(r)!r} = {checked.value('value', int(first_row[r]))!r} from "
            f"{checked.value('valid_from', r)} on {checked.place(int(first_row[r]))}; this row "
            f"gives {checked.value('value', r)!r}"
        ),
    )
