"""The contract's rules, vectorised over whole columns.

Each check flags rows with a boolean mask and yields one ``Issue`` per flagged row, so a
file with a million rows is checked in a few numpy passes and every problem is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.columns import (
    FIRST_DATE,
    LAST_DATE,
    BoolArray,
    Strings,
    Text,
    as_datetime64,
    currency_codes,
    is_empty,
    nullable_text,
    parse_dates,
    parse_decimals,
    parse_integers,
    valid_currency,
)
from nrr.dataset.contract import (
    KINDS,
    RESERVED_ATTRIBUTES,
    RESERVED_CUSTOMER_COLUMNS,
    TABLES,
    ColumnType,
    Table,
)
from nrr.dataset.issues import Issue
from nrr.dataset.readers import RawTable, unknown_column_warning


@dataclass
class Checked:
    """A raw table being validated: its text columns and what parsed cleanly.

    Parsed columns are Arrow arrays: ``dates`` date32 and ``numbers`` float64, both null
    where a value did not parse; ``integers`` int64, 0 where a value did not parse.
    """

    raw: RawTable
    spec: Table
    issues: list[Issue] = field(default_factory=list)
    text: dict[str, Text] = field(default_factory=dict)
    dates: dict[str, Strings] = field(default_factory=dict)
    numbers: dict[str, Strings] = field(default_factory=dict)
    integers: dict[str, Strings] = field(default_factory=dict)
    parsed: dict[str, BoolArray] = field(default_factory=dict)  # which integers parsed
    broken: set[str] = field(default_factory=set)  # columns with a failed parse somewhere
    # Each row's position in the customers table (null: unknown), found by the
    # known-customer rule and kept so the engine need not look every id up again.
    customer_index: Strings | None = None

    def __post_init__(self) -> None:
        self.row_count = int(self.raw.data.num_rows)

    @property
    def rows(self) -> int:
        return self.row_count

    def release(self) -> None:
        """Free what staging does not read, once every rule has run: the raw columns (a
        text column still staged keeps its own) and the text of parsed dates and numbers."""
        self.raw.data = self.raw.data.schema.empty_table()
        for column in [*self.dates, *self.numbers]:
            self.text.pop(column, None)

    def flag(
        self,
        mask: BoolArray,
        column: str,
        rule: str,
        message: Callable[[int], str],
    ) -> None:
        """Add one issue per True row of ``mask``; ``message`` gets the row index."""
        for index in np.flatnonzero(mask):
            row = int(index)
            self.issues.append(
                Issue(
                    self.raw.source, self.line(row), column, rule, message(row),
                    key=self.raw.label(row),
                )
            )

    def value(self, column: str, row: int) -> str:
        return self.text[column].value(row)

    def line(self, row: int) -> int:
        return self.raw.line(row)

    def place(self, row: int) -> str:
        """A row as a message refers to it: ``line 3``, or ``row id=42`` for a keyed table."""
        label = self.raw.label(row)
        return f"line {self.line(row)}" if label is None else f"row {label}"


def open_table(raw: RawTable) -> Checked:
    """The table with its header rules checked; its columns are still unchecked."""
    checked = Checked(raw, TABLES[raw.name])
    _check_header(checked)
    return checked


def column_checks(checked: Checked) -> list[Callable[[], None]]:
    """The type and presence rules of each column, as independent tasks: each writes only
    its own column's entries of ``checked`` (issues are sorted when reported), so they may
    run side by side (``parallel.each``)."""
    return [
        partial(_check_column, checked, column.name, column.type, column.required)
        for column in checked.spec.columns
        if column.name in checked.text
    ]


def _check_header(checked: Checked) -> None:
    raw, spec = checked.raw, checked.spec
    seen: dict[str, int] = {}
    for i, name in enumerate(raw.columns):
        if name in seen:
            checked.issues.append(
                Issue(
                    raw.source, 1, name, "column-duplicate",
                    f"column {name!r} appears twice in the header (names are case-insensitive)",
                )
            )
            continue
        seen[name] = i
        if name in spec.column_names or spec.keeps_unknown_columns:
            checked.text[name] = Text.of(raw.data.column(i))
        elif i not in raw.key:  # a database key (``id``) is used: it names rows in issues
            checked.issues.append(unknown_column_warning(raw, name))
    for column in spec.columns:
        if column.required and column.name not in seen:
            checked.issues.append(
                Issue(
                    raw.source, 1, column.name, "column-missing",
                    f"required column {column.name!r} is missing from the header",
                )
            )


def _check_column(checked: Checked, name: str, kind: ColumnType, required: bool) -> None:
    values = checked.text[name]
    if kind is ColumnType.TEXT and not required:
        return
    empty = is_empty(values)
    if required:
        checked.flag(empty, name, "value-required", lambda _r: f"{name} is required")
    if kind is ColumnType.TEXT:
        return
    present = ~empty
    bad: BoolArray
    if kind is ColumnType.DATE:
        dates = parse_dates(values)
        checked.dates[name], ok = dates.days, dates.ok
        bad = present & ~ok
        far = bad & dates.far
        checked.flag(
            bad & ~far, name, "date-format",
            lambda r: f"{checked.value(name, r)!r} is not a valid date in YYYY-MM-DD form",
        )
        checked.flag(
            far, name, "date-range",
            lambda r: f"{checked.value(name, r)!r} is outside {FIRST_DATE} to {LAST_DATE}, the "
            "dates nrr reads (a line that has not ended has an empty end_date)",
        )
    elif kind is ColumnType.DECIMAL:
        checked.numbers[name], ok = parse_decimals(values)
        bad = present & ~ok
        checked.flag(
            bad, name, "decimal-format",
            lambda r: f"{checked.value(name, r)!r} is not a plain decimal number "
            "(no currency symbols, thousands separators or exponents)",
        )
    elif kind is ColumnType.INTEGER:
        checked.integers[name], ok = parse_integers(values)
        checked.parsed[name] = ok
        bad = present & ~ok
        checked.flag(
            bad, name, "integer-format",
            lambda r: f"{checked.value(name, r)!r} is not a whole number",
        )
    elif kind is ColumnType.CURRENCY:
        bad = present & ~valid_currency(values)
        checked.flag(
            bad, name, "currency-format",
            lambda r: f"{checked.value(name, r)!r} is not a three-letter ISO 4217 code "
            "such as USD or EUR",
        )
    else:
        return
    if bad.any() or (required and empty.any()):
        checked.broken.add(name)


def usable(checked: Checked, *columns: str) -> bool:
    """True when every column is present and parsed without error, so rules can combine them."""
    return all(c in checked.text and c not in checked.broken for c in columns)


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
        id_codes = np.asarray(_array(codes[0]).to_numpy(zero_copy_only=False))
        distinct = int(id_codes.max()) + 1 if len(id_codes) else 0
        self.unique = distinct == len(ids)  # every id differs
        # the first row holding each code (needed only when some id repeats)
        first = None if self.unique else pa.array(
            np.unique(id_codes, return_index=True)[1], pa.int32()
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
        duplicated, "customer_id", "id-duplicate",
        lambda r: f"customer_id {checked.value('customer_id', r)!r} already appears on "
        f"{checked.place(first_row[checked.value('customer_id', r)])}",
    )
    if duplicated.any() or not usable(checked, "customer_id") or blank.any():
        return ids, None
    if "parent_id" not in checked.text:
        return ids, np.arange(len(ids), dtype=np.int64)
    assert index is not None  # the ids are usable
    return ids, _organizations(checked, ids, index.found[PARENTS])


def _codes(values: Text) -> npt.NDArray[np.int64]:
    """Each row's value as a number: equal values, equal numbers."""
    codes = pc.dictionary_encode(_array(values.values))
    indices = np.asarray(codes.indices.to_numpy(zero_copy_only=False)).astype(np.int64)
    return indices if values.codes is None else indices[values.codes_np]


