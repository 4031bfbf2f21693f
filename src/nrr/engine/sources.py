"""The dataset's staging tables on a backend, registered once per dataset."""

from __future__ import annotations

from dataclasses import dataclass

import ibis.expr.types as ir

from nrr.dataset import StagedData
from nrr.engine.backend import Backend


@dataclass(frozen=True)
class Sources:
    backend: Backend
    lines: ir.Table
    customers: ir.Table
    fx_rates: ir.Table
    history: ir.Table

    @classmethod
    def register(cls, backend: Backend, staged: StagedData) -> Sources:
        return cls(
            backend=backend,
            lines=backend.register("lines", staged.lines),
            customers=backend.register("customers", staged.customers),
            fx_rates=backend.register("fx_rates", staged.fx_rates),
            history=backend.register("attribute_history", staged.attribute_history),
        )
