"""A throwaway PostgreSQL cluster for the tests, started from Debian's binaries.

It lives in a fresh temp folder (data, log and unix socket), listens only on 127.0.0.1 on
a free port, and is stopped and deleted afterwards, so the tests touch no existing server
and leave nothing behind. As root (initdb refuses to run as root) the server runs as the
``postgres`` OS user, which owns the folder.

Authentication: the superuser ``nrr`` is trusted; ``alice`` must give her password
(scram-sha-256 over TCP), which lets the tests check that a password never shows.

``make test`` installs the ``postgresql`` package when it is missing; if the binaries are
still absent, the PostgreSQL tests fail with a message saying so rather than skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "nrr"
PASSWORD_USER = "alice"
PASSWORD = "Sw0rdf1sh-do-not-print"
DATABASE = "nrr"
HBA = f"""\
local all all trust
host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


@dataclass(frozen=True)
class Cluster:
    """A running cluster: where to reach it."""

    port: int
    socket_dir: Path
    host: str = "127.0.0.1"

    def url(
        self, schema: str | None = None, user: str = SUPERUSER, password: str | None = None
    ) -> str:
        """A TCP URL nrr reads; ``password`` is embedded only when given."""
        userinfo = user if password is None else f"{user}:{password}"
        query = f"?schema={schema}" if schema else ""
        return f"postgresql://{userinfo}@{self.host}:{self.port}/{DATABASE}{query}"

    @property
    def admin_conninfo(self) -> str:
        """The superuser over the unix socket, for setting up test data."""
        return f"host={self.socket_dir} port={self.port} user={SUPERUSER} dbname={DATABASE}"


def bindir() -> Path:
    """The newest installed server's bin folder (pg_ctl, initdb)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresMissing(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb or initdb "
        "on PATH): run `apt-get install -y postgresql` (make test does this) to run the "
        "PostgreSQL tests"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner(command: list[str]) -> list[str]:
    """Run as the ``postgres`` OS user when we are root: the server refuses root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(_as_owner(command), capture_output=True, text=True, check=False, cwd=cwd)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    """initdb, start, yield, then stop and delete, even when the tests fail."""
    bin_ = bindir()
    root = Path(tempfile.mkdtemp(prefix="nrr-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        data = root / "data"
        _run(
            [
                str(bin_ / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            ],
            root,
        )
        (data / "pg_hba.conf").write_text(HBA)  # root may write; the server only reads
        cluster = _start(bin_, data, root)
        try:
            _create_database(cluster)
            yield cluster
        finally:
            _run([str(bin_ / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(bin_: Path, data: Path, root: Path) -> Cluster:
    """Start on a free loopback port; retry if another process grabs it first."""
    for _attempt in range(3):
        cluster = Cluster(_free_port(), root)
        options = (
            f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c shared_buffers=16MB -c max_connections=20"
        )
        try:
            _run(
                [
                    str(bin_ / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "30",
                    "start",
                ],
                root,
            )
            return cluster
        except RuntimeError:
            time.sleep(0.2)
    log = (root / "server.log").read_text(errors="replace")
    raise RuntimeError(f"the PostgreSQL test cluster did not start:\n{log}")


def _create_database(cluster: Cluster) -> None:
    import psycopg

    template = cluster.admin_conninfo.replace(f"dbname={DATABASE}", "dbname=postgres")
    with psycopg.connect(template, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(cluster.admin_conninfo, autocommit=True) as conn:
        conn.execute(
            f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}'"  # test literal only
        )


def load_csv_folder(cluster: Cluster, folder: Path, schema: str, keys: dict[str, str]) -> None:
    """Each ``<table>.csv`` of ``folder`` into ``schema`` as text columns, via COPY.

    ``keys`` maps a table to a primary key column, so both the keyed and the row-number
    paths of the reader are exercised. ``alice`` may read the schema.
    """
    import psycopg
    from psycopg import sql

    with psycopg.connect(cluster.admin_conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        for path in sorted(folder.glob("*.csv")):
            header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
            columns = [
                sql.SQL("{} text{}").format(
                    sql.Identifier(name),
                    sql.SQL(" PRIMARY KEY" if keys.get(path.stem) == name else ""),
                )
                for name in header
            ]
            table = sql.Identifier(schema, path.stem)
            conn.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(columns)))
            copy_in = sql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)").format(table)
            with conn.cursor() as cursor, cursor.copy(copy_in) as copy:
                copy.write(path.read_bytes())
        conn.execute(
            sql.SQL(
                "GRANT USAGE ON SCHEMA {0} TO {1}; GRANT SELECT ON ALL TABLES IN SCHEMA {0} TO {1}"
            ).format(sql.Identifier(schema), sql.Identifier(PASSWORD_USER))
        )
