"""Static assets: our own CSS/JS, and plotly.js from the installed plotly wheel.

Why plotly.js comes from the wheel: the dashboard must work with no internet, and the
wheel already ships the exact bundle (``charts.bundle``, which the board report inlines
too). Only that one file is served, at a URL carrying its version, so browsers may cache
it forever (``immutable``): a new plotly gives a new URL.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from nrr import __version__
from nrr.charts.bundle import plotly_bundle

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
IMMUTABLE = "public, max-age=31536000, immutable"

__all__ = ["asset_url", "install", "plotly_bundle", "plotly_url"]


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
