"""``nrr serve``: refuses to expose figures without a token, prints its URL, binds clearly."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from nrr.cli import cli
from nrr.cli import serve as command
from tests.web.helpers import TestClient


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org", "::"])
def test_non_loopback_without_token_is_refused(host: str, demo_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", str(demo_dir), "--host", host])
    assert result.exit_code == 2
    assert "without a token" in result.stderr and "--token" in result.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("my-laptop", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert command.is_loopback(host) is loopback


class FakeServer:
    """Stands in for uvicorn.Server: records what would be served, returns at once."""

    seen: ClassVar[dict[str, Any]] = {}

    def __init__(self, config: Any) -> None:
        FakeServer.seen["app"] = config.app

    def run(self, sockets: list[socket.socket]) -> None:
        FakeServer.seen["port"] = sockets[0].getsockname()[1]


def test_serve_prints_the_url_and_uses_the_store(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.Server", FakeServer)
    monkeypatch.chdir(tmp_path)
    token = "tok-0123456789abcdef"  # issue 14: tokens have at least 16 characters
    monkeypatch.setenv("NRR_TOKEN", token)
    result = CliRunner().invoke(cli, ["serve", str(demo_dir), "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0, result.output
    port = FakeServer.seen["port"]
    assert f"http://0.0.0.0:{port}/ " in result.stderr  # issue 14: the token is never printed
    assert token not in result.output and "token from NRR_TOKEN" in result.stderr
    assert (tmp_path / ".nrr-dashboards.sqlite").exists()  # default store: current folder
    assert not list(demo_dir.glob("*.sqlite"))  # never in the (read-only) data folder
    assert FakeServer.seen["app"].state.nrr.token == token


def test_port_in_use_is_a_usage_error(demo_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli,
            ["serve", str(demo_dir), "--port", str(port), "--store", str(tmp_path / "s.sqlite")],
        )
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_invalid_data_is_reported_before_serving(tmp_path: Path) -> None:
    data = tmp_path / "data"  # the store stays outside the data folder (issue 14)
    data.mkdir()
    (data / "customers.csv").write_text("customer_id\nc1\nc1\n")
    (data / "events.csv").write_text("customer_id,date,mrr\nc1,2024-01-01,-5\n")
    result = CliRunner().invoke(cli, ["serve", str(data), "--store", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 1
    assert "nothing was computed" in result.stderr


def test_help_names_every_option() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    for option in ("--host", "--port", "--store", "--token", "NRR_TOKEN"):
        assert option in result.stdout


def test_loopback_serve_guards_the_host_header(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.Server", FakeServer)
    result = CliRunner().invoke(
        cli, ["serve", str(demo_dir), "--port", "0", "--store", str(tmp_path / "s.sqlite")]
    )
    assert result.exit_code == 0, result.output
    with TestClient(FakeServer.seen["app"], base_url="http://127.0.0.1") as client:
        assert client.get("/api/attributes").status_code == 200
        assert client.get("/api/attributes", headers={"host": "evil.example"}).status_code == 400
