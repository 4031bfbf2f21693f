"""The answer cache: keyed by the data's fingerprint and the request, dropped when data changes.

Engine work is counted by wrapping ``Dataset.run`` (every figure goes through it), so "served
from the cache" means: the engine was not asked again.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nrr.api import Dataset
from nrr.web.cache import Answer, AnswerCache, fingerprint
from tests.web.helpers import TestClient, client_for, widget_body

QUERY = {"period": "quarter", "by": "segment"}


@pytest.fixture
def data(demo_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo_dir, tmp_path / "data"))


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every Dataset.run call, in order."""
    seen: list[object] = []
    real = Dataset.run

    def counted(self: Dataset, *args: object, **kwargs: object) -> object:
        seen.append(args[0] if args else None)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Dataset, "run", counted)
    return seen


@pytest.fixture
def client(data: Path, tmp_path: Path) -> Iterator[TestClient]:
    with client_for(data, tmp_path / "s.sqlite") as test_client:
        yield test_client


def total_mrr(client: TestClient) -> float:
    response = client.get("/api/report", params={"period": "month"})
    assert response.status_code == 200, response.text
    return float(response.json()["rows"][-1]["total_mrr_end"])


def test_a_repeated_request_is_answered_from_the_cache(
    client: TestClient, runs: list[object]
) -> None:
    first = client.get("/api/report", params=QUERY)
    computed = len(runs)
    assert first.status_code == 200 and computed > 0
    again = client.get("/api/report", params=dict(reversed(QUERY.items())))  # same request
    assert again.status_code == 200 and again.content == first.content
    assert len(runs) == computed  # the engine was not asked again
    state = client.app.state.nrr  # type: ignore[attr-defined]
    assert state.answers.hits >= 1
    other = client.get("/api/report", params={**QUERY, "period": "year"})
    assert other.status_code == 200 and len(runs) > computed  # a different request computes


@pytest.mark.parametrize(
    "path", ["/api/customers", "/api/cohorts", "/api/periods", "/api/report?format=csv"]
)
def test_every_data_endpoint_is_cached(
    path: str, client: TestClient, runs: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = client.app.state.nrr  # type: ignore[attr-defined]
    first = client.get(path)
    assert first.status_code == 200, first.text
    hits = state.answers.hits
    second = client.get(path)
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert state.answers.hits == hits + 1


def test_widget_data_is_cached_until_the_widget_changes(
    client: TestClient, runs: list[object]
) -> None:
    board = client.post("/api/dashboards", json={"name": "b"}).json()["dashboard"]
    widget = client.post(f"/api/dashboards/{board['id']}/widgets", json=widget_body()).json()
    url = f"/api/widgets/{widget['widget']['id']}/data"
    first = client.get(url).json()
    computed = len(runs)
    assert client.get(url).json() == first and len(runs) == computed
    patched = client.patch(
        f"/api/widgets/{widget['widget']['id']}", json={"spec": widget_body(metric="grr")["spec"]}
    )
    assert patched.status_code == 200
    changed = client.get(url).json()
    assert changed["metric"] == "grr" and len(runs) > computed


def test_changed_data_is_reloaded_and_the_cache_dropped(
    client: TestClient, data: Path, runs: list[object]
) -> None:
    before = total_mrr(client)
    assert total_mrr(client) == before
    computed = len(runs)
    customer = (data / "customers.csv").read_text().splitlines()[1].split(",")[0]
    report = client.get("/api/report", params={"period": "month"}).json()
    month = report["rows"][-1]["period_start"]
    with (data / "subscriptions.csv").open("a") as out:  # one more line, active all along
        out.write(f"extra,{customer},2000-01-01,,1234.5,1,USD,recurring,Core\n")
    after = total_mrr(client)
    assert len(runs) > computed  # recomputed, not served from the cache
    assert after == pytest.approx(before + 1234.5)
    assert (
        client.get("/api/report", params={"period": "month"}).json()["rows"][-1]["period_start"]
        == month
    )


def test_data_that_breaks_the_contract_answers_503_until_fixed(
    client: TestClient, data: Path
) -> None:
    good = (data / "subscriptions.csv").read_bytes()
    before = total_mrr(client)
    stranger = b"x,nobody,2024-01-01,,5,1,USD,recurring,Core\n"
    (data / "subscriptions.csv").write_bytes(good + stranger)
    broken = client.get("/api/report")
    assert broken.status_code == 503
    body = broken.json()
    assert "changed and no longer satisfies the contract" in body["error"]
    assert any("[customer-unknown]" in line for line in body["errors"])
    assert client.get("/").status_code == 503  # pages say so too, rather than show old figures
    (data / "subscriptions.csv").write_bytes(good)
    assert total_mrr(client) == pytest.approx(before)


def test_concurrent_identical_requests_compute_once(client: TestClient, runs: list[object]) -> None:
    client.get("/api/attributes")  # settle the dataset's own start-up work
    start = len(runs)
    client.get("/api/report", params={"period": "ttm", "fiscal_year_start": 2})  # same work
    once = len(runs) - start
    baseline = len(runs)
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def ask() -> None:
        barrier.wait(timeout=30)
        statuses.append(client.get("/api/report", params={"period": "ttm"}).status_code)

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * 12
    assert len(runs) - baseline == once  # twelve viewers, one computation


def test_the_cache_is_bounded_in_entries_and_bytes() -> None:
    cache = AnswerCache(max_entries=3, max_bytes=10)
    for key in "abcd":
        cache.put(key, Answer(b"xx"))
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") is not None
    cache.put("big", Answer(b"x" * 9))
    assert len(cache) == 1 and cache.get("big") is not None  # older entries made room
    cache.put("huge", Answer(b"x" * 11))
    assert cache.get("huge") is None  # larger than the budget: never kept


def test_the_fingerprint_follows_the_files(data: Path) -> None:
    first = fingerprint(data)
    assert fingerprint(data) == first
    (data / "notes.txt").write_text("x")
    assert fingerprint(data) != first  # a file added
    (data / "notes.txt").unlink()
    assert fingerprint(data) == first
    info = (data / "customers.csv").stat()
    os.utime(data / "customers.csv", ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    assert fingerprint(data) != first  # a file rewritten (same size)
