"""App state of the web dashboard: dashboards and their widgets, in one SQLite file.

Why SQLite through the stdlib: the dashboard runs on the user's machine with no services to
set up, and a single file survives restarts and can be backed up by copying it.

Why it is shaped this way:

* **Named, append-only migrations.** ``MIGRATIONS`` only ever grows; each entry runs once, in
  its own transaction together with the row that records it, so a crash never leaves a
  half-migrated file. A file holding a migration this code does not know was written by a
  newer nrr: it is refused rather than silently misread.
* **Transactional writes.** Every write runs inside ``BEGIN IMMEDIATE ... COMMIT`` (rolled
  back on any error), so moving widgets or importing a dashboard is all-or-nothing.
* **Values never become SQL text.** Every statement is a constant; request values travel as
  ``?`` parameters only.
* **A connection per operation.** The web server calls the store from worker threads;
  short-lived connections are cheap for SQLite and need no locking of our own. It also means
  a running server follows the file: a failing operation (disk full, the file deleted or
  replaced by something else) raises ``StoreUnavailableError`` with SQLite's cause and
  nothing is half-written; the next operation tries again, so the server recovers without a
  restart once the file is back. A deleted file is not re-created behind the user's back
  (that would show an empty store as if every dashboard had been deleted): only a start
  creates one. A file replaced by another store (a backup put back) has its migrations
  checked and applied before its first use.
* **Ids are never reused.** Dashboards and widgets take ``AUTOINCREMENT`` ids, so a link to
  a deleted dashboard answers 404 rather than show a newer one.
* **Several processes, one file.** The file is in WAL mode with a busy timeout, so two
  ``nrr serve`` processes (or a server and a script) can share a store: readers never wait,
  writers take turns, and ``synchronous = FULL`` makes every acknowledged write survive a
  crash of the process or the machine.
* Widget specs are stored as JSON text. The store does not interpret them: the web layer
  validates a spec (pydantic) before it gets here, so the store stays independent of it.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nrr.errors import ConfigError
from nrr.store_file import NotFoundError, StoreFile, StoreUnavailableError
from nrr.store_schema import LEDGER, MIGRATIONS, Dashboard, Migration, Widget

__all__ = [
    "MIGRATIONS",
    "Dashboard",
    "Migration",
    "NotFoundError",
    "Store",
    "StoreUnavailableError",
    "Widget",
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store(StoreFile):
    """Dashboards and widgets persisted in the SQLite file at ``path``."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot use {self.path} as the dashboard store: {exc}") from None
        self._identity = self._file_identity()

    def migrate(self) -> list[str]:
        """Apply the migrations this file lacks, each atomically; return their names."""
        with self._connect(create=True) as con:
            con.execute("PRAGMA journal_mode = WAL")  # recorded in the file: once is enough
            con.execute(LEDGER)
        applied = self._applied(create=True)
        known = [migration.name for migration in MIGRATIONS]
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise ConfigError(
                f"{self.path} was written by a newer nrr (unknown migration {unknown[0]}); "
                "upgrade nrr or pass another --store"
            )
        return [m.name for m in MIGRATIONS if m.name not in applied and self._apply(m)]

    def _apply(self, migration: Migration) -> bool:
        """Run one migration with its ledger row; False when another process just did."""
        with self._transaction(create=True) as con:
            done = con.execute(
                "SELECT 1 FROM nrr_migrations WHERE name = ?", (migration.name,)
            ).fetchone()
            if done:
                return False
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO nrr_migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, _now()),
            )
        return True

    def applied_migrations(self) -> list[str]:
        return self._applied()

    def _applied(self, create: bool = False) -> list[str]:
        with self._connect(create) as con:
            rows = con.execute("SELECT name FROM nrr_migrations ORDER BY name").fetchall()
        return [str(row["name"]) for row in rows]

    # --- reads ---------------------------------------------------------------------------
    def dashboards(self) -> list[Dashboard]:
        with self._connect() as con:
            rows = con.execute("SELECT * FROM dashboards ORDER BY lower(name), id").fetchall()
            return [self._dashboard(con, row) for row in rows]

    def dashboard(self, dashboard_id: int) -> Dashboard:
        with self._connect() as con:
            row = con.execute("SELECT * FROM dashboards WHERE id = ?", (dashboard_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no dashboard with id {dashboard_id}")
            return self._dashboard(con, row)

    def dashboard_by_slug(self, slug: str) -> Dashboard:
        with self._connect() as con:
            row = con.execute("SELECT * FROM dashboards WHERE slug = ?", (slug,)).fetchone()
            if row is None:
                raise NotFoundError("no dashboard is shared at this address")
            return self._dashboard(con, row)

    def widget(self, widget_id: int) -> Widget:
        with self._connect() as con:
            return _widget_row(con, widget_id)

    @staticmethod
    def _dashboard(con: sqlite3.Connection, row: sqlite3.Row) -> Dashboard:
        widgets = con.execute(
            "SELECT * FROM widgets WHERE dashboard_id = ? ORDER BY position, id", (row["id"],)
        ).fetchall()
        return Dashboard(
            id=row["id"],
            name=row["name"],
            slug=row["slug"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            widgets=tuple(_widget(w) for w in widgets),
        )

    # --- writes --------------------------------------------------------------------------
    def create_dashboard(
        self, name: str, widgets: Sequence[tuple[str, dict[str, Any]]] = ()
    ) -> Dashboard:
        """A new dashboard, with ``widgets`` (title, spec) in order (used by import)."""
        now = _now()
        with self._transaction() as con:
            cursor = con.execute(
                "INSERT INTO dashboards (name, slug, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (name, secrets.token_urlsafe(9), now, now),
            )
            dashboard_id = int(cursor.lastrowid or 0)
            for position, (title, spec) in enumerate(widgets):
                _insert_widget(con, dashboard_id, position, title, spec, now)
        return self.dashboard(dashboard_id)

    def rename_dashboard(self, dashboard_id: int, name: str) -> Dashboard:
        with self._transaction() as con:
            _touch(con, dashboard_id, name)
        return self.dashboard(dashboard_id)

    def delete_dashboard(self, dashboard_id: int) -> None:
        with self._transaction() as con:
            cursor = con.execute("DELETE FROM dashboards WHERE id = ?", (dashboard_id,))
            if cursor.rowcount == 0:
                raise NotFoundError(f"no dashboard with id {dashboard_id}")

    def add_widget(self, dashboard_id: int, title: str, spec: dict[str, Any]) -> Widget:
        now = _now()
        with self._transaction() as con:
            _touch(con, dashboard_id)
            (last,) = con.execute(
                "SELECT coalesce(max(position), -1) FROM widgets WHERE dashboard_id = ?",
                (dashboard_id,),
            ).fetchone()
            widget_id = _insert_widget(con, dashboard_id, int(last) + 1, title, spec, now)
            return _widget_row(con, widget_id)

    def update_widget(
        self, widget_id: int, title: str | None = None, spec: dict[str, Any] | None = None
    ) -> Widget:
        with self._transaction() as con:
            current = _widget_row(con, widget_id)
            con.execute(
                "UPDATE widgets SET title = ?, spec = ?, updated_at = ? WHERE id = ?",
                (
                    current.title if title is None else title,
                    json.dumps(current.spec if spec is None else spec, sort_keys=True),
                    _now(),
                    widget_id,
                ),
            )
            _touch(con, current.dashboard_id)
            return _widget_row(con, widget_id)

    def delete_widget(self, widget_id: int) -> None:
        with self._transaction() as con:
            current = _widget_row(con, widget_id)
            con.execute("DELETE FROM widgets WHERE id = ?", (widget_id,))
            _touch(con, current.dashboard_id)

    def reorder_widgets(self, dashboard_id: int, widget_ids: Sequence[int]) -> Dashboard:
        """Put the dashboard's widgets in the order given; the ids must be exactly its own."""
        with self._transaction() as con:
            _touch(con, dashboard_id)
            rows = con.execute(
                "SELECT id FROM widgets WHERE dashboard_id = ?", (dashboard_id,)
            ).fetchall()
            held = sorted(int(row["id"]) for row in rows)
            if sorted(widget_ids) != held or len(set(widget_ids)) != len(widget_ids):
                raise ConfigError(
                    f"the new order must list each of the dashboard's widgets once: {held}"
                )
            for position, widget_id in enumerate(widget_ids):
                con.execute("UPDATE widgets SET position = ? WHERE id = ?", (position, widget_id))
        return self.dashboard(dashboard_id)


def _touch(con: sqlite3.Connection, dashboard_id: int, name: str | None = None) -> None:
    """Mark a dashboard changed (optionally renaming it); 404 when it does not exist."""
    cursor = con.execute(
        "UPDATE dashboards SET name = coalesce(?, name), updated_at = ? WHERE id = ?",
        (name, _now(), dashboard_id),
    )
    if cursor.rowcount == 0:
        raise NotFoundError(f"no dashboard with id {dashboard_id}")


def _insert_widget(
    con: sqlite3.Connection,
    dashboard_id: int,
    position: int,
    title: str,
    spec: dict[str, Any],
    now: str,
) -> int:
    cursor = con.execute(
        "INSERT INTO widgets (dashboard_id, position, title, spec, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (dashboard_id, position, title, json.dumps(spec, sort_keys=True), now, now),
    )
    return int(cursor.lastrowid or 0)


def _widget_row(con: sqlite3.Connection, widget_id: int) -> Widget:
    row = con.execute("SELECT * FROM widgets WHERE id = ?", (widget_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no widget with id {widget_id}")
    return _widget(row)


def _widget(row: sqlite3.Row) -> Widget:
    spec = json.loads(row["spec"])
    return Widget(
        id=row["id"],
        dashboard_id=row["dashboard_id"],
        position=row["position"],
        title=row["title"],
        spec=spec if isinstance(spec, dict) else {},
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
