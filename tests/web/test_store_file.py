"""The store's file under a running server (issue 14, point 6).

Never inside the data folder; a full disk, a deleted or a replaced file answer 503 with the
cause and keep the connection; the server recovers, without a restart, once the file is
back; ids of deleted dashboards and widgets are never handed out again.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nrr.api import Dataset
from nrr.cli import cli
from nrr.errors import ConfigError
from nrr.store import MIGRATIONS, Store
from tests.web.helpers import TestClient, client_for, widget_body
from tests.web.live import live


# --- never inside the data folder ---------------------------------------------------------
class NoServer:
    """Stands in for uvicorn.Server: serves nothing."""

    def __init__(self, config: object) -> None:
        pass

    def run(self, sockets: object) -> None:
        pass


@pytest.mark.parametrize("where", ["x.db", "sub/x.db"])
def test_a_store_inside_the_data_folder_is_refused_at_start(
    demo_dir: Path, tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.Server", NoServer)  # were it not refused: return at once
    data = Path(shutil.copytree(demo_dir, tmp_path / "data"))
    result = CliRunner().invoke(cli, ["serve", str(data), "--store", str(data / where)])
    assert result.exit_code == 2
    assert "inside the data" in result.stderr and "validated again" in result.stderr
    assert not (data / where).exists()  # refused before anything was written

    from nrr.web.app import create_app

    with pytest.raises(ConfigError, match="inside the data"):
        create_app(data, data / where)


# --- full, deleted, replaced --------------------------------------------------------------
def test_a_full_disk_answers_503_with_the_cause_and_recovers(
    dataset: Dataset, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sqlite3.connect

    def full(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        """SQLite's own "disk full": no page beyond those the file has."""
        con = real(*args, **kwargs)
        (pages,) = con.execute("PRAGMA page_count").fetchone()
        con.execute(f"PRAGMA max_page_count = {pages}")
        return con

    with client_for(dataset, store_path) as client:
        monkeypatch.setattr(sqlite3, "connect", full)
        for n in range(300):
            answer = client.post("/api/dashboards", json={"name": f"board {n} " + "x" * 100})
            if answer.status_code != 201:
                break
        assert answer.status_code == 503, answer.text
        body = answer.json()
        assert body["ok"] is False and body["status"] == 503
        assert "dashboard store" in body["error"] and "disk is full" in body["error"]
        assert client.get("/api/dashboards").status_code == 200  # reading still works
        monkeypatch.undo()  # space freed
        assert client.post("/api/dashboards", json={"name": "after"}).status_code == 201


def _get(con: http.client.HTTPConnection, path: str) -> tuple[int, dict[str, Any]]:
    con.request("GET", path)
    response = con.getresponse()
    return response.status, json.loads(response.read())


def _get_html(con: http.client.HTTPConnection, path: str) -> int:
    con.request("GET", path)
    response = con.getresponse()
    response.read()
    return response.status


def test_a_deleted_store_answers_503_on_the_same_connection_until_it_is_back(
    dataset: Dataset, store_path: Path, tmp_path: Path
) -> None:
    from nrr.web.app import create_app

    app = create_app(dataset, store_path)
    board = app.state.nrr.store.create_dashboard("kept")
    backup = tmp_path / "backup.sqlite"
    with closing(sqlite3.connect(store_path)) as src, closing(sqlite3.connect(backup)) as dst:
        src.backup(dst)
    with live(app) as (host, port):
        con = http.client.HTTPConnection(host, port, timeout=30)
        assert _get(con, "/api/dashboards")[0] == 200
        sock = con.sock
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store_path}{suffix}").unlink(missing_ok=True)
        status, body = _get(con, f"/api/dashboards/{board.id}")
        assert status == 503 and "missing" in body["error"], body
        assert _get_html(con, f"/dashboards/{board.id}") == 503  # a page: the HTML error
        assert not store_path.exists()  # not silently re-created empty
        shutil.copy(backup, store_path)
        status, body = _get(con, f"/api/dashboards/{board.id}")
        assert status == 200 and body["dashboard"]["name"] == "kept"
        assert con.sock is sock  # one keep-alive connection throughout
        con.close()


