"""``--explain``: the definitions in force and the SQL the engine runs."""

from __future__ import annotations

from nrr.definitions import Method
from nrr.engine.backend import Backend
from nrr.engine.plan import Plan
from nrr.engine.report import report_expr
from nrr.engine.sources import Sources


def explain(backend: Backend, sources: Sources, plan: Plan, base: str) -> str:
    """Plain text: one line per definition, then the compiled query (``-- `` comments).

    ``plan`` is the one the report would run (with no whole period, the columns' plan):
    the SQL shown is the SQL the report executes.
    """
    request, periods, reporting = plan.request, plan.periods, plan.currency
    filters = " AND ".join(f"{k} = {v!r}" for k, v in request.filters) or "none"
    lines = [
        f"-- level: {request.level.value}"
        + (
            " (MRR summed over each organization's account tree)"
            if request.level.value == "organization"
            else ""
        ),
        f"-- period: {request.grain.value}, fiscal year starts in month "
        f"{request.fiscal_year_start}",
        f"-- range: [{request.start}, {request.end}) -> {len(periods)} whole periods"
        + (f" from {periods[0].start} to {periods[-1].end}" if periods else ""),
        f"-- grouping: {', '.join(request.by) or 'none'} (values in force at each period's start)",
        f"-- filters: {filters}",
        f"-- currency: {reporting} (base {base}); fx {request.fx.value}: "
        + (
            "each instant at the rate in force on it"
            if request.fx.value == "actual"
            else "both ends of a period at the rate in force at its start"
        ),
        f"-- method: {request.method.value}: "
        + (
            "NRR = MRR at t1 of the units with MRR > 0 at t0, over their MRR at t0"
            if request.method is Method.SNAPSHOT
            else "NRR = product of the period's monthly snapshot NRRs (computed from the "
            "monthly report)"
        ),
        "-- new and reactivated revenue never enter NRR or GRR",
        f"-- unit: {request.unit.value}: "
        + (
            "amounts are ARR, 12 x the MRR the query computes; ratios are unchanged"
            if request.unit.value == "arr"
            else "amounts are MRR"
        ),
        f"-- engine: {backend.name}",
        "",
    ]
    if periods:
        lines.append(backend.compile(report_expr(sources, plan)) + ";")
    return "\n".join(lines)
