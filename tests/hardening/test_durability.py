"""No lost work: every acknowledged dashboard write survives a SIGKILL, and two servers can
share one store without corrupting it.

The servers are real ``nrr serve`` processes on free loopback ports; the writers are a few
threads, each bounded in requests and time. "Acknowledged" means the client received the
201/200 answer: such a write must be in the store after a restart. Writes in flight when
the process died may or may not be there, but the store must pass SQLite's integrity and
foreign-key checks either way.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest

from nrr.store import Store, StoreUnavailableError
from tests.e2e.server import Server
from tests.web.helpers import widget_body

WRITERS = 6
MAX_WRITES = 400  # per writer
MAX_SECONDS = 30.0


@contextmanager
def serving(data: Path, store: Path, log: Path) -> Iterator[Server]:
    with Server(data, store, log) as server:
        yield server


class Burst:
    """Writer threads creating dashboards (each with a widget) until stopped or bounded."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.acked: dict[str, int] = {}  # dashboard name -> the widget id acknowledged
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._write, args=(n,)) for n in range(WRITERS)]

    def _write(self, n: int) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        url = self.urls[n % len(self.urls)]
        with httpx.Client(base_url=url, timeout=10) as client:
            for i in range(MAX_WRITES):
                if self.stop.is_set() or time.monotonic() > deadline:
                    return
                name = f"writer{n}-{i}"
                try:
                    board = client.post("/api/dashboards", json={"name": name})
                    board.raise_for_status()
                    board_id = board.json()["dashboard"]["id"]
                    widget = client.post(
                        f"/api/dashboards/{board_id}/widgets", json=widget_body(name)
                    )
                    widget.raise_for_status()
                except httpx.HTTPError:
                    return  # the server is gone: nothing after this was acknowledged
                with self.lock:
                    self.acked[name] = widget.json()["widget"]["id"]

    def __enter__(self) -> Burst:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=MAX_SECONDS + 15)
        assert not any(t.is_alive() for t in self.threads), "a writer did not stop"

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        while len(self.acked) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.acked) >= count, f"only {len(self.acked)} writes were acknowledged"


def stored(url: str) -> dict[str, list[int]]:
    with httpx.Client(base_url=url, timeout=30) as client:
        boards = client.get("/api/dashboards").json()["dashboards"]
    return {b["name"]: [w["id"] for w in b["widgets"]] for b in boards}


def assert_sound(store: Path) -> None:
    with closing(sqlite3.connect(store)) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []


def test_acknowledged_writes_survive_sigkill(demo_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "dashboards.sqlite"
    with serving(demo_dir, store, tmp_path / "first.log") as server:
        assert server.process is not None
        with Burst([server.url]) as burst:
            burst.wait_for(40)
            os.kill(server.process.pid, signal.SIGKILL)  # mid-burst: writers are still going
            server.process.wait(timeout=30)
        assert server.process.returncode == -signal.SIGKILL
    acked = dict(burst.acked)
    assert_sound(store)
    with serving(demo_dir, store, tmp_path / "second.log") as server:
        after = stored(server.url)
        missing = [name for name, widget in acked.items() if widget not in after.get(name, [])]
        assert missing == [], f"{len(missing)} acknowledged writes lost: {missing[:5]}"
        with httpx.Client(base_url=server.url, timeout=30) as client:  # and it still works
            assert client.post("/api/dashboards", json={"name": "after"}).status_code == 201


def test_two_servers_share_one_store(demo_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "shared.sqlite"
    with (
        serving(demo_dir, store, tmp_path / "a.log") as a,
        serving(demo_dir, store, tmp_path / "b.log") as b,
    ):
        with Burst([a.url, b.url]) as burst:
            burst.wait_for(60)
        seen_by_a, seen_by_b = stored(a.url), stored(b.url)
        assert seen_by_a == seen_by_b
        for name, widget in burst.acked.items():
            assert widget in seen_by_a[name], name
        with httpx.Client(base_url=b.url, timeout=30) as client:  # B edits what A made
            board_id = next(iter(client.get("/api/dashboards").json()["dashboards"]))["id"]
            renamed = client.patch(f"/api/dashboards/{board_id}", json={"name": "by b"})
            assert renamed.status_code == 200
        assert "by b" in stored(a.url)
    assert_sound(store)
    with closing(sqlite3.connect(store)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_import_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "s.sqlite")
    store.create_dashboard("kept", [("w", {"metric": "nrr"})])
    real = __import__("nrr.store", fromlist=["_insert_widget"])._insert_widget
    calls = {"n": 0}

    def fail_on_third(*args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return int(real(*args, **kwargs))

    monkeypatch.setattr("nrr.store._insert_widget", fail_on_third)
    widgets = [(f"w{i}", {"metric": "nrr"}) for i in range(5)]
    with pytest.raises(StoreUnavailableError, match="disk I/O error"):  # issue 14: named
        store.create_dashboard("half", widgets)
    assert [d.name for d in store.dashboards()] == ["kept"]
    assert_sound(store.path)


def test_a_busy_store_waits_rather_than_failing(tmp_path: Path) -> None:
    """A write while another process holds the write lock waits for it (busy timeout)."""
    store = Store(tmp_path / "s.sqlite")
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, lambda: blocker.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        store.create_dashboard("waited")
        assert time.monotonic() - started >= 0.9
    finally:
        release.join()
        blocker.close()
    assert [d.name for d in store.dashboards()] == ["waited"]
