"""A bound on HTTP request bodies, enforced before a body is read in full.

Why: FastAPI reads a JSON body completely into memory before validating it, so without a
bound one request of 100 MB is 100 MB of memory (and then a parse) per request. Nothing the
API accepts comes near it: a dashboard, a widget or a reorder is a few KiB.

How: a declared ``Content-Length`` over the limit is refused before a byte of the body is
read; a body sent without one (chunked) is counted as it arrives and refused as soon as it
passes the limit. Both answer 413 in the one error shape (``nrr.web.errors``).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nrr.web.errors import error_body

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: every request body but an import
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # 5 MiB: an exported dashboard document
LARGER = {"/api/dashboards/import": MAX_IMPORT_BYTES}


def limit_of(path: str) -> int:
    return LARGER.get(path.rstrip("/"), MAX_BODY_BYTES)


def too_large(limit: int) -> str:
    return (
        f"the request body is larger than this endpoint accepts ({limit // 1024:,} KiB); "
        "nothing was read or saved"
    )


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


class BodyLimit:
    """ASGI middleware: 413 for a body over ``limit_of(path)``, read or declared."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_of(scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            response = JSONResponse(error_body(413, too_large(limit)), status_code=413)
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI passes an HTTPException raised while reading the body on to
                    # the app's handler, which answers in the one error shape.
                    raise HTTPException(413, too_large(limit))
            return message

        await self.app(scope, counted, send)
