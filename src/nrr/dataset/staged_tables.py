"""From validated text to the typed staging tables (``StagedData``).

Runs only on a dataset without errors, so every column it reads parsed. Each text column is
taken out of its ``Checked`` table as it is staged, so its memory goes before the next
column is built.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.attribute_rules import attribute_columns, attribute_names
from nrr.dataset.checked import Checked
from nrr.dataset.columns import as_datetime64, currency_codes
from nrr.dataset.issues import Issue
from nrr.dataset.staged import LINE_SCHEMA, SIGNAL_SCHEMA, StagedData, no_signals
from nrr.dataset.table_rules import signal_names
from nrr.dataset.text import Strings, Text, filled, nullable_text, text_or


def stage(
    path: Path | str,
    checked: dict[str, Checked],
    ids: Text,
    roots: npt.NDArray[np.int64],
    base: str,
    warnings: tuple[Issue, ...],
) -> StagedData:
    customers = checked["customers"]
    attributes = tuple(attribute_columns(customers))
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
            pc.if_else(pa.array(empty), pa.scalar(1, pa.int64()), months) if empty.any() else months
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
            "attribute": _single(attribute_names(checked).plain()),
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
            _single(signal_names(checked).plain()),
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
