"""The store's file: one SQLite connection per operation, and what happens to the file.

Kept apart from ``store.py`` (what the store holds) because this part answers a different
question: is the file there, is it the one whose migrations were checked, and what does a
failure of SQLite mean to the user (a full disk, a deleted or replaced file: HTTP 503 with
the cause, and the next operation works again once the file can be used).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

from nrr.errors import ConfigError, NrrError


class NotFoundError(ConfigError):
    """A dashboard or widget id (or share slug) that the store does not hold."""


class StoreUnavailableError(NrrError):
    """The store's file cannot be used right now: missing, full, unreadable (HTTP 503)."""


def unavailable(path: Path, cause: object) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"the dashboard store {path} cannot be used right now ({cause}); nothing was "
        "changed. It answers again as soon as the file can be used: no restart needed"
    )


BUSY_TIMEOUT_SECONDS = 10  # how long a write waits for another process's write to finish


class StoreFile:
    """The SQLite file at ``path``; subclasses say what ``migrate`` does."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._identity = (0, 0)  # (device, inode) of the file the migrations were checked on
        self._checking = threading.Lock()

    def migrate(self) -> list[str]:
        raise NotImplementedError

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection for one operation; SQLite's failures become StoreUnavailableError.

        ``create``: for the migrations only (at start, or on a replaced file), which may
        create the file and report SQLite's errors as they are. Any other use checks first
        that the file is there (SQLite would create an empty one).
        """
        if not create:
            self._follow_the_file()
        try:
            with closing(
                sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            ) as con:
                con.row_factory = sqlite3.Row
                con.execute("PRAGMA foreign_keys = ON")
                con.execute("PRAGMA synchronous = FULL")
                try:
                    yield con
                except OverflowError:  # an id past SQLite's 64-bit integers names nothing
                    raise NotFoundError("no dashboard or widget has this id") from None
        except sqlite3.IntegrityError:
            raise  # a constraint nrr broke: a bug to report, not a file to fix
        except sqlite3.DatabaseError as exc:  # full, I/O error, locked, not a database, ...
            if create:
                raise
            raise unavailable(self.path, exc) from None

    def _file_identity(self) -> tuple[int, int]:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise unavailable(
                self.path, "the file is missing: put it back, or restart to start an empty one"
            ) from None
        except OSError as exc:
            raise unavailable(self.path, exc.strerror or exc) from None
        return info.st_dev, info.st_ino

    def _follow_the_file(self) -> None:
        """Fail clearly on a missing file; check the migrations of a replaced one."""
        identity = self._file_identity()
        if identity == self._identity:
            return
        with self._checking:
            if identity == self._identity:
                return
            try:
                self.migrate()
            except (sqlite3.DatabaseError, ConfigError) as exc:
                raise unavailable(self.path, exc) from None
            self._identity = identity

    @contextmanager
    def _transaction(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside commits together or not at all."""
        with self._connect(create) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                with suppress(sqlite3.Error):  # SQLite may have rolled back itself (disk full)
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