def test_a_replaced_store_is_used_once_it_is_a_store_again(
    client: TestClient, store_path: Path, tmp_path: Path
) -> None:
    created = client.post("/api/dashboards", json={"name": "kept"}).json()["dashboard"]
    good = tmp_path / "good.sqlite"
    with closing(sqlite3.connect(store_path)) as src, closing(sqlite3.connect(good)) as dst:
        src.backup(dst)
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"this is not a database, " * 512)
    os.replace(garbage, store_path)
    broken = client.get("/api/dashboards")
    assert broken.status_code == 503 and "not a database" in broken.json()["error"]
    assert client.post("/api/dashboards", json={"name": "x"}).status_code == 503
    os.replace(good, store_path)  # a backup put back: a new file, checked, then used
    names = [d["name"] for d in client.get("/api/dashboards").json()["dashboards"]]
    assert names == [created["name"]]


# --- ids -----------------------------------------------------------------------------------
def test_deleted_ids_are_never_handed_out_again(store_path: Path) -> None:
    store = Store(store_path)
    first = store.create_dashboard("first", [("a", {}), ("b", {})])
    second = store.create_dashboard("second", [("c", {})])
    store.delete_dashboard(second.id)
    store.delete_widget(first.widgets[1].id)
    third = store.create_dashboard("third", [("d", {})])
    assert third.id > second.id
    assert third.widgets[0].id > second.widgets[0].id
    widget = store.add_widget(first.id, "e", {})
    assert widget.id > third.widgets[0].id


@pytest.fixture
def old_store(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A store written before the ids migration, with dashboards and widgets."""
    monkeypatch.setattr("nrr.store.MIGRATIONS", MIGRATIONS[:2])
    store = Store(store_path)
    store.create_dashboard("one", [("w1", {"metric": "nrr"}), ("w2", {"metric": "mrr"})])
    gone = store.create_dashboard("gone", [("w3", {})])
    store.create_dashboard("three", [("w4", {})])
    store.delete_dashboard(gone.id)
    monkeypatch.undo()
    yield store_path


def test_the_ids_migration_keeps_every_row_and_key(old_store: Path) -> None:
    with closing(sqlite3.connect(old_store)) as con:
        before = con.execute("SELECT * FROM widgets ORDER BY id").fetchall()
        boards = con.execute("SELECT * FROM dashboards ORDER BY id").fetchall()
    store = Store(old_store)
    assert store.applied_migrations()[-1] == "0003_ids_never_reused"
    with closing(sqlite3.connect(old_store)) as con:
        assert con.execute("SELECT * FROM widgets ORDER BY id").fetchall() == before
        assert con.execute("SELECT * FROM dashboards ORDER BY id").fetchall() == boards
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    newest = store.create_dashboard("new", [("w5", {})])
    assert newest.id > max(row[0] for row in boards)
    one = store.dashboards()[0]
    store.delete_dashboard(one.id)  # the foreign key still cascades
    with closing(sqlite3.connect(old_store)) as con:
        left = con.execute("SELECT count(*) FROM widgets WHERE dashboard_id = ?", (one.id,))
        assert left.fetchone() == (0,)
    assert Store(old_store).create_dashboard("later").id > newest.id


def test_a_shared_link_to_a_deleted_dashboard_stays_dead(client: TestClient) -> None:
    board = client.post("/api/dashboards", json={"name": "old"}).json()["dashboard"]
    client.post(f"/api/dashboards/{board['id']}/widgets", json=widget_body())
    assert client.delete(f"/api/dashboards/{board['id']}").status_code == 200
    newer = client.post("/api/dashboards", json={"name": "newer"}).json()["dashboard"]
    assert newer["id"] != board["id"]
    assert client.get(f"/api/dashboards/{board['id']}").status_code == 404
