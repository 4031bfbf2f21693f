"""The store's schema: the records it returns and the migrations that create its tables.

Kept apart from ``store.py`` (which holds how rows are read and written) because this is
the part that must never be edited in place: ``MIGRATIONS`` only ever grows, and a new
column means a new migration plus a field here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["LEDGER", "MIGRATIONS", "Dashboard", "Migration", "Widget"]


@dataclass(frozen=True)
class Migration:
    """One schema step. ``name`` is recorded once applied; never rename or reorder."""

    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_create_dashboards",
        (
            """CREATE TABLE dashboards (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                slug TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        "0002_create_widgets",
        (
            """CREATE TABLE widgets (
                id INTEGER PRIMARY KEY,
                dashboard_id INTEGER NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                title TEXT NOT NULL,
                spec TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX widgets_by_dashboard ON widgets (dashboard_id, position)",
        ),
    ),
    # Ids of deleted dashboards and widgets were handed out again (an INTEGER PRIMARY KEY
    # takes max(id) + 1), so an old link could open a newer dashboard. AUTOINCREMENT needs
    # the tables created anew: copy the rows, then swap the tables. The order keeps the
    # foreign keys (on in every connection) from cascading: the old widgets go before the
    # old dashboards, and renaming dashboards_new points widgets_new's key at the new name.
    Migration(
        "0003_ids_never_reused",
        (
            """CREATE TABLE dashboards_new (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                slug TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            """INSERT INTO dashboards_new (id, name, slug, created_at, updated_at)
                SELECT id, name, slug, created_at, updated_at FROM dashboards""",
            """CREATE TABLE widgets_new (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                dashboard_id INTEGER NOT NULL REFERENCES dashboards_new(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                title TEXT NOT NULL,
                spec TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            """INSERT INTO widgets_new
                (id, dashboard_id, position, title, spec, created_at, updated_at)
                SELECT id, dashboard_id, position, title, spec, created_at, updated_at
                FROM widgets""",
            "DROP TABLE widgets",
            "DROP TABLE dashboards",
            "ALTER TABLE dashboards_new RENAME TO dashboards",
            "ALTER TABLE widgets_new RENAME TO widgets",
            "CREATE INDEX widgets_by_dashboard ON widgets (dashboard_id, position)",
        ),
    ),
)

LEDGER = """CREATE TABLE IF NOT EXISTS nrr_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
)"""


@dataclass(frozen=True)
class Widget:
    """One chart on a dashboard; ``spec`` is the validated widget configuration."""

    id: int
    dashboard_id: int
    position: int
    title: str
    spec: dict[str, Any]
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Dashboard:
    """A named, ordered list of widgets; ``slug`` is its read-only share address."""

    id: int
    name: str
    slug: str
    created_at: str
    updated_at: str
    widgets: tuple[Widget, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["widgets"] = [widget.to_dict() for widget in self.widgets]
        return data