def _organizations(
    checked: Checked, ids: Text, found: Strings
) -> npt.NDArray[np.int64] | None:
    """Top-most ancestor of each row by pointer jumping (log depth vectorised passes);
    ``found`` is each parent's row (null: unknown)."""
    parents = checked.text["parent_id"]
    has_parent = ~is_empty(parents)
    position = np.asarray(
        _array(pc.fill_null(found, -1)).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    unknown = has_parent & (position < 0)
    checked.flag(
        unknown, "parent_id", "parent-unknown",
        lambda r: f"parent_id {checked.value('parent_id', r)!r} is not a customer_id of "
        "the customers table",
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
        cyclic, "parent_id", "parent-cycle",
        lambda r: f"the parent chain of {checked.value('customer_id', r)!r} loops back on "
        "itself and never reaches a top-level account",
    )
    return None if cyclic.any() else pointer


def _array(values: Strings) -> pa.Array:
    """One Arrow array (a value set, or a column to turn into numpy)."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    return values


def check_known_customers(checked: Checked, index: CustomerIndex) -> None:
    if not usable(checked, "customer_id"):
        return
    values = checked.text["customer_id"]
    found = index.found[checked.raw.name]
    checked.customer_index = found
    unknown = _true(pc.is_null(found)) & ~is_empty(values)
    checked.flag(
        unknown, "customer_id", "customer-unknown",
        lambda r: f"customer_id {checked.value('customer_id', r)!r} is not in the customers table",
    )


def present(checked: Checked, *columns: str) -> bool:
    """Row-wise rules need only the columns: unparsable cells are null and never match."""
    return all(c in checked.text for c in columns)


def _true(values: Strings) -> BoolArray:
    """A boolean Arrow result as a numpy mask, null as False."""
    return np.asarray(
        _array(pc.fill_null(values, False)).to_numpy(zero_copy_only=False), dtype=bool
    )


def check_non_negative(checked: Checked, column: str) -> None:
    if present(checked, column):
        values = checked.numbers[column]
        checked.flag(
            _true(pc.less(values, 0)), column, "amount-negative",
            lambda r: f"{checked.value(column, r)} is negative; {column} must be >= 0",
        )


def check_subscriptions(checked: Checked) -> None:
    check_non_negative(checked, "amount")
    if present(checked, "billing_months"):
        months, parsed = checked.integers["billing_months"], checked.parsed["billing_months"]
        checked.flag(
            parsed & _true(pc.less(months, 1)), "billing_months", "billing-months-range",
            lambda r: f"billing_months is {checked.value('billing_months', r)}; it must be >= 1",
        )
    if present(checked, "start_date", "end_date"):
        start, end = checked.dates["start_date"], checked.dates["end_date"]
        checked.flag(
            _true(pc.less_equal(end, start)), "end_date", "end-after-start",
            lambda r: f"end_date {checked.value('end_date', r)} is not after start_date "
            f"{checked.value('start_date', r)}",
        )
    if "kind" in checked.text:
        kind = checked.text["kind"].trimmed
        bad = ~kind.mask(lambda v: pc.is_in(v, value_set=pa.array(sorted(KINDS))))
        bad &= ~is_empty(kind)
        checked.flag(
            bad, "kind", "kind-value",
            lambda r: f"kind {checked.value('kind', r)!r} is not 'recurring' or 'usage'",
        )
        usage = kind.mask(lambda v: pc.equal(v, "usage"))
        if "end_date" in checked.text:
            usage &= is_empty(checked.text["end_date"])
        checked.flag(
            usage, "end_date", "usage-end-required",
            lambda _r: "a usage line needs an end_date: its amount is the charge for "
            "[start_date, end_date)",
        )


def _duplicated(**keys: object) -> BoolArray:
    """Rows whose key columns repeat an earlier row's (pandas' ``duplicated``)."""
    import pandas as pd  # only tables with a compound key need it; not at start-up

    return np.array(pd.DataFrame(keys).duplicated(keep="first"), dtype=bool)


def _objects(values: Text) -> npt.NDArray[np.object_]:
    return np.asarray(_array(values.plain()).to_numpy(zero_copy_only=False), dtype=object)


def check_events(checked: Checked) -> None:
    check_non_negative(checked, "mrr")
    if usable(checked, "customer_id", "date"):
        dup = _duplicated(
            c=_objects(checked.text["customer_id"]), d=as_datetime64(checked.dates["date"])
        )
        checked.flag(
            dup, "date", "event-duplicate",
            lambda r: f"customer {checked.value('customer_id', r)!r} already has an event on "
            f"{checked.value('date', r)}",
        )


def check_fx_rates(checked: Checked) -> None:
    if present(checked, "rate"):
        checked.flag(
            _true(pc.less_equal(checked.numbers["rate"], 0)), "rate", "rate-positive",
            lambda r: f"rate {checked.value('rate', r)} must be > 0",
        )
    if usable(checked, "currency", "date"):
        dup = _duplicated(  # ``eur`` and ``EUR`` are one currency
            c=_objects(currency_codes(checked.text["currency"])),
            d=as_datetime64(checked.dates["date"]),
        )
        checked.flag(
            dup, "date", "rate-duplicate",
            lambda r: f"{checked.text['currency'].trimmed.value(r)} already has a rate on "
            f"{checked.value('date', r)}",
        )


def signal_names(checked: Checked) -> Text:
    """Signal names as they compare: trimmed and lower-cased, like attribute names."""
    return checked.text["name"].trimmed.derive(pc.utf8_lower)


def check_signals(checked: Checked) -> None:
    """One value per (customer, name, date): two would make "the value at t0" ambiguous.

    Names compare like attribute names, trimmed and case-insensitive.
    """
    if usable(checked, "customer_id", "date", "name"):
        name = signal_names(checked)
        dup = _duplicated(
            c=_objects(checked.text["customer_id"]), n=_objects(name),
            d=as_datetime64(checked.dates["date"]),
        )
        checked.flag(
            dup, "date", "signal-duplicate",
            lambda r: f"customer {checked.value('customer_id', r)!r} already has a "
            f"{name.value(r)!r} value on {checked.value('date', r)}",
        )


def attribute_columns(checked: Checked) -> list[str]:
    return [c for c in checked.text if c not in RESERVED_CUSTOMER_COLUMNS]


# Why each reserved name cannot be an attribute, as a message says it.
_RESERVED_WHY = {
    "customer_id": "it is the customer's id",
    "name": "it is the customers table's display name",
    "parent_id": "it is the customers table's parent account",
    "product": "--by product groups by the lines' product",
    "organization_id": "it holds each account's top-most account",
}


def check_customer_columns(checked: Checked) -> None:
    """A customers column is an attribute unless it is one of the table's own columns; one
    named ``product`` or ``organization_id`` would shadow a name nrr gives a meaning."""
    for name in checked.text:
        if name in RESERVED_ATTRIBUTES and name not in RESERVED_CUSTOMER_COLUMNS:
            checked.issues.append(
                Issue(
                    checked.raw.source, 1, name, "attribute-reserved",
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
        reserved, "attribute", "attribute-reserved",
        lambda r: f"attribute {checked.value('attribute', r)!r} is a name nrr reserves "
        f"({_RESERVED_WHY[names.value(r)]}); use another name",
    )
    if "value" in checked.text and usable(checked, "customer_id", "attribute", "valid_from"):
        _check_attribute_conflicts(checked, names)


def _check_attribute_conflicts(checked: Checked, names: Text) -> None:
    keys = pa.table(
        {"c": checked.text["customer_id"].plain(), "a": names.plain(),
         "d": checked.dates["valid_from"]}
    )
    counts = keys.group_by(["c", "a", "d"]).aggregate([([], "count_all")])
    if not len(counts) or pc.max(counts["count_all"]).as_py() == 1:  # no key repeats
        return
    import pandas as pd  # only a history with repeated keys gets here

    # values as the engine compares them: exactly, an empty (or blank) value meaning unset
    value = pc.fill_null(nullable_text(checked.text["value"]), "")
    frame = pd.DataFrame(
        {"c": _objects(checked.text["customer_id"]), "a": _objects(names),
         "d": as_datetime64(checked.dates["valid_from"]),
         "v": np.asarray(_array(value).to_numpy(zero_copy_only=False), dtype=object),
         "row": np.arange(checked.rows)}
    )
    first = frame.groupby(["c", "a", "d"], sort=False, dropna=False)[["v", "row"]].transform(
        "first"
    )
    conflict = np.asarray(frame["v"] != first["v"], dtype=bool)
    first_row = np.asarray(first["row"], dtype=np.int64)
    checked.flag(
        conflict, "value", "attribute-conflict",
        lambda r: f"customer {checked.value('customer_id', r)!r} already has "
        f"{names.value(r)!r} = {checked.value('value', int(first_row[r]))!r} from "
        f"{checked.value('valid_from', r)} on {checked.place(int(first_row[r]))}; this row "
        f"gives {checked.value('value', r)!r}",
    )
