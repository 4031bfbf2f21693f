"""A bounded load test of ``nrr serve``: 50 concurrent clients on the 100k-customer demo.

    python bench/load_test.py                      # 100,000 customers, 50 clients
    python bench/load_test.py --customers 2000 --requests 10   # a quick smoke run

What it does, all on 127.0.0.1 and bounded in count and time:

1. generates the demo dataset (``nrr.demo.generate``; kept in the system's temporary folder
   under nrr-load/ and reused while its parameters match) and starts ``nrr serve`` on a
   free loopback port;
2. creates a dashboard with three widgets, as a user would;
3. cold pass: each endpoint of the mix once, one after another (engine work, cache empty);
4. load: ``--clients`` threads, each with its own keep-alive connection, send
   ``--requests`` requests each, drawn (seeded) from the mix a dashboard page fires, and
   stop at ``--max-seconds`` whatever is left;
5. prints p50/p95/max per endpoint and overall, and writes them as JSON (``--out``).

``--uncached-share 0.5`` makes half of the clients ask only monthly reports over ranges
drawn at random (each a cache miss: engine work that queues on the engine lock), to check
that pages and cached answers do not wait behind them (issue 14); ``--request-timeout``
is each request's client-side timeout (counted as ``timeouts``).

Exit status: 0 when every request got a 2xx answer, 1 otherwise (or when the server failed).
The clients share the 2 cores with the server, so latencies include client-side queuing: a
conservative measure of what 50 simultaneous viewers would see.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

URL = re.compile(r"http://127\.0\.0\.1:\d+/")
MIX = [  # (label, path): what the overview, segments and a dashboard page ask for
    ("attributes", "/api/attributes"),
    ("report month", "/api/report?period=month"),
    ("report quarter by segment", "/api/report?period=quarter&by=segment"),
    ("report ttm", "/api/report?period=ttm"),
    ("periods", "/api/periods?period=quarter"),
    ("cohorts", "/api/cohorts?grain=quarter"),
    ("customers churn", "/api/customers?period=quarter&category=churn&limit=200"),
    ("dashboards", "/api/dashboards"),
    ("page overview", "/"),
]
WIDGETS = [
    {
        "metric": "nrr",
        "chart": "bar",
        "group_by": "csm",
        "timeframe": {"grain": "quarter", "mode": "last", "last": 1},
    },
    {"metric": "mrr", "chart": "line", "timeframe": {"grain": "month", "mode": "last", "last": 12}},
    {
        "metric": "grr",
        "chart": "kpi",
        "group_by": "segment",
        "timeframe": {"grain": "quarter", "mode": "last", "last": 4},
    },
]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, label: str, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.latencies[label].append(seconds)
            if problem:
                self.errors.append(f"{label}: {problem}")


def dataset(customers: int, months: int) -> Path:
    """The demo dataset, generated once per size (outside the repository)."""
    from nrr.demo import generate

    folder = Path(tempfile.gettempdir()) / "nrr-load" / f"{customers}-{months}"
    stamp = folder / "PARAMETERS"
    wanted = f"customers={customers} months={months} seed=7 csv\n"
    if not (stamp.exists() and stamp.read_text() == wanted):
        started = time.monotonic()
        generate(folder / "data", customers=customers, months=months, seed=7)
        stamp.write_text(wanted)
        print(f"generated {customers:,} customers in {time.monotonic() - started:.1f} s")
    return folder / "data"


@contextmanager
def server(data: Path, timeout: float) -> Iterator[str]:
    """``nrr serve DATA`` on 127.0.0.1 with a throwaway store; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="nrr-load-") as tmp:
        log = Path(tmp) / "serve.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "nrr",
                    "serve",
                    str(data),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--store",
                    str(Path(tmp) / "store.sqlite"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=sink,
                stdin=subprocess.DEVNULL,
            )
        try:
            yield _wait_for_url(process, log, timeout)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def _wait_for_url(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = URL.search(log.read_text(errors="replace"))
        if found:
            return found.group(0).rstrip("/")
        time.sleep(0.2)
    raise SystemExit(f"nrr serve did not start:\n{log.read_text(errors='replace')}")


def prepare(url: str) -> list[tuple[str, str]]:
    """A dashboard with three widgets; the mix plus what its page asks for."""
    with httpx.Client(base_url=url, timeout=300) as client:
        board = client.post("/api/dashboards", json={"name": "load test"})
        board.raise_for_status()
        board_id = board.json()["dashboard"]["id"]
        mix = [*MIX, ("dashboard", f"/api/dashboards/{board_id}")]
        for n, spec in enumerate(WIDGETS):
            added = client.post(
                f"/api/dashboards/{board_id}/widgets", json={"title": f"widget {n}", "spec": spec}
            )
            added.raise_for_status()
            mix.append(
                (f"widget {spec['metric']}", f"/api/widgets/{added.json()['widget']['id']}/data")
            )
    return mix


def cold_pass(url: str, mix: list[tuple[str, str]]) -> dict[str, float]:
    timings = {}
    with httpx.Client(base_url=url, timeout=600) as client:
        for label, path in mix:
            started = time.perf_counter()
            client.get(path).raise_for_status()
            timings[label] = time.perf_counter() - started
    return timings


def uncached(rng: random.Random, months: list[str]) -> tuple[str, str]:
    """A monthly report over a random range of the data: almost never asked before."""
    first, last = sorted(rng.sample(range(len(months)), 2))
    return "uncached report", f"/api/report?period=month&start={months[first]}&end={months[last]}"


def data_months(url: str) -> list[str]:
    with httpx.Client(base_url=url, timeout=60) as client:
        span = client.get("/api/attributes").json()["range"]
    year, month = int(span["start"][:4]), int(span["start"][5:7])
    out = []
    while f"{year:04d}-{month:02d}-01" <= span["end"]:
        out.append(f"{year:04d}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def load(
    url: str,
    mix: list[tuple[str, str]],
    clients: int,
    requests: int,
    max_seconds: float,
    uncached_share: float = 0.0,
    request_timeout: float | None = None,
) -> tuple[Results, float]:
    results = Results()
    deadline = time.monotonic() + max_seconds
    barrier = threading.Barrier(clients)
    months = data_months(url) if uncached_share else []
    missing = round(clients * uncached_share)

    def client_loop(seed: int) -> None:
        rng = random.Random(seed)
        timeout = request_timeout or max_seconds
        with httpx.Client(base_url=url, timeout=timeout) as client:
            barrier.wait(timeout=60)
            for _ in range(requests):
                if time.monotonic() > deadline:
                    return
                label, path = uncached(rng, months) if seed < missing else rng.choice(mix)
                started = time.perf_counter()
                try:
                    response = client.get(path)
                    problem = None if response.is_success else f"HTTP {response.status_code}"
                except httpx.TimeoutException:
                    problem = "timeout"
                except httpx.HTTPError as exc:
                    problem = type(exc).__name__
                results.record(label, time.perf_counter() - started, problem)

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max_seconds + 120)
    return results, time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def summary(results: Results, elapsed: float, cold: dict[str, float]) -> dict[str, Any]:
    every = [v for values in results.latencies.values() for v in values]
    per = {
        label: {
            "requests": len(v),
            "p50_ms": percentile(v, 0.50) * 1000,
            "p95_ms": percentile(v, 0.95) * 1000,
            "max_ms": max(v) * 1000,
            "cold_ms": cold.get(label, 0.0) * 1000,
        }
        for label, v in sorted(results.latencies.items())
    }
    pages = [v for label, vs in results.latencies.items() if label.startswith("page") for v in vs]
    kept = [
        v
        for label, vs in results.latencies.items()
        if not label.startswith(("page", "uncached"))
        for v in vs
    ]
    return {
        "requests": len(every),
        "errors": len(results.errors),
        "timeouts": sum(1 for e in results.errors if e.endswith(": timeout")),
        "pages_p95_ms": percentile(pages, 0.95) * 1000 if pages else None,
        "cached_p95_ms": percentile(kept, 0.95) * 1000 if kept else None,
        "seconds": elapsed,
        "requests_per_second": len(every) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(every, 0.50) * 1000 if every else None,
        "p95_ms": percentile(every, 0.95) * 1000 if every else None,
        "endpoints": per,
    }


