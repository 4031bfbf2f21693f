"""The rules that need the revenue and rate tables together: which currency is the base,
and a rate in force for every foreign line (docs/definitions.md, Currency).

Codes compare upper-cased (``columns.currency_codes``): ``usd`` and ``USD`` are one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrr.dataset.checked import Checked, usable
from nrr.dataset.columns import currency_codes
from nrr.dataset.contract import DEFAULT_BASE_CURRENCY
from nrr.dataset.issues import Issue, IssueSet
from nrr.dataset.text import Text, bools


def _revenue(checked: dict[str, Checked]) -> tuple[Checked | None, str]:
    if "subscriptions" in checked:
        return checked["subscriptions"], "start_date"
    return checked.get("events"), "date"


def check_currencies(checked: dict[str, Checked], issues: IssueSet) -> str | None:
    """Infer the base currency and require a rate in force for every foreign line."""
    revenue, date_column = _revenue(checked)
    if revenue is None or "currency" in revenue.broken:
        return None
    if "currency" not in revenue.text:
        return DEFAULT_BASE_CURRENCY
    currency = currency_codes(revenue.text["currency"])
    used = set(currency.unique()) - {""}
    fx = checked.get("fx_rates")
    fx_ok = fx is not None and usable(fx, "currency", "date")
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
        first_rate = dict(zip(firsts["c"].to_pylist(), firsts["d_min"].to_pylist(), strict=True))
    rateless = sorted(used - set(first_rate))
    if len(rateless) > 1 and DEFAULT_BASE_CURRENCY not in rateless:
        issues.add(
            Issue(
                revenue.raw.source,
                0,
                "currency",
                "base-currency-ambiguous",
                f"currencies {', '.join(rateless)} have no fx rates; fx_rates must quote "
                "every currency but one (the base) into that base currency",
            )
        )
        return None
    base = rateless[0] if len(rateless) == 1 else DEFAULT_BASE_CURRENCY
    if not usable(revenue, date_column):
        return base
    # per distinct currency (the empty one is the base): foreign, and its first rate's day
    filled = (
        currency if currency.codes is not None else Text.of(pc.dictionary_encode(currency.values))
    )
    names = [base if c == "" else str(c) for c in filled.values.to_pylist()]
    foreign = np.array([c != base for c in names], dtype=bool)
    first_day = pa.array([first_rate.get(c) for c in names], pa.int32())
    starts = revenue.dates[date_column].cast(pa.int32())
    first = pc.take(first_day, filled.codes)
    no_rate = bools(pc.or_kleene(pc.is_null(first), pc.greater(first, starts)))
    missing = filled.spread(foreign) & no_rate
    revenue.flag(
        missing,
        "currency",
        "fx-missing",
        lambda r: (
            f"no {names[filled.codes_np[r]]} rate in force on "
            f"{revenue.value(date_column, r)}: add an fx_rates row for "
            f"{names[filled.codes_np[r]]} dated on or before it"
        ),
    )
    return base
