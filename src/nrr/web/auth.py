"""The optional access token: every page, asset and API call must present it.

Why a token at all: ``nrr serve --host 0.0.0.0`` exposes revenue figures to a network.
Accepted forms: ``Authorization: Bearer TOKEN`` (scripts), or ``?token=TOKEN`` once, which
sets an HttpOnly, SameSite=Strict cookie so the browser need not repeat it (pages are then
redirected to the same address without the token, keeping it out of history and
screenshots). Tokens are compared with ``hmac.compare_digest`` (constant time).

``checked_token`` refuses tokens a guess or a browser would defeat: blank or shorter than
``MIN_TOKEN_LENGTH`` (guessable), longer than ``MAX_TOKEN_LENGTH`` (a browser keeps a
cookie of at most about 4 KB), or holding anything but printable ASCII without spaces (the
three forms above, header, query and cookie, must all carry it unchanged).

This is a plain ASGI middleware so it can also drop ``token`` from the query string before
routing: the API's query models forbid unknown parameters.

``HostGuard`` answers only requests addressed to the loopback names: a web page the user
visits cannot rebind its own domain name to 127.0.0.1 and read the dashboard (DNS rebinding).

``OriginGuard`` refuses cross-site writes: a page on another site (or another port of this
machine) that the user visits must not create, change or delete dashboards through the
user's browser (CSRF). Browsers say where a request comes from (``Origin``,
``Sec-Fetch-Site``); a write whose origin is not the address it was sent to is refused.
Scripts and ``curl`` send neither header and are not affected. With a token, the cookie is
``SameSite=Strict`` as well, so a cross-site request does not even carry it.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nrr.errors import ConfigError
from nrr.web.errors import error_response, wants_json

COOKIE = "nrr_token"
MIN_TOKEN_LENGTH, MAX_TOKEN_LENGTH = 16, 1024
HOW_TO_MAKE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def checked_token(token: str) -> str:
    """``token``, or ``ConfigError`` (exit 2) saying why it cannot protect the dashboard."""
    if not token.strip():
        problem = "the token is blank"
    elif len(token) < MIN_TOKEN_LENGTH:
        problem = f"the token has {len(token)} characters, fewer than {MIN_TOKEN_LENGTH}"
    elif len(token) > MAX_TOKEN_LENGTH:
        problem = f"the token has {len(token)} characters, more than {MAX_TOKEN_LENGTH}"
    elif not all("!" <= char <= "~" for char in token):
        problem = "the token holds a space, a control or a non-ASCII character"
    else:
        return token
    raise ConfigError(
        f"{problem}: use {MIN_TOKEN_LENGTH} to {MAX_TOKEN_LENGTH} printable ASCII characters "
        f"without spaces, e.g. the output of {HOW_TO_MAKE}"
    )


def same(offered: str | None, expected: str) -> bool:
    return offered is not None and hmac.compare_digest(offered.encode(), expected.encode())


def bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


class TokenGuard:
    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        offered = request.query_params.get("token")
        if offered is not None:
            kept = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            scope = {**scope, "query_string": urlencode(kept).encode()}
        if same(offered, self.token):
            await self._admit_with_cookie(Request(scope), receive, send)
        elif same(bearer(request), self.token) or same(request.cookies.get(COOKIE), self.token):
            await self.app(scope, receive, send)
        else:
            await self._refuse(request, scope, receive, send)

    async def _admit_with_cookie(self, request: Request, receive: Receive, send: Send) -> None:
        if request.method == "GET" and not wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response: Response = RedirectResponse(target, status_code=303)
            self._set_cookie(response.headers)
            await response(request.scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._set_cookie(MutableHeaders(scope=message))
            await send(message)

        await self.app(request.scope, receive, send_with_cookie)

    def _set_cookie(self, headers: MutableHeaders) -> None:
        response = Response()
        response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
        headers.append("set-cookie", response.headers["set-cookie"])

    @staticmethod
    async def _refuse(request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        message = (
            "this nrr dashboard needs its access token: open the address `nrr serve` printed "
            "once with ?token=TOKEN added, or send the header Authorization: Bearer TOKEN"
        )
        response = error_response(request, 401, message)
        response.headers["www-authenticate"] = "Bearer"
        await response(scope, receive, send)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_site(request: Request) -> bool:
    """True when a browser says this request was made by a page of another origin.

    ``Origin`` is compared with the ``Host`` the request was sent to (scheme aside, so a
    TLS-terminating proxy that passes ``Host`` on still matches).
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    host = request.headers.get("host", "").lower()
    netloc = origin.lower().partition("://")[2].rstrip("/")
    return origin == "null" or not host or netloc != host


class OriginGuard:
    """Refuse POST/PUT/PATCH/DELETE that a browser made on behalf of another site (HTTP 403)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not cross_site(request):
            await self.app(scope, receive, send)
            return
        response = error_response(
            request,
            403,
            "cross-site request refused: changes can be made only from the dashboard's own "
            "pages, or by scripts that send no Origin header",
        )
        await response(scope, receive, send)


class HostGuard:
    """Refuse requests whose Host header is not one of ``hosts`` (ports ignored)."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        name = request.url.hostname or ""
        if name.strip("[]") in self.hosts:
            await self.app(scope, receive, send)
            return
        response = error_response(
            request,
            400,
            f"this server answers only as {', '.join(sorted(self.hosts))}: open the address "
            "`nrr serve` printed",
        )
        await response(scope, receive, send)
