"""A PostgreSQL URL: what libpq gets, what a user may see, and where it points.

Kept apart from the reader so that telling a URL from a path (``is_database_url``) costs no
import of the reader, and so that every message built from a URL goes through
``PostgresURL.display`` and ``scrub``: no password ever reaches one.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from nrr.errors import ConfigError

SCHEMES = ("postgresql://", "postgres://")
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
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


def where(given: dict[str, Any]) -> str:
    """Host, port, database and user as libpq resolves them, for messages (no password)."""
    user = given.get("user") or os.environ.get("PGUSER") or getpass.getuser()
    host = given.get("host") or os.environ.get("PGHOST") or "local socket"
    port = given.get("port") or os.environ.get("PGPORT") or "5432"
    database = given.get("dbname") or os.environ.get("PGDATABASE") or user
    return f"host {host}, port {port}, database {database}, user {user}"
