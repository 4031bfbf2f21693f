"""Static assets: our own CSS/JS, and plotly.js from the installed plotly wheel.

Why plotly.js comes from the wheel: the dashboard must work with no internet, and the
wheel already ships the exact bundle (``plotly/package_data/plotly.min.js``). Only that one
file is served, at a URL carrying its version, so browsers may cache it forever
(``immutable``): a new plotly gives a new URL.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from nrr import __version__
from nrr.errors import ConfigError

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def plotly_bundle() -> tuple[Path, str]:
    """The wheel's plotly.min.js and the plotly.js version written in its header."""
    spec = importlib.util.find_spec("plotly")
    origin = spec.origin if spec else None
    path = Path(origin).parent / "package_data" / "plotly.min.js" if origin else None
    if path is None or not path.is_file():
        raise ConfigError("plotly.js is missing from the plotly package: reinstall plotly")
    with path.open("rb") as handle:
        head = handle.read(400).decode("utf-8", "replace")
    found = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    return path, found.group(1) if found else "unknown"


def plotly_url() -> str:
    return f"/static/vendor/plotly-{plotly_bundle()[1]}.min.js"


def asset_url(name: str) -> str:
    """Our own assets carry nrr's version, so an upgrade is never served stale."""
    return f"/static/{name}?v={__version__}"


def install(app: FastAPI) -> None:
    path, _ = plotly_bundle()

    def plotly_js() -> FileResponse:
        return FileResponse(
            path, media_type="text/javascript", headers={"cache-control": IMMUTABLE}
        )

    app.add_api_route(plotly_url(), plotly_js, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
