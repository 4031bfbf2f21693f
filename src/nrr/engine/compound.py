"""The compounded method: a period's ratio as the product of its monthly ratios.

Many boards report quarterly or annual NRR this way. It is computed from two reports the
engine already produced (the period report and the monthly one), so it needs no SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa

from nrr.engine.metrics import compounded
from nrr.periods import month_index

COMPOUNDED = ("nrr", "grr", "logo_retention")


def compound(period_rows: pa.Table, monthly_rows: pa.Table, groups: Sequence[str]) -> pa.Table:
    """Replace nrr, grr and logo retention of each period row by the product of the monthly
    values of the same group; null when a month is missing or has no starting MRR."""
    monthly: dict[tuple[Any, ...], dict[str, Any]] = {
        (row["period_start"], *(row[g] for g in groups)): row for row in monthly_rows.to_pylist()
    }
    rows = period_rows.to_pylist()
    for row in rows:
        months = _months(row["period_start"], row["period_end"])
        found = [monthly.get((m, *(row[g] for g in groups))) for m in months]
        for column in COMPOUNDED:
            row[column] = compounded([r[column] if r else None for r in found])
    return pa.Table.from_pylist(rows, schema=period_rows.schema)


def _months(start: date, end: date) -> list[date]:
    return [
        date(index // 12, index % 12 + 1, 1)
        for index in range(month_index(start), month_index(end))
    ]
