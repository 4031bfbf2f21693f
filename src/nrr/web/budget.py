"""The engine lock, held by one request at a time and for at most its time budget.

Why a lock at all: the dataset is bound to one DuckDB connection, and FastAPI runs plain
``def`` routes on a thread pool, so engine queries take turns.

Why a budget: without one, a single query over a huge range held every other request for
minutes. A request that needs the engine now has ``budget`` seconds from the moment it asks,
waiting and running together, so every answer comes within about that time:

* still waiting when the budget is spent: ``EngineBusyError`` (503), nothing ran;
* still running: the query is interrupted (``Backend.interrupt``), ``QueryTimeoutError``
  (503), and the connection takes the next query as usual.

Only uncached engine work takes this lock: pages, ``/api/attributes`` and kept answers are
served from what was computed when the data was loaded, or from the answer cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

from nrr.web.errors import EngineBusyError, QueryTimeoutError

DEFAULT_QUERY_TIMEOUT = 30.0  # seconds; `nrr serve --query-timeout`
INTERRUPT_EVERY = 0.05  # seconds between interrupts once the budget is spent


class Watchdog:
    """Interrupts the engine from ``deadline`` on, until stopped.

    Why again and again: a request may run several queries in a row, and an interrupt that
    lands between two of them is forgotten when the next starts. Why a mutex: once
    ``stop`` returns, no interrupt can reach the next holder's query.
    """

    def __init__(self, interrupt: Callable[[], bool], deadline: float) -> None:
        self.fired = False
        self._interrupt = interrupt
        self._deadline = deadline
        self._stopped = False
        self._done = threading.Event()
        self._mutex = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="nrr-query-budget", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        if self._done.wait(max(0.0, self._deadline - time.monotonic())):
            return
        while True:
            with self._mutex:
                if self._stopped or not self._interrupt():
                    return  # stopped, or an engine that cannot be interrupted (Spark)
                self.fired = True
            if self._done.wait(INTERRUPT_EVERY):
                return

    def stop(self) -> None:
        with self._mutex:
            self._stopped = True
        self._done.set()


class EngineLock:
    """``with lock:`` holds the engine within the budget (see the module's docstring).

    ``interrupt`` cancels whatever the engine runs and says whether it could; ``budget``
    may be changed while the server runs (it applies from the next request).
    """

    def __init__(
        self, interrupt: Callable[[], bool], budget: float = DEFAULT_QUERY_TIMEOUT
    ) -> None:
        self.interrupt = interrupt
        self.budget = budget
        self._lock = threading.Lock()
        self._watchdog: Watchdog | None = None  # the holder's; set and cleared while held
        self._budget = budget  # the holder's

    def __enter__(self) -> None:
        budget = self.budget
        deadline = time.monotonic() + budget
        if not self._lock.acquire(timeout=budget):
            raise EngineBusyError(budget)
        self._watchdog = Watchdog(self.interrupt, deadline)
        self._budget = budget

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        watchdog, budget = self._watchdog, self._budget
        self._watchdog = None
        try:
            if watchdog is not None:
                watchdog.stop()
        finally:
            self._lock.release()
        if isinstance(error, Exception) and watchdog is not None and watchdog.fired:
            raise QueryTimeoutError(budget) from None  # whatever the interrupt surfaced as

    def exclusive(self) -> threading.Lock:
        """The bare lock, without budget: for swapping in freshly loaded data, which must
        wait for the running query rather than give up."""
        return self._lock
