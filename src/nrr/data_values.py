"""The values an attribute (or the product) takes anywhere in a dataset.

Two questions need them without running the engine: how many groups a grouping could form
(the row budget of a request, in ``api_requests``), and whether a filter's value occurs in
the data at all (a typo such as ``segment=Entreprise`` would otherwise give a report of
zeros that looks like an answer). Both read the staged Arrow tables directly.
"""

from __future__ import annotations

import pyarrow.compute as pc

from nrr.dataset import StagedData
from nrr.definitions import PRODUCT, ReportRequest


def values_of(staged: StagedData, name: str) -> set[str]:
    """Every value ``name`` takes: in the customers table and the attribute history, or in
    the lines for ``product`` (unset values are not values)."""
    if name == PRODUCT:
        return {v for v in pc.unique(staged.lines[PRODUCT]).to_pylist() if v is not None}
    history = staged.attribute_history
    mine = history.filter(pc.equal(history["attribute"], name))["value"]
    values = {*pc.unique(mine).to_pylist()}
    if name in staged.customers.column_names:
        values |= {*pc.unique(staged.customers[name]).to_pylist()}
    return values - {None}


def unmatched_filters(staged: StagedData, request: ReportRequest) -> list[tuple[str, str]]:
    """The ``(attribute, value)`` filters of ``request`` whose value occurs nowhere in the
    data (an empty value asks for "unset" and is never reported)."""
    cache: dict[str, set[str]] = {}
    return [
        (name, value)
        for name, value in request.filters
        if value and value not in cache.setdefault(name, values_of(staged, name))
    ]
