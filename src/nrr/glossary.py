"""The definitions in force, in words: the one text of what a figure means.

``nrr report --explain`` prints these lines above its SQL and the board report
(``nrr export``) prints them in its definitions section, so the two cannot drift. The
metric texts follow docs/definitions.md; the band text is written from ``BAND_FLOORS``.
"""

from __future__ import annotations

from datetime import date

from nrr.definitions import BAND_FLOORS, Band, FxMode, Grain, Level, Method, ReportRequest, Unit

NRR_TEXT = (
    "net revenue retention: the MRR at the period's end of the units that had MRR > 0 at "
    "its start, over their MRR at its start (expansion, contraction and churn included)"
)
GRR_TEXT = (
    "gross revenue retention: like NRR without expansion (each unit counts at most its "
    "starting MRR), so it never exceeds 100%"
)
LOGO_TEXT = "logo retention: the share of the units at the period's start still paying at its end"
BRIDGE_TEXT = (
    "MRR bridge: MRR at start + new + reactivation + expansion − contraction − churn = MRR "
    "at end; ARR is MRR × 12"
)
NEW_REVENUE = "new and reactivated revenue never enter NRR or GRR"


def level_text(level: Level) -> str:
    if level is Level.ORGANIZATION:
        return f"{level.value} (MRR summed over each organization's account tree)"
    return level.value


def period_text(request: ReportRequest) -> str:
    return f"{request.grain.value}, fiscal year starts in month {request.fiscal_year_start}"


def grouping_text(request: ReportRequest) -> str:
    return f"{', '.join(request.by) or 'none'} (values in force at each period's start)"


def filters_text(request: ReportRequest) -> str:
    return " AND ".join(f"{k} = {v!r}" for k, v in request.filters) or "none"


def currency_text(request: ReportRequest, reporting: str, base: str) -> str:
    how = (
        "each instant at the rate in force on it"
        if request.fx is FxMode.ACTUAL
        else "both ends of a period at the rate in force at its start"
    )
    return f"{reporting} (base {base}); fx {request.fx.value}: {how}"


def unit_text(unit: Unit) -> str:
    if unit is Unit.ARR:
        return "arr: amounts are ARR, 12 x the MRR the query computes; ratios are unchanged"
    return "mrr: amounts are MRR"


def method_text(method: Method) -> str:
    if method is Method.SNAPSHOT:
        how = "NRR = MRR at t1 of the units with MRR > 0 at t0, over their MRR at t0"
    else:
        how = (
            "NRR = product of the period's monthly snapshot NRRs (computed from the monthly report)"
        )
    return f"{method.value}: {how}"


def bands_text() -> str:
    """``exceptional: above 110%; healthy: 100% to 110%; ...``, from the band floors."""
    parts = []
    ceiling: float | None = None
    for band, floor, included in BAND_FLOORS:
        low = f"from {floor:g}%" if included else f"above {floor:g}%"
        high = "" if ceiling is None else f" up to {ceiling:g}%"
        parts.append(f"{band.value}: {low}{high}")
        ceiling = floor
    parts.append(f"{Band.CRITICAL.value}: below {ceiling:g}%")
    return "NRR bands: " + "; ".join(parts)


def cohorts_text(grain: Grain, filtered: bool) -> str:
    text = (
        f"acquisition cohorts by {grain.value}: each unit belongs to the {grain.value} of its "
        "first MRR > 0; a cohort's NRR at an age is its MRR then over its MRR when acquired"
    )
    if filtered:
        text += "; cohorts take no filters, so they cover every unit"
    return text


def in_force(
    request: ReportRequest, reporting: str, base: str, as_of: date | None = None
) -> tuple[tuple[str, str], ...]:
    """``(name, text)`` of every definition a report was computed with."""
    found = [
        ("NRR", NRR_TEXT),
        ("GRR", GRR_TEXT),
        ("logo retention", LOGO_TEXT),
        ("bridge", BRIDGE_TEXT),
        ("bands", bands_text()),
        ("level", level_text(request.level)),
        ("period", period_text(request)),
        ("method", method_text(request.method)),
        ("currency", currency_text(request, reporting, base)),
        ("amounts", unit_text(request.unit)),
        ("grouping", grouping_text(request)),
        ("filters", filters_text(request)),
    ]
    if as_of is not None:
        found.append(("data as of", f"{as_of.isoformat()} (the latest line start or event)"))
    return tuple(found)
