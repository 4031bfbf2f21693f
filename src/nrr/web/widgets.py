"""A widget spec as a report request, and its rows as the data a chart draws.

Why "last N periods" is resolved here, on every read: a dashboard opened next month should
show next month's periods without anyone editing it. The spine comes from
``Dataset.periods``, so N quarters are N whole quarters of the data's own range.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nrr.api import Dataset, Report
from nrr.api_requests import default_end, default_start, report_request, spine
from nrr.definitions import ReportRequest
from nrr.web.models import METRIC_COLUMN, Chart, Metric, WidgetSpec
from nrr.web.queries import (
    band,
    band_ranges,
    bridge,
    describe,
    grr_band,
    labelled,
    period_label,
    periods_json,
)

Row = dict[str, Any]


def widget_request(ds: Dataset, spec: WidgetSpec) -> ReportRequest:
    """The report a widget shows, resolved once against the data; raises ConfigError for
    unknown attributes or currency."""
    frame = spec.timeframe
    ranged = frame.mode == "range"
    request = report_request(
        frame.grain,
        frame.start if ranged else None,
        frame.end if ranged else None,
        by=[spec.group_by] if spec.group_by else [],
        level=spec.level,
        filters=[(f.attribute.lower(), f.value) for f in spec.filters],
        currency=spec.currency,
        fiscal_year_start=frame.fiscal_year_start,
        unit=spec.unit,
    )
    if not ranged:
        # The last N periods of the data's range, cut before the request is checked: the
        # row budget counts the periods the widget shows, not every period of the data.
        whole = replace(request, start=default_start(ds.staged), end=default_end(ds.staged))
        shown = spine(whole)[-frame.last :]
        if shown:
            request = replace(request, start=shown[0].start, end=shown[-1].end)
    return ds.resolve(request)


def widget_payload(ds: Dataset, spec: WidgetSpec) -> Row:
    report = ds.run(widget_request(ds, spec))
    column = report.unit.column(METRIC_COLUMN[spec.metric])
    group = spec.group_by.lower() if spec.group_by else None
    rows = [
        {**row, "group": row.get(group) if group else None, "value": row.get(column)}
        for row in labelled(report, report.to_pylist(), period_label(report))
    ]
    return {
        "ok": True,
        "spec": spec.model_dump(mode="json"),
        "request": describe(report.request),
        "currency": report.currency,
        "unit": report.unit.value,
        "metric": spec.metric.value,
        "column": column,
        "periods": periods_json(report.periods),
        "rows": rows,
        "bands": band_ranges(),
        "bridge": _bridge(ds, report, rows) if spec.chart is Chart.WATERFALL else None,
        "kpi": _kpi(rows, report, spec.metric) if spec.chart is Chart.KPI else None,
    }


def _bridge(ds: Dataset, report: Report, rows: list[Row]) -> Row | None:
    """The bridge over the whole timeframe (one spanning period) or its single period."""
    totals = ds.totals(report)
    if totals is not None:
        whole = labelled(report, totals.to_pylist(), lambda _: "Whole timeframe")
        return bridge(whole[0], report.unit)
    return bridge(rows[-1], report.unit) if rows else None


def _tone(metric: Metric, row: Row) -> str | None:
    if metric is Metric.NRR:
        return band(row["nrr"])
    return grr_band(row["grr"]) if metric is Metric.GRR else None


def _kpi(rows: list[Row], report: Report, metric: Metric) -> list[Row]:
    """Per group (or once): the latest period's value next to the period before it."""
    if not report.periods:
        return []
    last = report.periods[-1].start.isoformat()
    before = report.periods[-2].start.isoformat() if len(report.periods) > 1 else None
    latest = {r["group"]: r for r in rows if r["period_start"] == last}
    previous = {r["group"]: r for r in rows if before and r["period_start"] == before}
    tiles = []
    for key, row in latest.items():
        prior = previous.get(key, {}).get("value")
        value = row["value"]
        tiles.append(
            {
                "group": key,
                "label": row["label"],
                "value": value,
                "previous": prior,
                "change": None if value is None or prior is None else value - prior,
                "band": _tone(metric, row),
            }
        )
    return tiles
