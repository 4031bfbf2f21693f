"""The optional access token: required everywhere, accepted as Bearer, ?token= or cookie."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrr.api import Dataset
from nrr.web import auth
from tests.web.helpers import TestClient, client_for
from tests.web.test_errors import EXPECTED_ROUTES, assert_error_shape

TOKEN = "s3cret-token-for-tests"  # issue 14: at least 16 characters


@pytest.fixture
def guarded(dataset: Dataset, tmp_path: Path) -> TestClient:
    return client_for(dataset, tmp_path / "s.sqlite", TOKEN)


def test_everything_needs_the_token(guarded: TestClient) -> None:
    paths = {
        path.replace("{name}", "csm")
        .replace("_id}", "}")
        .replace("{dashboard}", "1")
        .replace("{widget}", "1")
        for _, path in EXPECTED_ROUTES
    }
    for path in [*sorted(paths), "/openapi.json", "/static/css/app.css"]:
        response = guarded.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
        assert "access token" in assert_error_shape(response)["error"]
    page = guarded.get("/")
    assert page.status_code == 401 and "text/html" in page.headers["content-type"]
    assert guarded.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/api/report", params={"token": "wrong"}).status_code == 401


def test_bearer_header(guarded: TestClient) -> None:
    response = guarded.get("/api/attributes", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and "set-cookie" not in response.headers


def test_query_token_sets_a_strict_httponly_cookie(guarded: TestClient) -> None:
    first = guarded.get(f"/segments?by=csm&token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/segments?by=csm"  # token kept out of the address
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    guarded.cookies.set(auth.COOKIE, TOKEN)
    assert guarded.get("/segments?by=csm").status_code == 200
    assert guarded.get("/api/attributes").status_code == 200


def test_query_token_on_the_api_answers_directly(guarded: TestClient) -> None:
    response = guarded.get("/api/report", params={"token": TOKEN, "period": "year"})
    assert response.status_code == 200  # "token" is not an unknown query parameter
    assert "httponly" in response.headers["set-cookie"].lower()


def test_tokens_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return a == b

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.same("abc", "abc") and not auth.same("abd", "abc")
    assert not auth.same(None, "abc")
    assert seen == [(b"abc", b"abc"), (b"abd", b"abc")]


def test_no_token_means_open(client: TestClient) -> None:
    assert client.get("/api/attributes").status_code == 200


def test_loopback_server_answers_only_loopback_names(dataset: Dataset, tmp_path: Path) -> None:
    hosts = {"127.0.0.1", "localhost", "::1"}
    with client_for(
        dataset, tmp_path / "s.sqlite", allowed_hosts=hosts, base_url="http://127.0.0.1:8050"
    ) as client:
        assert client.get("/api/attributes").status_code == 200
        assert client.get("/api/attributes", headers={"host": "localhost:8050"}).status_code == 200
        rebound = client.get("/api/attributes", headers={"host": "attacker.example:8050"})
        body = assert_error_shape(rebound)
        assert body["status"] == 400 and "answers only as" in body["error"]
        assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
