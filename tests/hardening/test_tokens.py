"""The access token of ``nrr serve``: never trivial, never printed, kept out of argv.

* a blank token, or one shorter than 16 characters, is refused (exit 2, naming the
  minimum) before anything is opened, whoever starts the dashboard (CLI or ``create_app``);
* ``NRR_TOKEN`` and ``--token-file`` keep the token out of the process list;
* the start-up line prints the address without the token and says where it came from.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from nrr.api import Dataset
from nrr.cli import cli
from nrr.errors import ConfigError
from nrr.web import auth
from nrr.web.app import create_app

GOOD = "k2J9-vQx_7LmN0pR"  # exactly 16 characters


class FakeServer:
    """Stands in for uvicorn.Server: records the app it was given and returns."""

    seen: ClassVar[dict[str, Any]] = {}

    def __init__(self, config: Any) -> None:
        FakeServer.seen["app"] = config.app

    def run(self, sockets: list[socket.socket]) -> None:
        FakeServer.seen["port"] = sockets[0].getsockname()[1]


@pytest.fixture(autouse=True)
def _no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("uvicorn.Server", FakeServer)
    monkeypatch.delenv("NRR_TOKEN", raising=False)
    monkeypatch.delenv("NRR_TOKEN_FILE", raising=False)
    FakeServer.seen.clear()


def serve(demo_dir: Path, store: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    base = ["serve", str(demo_dir), "--port", "0", "--store", str(store)]
    return CliRunner(env=env or {}).invoke(cli, [*base, *args])


@pytest.mark.parametrize(
    "token",
    [
        "abc123",
        "s3cret-token",
        GOOD[:-1],
        " ",
        " " * 20,
        "\t\n",
        "sixteen chars ok",
        "pässwörd-0123456",
    ],
)
@pytest.mark.parametrize("how", ["--token", "NRR_TOKEN", "--token-file"])
def test_trivial_tokens_are_refused(token: str, how: str, demo_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    if how == "--token":
        result = serve(demo_dir, store, "--token", token)
    elif how == "NRR_TOKEN":
        result = serve(demo_dir, store, env={"NRR_TOKEN": token})
    else:
        (tmp_path / "token").write_text(token + "\n")
        result = serve(demo_dir, store, "--token-file", str(tmp_path / "token"))
    assert result.exit_code == 2, result.output
    assert "16" in result.stderr and "token" in result.stderr
    assert "Traceback" not in result.output
    if token.strip():
        assert token.strip() not in result.output  # the message never repeats the token
    assert not store.exists()  # refused before anything was opened
    assert "app" not in FakeServer.seen


def test_the_library_refuses_them_too(dataset: Dataset, tmp_path: Path) -> None:
    for token in ("", "   ", "short", "x" * 1025):
        with pytest.raises(ConfigError, match=str(auth.MIN_TOKEN_LENGTH)):
            create_app(dataset, tmp_path / "s.sqlite", token)
    assert auth.checked_token(GOOD) == GOOD
    assert auth.checked_token("x" * auth.MAX_TOKEN_LENGTH)


@pytest.mark.parametrize("how", ["--token", "NRR_TOKEN", "--token-file", "NRR_TOKEN_FILE"])
def test_the_token_is_never_printed(how: str, demo_dir: Path, tmp_path: Path) -> None:
    store, file = tmp_path / "s.sqlite", tmp_path / "nrr-token"
    file.write_text(f"  {GOOD}\n")
    args, env = {
        "--token": (["--token", GOOD], {}),
        "NRR_TOKEN": ([], {"NRR_TOKEN": GOOD}),
        "--token-file": (["--token-file", str(file)], {}),
        "NRR_TOKEN_FILE": ([], {"NRR_TOKEN_FILE": str(file)}),
    }[how]
    result = serve(demo_dir, store, "--host", "0.0.0.0", *args, env=env)
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output and "?token=" + GOOD not in result.stderr
    assert f"http://0.0.0.0:{FakeServer.seen['port']}/ " in result.stderr
    source = f"--token-file {file}" if "FILE" in how.upper() else how
    assert f"token from {source}" in result.stderr
    assert FakeServer.seen["app"].state.nrr.token == GOOD  # spaces and newline dropped


def test_one_token_source_at_a_time(demo_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "token").write_text(GOOD)
    both = serve(
        demo_dir,
        tmp_path / "s.sqlite",
        "--token-file",
        str(tmp_path / "token"),
        env={"NRR_TOKEN": GOOD},
    )
    assert both.exit_code == 2 and "not both" in both.stderr
    missing = serve(demo_dir, tmp_path / "s.sqlite", "--token-file", str(tmp_path / "none"))
    assert missing.exit_code == 2 and "cannot read --token-file" in missing.stderr
    assert not (tmp_path / "s.sqlite").exists()


def test_help_offers_the_hidden_forms() -> None:
    # Words joined again: where Click wraps a line depends on the widest option.
    text = " ".join(CliRunner().invoke(cli, ["serve", "--help"]).stdout.split())
    for name in ("--token-file", "NRR_TOKEN_FILE", "NRR_TOKEN", "process list"):
        assert name in text


def test_refusal_no_longer_points_at_a_printed_token(dataset: Dataset, tmp_path: Path) -> None:
    from tests.web.helpers import client_for

    with client_for(dataset, tmp_path / "s.sqlite", GOOD) as client:
        message = client.get("/api/attributes").json()["error"]
    assert "?token=TOKEN" in message and "ends in" not in message
