"""The load test stays runnable (a small, bounded run), and the server answers keep-alive
requests without Nagle's delay (which the full load test found: ~40 ms on every answer)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from bench import load_test

from nrr.cli import serve as command


def test_the_listening_socket_is_tcp_so_answers_are_not_delayed() -> None:
    sock = command.bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio then sets TCP_NODELAY per connection
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


def test_a_small_load_run_has_no_errors(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    code = load_test.main(
        [
            "--customers",
            "1500",
            "--months",
            "18",
            "--clients",
            "8",
            "--requests",
            "6",
            "--max-seconds",
            "60",
            "--out",
            str(out),
        ]
    )
    report = json.loads(out.read_text())
    assert code == 0 and report["errors"] == 0
    assert report["requests"] == 8 * 6
    assert 0 < report["p50_ms"] <= report["p95_ms"]
    assert {"report month", "widget nrr", "dashboard"} <= set(report["endpoints"])
