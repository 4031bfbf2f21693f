"""PostgreSQL as a data source: ``postgresql://user@host:port/db?schema=billing``.

The contract's tables are read from one schema (``public`` by default), matched by name
case-insensitively like files, every value cast to text in SQL (NULL becomes "") so that the
rules see exactly what they would see in a CSV file. All tables are read in one read-only
REPEATABLE READ transaction: they form a consistent snapshot even while the application
keeps writing, and nothing can be written by mistake.

Issues name a row by its primary key (``id=42``), since that is what a user can query; a
table without one falls back to row numbers in physical order (the order a plain
``SELECT * FROM t`` returns on a quiet server).

Passwords (in the URL, in ``PGPASSWORD`` or in ``~/.pgpass``, the last two read by libpq)
never reach a message: everything shown uses ``PostgresURL.display``, the URL without its
password, and text from libpq is scrubbed of the password as well.

psycopg is an optional dependency (``nrr[postgres]``), imported only when a URL is read:
file users need not install it, and the CLI does not pay for its import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nrr.dataset.contract import TABLES
from nrr.dataset.issues import Issue
from nrr.dataset.postgres_catalog import READABLE_KINDS, Relation, copy_text
from nrr.dataset.postgres_url import PostgresURL, is_database_url, where
from nrr.dataset.raw import RawTable, ReadResult, unique_names
from nrr.errors import ConfigError

if TYPE_CHECKING:
    from psycopg import Connection

    Conn = Connection[tuple[Any, ...]]

__all__ = ["PostgresReader", "PostgresURL", "is_database_url"]

CONNECT_TIMEOUT_SECONDS = 10


class PostgresReader:
    """The contract's tables from one schema of a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.url = PostgresURL.parse(url)
        self.source = self.url.display

    def read(self) -> ReadResult:
        _require_psycopg()
        import psycopg

        with self._connect() as conn:
            try:
                return self._read(conn)
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                # a dropped connection, a statement_timeout, a server shutting down
                raise ConfigError(f"{self.source}: reading stopped: {self._detail(exc)}") from None

    def _connect(self) -> Conn:
        import psycopg

        given = self._given()
        options: dict[str, Any] = {"client_encoding": "utf8"}
        if "application_name" not in given:
            options["application_name"] = "nrr"
        if "connect_timeout" not in given:
            options["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        try:
            conn = psycopg.connect(self.url.conninfo, **options)
        except psycopg.Error as exc:
            # ``from None``: the chained libpq text would bypass the scrubbing.
            raise ConfigError(
                f"{self.source}: cannot connect to PostgreSQL ({where(given)}): {self._detail(exc)}"
            ) from None
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        return conn

    def _given(self) -> dict[str, Any]:
        """The URL's connection parameters as libpq reads them (decoded, multi-host)."""
        import psycopg

        try:
            return psycopg.conninfo.conninfo_to_dict(self.url.conninfo)
        except psycopg.Error as exc:
            raise ConfigError(
                f"{self.source}: not a valid PostgreSQL URL: {self._detail(exc)}"
            ) from None

    def _detail(self, exc: Exception) -> str:
        """libpq's reason on one line: 'connection to server at ... failed: X' -> X."""
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[0] if lines else type(exc).__name__
        if "failed: " in reason:
            reason = reason.rsplit("failed: ", 1)[1]
        reason = reason.removeprefix("FATAL:").strip()
        if "server running" in " ".join(lines[1:]):
            reason += " (is the server running there and accepting TCP/IP connections?)"
        if "password authentication failed" in reason or "no password supplied" in reason:
            reason += " (the password comes from the URL, PGPASSWORD or ~/.pgpass)"
        return self.url.scrub(reason)

    def _read(self, conn: Conn) -> ReadResult:
        result = ReadResult()
        with conn.transaction():
            conn.execute("SET LOCAL datestyle = 'ISO, YMD'")
            conn.execute("SET LOCAL extra_float_digits = 1")  # shortest exact float text
            # Keyless tables are numbered in physical order: make every scan start at the
            # first block and stay serial, rather than pay for an ORDER BY ctid sort.
            conn.execute("SET LOCAL synchronize_seqscans = off")
            conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            relations = self._relations(conn)
            for name in TABLES:
                found = [r for r in relations if r.name.lower() == name]
                if len(found) > 1:
                    raise ConfigError(
                        f"{self.source}: both {found[0].name} and {found[1].name} hold table "
                        f"{name}; keep one"
                    )
                if found:
                    result.found.add(name)
                    self._read_one(conn, found[0], name, result)
        return result

    def _relations(self, conn: Conn) -> list[Relation]:
        schema = self._schema(conn)
        rows = conn.execute(
            "SELECT c.oid, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = ANY(%s) ORDER BY c.relname",
            (schema, READABLE_KINDS),
        ).fetchall()
        return [Relation(schema, int(oid), str(name)) for oid, name in rows]

    def _schema(self, conn: Conn) -> str:
        """The schema named in the URL: exactly, else its only case-insensitive match."""
        names = [
            str(row[0])
            for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
                "AND nspname <> 'information_schema' ORDER BY nspname"
            )
        ]
        wanted = self.url.schema
        matches = [n for n in names if n == wanted] or [
            n for n in names if n.lower() == wanted.lower()
        ]
        if len(matches) != 1:
            problem = "does not exist" if not matches else "matches several schemas"
            raise ConfigError(
                f"{self.source}: schema {wanted!r} {problem}; schemas: "
                f"{', '.join(names) or '(none)'}"
            )
        return matches[0]

    def _read_one(self, conn: Conn, relation: Relation, name: str, result: ReadResult) -> None:
        import psycopg

        source = f"{self.source}#{relation.name}"
        try:
            with conn.transaction():  # a savepoint: one unreadable table spoils no other
                columns = relation.columns(conn)
                key = relation.primary_key(conn)
                data = copy_text(conn, relation.select(columns, key), len(columns))
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise
        except psycopg.Error as exc:  # e.g. permission denied: reported with the others
            message = f"cannot read {relation.name}: {self._detail(exc)}"
            result.issues.append(Issue(source, 0, "-", "file-unreadable", message))
            return
        names = [n for n, _ in columns]
        lowered = [n.lower() for n in names]
        result.tables[name] = RawTable(
            name,
            source,
            lowered,
            data.rename_columns(unique_names(lowered)),
            key=tuple(names.index(k) for k in key),
        )


def _require_psycopg() -> None:
    """Fail with the extra to install, rather than an ImportError, when psycopg is absent."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigError(
            "reading from PostgreSQL needs psycopg: pip install 'nrr[postgres]'"
        ) from None
