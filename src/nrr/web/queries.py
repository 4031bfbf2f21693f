"""Turn API requests into calls of the public Python API, and results into JSON.

Why this layer exists: routes stay one line each, and every figure the dashboard shows
comes from ``Dataset.run`` with the request the CLI would build for the same options.
Nothing here computes a metric; it picks rows, labels them and attaches the band.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from nrr.api import Dataset, Report
from nrr.api_requests import cohort_request
from nrr.definitions import PRODUCT, Band, CustomersRequest, Period, ReportRequest, Unit
from nrr.insights.benchmarks import benchmark
from nrr.render import render_bytes
from nrr.web.models import (
    CohortsQuery,
    CustomersQuery,
    PeriodsQuery,
    ReportQuery,
)

Row = dict[str, Any]


def clean(value: Any) -> Any:
    """JSON-safe: ISO dates, and None for NaN or infinite floats."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def clean_rows(rows: Iterable[Row]) -> list[Row]:
    return [{key: clean(value) for key, value in row.items()} for row in rows]


def band(value: float | None) -> str | None:
    """The NRR band's name (``Band.of``): the dashboard colours by it and keeps no
    thresholds of its own."""
    found = Band.of(value)
    return found.value if found else None


def grr_band(value: float | None) -> str | None:
    """The tone of a GRR figure's name (``Band.of_grr``)."""
    found = Band.of_grr(value)
    return found.value if found else None


def band_ranges() -> list[Row]:
    """The NRR bands' edges, for the charts' shading (``Band.ranges``; None is unbounded)."""
    return [{"name": b.value, "low": low, "high": high} for b, low, high in Band.ranges()]


def describe(request: ReportRequest) -> Row:
    """The resolved request, in the CLI's terms, so any view can be re-run as a command."""
    return {
        "period": request.grain.value,
        "start": clean(request.start),
        "end": clean(request.end),
        "by": list(request.by),
        "level": request.level.value,
        "filters": [[name, value] for name, value in request.filters],
        "currency": request.currency,
        "fiscal_year_start": request.fiscal_year_start,
        "unit": request.unit.value,
    }


def periods_json(spine: Sequence[Period]) -> list[Row]:
    return [{"start": clean(p.start), "end": clean(p.end), "label": p.label} for p in spine]


def labelled(report: Report, rows: Iterable[Row], label: Callable[[Row], str]) -> list[Row]:
    """Rows with their period ``label`` and NRR ``band`` added (values unrounded)."""
    return [{**row, "label": label(row), "band": band(row.get("nrr"))} for row in clean_rows(rows)]


def period_label(report: Report) -> Callable[[Row], str]:
    return lambda row: report.label(date.fromisoformat(row["period_start"]))


# --- /api/report ----------------------------------------------------------------------------
def report_request(ds: Dataset, query: ReportQuery) -> ReportRequest:
    """The request ``nrr report`` builds for the same options; the library bounds its work
    (``nrr.api_requests.check_bounds``) as it does for every interface."""
    return ds.request(
        query.period,
        query.start,
        query.end,
        query.groups(ds.attributes),
        query.level,
        query.filters(),
        query.currency,
        query.fiscal_year_start,
        unit=query.unit,
    )


def report_payload(ds: Dataset, query: ReportQuery) -> Row:
    report = ds.run(report_request(ds, query))
    rows = labelled(report, report.to_pylist(), period_label(report))
    totals = ds.totals(report)
    total_name = "Total" if report.groups else "Whole range"
    total_rows = labelled(report, totals.to_pylist(), lambda _: total_name) if totals else []
    ungrouped = not report.groups
    unit = report.unit
    last = total_rows[0] if total_rows else rows[-1] if rows else {}
    return {
        "ok": True,
        "request": describe(report.request),
        "currency": report.currency,
        "unit": unit.value,
        "periods": periods_json(report.periods),
        "rows": rows,
        "totals": total_rows,
        "bands": band_ranges(),
        "kpis": kpis(rows, unit) if ungrouped and rows else None,
        "bridge": bridge(last, unit) if ungrouped and rows else None,
    }


def report_csv(ds: Dataset, query: ReportQuery) -> bytes:
    """Exactly what ``nrr report --format csv`` writes for the same options."""
    table = ds.run(report_request(ds, query)).table
    return render_bytes(table, "csv", escape_formulas=not query.raw_csv)


