"""A report request resolved once into what every engine path reads.

Why a plan: the totals path, the per-unit path (the drill-down, and the units whose
attributes change within a report) and ``--explain`` need the same periods, instants, unit
keys, filters and currency. Each used to derive them from the request on its own, so a
grouped report built its instants twice and split its filters twice. The dataset
resolves a request into one ``Plan`` and hands it to whichever path runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import ibis.expr.types as ir
import pyarrow as pa

from nrr.definitions import PRODUCT, FxMode, Level, Period, ReportRequest
from nrr.engine.changepoints import Instants
from nrr.engine.mrr import unit_keys
from nrr.engine.sources import Sources

# The period a plan computes over when no whole period is in range: the query then still
# compiles, so an empty result has the report's columns.
PLACEHOLDER = (Period(date(2000, 1, 1), date(2000, 2, 1), ""),)


@dataclass(frozen=True)
class Plan:
    """A report request with everything the engine derives from it, derived once.

    ``columns`` maps each attribute the request reads to the column that holds it: its own
    name when grouped by, a helper ``_filter_<name>`` when it only filters (helpers are
    dropped before any result leaves the engine).
    """

    request: ReportRequest
    periods: tuple[Period, ...]  # what the request covers; may be none
    computed: tuple[Period, ...]  # what the engine computes over: ``PLACEHOLDER`` if none
    currency: str  # the reporting currency
    instants: tuple[date, ...]  # the distinct bounds of the computed periods, sorted
    keys: tuple[str, ...]  # what a unit is keyed by: unit, and product when grouped by it
    products: tuple[str, ...]  # product filter values (each must hold)
    columns: tuple[tuple[str, str], ...]  # (attribute, column), grouped ones first
    attribute_filters: tuple[tuple[str, str], ...]  # (column, value)
    period_table: ir.Table  # period_start, period_end
    instant_table: ir.Table  # t
    numbered_instants: Instants  # the instants numbered on the backend, with month lookups

    @classmethod
    def resolve(
        cls, sources: Sources, request: ReportRequest, periods: Sequence[Period], currency: str
    ) -> Plan:
        computed = tuple(periods) or PLACEHOLDER
        instants = tuple(sorted({p.start for p in computed} | {p.end for p in computed}))
        columns = attribute_columns(request)
        period_data = pa.table(
            {
                "period_start": pa.array([p.start for p in computed], pa.date32()),
                "period_end": pa.array([p.end for p in computed], pa.date32()),
            }
        )
        small = sources.backend.small
        return cls(
            request=request,
            periods=tuple(periods),
            computed=computed,
            currency=currency,
            instants=instants,
            keys=tuple(unit_keys(PRODUCT in request.by)),
            products=tuple(value for name, value in request.filters if name == PRODUCT),
            columns=tuple(columns.items()),
            attribute_filters=tuple(
                (columns[name], value) for name, value in request.filters if name != PRODUCT
            ),
            period_table=small(period_data),
            instant_table=small(pa.table({"t": pa.array(instants, pa.date32())})),
            numbered_instants=Instants.build(small, instants),
        )

    @property
    def groups(self) -> list[str]:
        return list(self.request.by)

    @property
    def by_product(self) -> bool:
        return PRODUCT in self.request.by

    @property
    def level(self) -> Level:
        return self.request.level

    @property
    def fx(self) -> FxMode:
        return self.request.fx

    @property
    def column_of(self) -> dict[str, str]:
        return dict(self.columns)

    @property
    def helpers(self) -> list[str]:
        """The filter-only columns, dropped once their filter has run."""
        return [column for attribute, column in self.columns if attribute not in self.request.by]


def attribute_columns(request: ReportRequest) -> dict[str, str]:
    """Attribute -> its column: the attribute's name when grouped by, else a helper."""
    columns = {a: a for a in request.by if a != PRODUCT}
    for attribute, _ in request.filters:
        if attribute != PRODUCT:
            columns.setdefault(attribute, f"_filter_{attribute}")
    return columns
