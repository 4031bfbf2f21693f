"""The engine: backend-portable Ibis expressions over the staging tables.

It knows the dataset layer and the definitions, never an interface.
"""

from nrr.engine.backend import Backend, connect
from nrr.engine.report import finish, report_expr, unit_movements
from nrr.engine.sources import Sources

__all__ = ["Backend", "Sources", "connect", "finish", "report_expr", "unit_movements"]
