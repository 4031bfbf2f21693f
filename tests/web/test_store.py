"""The app-state store: named append-only migrations, transactions, restart persistence."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nrr.errors import ConfigError
from nrr.store import MIGRATIONS, Migration, NotFoundError, Store

SPEC = {"metric": "nrr", "chart": "bar", "group_by": "csm"}


def test_migrations_are_named_recorded_and_run_once(store_path: Path) -> None:
    store = Store(store_path)
    names = [m.name for m in MIGRATIONS]
    assert names == sorted(names), "migrations are applied in name order: keep them numbered"
    assert len(set(names)) == len(names)
    assert store.applied_migrations() == names
    assert store.migrate() == []  # a second start applies nothing
    assert Store(store_path).applied_migrations() == names


def test_new_migration_applies_to_an_existing_file(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(store_path).create_dashboard("kept")
    extra = Migration("0999_add_note", ("ALTER TABLE dashboards ADD COLUMN note TEXT",))
    monkeypatch.setattr("nrr.store.MIGRATIONS", (*MIGRATIONS, extra))
    store = Store(store_path)
    assert store.applied_migrations()[-1] == "0999_add_note"
    assert [d.name for d in store.dashboards()] == ["kept"]


def test_failed_migration_leaves_no_trace(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(store_path)
    broken = Migration("0998_broken", ("CREATE TABLE half (x)", "THIS IS NOT SQL"))
    monkeypatch.setattr("nrr.store.MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(ConfigError, match="cannot use"):
        Store(store_path)
    with sqlite3.connect(store_path) as con:
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    assert "half" not in tables


def test_file_from_a_newer_nrr_is_refused(store_path: Path) -> None:
    Store(store_path)
    con = sqlite3.connect(store_path)
    with con:
        con.execute("INSERT INTO nrr_migrations VALUES ('9999_future', '2030-01-01')")
    con.close()
    with pytest.raises(ConfigError, match="newer nrr"):
        Store(store_path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not SQLite" * 100)
    with pytest.raises(ConfigError, match=r"cannot use .* as the dashboard store"):
        Store(path)


def test_everything_survives_a_restart(store_path: Path) -> None:
    store = Store(store_path)
    board = store.create_dashboard("Monday review")
    first = store.add_widget(board.id, "NRR per CSM", SPEC)
    second = store.add_widget(board.id, "GRR", {**SPEC, "metric": "grr"})
    store.reorder_widgets(board.id, [second.id, first.id])
    store.rename_dashboard(board.id, "CS Monday review")

    again = Store(store_path).dashboard(board.id)
    assert again.name == "CS Monday review"
    assert [w.title for w in again.widgets] == ["GRR", "NRR per CSM"]
    assert again.widgets[1].spec == SPEC
    assert Store(store_path).dashboard_by_slug(board.slug).id == board.id


def test_reorder_is_all_or_nothing(store_path: Path) -> None:
    store = Store(store_path)
    board = store.create_dashboard("b")
    ids = [store.add_widget(board.id, f"w{i}", SPEC).id for i in range(3)]
    with pytest.raises(ConfigError, match="each of the dashboard's widgets once"):
        store.reorder_widgets(board.id, [ids[2], ids[1]])
    with pytest.raises(ConfigError):
        store.reorder_widgets(board.id, [ids[0], ids[0], ids[1]])
    assert [w.id for w in store.dashboard(board.id).widgets] == ids


def test_import_with_widgets_is_one_transaction(store_path: Path) -> None:
    store = Store(store_path)
    with pytest.raises(TypeError):
        store.create_dashboard("half", [("ok", SPEC), ("bad", {"not": object()})])
    assert store.dashboards() == []


def test_values_are_parameters_never_sql(store_path: Path) -> None:
    store = Store(store_path)
    name = "x'); DROP TABLE widgets; --"
    board = store.create_dashboard(name)
    store.add_widget(board.id, name, SPEC)
    assert store.dashboard(board.id).name == name
    assert store.dashboard(board.id).widgets[0].title == name


def test_missing_things_raise_not_found(store_path: Path) -> None:
    store = Store(store_path)
    for call in (
        lambda: store.dashboard(42),
        lambda: store.dashboard_by_slug("nope"),
        lambda: store.widget(7),
        lambda: store.rename_dashboard(42, "x"),
        lambda: store.delete_dashboard(42),
        lambda: store.add_widget(42, "t", SPEC),
        lambda: store.update_widget(7, "t"),
        lambda: store.delete_widget(7),
        lambda: store.reorder_widgets(42, []),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_deleting_a_dashboard_deletes_its_widgets(store_path: Path) -> None:
    store = Store(store_path)
    board = store.create_dashboard("b")
    widget = store.add_widget(board.id, "w", SPEC)
    store.delete_dashboard(board.id)
    with pytest.raises(NotFoundError):
        store.widget(widget.id)


def test_update_and_delete_widget(store_path: Path) -> None:
    store = Store(store_path)
    board = store.create_dashboard("b")
    widget = store.add_widget(board.id, "w", SPEC)
    changed = store.update_widget(widget.id, spec={**SPEC, "chart": "line"})
    assert changed.title == "w" and changed.spec["chart"] == "line"
    assert store.update_widget(widget.id, title="renamed").spec["chart"] == "line"
    store.delete_widget(widget.id)
    assert store.dashboard(board.id).widgets == ()
