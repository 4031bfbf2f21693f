"""What one running dashboard holds: the dataset, the store, the token and kept answers.

Why two kinds of answers: what every page needs (attributes, currencies, the data's range,
the signal names) is computed when the data is loaded and never touches the engine again,
so a page or ``/api/attributes`` answers at once even while a long query runs. Everything
else is an engine query: it takes the engine lock, within its time budget
(``nrr.web.budget``), and its answer is kept (``answered``).

Why ``refresh`` on every request: the files may change while the server runs (a nightly
export). Before each request the dataset's fingerprint is compared with the one it was
loaded under; on a change the data is validated and loaded again (outside the engine lock:
the running query goes on), swapped in once the running query is done, and every kept
answer is dropped, so no figure outlives the data it came from (``nrr.web.cache``).
Requests that arrive meanwhile wait for the new data rather than show the old.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, cast

from fastapi import Request

from nrr.api import Dataset, load
from nrr.errors import InputError, NrrError
from nrr.insights.health import signal_names
from nrr.store import Store
from nrr.web.budget import DEFAULT_QUERY_TIMEOUT, EngineLock
from nrr.web.cache import Answer, AnswerCache, fingerprint
from nrr.web.errors import DataUnavailableError
from nrr.web.queries import attributes_payload


@dataclass(frozen=True)
class Described:
    """What the pages embed, taken from the loaded data without running a query."""

    meta: dict[str, Any]
    signal_names: tuple[str, ...]

    @classmethod
    def of(cls, dataset: Dataset) -> Described:
        names = signal_names(dataset.staged.signals)
        return cls(attributes_payload(dataset), tuple(names))


@dataclass
class WebState:
    dataset: Dataset
    store: Store
    token: str | None = None
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    answers: AnswerCache = field(default_factory=AnswerCache)
    fingerprint: str = ""
    failure: DataUnavailableError | None = None
    lock: EngineLock = field(init=False)
    described: Described = field(init=False)
    _reloading: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        # The holder of the lock runs on the current dataset: it cannot be swapped meanwhile.
        self.lock = EngineLock(lambda: self.dataset.backend.interrupt(), self.query_timeout)
        self.described = Described.of(self.dataset)
        if not self.fingerprint:
            self.fingerprint = fingerprint(self.dataset.staged.source)

    @property
    def meta(self) -> dict[str, Any]:
        """``/api/attributes``' answer, which every page embeds (a copy: callers may add)."""
        return dict(self.described.meta)

    def refresh(self) -> None:
        """Reload the dataset if its files changed; raise while the new files are invalid."""
        current = fingerprint(self.dataset.staged.source)
        if current != self.fingerprint:
            with self._reloading:
                if current != self.fingerprint:
                    self._reload(current)
        if self.failure is not None:
            raise self.failure

    def answered(self, key: tuple[Hashable, ...], compute: Callable[[], Answer]) -> Answer:
        """The kept answer to ``key`` for the current data, else ``compute()`` it once.

        A kept answer never waits for the engine. Concurrent identical requests wait on the
        lock and then find the first one's answer, so a burst of viewers costs one engine
        query. ``compute`` runs under the lock, within the budget.
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
        dataset, described, failure = self.dataset, self.described, None
        try:
            dataset = load(source, mapping=self.dataset.staged.mapping)
            described = Described.of(dataset)
        except InputError as exc:
            problems = [issue.render() for issue in exc.issues.errors]
            failure = DataUnavailableError(str(source), problems)
        except NrrError as exc:  # the folder is gone, or holds a table twice
            failure = DataUnavailableError(str(source), [], f"cannot be read: {exc}")
        with self.lock.exclusive():
            self.dataset, self.described, self.failure = dataset, described, failure
            self.fingerprint = current  # taken before loading: a change during the load reloads
            self.answers.clear()


def state_of(request: Request) -> WebState:
    """The app's WebState, current with the data's files (a FastAPI dependency)."""
    state = cast(WebState, request.app.state.nrr)
    state.refresh()
    return state
