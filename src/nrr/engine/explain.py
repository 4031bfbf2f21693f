"""``--explain``: the definitions in force and the SQL the engine runs."""

from __future__ import annotations

from nrr import glossary
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
    lines = [
        f"-- level: {glossary.level_text(request.level)}",
        f"-- period: {glossary.period_text(request)}",
        f"-- range: [{request.start}, {request.end}) -> {len(periods)} whole periods"
        + (f" from {periods[0].start} to {periods[-1].end}" if periods else ""),
        f"-- grouping: {glossary.grouping_text(request)}",
        f"-- filters: {glossary.filters_text(request)}",
        f"-- currency: {glossary.currency_text(request, reporting, base)}",
        f"-- method: {glossary.method_text(request.method)}",
        f"-- {glossary.NEW_REVENUE}",
        f"-- unit: {glossary.unit_text(request.unit)}",
        f"-- engine: {backend.name}",
        "",
    ]
    if periods:
        lines.append(backend.compile(report_expr(sources, plan)) + ";")
    return "\n".join(lines)
