"""Where the time goes: nrr's phases and the DuckDB operators of its report query.

    python -m bench.hotspots bench/data/1000000 [--period month] [--by segment]
           [--level organization] [--top 15] [--floor]

Why it exists: the benchmark says *whether* a target is met; the engine owner then needs
*where* the time goes before changing anything (issue 6: "profile ... and fix the
engine"). This prints the wall time of nrr's phases in one process (import; load = read,
validate and stage; register the tables on the engine; run the report query) and the
slowest operators of the query from DuckDB's own profiler (EXPLAIN ANALYZE as JSON), with
their row counts and join or grouping keys. ``--floor`` profiles bench/floor.sql instead.
Operator times are summed over DuckDB's threads, so they can add up to more than the wall.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import floor

Operator = tuple[float, str, int, str]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--period", default="month")
    parser.add_argument("--by", default="", help="comma-separated grouping attributes")
    parser.add_argument("--level", default="account")
    parser.add_argument("--from", dest="start", type=date.fromisoformat, default=date(2023, 1, 1))
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2026, 1, 1))
    parser.add_argument("--top", type=int, default=15, help="operators to list")
    parser.add_argument("--floor", action="store_true", help="profile bench/floor.sql")
    return parser.parse_args(argv)


class Clock:
    """Named phases with their wall time, printed in order."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases.append((name, now - self._last))
        self._last = now

    def print(self) -> None:
        total = sum(seconds for _, seconds in self.phases)
        for name, seconds in self.phases:
            print(f"  {name:<34} {seconds:8.2f} s  {seconds / total:6.1%}")
        print(f"  {'total':<34} {total:8.2f} s")


def enable_profiling(con: Any, target: Path) -> None:
    """DuckDB writes the last query's operator tree, with timings, as JSON to ``target``."""
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{target}'")


def operators(node: dict[str, Any]) -> Iterator[Operator]:
    """Every operator of a profile tree: (seconds, type, rows, keys or conditions)."""
    info = node.get("extra_info") or {}
    keys = info.get("Conditions") or info.get("Groups") or info.get("Condition") or ""
    if isinstance(keys, list):
        keys = ", ".join(keys)
    kind = str(node.get("operator_type") or node.get("operator_name") or "")
    if kind:
        yield (
            float(node.get("operator_timing", 0.0)),
            kind,
            int(node.get("operator_cardinality", 0)),
            str(keys)[:90],
        )
    for child in node.get("children", []):
        yield from operators(child)


def print_operators(profile: Path, top: int) -> None:
    tree = json.loads(profile.read_text())
    found = sorted(operators(tree), key=lambda o: -o[0])
    print(
        f"\nDuckDB: query latency {tree.get('latency', 0.0):.2f} s, CPU "
        f"{tree.get('cpu_time', 0.0):.2f} s, peak buffer memory "
        f"{tree.get('system_peak_buffer_memory', 0) / 2**20:,.0f} MiB; slowest operators:"
    )
    for seconds, kind, rows, keys in found[:top]:
        print(f"  {seconds:7.2f} s  {kind:<22} {rows:>12,} rows  {keys}")


def profile_nrr(args: argparse.Namespace, profile: Path) -> None:
    clock = Clock()
    import nrr

    clock.lap("import nrr")
    dataset = nrr.load(args.data)
    clock.lap("load: read, validate, stage")
    dataset.sources  # noqa: B018 - registering the staging tables is a phase of its own
    clock.lap("register tables on DuckDB")
    by = [b for b in args.by.split(",") if b]
    request = dataset.request(args.period, args.start, args.end, by=by, level=args.level)
    clock.lap("build the request")
    enable_profiling(dataset.backend.con.con, profile)
    report = dataset.run(request)
    clock.lap(f"run the report ({report.table.num_rows} rows)")
    print(f"nrr phases, one process, {args.data}:")
    clock.print()


def profile_floor(args: argparse.Namespace, profile: Path) -> None:
    clock = Clock()
    import duckdb

    con = duckdb.connect()
    floor.bind(con, args.data, args.start, args.end)
    clock.lap("connect and bind")
    enable_profiling(con, profile)
    rows = con.execute(floor.SQL.read_text()).fetchall()
    clock.lap(f"run floor.sql ({len(rows)} rows)")
    print(f"DuckDB floor, {args.data}:")
    clock.print()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "profile.json"
        (profile_floor if args.floor else profile_nrr)(args, profile)
        print_operators(profile, args.top)


if __name__ == "__main__":
    main()
