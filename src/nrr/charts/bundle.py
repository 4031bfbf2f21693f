"""plotly.js from the installed plotly wheel: the one copy the dashboard serves and the
board report inlines.

Why the wheel's: the dashboard must work with no internet and a board report must open
anywhere, and the wheel already ships the exact bundle (``plotly/package_data/
plotly.min.js``) that matches the Python figures' schema.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from nrr.errors import ConfigError


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
