"""A slow query never blocks the others (issue 14, point 2).

Pages, ``/api/attributes`` and kept answers never wait for the engine; an engine query has a
time budget (waiting and running), past which it is cancelled with a 503 and the engine
takes the next query as usual. "Slow" is a real DuckDB query that would run for minutes,
run on the dataset's own connection in place of the report, or a report that holds the
engine until the test lets it go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nrr.api import Dataset
from nrr.engine.backend import Backend, connect
from nrr.web import queries
from nrr.web.budget import EngineLock
from nrr.web.errors import QueryTimeoutError
from tests.web.helpers import TestClient

ENDLESS = "SELECT max(hash(range || 'x')) AS h FROM range(100000000000)"  # minutes of work


def app_client(dataset: Dataset, tmp_path: Path, budget: float) -> TestClient:
    from nrr.web.app import create_app

    return TestClient(create_app(dataset, tmp_path / "s.sqlite", query_timeout=budget))


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The monthly report holds the engine until ``release`` is set (at most 20 s)."""
    started, release = threading.Event(), threading.Event()
    real = queries.report_payload

    def holding(ds: Dataset, query: Any) -> dict[str, Any]:
        if query.period.value == "month":
            started.set()
            release.wait(20)
        return real(ds, query)

    monkeypatch.setattr(queries, "report_payload", holding)
    yield started, release
    release.set()


def in_background(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    return thread, out


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_a_query_past_its_budget_is_cancelled_and_the_engine_takes_the_next(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = queries.report_payload

    def endless(ds: Dataset, query: Any) -> dict[str, Any]:
        if query.period.value == "year":
            ds.backend.execute(ds.backend.con.sql(ENDLESS))
        return real(ds, query)

    monkeypatch.setattr(queries, "report_payload", endless)
    with app_client(dataset, tmp_path, budget=4.0) as client:
        slow, seconds = timed(lambda: client.get("/api/report", params={"period": "year"}))
        assert slow.status_code == 503, slow.text
        body = slow.json()
        assert body["ok"] is False and body["status"] == 503
        assert "ran past its 4 s budget and was cancelled" in body["error"]
        assert seconds < 20  # cancelled, not run to its end
        nxt = client.get("/api/report", params={"period": "quarter"})
        assert nxt.status_code == 200, nxt.text
        assert nxt.json()["rows"]  # the engine is usable again


def test_pages_attributes_and_kept_answers_never_wait_for_the_engine(
    dataset: Dataset, tmp_path: Path, held: tuple[threading.Event, threading.Event]
) -> None:
    started, release = held
    with app_client(dataset, tmp_path, budget=30.0) as client:
        kept = client.get("/api/report", params={"period": "quarter"})
        assert kept.status_code == 200
        worker, answers = in_background(lambda: client.get("/api/report?period=month"))
        assert started.wait(20), "the slow report did not start"
        for path in ["/api/attributes", "/", "/segments", "/signals", "/dashboards"]:
            response, seconds = timed(lambda path=path: client.get(path))  # type: ignore[misc]
            assert response.status_code == 200, path
            assert seconds < 3, f"{path} waited {seconds:.1f} s for the engine"
        again, seconds = timed(lambda: client.get("/api/report", params={"period": "quarter"}))
        assert again.content == kept.content and seconds < 3  # the kept answer
        release.set()
        worker.join(30)
        assert answers[0].status_code == 200  # the slow one finishes as usual


def test_a_request_waiting_past_its_budget_gets_503_without_running(
    dataset: Dataset, tmp_path: Path, held: tuple[threading.Event, threading.Event]
) -> None:
    started, release = held
    with app_client(
        dataset, tmp_path, budget=3.0
    ) as client:  # the last query runs within it, under load too
        worker, _ = in_background(lambda: client.get("/api/report?period=month"))
        assert started.wait(20)
        busy, seconds = timed(lambda: client.get("/api/cohorts", params={"grain": "quarter"}))
        assert busy.status_code == 503 and "busy with other queries" in busy.json()["error"]
        assert seconds < 10
        release.set()
        worker.join(30)
        assert client.get("/api/cohorts", params={"grain": "quarter"}).status_code == 200


def test_the_engine_can_be_interrupted_from_another_thread() -> None:
    backend = connect("duckdb")
    timer = threading.Timer(0.3, backend.interrupt)
    timer.start()
    with pytest.raises(Exception, match=r"(?i)interrupt"):
        backend.execute(backend.con.sql(ENDLESS))
    timer.join()
    table = backend.execute(backend.con.sql("SELECT 42 AS answer"))
    assert table.column("answer").to_pylist() == [42]
    assert Backend("spark", con=None).interrupt() is False  # Spark queries run to their end


def test_the_budget_interrupts_only_its_own_holder() -> None:
    calls: list[float] = []
    lock = EngineLock(lambda: calls.append(time.monotonic()) is None, budget=0.2)
    with lock:
        pass  # within budget: never interrupted
    time.sleep(0.4)
    assert calls == []
    with pytest.raises(QueryTimeoutError), lock:
        time.sleep(0.5)  # past the budget: interrupted until it stops
        raise RuntimeError("what the engine raises when interrupted")
    count = len(calls)
    assert count >= 1
    time.sleep(0.3)
    assert len(calls) == count  # nothing reaches the next holder
    with lock:
        time.sleep(0.3)  # overran, but finished without an error: its answer stands
