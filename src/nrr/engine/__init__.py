"""The engine: backend-portable Ibis expressions over the staging tables.

It knows the dataset layer and the definitions, never an interface.
"""

from nrr.engine.backend import Backend, connect
from nrr.engine.cohorts import CohortGrid, cohorts_expr
from nrr.engine.compound import compound
from nrr.engine.drilldown import customers_expr, lines_expr, unit_column
from nrr.engine.explain import explain
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
    "lines_expr",
    "report_expr",
    "unit_column",
    "unit_movements",
]