def _tile(current: float | None, previous: float | None, tone: str | None) -> Row:
    change = None if current is None or previous is None else current - previous
    return {"value": current, "previous": previous, "change": change, "band": tone}


def kpis(rows: Sequence[Row], unit: Unit = Unit.MRR) -> Row:
    """The latest period's headline figures next to the period before it; the ``mrr`` tile
    is everyone's MRR (or ARR, in ``unit``) at the end."""
    last = rows[-1]
    prev: Row = rows[-2] if len(rows) > 1 else {}
    total = unit.column("total_mrr_end")
    return {
        "period": last["label"],
        "previous_period": prev.get("label"),
        "nrr": _tile(last["nrr"], prev.get("nrr"), band(last["nrr"])),
        "grr": _tile(last["grr"], prev.get("grr"), grr_band(last["grr"])),
        "logo_retention": _tile(last["logo_retention"], prev.get("logo_retention"), None),
        "mrr": _tile(last[total], prev.get(total), None),
        "benchmark": benchmark(last["nrr"], last["grr"]).to_dict(),
    }


def bridge(row: Row, unit: Unit = Unit.MRR) -> Row:
    """The MRR (or ARR) bridge of one row: start + new + reactivation + expansion - ... =
    end, in the row's ``unit``."""
    steps = {
        "start": "total_mrr_start",
        "new": "new_mrr",
        "reactivation": "reactivation_mrr",
        "expansion": "expansion_mrr",
        "contraction": "contraction_mrr",
        "churn": "churn_mrr",
        "end": "total_mrr_end",
    }
    return {"label": row["label"], **{k: row[unit.column(c)] for k, c in steps.items()}}


def periods_payload(ds: Dataset, query: PeriodsQuery) -> Row:
    request = ds.request(
        query.period, query.start, query.end, fiscal_year_start=query.fiscal_year_start
    )
    return {"ok": True, "request": describe(request), "periods": periods_json(ds.periods(request))}


# --- /api/attributes ------------------------------------------------------------------------
def attributes_payload(ds: Dataset) -> Row:
    request = ds.request()
    staged = ds.staged
    return {
        "ok": True,
        "attributes": [*ds.attributes, PRODUCT],
        "currencies": list(staged.currencies),
        "base_currency": staged.base_currency,
        "range": {"start": clean(request.start), "end": clean(request.end)},
        "levels": ["account", "organization"],
        "periods": ["month", "quarter", "year", "ttm"],
        "name": Path(str(staged.source)).name,
    }


def attribute_values(ds: Dataset, name: str) -> Row:
    """Every value ``name`` takes at some month start of the data (for filter pickers)."""
    report = ds.report(period="month", by=[name])
    values = {row[name] for row in report.to_pylist()}
    return {
        "ok": True,
        "attribute": name,
        "values": sorted(str(v) for v in values if v is not None),
        "has_unset": None in values,
    }


# --- /api/cohorts and /api/customers ---------------------------------------------------------
def cohorts_payload(ds: Dataset, query: CohortsQuery) -> Row:
    request = cohort_request(
        query.grain, query.start, query.end, query.by, query.level, unit=query.unit
    )
    rows = [{**row, "band": band(row["nrr"])} for row in clean_rows(ds.run(request).to_pylist())]
    return {
        "ok": True,
        "request": query.model_dump(mode="json"),
        "unit": request.unit.value,
        "rows": rows,
        "bands": band_ranges(),
    }


def customers_payload(ds: Dataset, query: CustomersQuery) -> Row:
    """The drill-down of the report the same query asks ``/api/report`` for."""
    categories = (query.category,) if query.category else ()
    result = ds.run(CustomersRequest(report_request(ds, query), categories))
    rows = [_with_unit(row) for row in clean_rows(result.to_pylist())]
    rows.sort(key=lambda r: (r["period_start"], -abs(r.get("delta") or 0.0), str(r["unit"])))
    return {
        "ok": True,
        "request": query.model_dump(mode="json"),
        "unit": result.unit.value,
        "total": len(rows),
        "truncated": len(rows) > query.limit,
        "rows": rows[: query.limit],
    }


def _with_unit(row: Row) -> Row:
    """Every row names its unit as ``unit``, whatever the level's id column is called."""
    if "unit" not in row:
        row["unit"] = row.get("customer_id", row.get("organization_id"))
    return row
