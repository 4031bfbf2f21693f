"""A schema's relations read from PostgreSQL's catalog, and their rows copied as text.

Every value is cast to text in SQL (NULL becomes ""), so the rules see exactly what they
would see in a CSV file; ``COPY ... (FORMAT csv)`` moves the rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.sql import Composable

    Conn = Connection[tuple[Any, ...]]

# Relation kinds that hold rows: table, view, materialized view, foreign, partitioned.
READABLE_KINDS = ["r", "v", "m", "f", "p"]


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
                    "CASE WHEN {c} = date_trunc('day', {c}) THEN {c}::date::text ELSE {c}::text END"
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


def copy_text(conn: Conn, query: Composable, width: int) -> pa.Table:
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
