"""Run nrr's benchmark suite: ``python -m bench.run`` (or ``python bench/run.py``).

    python -m bench.run --sizes 100000,1000000 --runs 3 --out bench/results

For each size: generate the demo dataset as Parquet once (bench/data/<size>/, reused while
its parameters match), then measure every case of bench/cases.py as a separate process
under ``/usr/bin/time -v``, ``--runs`` times, and keep the medians. Cases are interleaved
(round 1 of every case, then round 2...) so a burst of noise on the shared machine hits
all of them rather than one. After the first round, the pandas baseline's and the DuckDB
floor's outputs are checked against nrr's monthly report; the run fails loudly (exit 1)
if they differ, since ratios between different answers would mean nothing.

Results: bench/results/<date>-<size>.json per size, and <date>-summary.md with the tables
docs/benchmarks.md quotes.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import compare, machine, measure, summary
from bench.cases import COLD_CUSTOMERS, FLOOR, MONTHLY, PANDAS, Case, cases

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
SOURCE = BENCH.parent / "src" / "nrr"
MEASURED_CODE = ("engine", "dataset", "api.py", "cli", "periods.py", "render")
MONTHS = 36
SEED = 7
START = date(2023, 1, 1)
END = date(2026, 1, 1)  # START + MONTHS: the demo's whole window


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time nrr against a pandas baseline and a DuckDB floor (issue 6)."
    )
    parser.add_argument(
        "--sizes",
        default="100000,1000000",
        help="customers per dataset, comma-separated (default: %(default)s)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median)")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--cases",
        default="",
        help="only these case names, comma-separated (checks need "
        f"{MONTHLY}, {PANDAS} and {FLOOR})",
    )
    parser.add_argument(
        "--cap-gib",
        type=float,
        default=15.0,
        help="kill a run above this resident memory (lower bound)",
    )
    parser.add_argument(
        "--cap-seconds", type=float, default=600.0, help="kill a run after this long (lower bound)"
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.cases = {c.strip() for c in args.cases.split(",") if c.strip()}
    if args.runs < 1 or not args.sizes:
        parser.error("--runs must be at least 1 and --sizes must name a size")
    return args


# --- datasets -------------------------------------------------------------------------------
def dataset(customers: int) -> Path:
    """bench/data/<customers>/: the demo dataset as Parquet, generated once.

    A stamp file records the generator's arguments; a folder without a matching stamp (an
    interrupted generation, other arguments) is generated again.
    """
    folder = DATA / str(customers)
    stamp = folder / "bench-stamp.json"
    wanted = {"customers": customers, "months": MONTHS, "seed": SEED, "start": str(START)}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return folder
    from nrr.demo import generate  # only here: measuring does not need nrr in this process

    print(
        f"generating the demo dataset with {customers:,} customers into {folder}", file=sys.stderr
    )
    stamp.unlink(missing_ok=True)
    generate(folder, customers=customers, months=MONTHS, seed=SEED, start=START, fmt="parquet")
    stamp.write_text(json.dumps(wanted))
    return folder


def describe_dataset(folder: Path) -> dict[str, int]:
    """Row counts from Parquet metadata (no data read) and the bytes on disk."""
    import pyarrow.parquet as pq

    def rows(table: str) -> int:
        return int(pq.ParquetFile(folder / f"{table}.parquet").metadata.num_rows)

    return {
        "customers": rows("customers"),
        "subscription_lines": rows("subscriptions"),
        "bytes": sum(p.stat().st_size for p in folder.glob("*.parquet")),
    }


def source_digest() -> str:
    """A short digest of the nrr sources on the measured path, taken before every run.

    Why: the engine is optimised while the benchmark runs; the digest tells which code each
    number belongs to, and a size whose runs saw different code is flagged in the summary.
    Only the code a report runs through counts (not the web dashboard, say).
    """
    digest = hashlib.sha256()
    paths = (
        p
        for part in MEASURED_CODE
        for p in ((SOURCE / part).rglob("*.py") if (SOURCE / part).is_dir() else [SOURCE / part])
    )
    for path in sorted(p for p in paths if p.exists()):
        digest.update(str(path.relative_to(SOURCE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- measuring ------------------------------------------------------------------------------
def measure_size(customers: int, args: argparse.Namespace) -> dict[str, Any]:
    """Every case at one size, interleaved over ``args.runs`` rounds, checked after round 1."""
    data, small = dataset(customers), dataset(COLD_CUSTOMERS)
    out = DATA / f"{customers}-out"
    out.mkdir(parents=True, exist_ok=True)
    selected = [
        c for c in cases(data, small, out, START, END) if not args.cases or c.name in args.cases
    ]
    cap = measure.Cap(args.cap_gib, args.cap_seconds)
    runs: dict[str, list[measure.Run]] = {c.name: [] for c in selected}
    checks: dict[str, str] = {}
    for round_number in range(1, args.runs + 1):
        for case in selected:
            if runs[case.name] and runs[case.name][-1].capped:
                continue  # a capped case is not re-run: its bound will not move
            runs[case.name].append(_measure_case(case, cap, out, round_number, customers))
        if round_number == 1:
            checks = check_outputs(selected, runs)
    return {
        "date": date.today().isoformat(),
        "size": customers,
        "months": MONTHS,
        "seed": SEED,
        "window": [START.isoformat(), END.isoformat()],
        "runs_requested": args.runs,
        "caps": {"gib": cap.gib, "seconds": cap.seconds},
        "machine": machine.describe(),
        "dataset": describe_dataset(data),
        "cases": {c.name: _case_result(c, runs[c.name]) for c in selected},
        "checks": checks,
    }


def _measure_case(
    case: Case, cap: measure.Cap, out: Path, round_number: int, customers: int
) -> measure.Run:
    if case.output is not None:
        case.output.unlink(missing_ok=True)  # a check must never read a stale file
    source = source_digest()
    result = dataclasses.replace(
        measure.run(case.argv, cap, out / f"{case.name}.log"), source=source
    )
    note = f" (capped: {result.capped}, a lower bound)" if result.capped else ""
    print(
        f"{customers:>9,} {case.name:<28} run {round_number}: {result.seconds:8.2f} s "
        f"{result.cpu_seconds:8.2f} s CPU {result.peak_mib:9.1f} MiB "
        f"load {result.load_before:.1f} src {source}{note}",
        file=sys.stderr,
    )
    return result


def _case_result(case: Case, runs: list[measure.Run]) -> dict[str, Any]:
    as_dicts = [r.as_dict() for r in runs]
    return {
        "label": case.label,
        "command": case.argv,
        "runs": as_dicts,
        **summary.medians(as_dicts),
    }


def check_outputs(selected: list[Case], runs: dict[str, list[measure.Run]]) -> dict[str, str]:
    """Compare the references' CSVs with nrr's monthly report; raise on any difference."""
    by_name = {c.name: c for c in selected}
    if MONTHLY not in by_name:
        return {}
    expected = by_name[MONTHLY].output
    assert expected is not None
    checks = {}
    for name in (PANDAS, FLOOR):
        case = by_name.get(name)
        if case is None or case.output is None:
            continue
        capped = runs[name][-1].capped or runs[MONTHLY][-1].capped
        if capped:  # a killed process wrote nothing to compare
            checks[name] = f"not checked: a run was capped ({capped})"
            continue
        compare.check(expected, case.output, case.label)
        checks[name] = "same numbers as nrr (every column, rel 1e-9 / abs 1e-6)"
    return checks


# --- main --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = []
    try:
        for size in args.sizes:
            result = measure_size(size, args)
            summary.evaluate(result)
            results.append(result)
    except compare.Mismatch as exc:
        print(f"\nBENCHMARK CHECK FAILED: {exc}", file=sys.stderr)
        return 1
    except measure.RunFailed as exc:
        print(f"\nBENCHMARK RUN FAILED: {exc}", file=sys.stderr)
        return 1
    print(summary.write(results, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
