"""From validated text to typed staging tables.

``read_dataset`` is the dataset layer's one entry point: read, check every rule, and only
when no error remains build the typed Arrow tables the engine consumes. The user's files are
opened read-only and never written; a database is read in one read-only transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset import parallel, rules
from nrr.dataset.columns import (
    Strings,
    Text,
    as_datetime64,
    currency_codes,
    filled,
    nullable_text,
    text_or,
)
from nrr.dataset.contract import DEFAULT_BASE_CURRENCY
from nrr.dataset.issues import Issue, IssueSet
from nrr.dataset.postgres import is_database_url
from nrr.dataset.readers import reader_for
from nrr.dataset.rules import Checked
from nrr.errors import InputError

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


TABLE_RULES = {
    "customers": rules.check_customer_columns,
    "customer_attributes": rules.check_customer_attributes,
    "subscriptions": rules.check_subscriptions,
    "events": rules.check_events,
    "fx_rates": rules.check_fx_rates,
    "signals": rules.check_signals,
}

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

    @property
    def organizations(self) -> int:
        return len(pa.compute.unique(self.customers["organization_id"]))


def read_dataset(path: Path | str) -> StagedData:
    """Read and validate ``path``; raise InputError with every issue if any rule fails.

    ``path`` is a folder or DuckDB file, or a ``postgresql://`` URL given as a string.
    """
    if isinstance(path, str) and not is_database_url(path):
        path = Path(path)
    reader = reader_for(path)
    result = reader.read()
    issues = IssueSet(result.issues)
    checked = {name: rules.open_table(raw) for name, raw in result.tables.items()}
    # The customer-id lookup (one hash of every id column) and the column rules of every
    # table are independent tasks: two run at a time (parallel.py).
    lookup: list[rules.CustomerIndex | None] = []
    tasks = [
        lambda: lookup.append(rules.index_customers(checked)),
        *(task for table in checked.values() for task in rules.column_checks(table)),
    ]
    parallel.each(lambda task: task(), tasks)
    _check_presence(reader.source, result.found, issues)
    customers = checked.get("customers")
    ids = Text(pa.array([], pa.string()))
    roots: npt.NDArray[np.int64] | None = None
    usable_ids = customers is not None and rules.usable(customers, "customer_id")
    index = lookup[0] if usable_ids else None
    if customers is not None:
        ids, roots = rules.check_customers(customers, index)
    for name, table in checked.items():
        if name != "customers" and index is not None:
            rules.check_known_customers(table, index)
        TABLE_RULES.get(name, lambda _c: None)(table)
    base = _check_currencies(checked, issues)
    for table in checked.values():
        issues.extend(table.issues)
    if issues.errors or customers is None or roots is None or base is None:
        raise InputError(issues)
    source = path if isinstance(path, Path) else reader.source  # the URL, password removed
    del result
    for table in checked.values():
        table.release()
    return _stage(source, checked, ids, roots, base, tuple(issues.warnings))


def _check_presence(path: str, checked: set[str], issues: IssueSet) -> None:
    if "customers" not in checked:
        issues.add(
            Issue(path, 0, "-", "table-missing", "no customers table (customers.csv, "
                  "customers.parquet or a customers table)")
        )
    if "subscriptions" not in checked and "events" not in checked:
        issues.add(
            Issue(path, 0, "-", "table-missing", "no revenue table: give subscriptions "
                  "(revenue lines) or events (MRR changes)")
        )
    if "subscriptions" in checked and "events" in checked:
        issues.add(
            Issue(path, 0, "-", "table-ambiguous", "both subscriptions and events are "
                  "given; keep the one that holds your revenue")
        )


def _revenue(checked: dict[str, Checked]) -> tuple[Checked | None, str]:
    if "subscriptions" in checked:
        return checked["subscriptions"], "start_date"
    return checked.get("events"), "date"


def _check_currencies(checked: dict[str, Checked], issues: IssueSet) -> str | None:
    """Infer the base currency and require a rate in force for every foreign line."""
    revenue, date_column = _revenue(checked)
    if revenue is None or "currency" in revenue.broken:
        return None
    if "currency" not in revenue.text:
        return DEFAULT_BASE_CURRENCY
    currency = currency_codes(revenue.text["currency"])
    used = set(currency.unique()) - {""}
    fx = checked.get("fx_rates")
    fx_ok = fx is not None and rules.usable(fx, "currency", "date")
    first_rate: dict[str, int] = {}  # currency -> its first rate's date, as date32 days
    if fx is not None and fx_ok:
        firsts = (
            pa.table(
                {
                    "c": currency_codes(fx.text["currency"]).plain(),
                    "d": fx.dates["date"].cast(pa.int32()),
                }
            )
            .group_by("c")
            .aggregate([("d", "min")])
        )
        first_rate = dict(
            zip(firsts["c"].to_pylist(), firsts["d_min"].to_pylist(), strict=True)
        )
    rateless = sorted(used - set(first_rate))
    if len(rateless) > 1 and DEFAULT_BASE_CURRENCY not in rateless:
        issues.add(
            Issue(revenue.raw.source, 0, "currency", "base-currency-ambiguous",
                  f"currencies {', '.join(rateless)} have no fx rates; fx_rates must quote "
                  "every currency but one (the base) into that base currency")
        )
        return None
    base = rateless[0] if len(rateless) == 1 else DEFAULT_BASE_CURRENCY
    if not rules.usable(revenue, date_column):
        return base
    # per distinct currency (the empty one is the base): foreign, and its first rate's day
    filled = currency if currency.codes is not None else Text.of(
        pc.dictionary_encode(currency.values)
    )
    names = [base if c == "" else str(c) for c in filled.values.to_pylist()]
    foreign = np.array([c != base for c in names], dtype=bool)
    first_day = pa.array([first_rate.get(c) for c in names], pa.int32())
    starts = revenue.dates[date_column].cast(pa.int32())
    first = pc.take(first_day, filled.codes)
    no_rate = _bools(pc.or_kleene(pc.is_null(first), pc.greater(first, starts)))
    missing = filled.spread(foreign) & no_rate
    revenue.flag(
        missing, "currency", "fx-missing",
        lambda r: f"no {names[filled.codes_np[r]]} rate in force on "
        f"{revenue.value(date_column, r)}: add an fx_rates row for "
        f"{names[filled.codes_np[r]]} dated on or before it",
    )
    return base


def _bools(values: Strings) -> npt.NDArray[np.bool_]:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.bool_())
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _stage(
    path: Path | str,
    checked: dict[str, Checked],
    ids: Text,
    roots: npt.NDArray[np.int64],
    base: str,
    warnings: tuple[Issue, ...],
) -> StagedData:
    customers = checked["customers"]
    attributes = tuple(rules.attribute_columns(customers))
    customer_ids = _single(ids.plain())  # a value set for ``take`` and the engine's keys
    organization_rows = pa.array(roots, pa.int64())
    customer_table = pa.table(
        {
            "customer_id": customer_ids,
            "organization_id": customer_ids.take(organization_rows),
            **{a: _single(nullable_text(customers.text[a])) for a in attributes},
        }
    )
    customers.text.clear()  # staged: free the text before the (larger) lines are built
    revenue_name = "subscriptions" if "subscriptions" in checked else "events"
    coded: pa.DictionaryArray | None = None
    if revenue_name == "subscriptions":
        lines, coded = _subscription_lines(checked["subscriptions"], base)
    else:
        lines = _event_lines(checked["events"], base)
    history = _attribute_history(checked.get("customer_attributes"))
    all_attributes = tuple(
        dict.fromkeys([*attributes, *pa.compute.unique(history["attribute"]).to_pylist()])
    )
    currencies = sorted(set(pc.unique(lines["currency"] if coded is None else coded).to_pylist()))
    return StagedData(
        source=path,
        customers=customer_table,
        lines=lines,
        fx_rates=_fx_table(checked.get("fx_rates"), base),
        attribute_history=history,
        base_currency=base,
        revenue_table=revenue_name,
        table_rows={name: t.rows for name, t in checked.items()},
        attributes=tuple(str(a) for a in all_attributes),
        currencies=tuple(currencies),
        first_date=_as_date(pa.compute.min(lines["start_date"]).as_py()),
        last_date=_last_date(lines),
        last_start=_as_date(pa.compute.max(lines["start_date"]).as_py()),
        warnings=warnings,
        signals=_signals_table(checked.get("signals")),
        line_customers=(
            checked["subscriptions"].customer_index if revenue_name == "subscriptions" else None
        ),
        customer_organizations=organization_rows,
        line_currencies=coded,
    )


def _single(values: Strings) -> pa.Array:
    """One Arrow array: the staged tables keep the one-chunk layout they always had."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    return values


