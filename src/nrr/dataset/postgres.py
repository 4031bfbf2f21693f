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

import getpass
import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.csv as pacsv

from nrr.dataset.contract import TABLES
from nrr.dataset.issues import Issue
from nrr.dataset.readers import RawTable, ReadResult, _unique_names
from nrr.errors import ConfigError

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.sql import Composable

    Conn = Connection[tuple[Any, ...]]

SCHEMES = ("postgresql://", "postgres://")
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
# Relation kinds that hold rows: table, view, materialized view, foreign, partitioned.
READABLE_KINDS = ["r", "v", "m", "f", "p"]
CONNECT_TIMEOUT_SECONDS = 10
ENCODING_HINT = (
    "write '@', '/', '?', '#' and ':' inside a user name, password or parameter "
    "percent-encoded (%40, %2F, %3F, %23, %3A)"
)


def is_database_url(text: str) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs (the schemes libpq accepts)."""
    return text.lower().startswith(SCHEMES)


@dataclass(frozen=True)
class PostgresURL:
    """A PostgreSQL URL split into what libpq gets and what a user may see.

    ``schema`` is nrr's own parameter: libpq rejects unknown ones, so it is taken out of
    ``conninfo``. ``secrets`` holds every password the URL carries (as written and
    decoded) so that text from libpq can be scrubbed before it is shown.
    """

    conninfo: str
    display: str
    schema: str
    secrets: tuple[str, ...]

    @classmethod
    def parse(cls, url: str) -> PostgresURL:
        scheme, _, rest = url.partition("://")
        end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        authority, tail = rest[:end], rest[end:]
        if "@" in tail or "#" in tail:
            # An unencoded '/', '?' or '#' in a password ends the authority early and the
            # rest of the password would be shown as the "path": refuse, echoing nothing.
            raise ConfigError(f"{scheme}://…: cannot parse this PostgreSQL URL; {ENCODING_HINT}")
        userinfo, at, hosts = authority.rpartition("@")
        user, _, password = userinfo.partition(":")
        path, _, query = tail.partition("?")
        secrets = [password] if password else []
        schema, to_libpq, shown = "public", [], []
        for item in (i for i in query.split("&") if i):
            raw_name, _, value = item.partition("=")
            name = unquote(raw_name)
            if name == "schema":
                schema = unquote(value)
                shown.append(item)
                continue
            to_libpq.append(item)
            if name in SECRET_PARAMETERS:
                secrets.append(value)
            else:
                shown.append(item)
        if not schema:
            raise ConfigError(f"{scheme}://…: schema= is empty; name a schema or leave it out")

        def build(netloc: str, parameters: list[str]) -> str:
            query = "?" + "&".join(parameters) if parameters else ""
            return f"{scheme}://{netloc}{path}{query}"

        display = build(f"{user}@{hosts}" if at and user else hosts, shown)
        secrets += [unquote(s) for s in secrets]
        return cls(build(authority, to_libpq), display, schema, tuple(sorted(set(secrets))))

    def scrub(self, text: str) -> str:
        """``text`` with every password of this URL or of PGPASSWORD replaced by ***."""
        for secret in (*self.secrets, os.environ.get("PGPASSWORD", "")):
            if secret:
                text = text.replace(secret, "***")
        return text


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
                raise ConfigError(
                    f"{self.source}: reading stopped: {self._detail(exc)}"
                ) from None

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
                f"{self.source}: cannot connect to PostgreSQL ({_where(given)}): "
                f"{self._detail(exc)}"
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
            str(row[0]) for row in conn.execute(
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
                data = _copy_text(conn, relation.select(columns, key), len(columns))
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise
        except psycopg.Error as exc:  # e.g. permission denied: reported with the others
            message = f"cannot read {relation.name}: {self._detail(exc)}"
            result.issues.append(Issue(source, 0, "-", "file-unreadable", message))
            return
        names = [n for n, _ in columns]
        lowered = [n.lower() for n in names]
        result.tables[name] = RawTable(
            name, source, lowered, data.rename_columns(_unique_names(lowered)),
            key=tuple(names.index(k) for k in key),
        )


@dataclass(frozen=True)
class Relation:
    """A table (or view) of the schema, by catalog oid."""

    schema: str
    oid: int
    name: str

    def columns(self, conn: Conn) -> list[tuple[str, str]]:
        """Its columns in order, with their types."""
        rows = conn.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (self.oid,),
        ).fetchall()
        return [(str(name), str(kind)) for name, kind in rows]

    def primary_key(self, conn: Conn) -> list[str]:
        """Its primary key columns in key order; empty without a primary key."""
        rows = conn.execute(
            "SELECT a.attname FROM pg_index i "
            "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.position",
            (self.oid,),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def select(self, columns: list[tuple[str, str]], key: list[str]) -> Composable:
        """Every column as text with NULL as "", in key order (else physical order).

        Midnight timestamps become dates, as Parquet's do (ORMs often store dates that
        way); any other timestamp keeps its time and fails the date rule visibly.
        """
        from psycopg import sql

        def text(name: str, kind: str) -> Composable:
            column = sql.Identifier(name)
            value: Composable = sql.SQL("{}::text").format(column)
            if kind == "timestamp without time zone":
                value = sql.SQL(
                    "CASE WHEN {c} = date_trunc('day', {c}) THEN {c}::date::text "
                    "ELSE {c}::text END"
                ).format(c=column)
            return sql.SQL("coalesce({}, '')").format(value)

        query: Composable = sql.SQL("SELECT {} FROM {}.{}").format(
            sql.SQL(", ").join(text(name, kind) for name, kind in columns),
            sql.Identifier(self.schema),
            sql.Identifier(self.name),
        )
        if key:
            order = sql.SQL(", ").join(sql.Identifier(k) for k in key)
            query = sql.SQL("{} ORDER BY {}").format(query, order)
        return query


def _where(given: dict[str, Any]) -> str:
    """Host, port, database and user as libpq resolves them, for messages (no password)."""
    user = given.get("user") or os.environ.get("PGUSER") or getpass.getuser()
    host = given.get("host") or os.environ.get("PGHOST") or "local socket"
    port = given.get("port") or os.environ.get("PGPORT") or "5432"
    database = given.get("dbname") or os.environ.get("PGDATABASE") or user
    return f"host {host}, port {port}, database {database}, user {user}"


def _copy_text(conn: Conn, query: Composable, width: int) -> pa.Table:
    """Run ``query`` through ``COPY ... (FORMAT csv)``: the fastest way to move text rows."""
    from psycopg import sql

    names = [f"c{i}" for i in range(width)]
    if not names:  # CREATE TABLE t (): the header rules report the missing columns
        return pa.table({})
    buffer = io.BytesIO()
    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(query)
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for block in copy:
            buffer.write(block)
    if not buffer.tell():
        return pa.table({n: pa.array([], pa.string()) for n in names})
    buffer.seek(0)
    return pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=names, encoding="utf8"),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _require_psycopg() -> None:
    """Fail with the extra to install, rather than an ImportError, when psycopg is absent."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigError(
            "reading from PostgreSQL needs psycopg: pip install 'nrr[postgres]'"
        ) from None
