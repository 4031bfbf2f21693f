"""A PDF of the board page, printed by headless Chromium.

Why Chromium and not a PDF library: the page's charts are drawn by plotly.js, so only a
browser can lay them out; the print CSS (``@page`` landscape, a page per section) is what
it prints. Chromium is optional: without it the HTML is still written, and the command
says how to get a PDF.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from nrr.errors import NrrError

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
KNOWN_PATHS = (Path("/usr/bin/chromium"), Path("/usr/bin/chromium-browser"))
TIMEOUT_SECONDS = 180


class NoBrowserError(NrrError):
    """No Chromium to print with: the HTML stands, the PDF cannot be made here."""

    exit_code = 1


def find_chromium() -> Path | None:
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return next((p for p in KNOWN_PATHS if p.is_file()), None)


def print_pdf(page: Path, out: Path, browser: Path | None = None) -> None:
    """Print the HTML file ``page`` to ``out``, as a reader's browser would."""
    chromium = browser or find_chromium()
    if chromium is None:
        raise NoBrowserError(
            "--pdf needs Chromium (or Chrome) and none was found on PATH or at "
            "/usr/bin/chromium; install it, or open the HTML and print it to PDF"
        )
    out.unlink(missing_ok=True)
    command = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-pdf-header-footer",
        "--virtual-time-budget=10000",
        f"--print-to-pdf={out.resolve()}",
        page.resolve().as_uri(),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NrrError(f"Chromium could not print {page}: {exc}") from None
    if not out.is_file() or out.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise NrrError(
            f"Chromium did not write {out} (exit {done.returncode}): " + " / ".join(tail)
        )