def _text(checked: Checked, column: str) -> Text:
    """The column, or empty text when the table has no such column."""
    return checked.text.get(column) or Text.empty_column(checked.rows)


def _currencies(checked: Checked, base: str) -> pa.Array:
    """The codes upper-cased, with ``base`` where a line names none."""
    if "currency" not in checked.text:
        return pa.array([base] * checked.rows, pa.string())
    return _single(text_or(currency_codes(checked.text["currency"]), base))


def _subscription_lines(checked: Checked, base: str) -> tuple[pa.Table, pa.DictionaryArray | None]:
    """The lines, and their currency as a dictionary array when it was read as one; each
    text column is taken out of ``checked`` as it is staged, so that its memory
    (dictionary codes, untrimmed text) goes before the next column is built."""
    billing: Strings
    if "billing_months" in checked.text:
        empty = checked.text.pop("billing_months").empty
        months = checked.integers["billing_months"]
        billing = (
            pc.if_else(pa.array(empty), pa.scalar(1, pa.int64()), months)
            if empty.any() else months
        )
    else:
        billing = pa.array(np.ones(checked.rows, dtype=np.int64))
    end = checked.dates.get("end_date", pa.nulls(checked.rows, pa.date32()))
    currency = filled(currency_codes(_pop(checked, "currency")), base)
    coded = None
    if currency.codes is not None:  # codes into that very dictionary: nothing to validate
        coded = pa.DictionaryArray.from_arrays(currency.codes, _single(currency.values), safe=False)
    # Text columns stay in the chunks they were read in: the engine scans them as they are,
    # and a text column without blanks is then the very buffers read from the file.
    lines = pa.table(
        [
            _pop(checked, "customer_id").plain(),
            checked.dates["start_date"],
            end,
            checked.numbers["amount"],
            billing,
            currency.plain(),
            text_or(_pop(checked, "kind"), "recurring"),
            nullable_text(_pop(checked, "product")),
            nullable_text(_pop(checked, "subscription_id")),
        ],
        schema=LINE_SCHEMA,
    )
    return lines, coded


