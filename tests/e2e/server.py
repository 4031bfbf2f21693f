"""Run ``nrr serve`` as a real process (``python -m nrr serve``) for the browser tests."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

URL = re.compile(r"http://127\.0\.0\.1:\d+/")


class Server:
    """``nrr serve DATA --port 0`` on loopback; the URL is read from what it prints."""

    def __init__(self, data: Path, store: Path, log: Path) -> None:
        self.data, self.store, self.log = data, store, log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 60.0) -> Server:
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "nrr",
                    "serve",
                    str(self.data),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--store",
                    str(self.store),
                ],
                stdout=subprocess.DEVNULL,
                stderr=sink,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = URL.search(self.log.read_text(errors="replace"))
            if found:
                self.url = found.group(0).rstrip("/")
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"nrr serve did not start:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
