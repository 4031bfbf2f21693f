"""``create_app``: the dashboard as a FastAPI application.

Why a factory: ``nrr serve`` and the tests build the same app from a dataset, a store file
and an optional token, with nothing global. The dataset is loaded (and so validated) before
the first request, so a dataset that breaks the contract never starts a server; it is loaded
again when its files change (``nrr.web.state``). Security: docs/security.md.

FastAPI's Swagger and ReDoc pages are off (they load from a CDN); ``/openapi.json`` stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from nrr import __version__
from nrr.api import Dataset, load
from nrr.store import Store
from nrr.web import api, assets, downloads, errors, pages
from nrr.web.auth import HostGuard, OriginGuard, TokenGuard, checked_token
from nrr.web.bodies import BodyLimit
from nrr.web.budget import DEFAULT_QUERY_TIMEOUT
from nrr.web.cache import refuse_store_inside
from nrr.web.state import WebState

DESCRIPTION = (
    "The JSON API behind `nrr serve`. Every failure answers "
    '`{"ok": false, "error": "...", "errors": [...], "status": N}`.'
)


def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=assets.TEMPLATES)
    env.env.globals.update(
        plotly_url=assets.plotly_url(), asset=assets.asset_url, version=__version__
    )
    return env


def create_app(
    dataset: Dataset | str | Path,
    store_path: str | Path,
    token: str | None = None,
    *,
    allowed_hosts: Iterable[str] | None = None,
    query_timeout: float = DEFAULT_QUERY_TIMEOUT,
) -> FastAPI:
    """The dashboard app over ``dataset`` (a loaded Dataset or a path to load).

    ``allowed_hosts``: when given, requests addressed to any other host name are refused
    (``nrr serve`` sets the loopback names when it listens on loopback). A ``token`` that
    ``nrr.web.auth.checked_token`` refuses raises ``ConfigError``.
    ``query_timeout``: each engine query's budget in seconds (``nrr.web.budget``).
    A store inside the data folder is refused (``nrr.web.cache.refuse_store_inside``).
    """
    if token is not None:
        checked_token(token)  # a trivial token is refused whoever starts the dashboard
    loaded = dataset if isinstance(dataset, Dataset) else load(dataset)
    refuse_store_inside(Path(store_path), loaded.staged.source)
    app = FastAPI(
        title="nrr dashboard",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.nrr = WebState(loaded, Store(store_path), token or None, query_timeout)
    app.state.templates = templates()
    errors.install(app)
    assets.install(app)
    app.include_router(api.router)
    app.include_router(downloads.router)
    app.include_router(pages.router)
    app.add_middleware(BodyLimit)
    app.add_middleware(OriginGuard)
    if token:
        app.add_middleware(TokenGuard, token=token)
    if allowed_hosts is not None:
        app.add_middleware(HostGuard, hosts=frozenset(allowed_hosts))
    return app