def _pop(checked: Checked, column: str) -> Text:
    """The column taken out of ``checked``, or empty text when the table has none."""
    return checked.text.pop(column, None) or Text.empty_column(checked.rows)


def _event_lines(checked: Checked, base: str) -> pa.Table:
    """Events as lines: each event's mrr holds from its date to the customer's next event."""
    import pandas as pd  # events only: not imported at start-up

    frame = pd.DataFrame(
        {
            "customer_id": _single(checked.text["customer_id"].plain()).to_numpy(
                zero_copy_only=False
            ),
            "start_date": as_datetime64(checked.dates["date"]),
            "amount": _single(checked.numbers["mrr"]).to_numpy(zero_copy_only=False),
            "currency": _currencies(checked, base).to_numpy(zero_copy_only=False),
        }
    ).sort_values(["customer_id", "start_date"], kind="stable")
    frame["end_date"] = frame.groupby("customer_id")["start_date"].shift(-1)
    end = frame["end_date"].to_numpy(dtype="datetime64[D]")
    return pa.table(
        [
            pa.array(frame["customer_id"].to_numpy(dtype=object), pa.string()),
            pa.array(frame["start_date"].to_numpy(dtype="datetime64[D]"), pa.date32()),
            pa.array(end, pa.date32(), mask=np.isnat(end)),
            pa.array(frame["amount"].to_numpy(dtype=np.float64), pa.float64()),
            pa.array(np.ones(len(frame), dtype=np.int64), pa.int64()),
            pa.array(frame["currency"].to_numpy(dtype=object), pa.string()),
            pa.array(["recurring"] * len(frame), pa.string()),
            pa.nulls(len(frame), pa.string()),
            pa.nulls(len(frame), pa.string()),
        ],
        schema=LINE_SCHEMA,
    )


def _fx_table(checked: Checked | None, base: str) -> pa.Table:
    currency: list[str] = [base]
    valid_from = np.array(["0001-01-01"], dtype="datetime64[D]")
    rate = np.array([1.0])
    if checked is not None and checked.rows:
        given = [str(c) for c in currency_codes(checked.text["currency"]).plain().to_pylist()]
        if base in given:
            currency, valid_from, rate = [], valid_from[:0], rate[:0]
        currency = currency + given
        valid_from = np.concatenate([valid_from, as_datetime64(checked.dates["date"])])
        rate = np.concatenate(
            [rate, np.asarray(_single(checked.numbers["rate"]).to_numpy(zero_copy_only=False))]
        )
    return pa.table(
        {
            "currency": pa.array(currency, pa.string()),
            "valid_from": pa.array(valid_from, pa.date32()),
            "rate": pa.array(rate, pa.float64()),
        }
    )


def _attribute_history(checked: Checked | None) -> pa.Table:
    if checked is None:
        return pa.table(
            {
                "customer_id": pa.array([], pa.string()),
                "attribute": pa.array([], pa.string()),
                "value": pa.array([], pa.string()),
                "valid_from": pa.array([], pa.date32()),
            }
        )
    return pa.table(
        {
            "customer_id": _single(checked.text["customer_id"].plain()),
            "attribute": _single(rules.attribute_names(checked).plain()),
            "value": _single(nullable_text(_text(checked, "value"))),
            "valid_from": _single(checked.dates["valid_from"]),
        }
    )


def _signals_table(checked: Checked | None) -> pa.Table:
    if checked is None:
        return no_signals()
    return pa.table(
        [
            _single(checked.text["customer_id"].plain()),
            _single(checked.dates["date"]),
            _single(rules.signal_names(checked).plain()),
            _single(checked.numbers["value"]),
        ],
        schema=SIGNAL_SCHEMA,
    )


def _as_date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _last_date(lines: pa.Table) -> date | None:
    candidates = [
        pa.compute.max(lines["start_date"]).as_py(),
        pa.compute.max(lines["end_date"]).as_py(),
    ]
    dates = [d for d in candidates if isinstance(d, date)]
    return max(dates) if dates else None
