"""``nrr serve``: the dashboard (``nrr.web``) on the user's machine.

Why the socket is bound here rather than by uvicorn: a port in use becomes a clear one-line
error (exit 2), ``--port 0`` picks a free port, and the printed URL is the real one.
Binding beyond loopback without a token is refused: the pages show revenue per customer.
The token is never printed: ``--token`` shows in the process list, so ``NRR_TOKEN`` or
``--token-file`` keep it out of sight, and the printed URL says only where it came from.
On loopback, only requests addressed to a loopback name are answered (no DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import click

from nrr.cli.errors import fail, handle_errors
from nrr.cli.options import chosen_mapping, map_option
from nrr.cli.output import print_warnings, stderr

DEFAULT_STORE = Path(".nrr-dashboards.sqlite")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every keep-alive answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; try another --port", 2)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def read_token(path: Path) -> str:
    """The token in ``path``, without the spaces and newline around it (a pipe works too)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.read(4096).strip()  # a bounded read: never all of /dev/zero
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read --token-file {path}: {getattr(exc, 'strerror', None) or exc}", 2)


def token_source(ctx: click.Context, token_file: Path | None) -> str:
    """Where the token came from, for the start-up line (never the token itself)."""
    if token_file is not None:
        return f"--token-file {token_file}"
    env = ctx.get_parameter_source("token") is click.core.ParameterSource.ENVIRONMENT
    return "NRR_TOKEN" if env else "--token"


@click.command()
@click.argument("data", type=click.Path())
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; anything but loopback needs --token.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8050,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="SQLite file holding dashboards (kept out of the read-only data folder).",
)
@click.option(
    "--token",
    envvar="NRR_TOKEN",
    default=None,
    show_envvar=True,
    help="Require this access token on every page and API call (16+ characters); "
    "visible in the process list: prefer NRR_TOKEN or --token-file.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="NRR_TOKEN_FILE",
    show_envvar=True,
    default=None,
    help="Read the token from FILE (spaces and newlines around it are dropped).",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    envvar="NRR_ALLOW_HOST",
    show_envvar=True,
    help="Also answer requests addressed to NAME (the public name a reverse proxy "
    "passes on as Host); repeatable; needs --token.",
)
@click.option(
    "--query-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a request may wait for and run on the engine; past it, 503 (and the "
    "query is cancelled on DuckDB).",
)
@click.option("--quiet", "-q", is_flag=True, help="No data warnings on stderr.")
@map_option
@handle_errors
@click.pass_context
def serve(
    ctx: click.Context,
    data: str,
    host: str,
    port: int,
    store: Path,
    token: str | None,
    token_file: Path | None,
    allow_hosts: tuple[str, ...],
    query_timeout: float,
    quiet: bool,
) -> None:
    """Serve the web dashboard for DATA (overview, segments, cohorts, custom dashboards)."""
    if token_file is not None:
        if token is not None:
            fail("give the token once: --token (or NRR_TOKEN) or --token-file, not both", 2)
        token = read_token(token_file)
    if token is not None:
        from nrr.web.auth import checked_token  # here: --help must not load starlette

        checked_token(token)
    exposed = host if not is_loopback(host) else next(iter(allow_hosts), None)
    if exposed is not None and not token:
        fail(
            f"refusing to serve as {exposed} without a token: anyone on the network could "
            "read the figures. Pass --token-file FILE (or set NRR_TOKEN), or keep --host "
            "127.0.0.1",
            2,
        )
    import uvicorn

    from nrr.api import load
    from nrr.web.app import create_app
    from nrr.web.cache import refuse_store_inside

    refuse_store_inside(store, data)  # before a possibly long validation
    dataset = load(data, mapping=chosen_mapping(data, quiet))
    print_warnings(dataset, quiet)
    hosts = LOOPBACK_NAMES | {host, *map(str.lower, allow_hosts)} if is_loopback(host) else None
    app = create_app(dataset, store, token, allowed_hosts=hosts, query_timeout=query_timeout)
    sock = bind(host, port)
    address = url_of(host, sock.getsockname()[1])
    source = token_source(ctx, token_file)
    guard = f"token from {source}: add ?token=TOKEN to the address once; " if token else ""
    stderr.print(
        f"nrr dashboard for {dataset.staged.source} at {address}  ({guard}store {store}; "
        "Ctrl+C stops)",
        soft_wrap=True,
        markup=False,
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
