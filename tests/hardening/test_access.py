"""Who can reach the dashboard, and what a request can reach: one test per promise.

* ``nrr serve`` binds 127.0.0.1 unless told otherwise, and any other address needs a token;
* with a token, every route of the live route table (pages, API, assets, schema) demands it,
  and every form of it (header, cookie, query) is compared in constant time;
* writes made by a browser on behalf of another site are refused (Origin/Sec-Fetch-Site);
* the server never writes the data folder: it runs against a read-only copy, as a user that
  cannot write it, and nothing there changes;
* no part of a request reaches the filesystem: an audit hook records every file the server
  opens while it answers hostile paths and parameters.
"""

from __future__ import annotations

import hmac
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from click.testing import CliRunner
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from nrr.api import Dataset
from nrr.cli import cli
from nrr.cli import serve as command
from nrr.web import auth
from tests.e2e.server import URL
from tests.hardening.helpers import snapshot
from tests.web.helpers import TestClient, client_for, widget_body

TOKEN = "correct-horse-battery-staple"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


# --- binding ---------------------------------------------------------------------------
class FakeServer:
    """Stands in for uvicorn.Server: records the socket it was given and returns."""

    seen: ClassVar[dict[str, Any]] = {}

    def __init__(self, config: Any) -> None:
        FakeServer.seen["app"] = config.app

    def run(self, sockets: list[socket.socket]) -> None:
        FakeServer.seen["address"] = sockets[0].getsockname()[0]


def test_serve_binds_loopback_by_default(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.Server", FakeServer)
    monkeypatch.delenv("NRR_TOKEN", raising=False)
    host = next(p for p in command.serve.params if p.name == "host")
    assert host.default == "127.0.0.1"
    result = CliRunner().invoke(
        cli, ["serve", str(demo_dir), "--port", "0", "--store", str(tmp_path / "s.sqlite")]
    )
    assert result.exit_code == 0, result.output
    assert FakeServer.seen["address"] == "127.0.0.1"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "nrr.example.com"])
