"""The engine: backend-portable Ibis expressions over the staging tables.

It knows the dataset layer and the definitions, never an interface. Each number, and the
function that computes it (docs/definitions.md, "Where each number is computed"):

==========================================  ==============================================
monthly value of a line                     ``mrr.normalized``
a unit (account, organization, product)     ``mrr.units``, ``mrr.unit_keys``
MRR at an instant                           ``changepoints.change_points`` -> ``steps`` ->
                                            ``levels`` -> ``expand``; converted by
                                            ``fx.rates_at``
m0, m1 (a unit's MRR at t0 and t1)          ``movements.per_period``
category (churn, expansion, contraction,    ``metrics.categorize`` / ``metrics.classify``,
flat, new, reactivation)                    with ``metrics.moved`` and its tolerance
customers_start, starting_mrr,              ``metrics.sums_of`` (per-unit rows) and
expansion/contraction/churn_mrr,            ``metrics.uniform_sums`` (units that move only
ending_mrr, customers_expanded/             with their currency's rate, totals path)
contracted/churned, new_mrr,
reactivation_mrr, customers_new/
reactivated, total_mrr_start/end
nrr, grr, logo_retention                    ``metrics.ratios`` via ``metrics.nrr_of``,
                                            ``grr_of``, ``logo_retention_of``
compounded nrr, grr, logo_retention         ``metrics.compounded`` (``compound.compound``)
report rows, totals (any grouping)          ``report.report_expr`` (``totals.totals_expr``
                                            for the sums without per-unit rows)
attribute at a period start                 ``attributes.attach``, ``attributes.profile``
cohort membership, customers_active, mrr    ``cohorts.cohorts_expr``
cohort nrr, logo_retention                  ``metrics.cohort_ratios``
ARR (12 x every amount of a result)         ``metrics.in_unit`` (``MONTHS_PER_YEAR``)
the units and lines behind a report row     ``drilldown.customers_expr``, ``lines_expr``
NRR band                                    ``nrr.definitions.Band.of`` (no Ibis: the
                                            CLI's --help path imports it)
==========================================  ==============================================

``sources.NO_VALUE`` stands in for a null product or attribute value and
``sources.FOREVER`` for an open end, wherever the engine joins on them.
"""

from nrr.engine.backend import Backend, connect
from nrr.engine.cohorts import CohortGrid, cohorts_expr
from nrr.engine.compound import compound
from nrr.engine.drilldown import customers_expr, lines_expr, unit_column
from nrr.engine.explain import explain
from nrr.engine.metrics import in_unit
from nrr.engine.plan import Plan
from nrr.engine.report import finish, report_expr, unit_movements
from nrr.engine.sources import Sources

__all__ = [
    "Backend",
    "CohortGrid",
    "Plan",
    "Sources",
    "cohorts_expr",
    "compound",
    "connect",
    "customers_expr",
    "explain",
    "finish",
    "in_unit",
    "lines_expr",
    "report_expr",
    "unit_column",
    "unit_movements",
]
