"""Request bodies are bounded before they are read in full (issue 14, point 1).

The 100 MB bodies are streamed over a real socket in 64 KiB pieces, and only until the
server answers: the test never holds them in memory, and a server that read them in full
would answer only after all of it had gone through.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nrr.api import Dataset
from nrr.web.bodies import MAX_BODY_BYTES, MAX_IMPORT_BYTES
from tests.web.helpers import client_for
from tests.web.live import live

HUNDRED_MB = 100_000_000
PIECE = b"x" * 65536


@pytest.fixture
def server(dataset: Dataset, tmp_path: Path) -> Iterator[tuple[str, int]]:
    from nrr.web.app import create_app

    with live(create_app(dataset, tmp_path / "s.sqlite")) as address:
        yield address


def stream_until_answered(
    address: tuple[str, int], head: bytes, chunked: bool
) -> tuple[int, dict[str, object], int, float]:
    """Send ``head``, then body pieces until the server answers; (status, body, sent, s)."""
    started = time.monotonic()
    sent = 0
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(head)
        while sent < HUNDRED_MB and time.monotonic() - started < 60:
            if select.select([sock], [], [], 0)[0]:
                break  # the answer is there: stop sending
            piece = b"%x\r\n%s\r\n" % (len(PIECE), PIECE) if chunked else PIECE
            try:
                sock.sendall(piece)
            except OSError:
                break  # the server stopped reading: its answer is waiting
            sent += len(PIECE)
        sock.settimeout(30)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    head_part, _, body = answer.partition(b"\r\n\r\n")
    status = int(head_part.split(b" ")[1])
    payload = json.loads(body)  # a JSON error with a Content-Length
    return status, payload, sent, time.monotonic() - started


def request_head(port: int, length: int | None) -> bytes:
    size = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST /api/dashboards HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\n{size}\r\n\r\n"
    ).encode()


def test_a_declared_100_mb_body_is_refused_before_it_is_read(server: tuple[str, int]) -> None:
    status, body, sent, seconds = stream_until_answered(
        server, request_head(server[1], HUNDRED_MB), chunked=False
    )
    assert status == 413 and body["status"] == 413 and body["ok"] is False
    assert "larger than this endpoint accepts (1,024 KiB)" in str(body["error"])
    assert sent < HUNDRED_MB // 4 and seconds < 20
    print(f"declared: answered after {sent:,} bytes in {seconds:.2f} s")


def test_a_streamed_body_is_refused_once_past_the_limit(server: tuple[str, int]) -> None:
    status, body, sent, seconds = stream_until_answered(
        server, request_head(server[1], None), chunked=True
    )
    assert status == 413 and body["status"] == 413
    assert sent < HUNDRED_MB // 4 and seconds < 20
    print(f"streamed: answered after {sent:,} bytes in {seconds:.2f} s")


def test_an_import_may_be_larger_than_other_bodies(dataset: Dataset, tmp_path: Path) -> None:
    with client_for(dataset, tmp_path / "s.sqlite") as client:
        padding = "x" * (2 * MAX_BODY_BYTES)
        document = {"name": "big", "widgets": [], "note": padding}
        assert client.post("/api/dashboards", json={"name": padding}).status_code == 413
        assert client.post("/api/dashboards/import", json=document).status_code != 413
        document["note"] = "x" * MAX_IMPORT_BYTES
        too_big = client.post("/api/dashboards/import", json=document)
        assert too_big.status_code == 413 and too_big.json()["status"] == 413
        ordinary = client.post("/api/dashboards", json={"name": "fine"})
        assert ordinary.status_code == 201