@pytest.mark.parametrize("token", [None, ""])
def test_other_addresses_need_a_non_empty_token(
    host: str,
    token: str | None,
    demo_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("uvicorn.Server", FakeServer)
    monkeypatch.delenv("NRR_TOKEN", raising=False)
    args = ["serve", str(demo_dir), "--host", host, "--store", str(tmp_path / "s.sqlite")]
    env = {} if token is None else {"NRR_TOKEN": token}
    result = CliRunner(env=env).invoke(cli, args)
    assert result.exit_code == 2
    assert "refusing to serve" in result.stderr and "--token" in result.stderr
    assert not (tmp_path / "s.sqlite").exists()  # refused before anything was opened


# --- the token on every route --------------------------------------------------------
def every_route(routes: list[Any]) -> list[tuple[str, str]]:
    """(method, concrete path) for every route the app serves, whoever added it."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            found.extend(every_route(included.routes))
        elif isinstance(route, APIRoute | Route):
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            found.extend((method, path) for method in sorted(route.methods or {"GET"}))
        elif isinstance(route, Mount):
            found.append(("GET", f"{route.path}/css/app.css"))
    return found


@pytest.fixture
def guarded(dataset: Dataset, tmp_path: Path) -> Iterator[TestClient]:
    with client_for(dataset, tmp_path / "s.sqlite", TOKEN) as client:
        yield client


def test_every_route_demands_the_token(guarded: TestClient) -> None:
    routes = every_route(guarded.app.routes)  # type: ignore[attr-defined]
    assert len(routes) >= 25 and ("GET", "/openapi.json") in routes
    wrong = [
        {},
        {"authorization": "Bearer nope"},
        {"authorization": f"Basic {TOKEN}"},
        {"cookie": f"{auth.COOKIE}=nope"},
        {"authorization": f"Bearer {TOKEN[:-1]}"},
    ]
    for method, path in routes:
        for headers in wrong:
            response = guarded.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
        response = guarded.request(method, path, params={"token": "nope"})
        assert response.status_code == 401, (method, path)
        allowed = guarded.request(method, path, headers={"authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code != 401, (method, path)


def test_every_form_of_the_token_is_compared_in_constant_time(
    guarded: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[bytes] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append(a)
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # what auth.same calls
    for offered, request in [
        (b"h-guess", {"headers": {"authorization": "Bearer h-guess"}}),
        (b"c-guess", {"headers": {"cookie": f"{auth.COOKIE}=c-guess"}}),
        (b"q-guess", {"params": {"token": "q-guess"}}),
    ]:
        compared.clear()
        assert guarded.get("/api/attributes", **request).status_code == 401
        assert offered in compared
    compared.clear()
    assert (
        guarded.get("/api/attributes", headers={"authorization": f"Bearer {TOKEN}"}).status_code
        == 200
    )
    assert compared == [TOKEN.encode()]


# --- cross-site writes -----------------------------------------------------------------
def write_requests(client: TestClient) -> list[tuple[str, str, Any]]:
    board = client.post("/api/dashboards", json={"name": "mine"}).json()["dashboard"]
    widget = client.post(f"/api/dashboards/{board['id']}/widgets", json=widget_body()).json()
    wid = widget["widget"]["id"]
    return [
        ("POST", "/api/dashboards", {"name": "planted"}),
        ("POST", "/api/dashboards/import", {"name": "planted", "widgets": []}),
        ("PATCH", f"/api/dashboards/{board['id']}", {"name": "renamed"}),
        ("PUT", f"/api/dashboards/{board['id']}/order", {"widget_ids": [wid]}),
        ("POST", f"/api/dashboards/{board['id']}/widgets", widget_body("planted")),
        ("PATCH", f"/api/widgets/{wid}", {"title": "renamed"}),
        ("DELETE", f"/api/widgets/{wid}", None),
        ("DELETE", f"/api/dashboards/{board['id']}", None),
    ]


CROSS_SITE = [
    {"origin": "http://evil.example"},
    {"origin": "http://127.0.0.1:9999"},  # another program on this machine
    {"origin": "null"},  # a sandboxed frame or a file:// page
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site", "origin": "http://127.0.0.1:8050"},
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_cross_site_writes_are_refused(
    headers: dict[str, str], dataset: Dataset, tmp_path: Path
) -> None:
    with client_for(dataset, tmp_path / "s.sqlite", base_url="http://127.0.0.1:8050") as client:
        requests = write_requests(client)
        before = client.get("/api/dashboards").json()
        for method, path, body in requests:
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
            assert "cross-site request refused" in response.json()["error"]
        assert client.get("/api/dashboards").json() == before
        assert client.get("/api/report", headers=headers).status_code == 200  # reads are fine
        assert (
            "access-control-allow-origin" not in client.get("/api/report", headers=headers).headers
        )


def test_same_origin_pages_and_scripts_may_write(dataset: Dataset, tmp_path: Path) -> None:
    same = {"origin": "http://127.0.0.1:8050", "sec-fetch-site": "same-origin"}
    with client_for(dataset, tmp_path / "s.sqlite", base_url="http://127.0.0.1:8050") as client:
        for headers in (same, {}, {"sec-fetch-site": "none"}):
            for method, path, body in write_requests(client):
                response = client.request(method, path, json=body, headers=headers)
                assert response.status_code in (200, 201), (method, path, response.text)


def test_a_cross_site_form_cannot_post_json(dataset: Dataset, tmp_path: Path) -> None:
    """Old browsers send no Origin: a form's text/plain body must still not be taken as JSON."""
    with client_for(dataset, tmp_path / "s.sqlite") as client:
        response = client.post(
            "/api/dashboards",
            content=b'{"name": "planted"}',
            headers={"content-type": "text/plain"},
        )
        assert response.status_code == 422
        assert client.get("/api/dashboards").json()["dashboards"] == []


# --- the data folder is read-only to the server ------------------------------------
def _world_readable_copy(source: Path) -> Path:
    """The demo data in a folder any user can read but nobody but root could write."""
    base = Path(tempfile.mkdtemp(prefix="nrr-ro-"))
    base.chmod(0o755)
    data = base / "data"
    shutil.copytree(source, data)
    for path in data.iterdir():
        path.chmod(0o444)
    data.chmod(0o555)
    state = base / "state"
    state.mkdir()
    state.chmod(0o777)
    return base


def _without_write_privilege() -> list[str]:
    """A command prefix under which file modes bind us, even as root.

    root ignores a folder's read-only mode; ``setpriv`` drops the capabilities that let it
    (root stays the owner of the interpreter under /root, which another user cannot run).
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "run as root: util-linux's setpriv is needed to drop write privileges"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def _serve(data: Path, store: Path, log: Path) -> subprocess.Popen[bytes]:
    """``nrr serve`` on a free loopback port, unable to write where file modes forbid it."""
    env = {**os.environ, "HOME": str(store.parent)}
    env.pop("NRR_TOKEN", None)
    with log.open("wb") as sink:
        return subprocess.Popen(
            [
                *_without_write_privilege(),
                sys.executable,
                "-m",
                "nrr",
                "serve",
                str(data),
                "--port",
                "0",
                "--store",
                str(store),
            ],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=store.parent,
        )


def _url(process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = URL.search(log.read_text(errors="replace"))
        if found:
            return found.group(0).rstrip("/")
        time.sleep(0.1)
    raise AssertionError(f"nrr serve did not start:\n{log.read_text(errors='replace')}")


def test_the_data_folder_really_is_read_only_to_the_server(demo_dir: Path) -> None:
    """The test below proves something only if the server could not write there anyway."""
    base = _world_readable_copy(demo_dir)
    probe = [
        *_without_write_privilege(),
        sys.executable,
        "-c",
        f"open({str(base / 'data' / 'probe')!r}, 'w')",
    ]
    result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "PermissionError" in result.stderr
    shutil.rmtree(base, ignore_errors=True)


def test_the_server_never_writes_the_data_folder(demo_dir: Path) -> None:
    base = _world_readable_copy(demo_dir)
    data, store = base / "data", base / "state" / "dashboards.sqlite"
    before = snapshot(data)
    process = _serve(data, store, base / "state" / "serve.log")
    try:
        url = _url(process, base / "state" / "serve.log")
        with httpx.Client(base_url=url, timeout=60) as client:
            board = client.post("/api/dashboards", json={"name": "kept"}).json()["dashboard"]
            added = client.post(f"/api/dashboards/{board['id']}/widgets", json=widget_body())
            assert added.status_code == 201, added.text
            for path in (
                "/",
                "/api/report",
                f"/api/widgets/{added.json()['widget']['id']}/data",
                "/api/customers?period=quarter",
                "/api/report?format=csv",
            ):
                assert client.get(path).status_code == 200, path
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert snapshot(data) == before
    assert sorted(p.name for p in data.iterdir()) == sorted(before)
    assert store.exists()
    shutil.rmtree(base, ignore_errors=True)


# --- no request path reaches the filesystem ------------------------------------------
_OPENED: list[str] = []
_RECORDING = threading.Event()
_EVENTS = frozenset(
    {
        "open",
        "os.listdir",
        "os.scandir",
        "os.remove",
        "os.rename",
        "shutil.rmtree",
        "os.mkdir",
        "sqlite3.connect",
    }
)


def _recorder(opened: list[str], recording: threading.Event) -> Any:
    """An audit hook that appends the paths of file events to ``opened`` while recording.

    A closure, not module globals: the hook outlives this module at interpreter exit.
    """

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if recording.is_set() and event in _EVENTS and args:
            target = args[0]
            if isinstance(target, str | bytes | os.PathLike):
                opened.append(os.fsdecode(target))

    return hook


sys.addaudithook(_recorder(_OPENED, _RECORDING))  # permanent, but records only when asked

HOSTILE_GETS = [
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/css/..%5c..%5c..%5cetc%5cpasswd",
    "/static/vendor/plotly-..%2f..%2f..%2fetc%2fpasswd.min.js",
    "/static/%00/etc/passwd",
    "/d/..%2f..%2f..%2fetc%2fpasswd",
    "/d/%2fetc%2fpasswd",
    "/api/attributes/..%2f..%2fetc%2fpasswd/values",
    "/api/attributes/%2fetc%2fpasswd/values",
    "/api/report?by=../../../etc/passwd",
    "/api/report?filter=/etc/passwd%3D1",
    "/api/report?start=/etc/passwd",
    "/api/customers?by=..%2f..%2fetc",
    "/api/cohorts?by=/etc/passwd",
    "/api/dashboards/..%2f..%2fetc%2fpasswd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/etc/passwd",
]


def test_no_request_path_reaches_the_filesystem(demo_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "state" / "s.sqlite"
    allowed = [
        str(store.parent),
        str(demo_dir),
        str(Path(auth.__file__).parent),
        sys.prefix,
        sys.base_prefix,
        "/proc",
        "/sys",
        "/dev",
        "/etc/localtime",
        "/usr/share/zoneinfo",
    ]
    with client_for(demo_dir, store) as client:
        client.get("/")  # warm caches and lazy imports before recording
        hostile_posts = [
            ("/api/dashboards", {"name": "../../../../tmp/nrr-probe"}),
            ("/api/dashboards/import", {"name": "/etc/passwd", "widgets": []}),
            ("/api/widgets/preview", {"group_by": "../../etc/passwd"}),
        ]
        _OPENED.clear()
        _RECORDING.set()
        try:
            answers = [client.get(path) for path in HOSTILE_GETS]
            answers += [client.post(path, json=body) for path, body in hostile_posts]
            board = answers[len(HOSTILE_GETS)].json()["dashboard"]
            exported = client.get(f"/api/dashboards/{board['id']}/export")
        finally:
            _RECORDING.clear()
    for path, response in zip([*HOSTILE_GETS, *hostile_posts], answers, strict=True):
        assert response.status_code < 500, (path, response.text)
        assert "root:" not in response.text, path
    disposition = exported.headers["content-disposition"]
    assert "/" not in disposition.split("filename=")[1] and ".." not in disposition
    assert str(store) in _OPENED  # the hook saw the store being opened: it records
    outside = [p for p in _OPENED if not any(p.startswith(root) for root in allowed)]
    assert outside == [], outside
    assert not any("passwd" in p or "nrr-probe" in p or ".." in p for p in _OPENED), _OPENED
    assert not Path("/tmp/nrr-probe").exists()


# --- behind a reverse proxy (docs/security.md) --------------------------------------
def test_a_public_name_for_a_proxy_needs_a_token(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.Server", FakeServer)
    monkeypatch.delenv("NRR_TOKEN", raising=False)
    args = [
        "serve",
        str(demo_dir),
        "--port",
        "0",
        "--store",
        str(tmp_path / "s.sqlite"),
        "--allow-host",
        "nrr.example.com",
    ]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "without a token" in refused.stderr
    served = CliRunner(env={"NRR_TOKEN": TOKEN}).invoke(cli, args)
    assert served.exit_code == 0, served.output
    assert FakeServer.seen["address"] == "127.0.0.1"  # the proxy is the only way in
    proxied = {"host": "nrr.example.com", "authorization": f"Bearer {TOKEN}"}
    with TestClient(FakeServer.seen["app"], base_url="http://127.0.0.1:8050") as client:
        assert client.get("/api/attributes", headers=proxied).status_code == 200
        write = client.post(
            "/api/dashboards",
            json={"name": "via proxy"},
            headers={**proxied, "origin": "https://nrr.example.com"},
        )
        assert write.status_code == 201, write.text
        other = client.get("/api/attributes", headers={**proxied, "host": "evil.example"})
        assert other.status_code == 400
        assert client.get("/api/attributes", headers={"host": "nrr.example.com"}).status_code == 401
