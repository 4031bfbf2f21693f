"""What one running dashboard holds: the dataset, the store, the token and kept answers.

Why a lock: the dataset is bound to one DuckDB connection, and FastAPI runs plain ``def``
routes on a thread pool. A page fires a few requests at once; serialising the engine calls
keeps the connection safe at the cost of nothing noticeable for a single-user tool.

Why ``refresh`` on every request: the files may change while the server runs (a nightly
export). Before each request the dataset's fingerprint is compared with the one it was
loaded under; on a change the data is validated and loaded again and every kept answer is
dropped, so no figure outlives the data it came from (``nrr.web.cache``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, cast

from fastapi import Request

from nrr.api import Dataset, load
from nrr.errors import InputError, NrrError
from nrr.store import Store
from nrr.web.cache import Answer, AnswerCache, fingerprint
from nrr.web.errors import DataUnavailableError


@dataclass
class WebState:
    dataset: Dataset
    store: Store
    token: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[str, Any] = field(default_factory=dict)
    answers: AnswerCache = field(default_factory=AnswerCache)
    fingerprint: str = ""
    failure: DataUnavailableError | None = None

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = fingerprint(self.dataset.staged.source)

    def refresh(self) -> None:
        """Reload the dataset if its files changed; raise while the new files are invalid."""
        source = self.dataset.staged.source
        current = fingerprint(source)
        if current != self.fingerprint:
            with self.lock:
                if current != self.fingerprint:
                    self._reload(current)
        if self.failure is not None:
            raise self.failure

    def answered(self, key: tuple[Hashable, ...], compute: Callable[[], Answer]) -> Answer:
        """The kept answer to ``key`` for the current data, else ``compute()`` it once.

        Concurrent identical requests wait on the lock and then find the first one's answer,
        so a burst of viewers costs one engine query. ``compute`` runs under the lock.
        """
        found = self.answers.get((self.fingerprint, *key))
        if found is not None:
            return found
        with self.lock:
            full = (self.fingerprint, *key)  # the data cannot be swapped while the lock is held
            found = self.answers.peek(full)
            if found is None:
                found = compute()
                self.answers.put(full, found)
            return found

    def _reload(self, current: str) -> None:
        source = self.dataset.staged.source
        try:
            self.dataset = load(source)
            self.failure = None
        except InputError as exc:
            problems = [issue.render() for issue in exc.issues.errors]
            self.failure = DataUnavailableError(str(source), problems)
        except NrrError as exc:  # the folder is gone, or holds a table twice
            self.failure = DataUnavailableError(str(source), [], f"cannot be read: {exc}")
        self.fingerprint = current  # taken before loading: a change during the load reloads
        self.cache.clear()
        self.answers.clear()


def state_of(request: Request) -> WebState:
    """The app's WebState, current with the data's files (a FastAPI dependency)."""
    state = cast(WebState, request.app.state.nrr)
    state.refresh()
    return state
