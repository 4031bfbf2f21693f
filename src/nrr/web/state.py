"""What one running dashboard holds: the dataset (loaded once), the store and the token.

Why a lock: the dataset is bound to one DuckDB connection, and FastAPI runs plain ``def``
routes on a thread pool. A page fires a few requests at once; serialising the engine calls
keeps the connection safe at the cost of nothing noticeable for a single-user tool.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, cast

from fastapi import Request

from nrr.api import Dataset
from nrr.store import Store


@dataclass
class WebState:
    dataset: Dataset
    store: Store
    token: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[str, Any] = field(default_factory=dict)


def state_of(request: Request) -> WebState:
    """The app's WebState (a FastAPI dependency)."""
    return cast(WebState, request.app.state.nrr)