def show(report: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\n{args.clients} clients x {args.requests} requests on {args.customers:,} "
        f"customers: {report['requests']} requests in {report['seconds']:.1f} s "
        f"({report['requests_per_second']:.0f}/s), {report['errors']} errors"
    )
    print(f"{'endpoint':<28}{'n':>6}{'cold ms':>10}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, row in report["endpoints"].items():
        print(
            f"{label:<28}{row['requests']:>6}{row['cold_ms']:>10.0f}{row['p50_ms']:>10.1f}"
            f"{row['p95_ms']:>10.1f}{row['max_ms']:>10.1f}"
        )
    print(
        f"{'all':<28}{report['requests']:>6}{'':>10}{report['p50_ms']:>10.1f}"
        f"{report['p95_ms']:>10.1f}"
    )
    print(
        f"timeouts {report['timeouts']}; pages p95 {report['pages_p95_ms'] or 0:.0f} ms; "
        f"everything but uncached reports p95 {report['cached_p95_ms'] or 0:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300.0,
        help="stop sending after this long, whatever is left",
    )
    parser.add_argument("--uncached-share", type=float, default=0.0, help="share of clients")
    parser.add_argument("--request-timeout", type=float, default=None, help="seconds")
    parser.add_argument("--out", type=Path, default=None, help="write the summary as JSON")
    args = parser.parse_args(argv)
    data = dataset(args.customers, args.months)
    with server(data, timeout=600) as url:
        assert url.startswith("http://127.0.0.1:"), url  # loopback only, always
        mix = prepare(url)
        cold = cold_pass(url, mix)
        results, elapsed = load(
            url,
            mix,
            args.clients,
            args.requests,
            args.max_seconds,
            args.uncached_share,
            args.request_timeout,
        )
    report = summary(results, elapsed, cold)
    show(report, args)
    for problem in results.errors[:10]:
        print(f"error: {problem}", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if results.errors or not report["requests"] else 0


if __name__ == "__main__":
    sys.exit(main())
