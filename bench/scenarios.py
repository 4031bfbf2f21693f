"""Check the two references against nrr on the hand-derived scenario datasets.

    python -m bench.scenarios [tests/scenarios]

Why: the benchmark checks the pandas baseline and the DuckDB floor on the demo data, which
has no customer paying in two currencies, no zero-amount line, no one-day line. The
scenario datasets of tests/scenarios (each derived by hand in its NOTES.md) have those, so
this check keeps the references honest on the edges too: a faster floor that is wrong
somewhere would set a target nrr should not meet. Each scenario with a subscriptions table
is run over the months from its first line to the month after its last date.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import compare
from bench.cases import BENCH, nrr_executable

SCENARIOS = BENCH.parent / "tests" / "scenarios"


def window(subscriptions: Path) -> tuple[date, date]:
    """First day of the first line's month; first day of the month after the last date."""
    with subscriptions.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    days = [
        date.fromisoformat(r[c].strip())
        for r in rows
        for c in ("start_date", "end_date")
        if r.get(c, "").strip()
    ]
    first, last = min(days), max(days)
    after = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return first.replace(day=1), after


def commands(data: Path, out: Path, start: date, end: date) -> dict[str, list[str]]:
    """nrr's monthly report and the two references, over the same window."""
    span = ["--from", start.isoformat(), "--to", end.isoformat()]
    return {
        "nrr": [
            nrr_executable(),
            "report",
            str(data),
            "--period",
            "month",
            *span,
            "--format",
            "csv",
            "--output",
            str(out / "nrr.csv"),
            "--quiet",
        ],
        "pandas": [
            sys.executable,
            str(BENCH / "pandas_baseline.py"),
            str(data),
            str(out / "pandas.csv"),
            *span,
        ],
        "floor": [
            sys.executable,
            str(BENCH / "floor.py"),
            str(data),
            str(out / "floor.csv"),
            *span,
        ],
    }


def check_scenario(data: Path) -> list[str]:
    """Problems found on one scenario (empty: both references give nrr's numbers)."""
    start, end = window(data / "subscriptions.csv")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for name, argv in commands(data, out, start, end).items():
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            if done.returncode:
                return [f"{name} failed: {done.stderr.strip().splitlines()[-1:]}"]
        return [
            f"{name}: {problem}"
            for name in ("pandas", "floor")
            for problem in compare.differences(out / "nrr.csv", out / f"{name}.csv")
        ]


def main(argv: list[str] | None = None) -> int:
    root = Path((argv or sys.argv[1:] or [str(SCENARIOS)])[0])
    failures = 0
    for data in sorted(p for p in root.glob("*/data") if (p / "subscriptions.csv").exists()):
        problems = check_scenario(data)
        failures += bool(problems)
        print(f"{data.parent.name:<34} {'ok' if not problems else 'DIFFERENT'}")
        for problem in problems:
            print(f"    {problem}")
    print(
        f"{failures} scenario(s) where a reference differs from nrr"
        if failures
        else "both references give nrr's numbers on every scenario"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
