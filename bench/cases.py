"""The measured commands: nrr's CLI cases and the two references beside them.

Why these: they are the workloads issue 6 names. The monthly report ungrouped is the one
the targets are about; grouping by segment adds point-in-time attributes; quarter by
organization adds the account tree; cohorts is a different query shape; a cold start on a
tiny dataset is the fixed cost a user pays on every command. The pandas baseline and the
DuckDB floor compute the ungrouped monthly report and are checked against nrr's output.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
MONTHLY = "report_month"  # the case the targets and the checks are about
PANDAS = "pandas_baseline"
FLOOR = "duckdb_floor"
COLD_CUSTOMERS = 1000


@dataclass(frozen=True)
class Case:
    """One command to time; ``output`` is the CSV it writes (None: writes nothing we read)."""

    name: str
    label: str
    argv: list[str]
    output: Path | None = None


def nrr_executable() -> str:
    """The ``nrr`` script of the interpreter running the benchmark (the project's venv)."""
    beside = Path(sys.executable).with_name("nrr")
    found = str(beside) if beside.exists() else shutil.which("nrr")
    if found is None:
        raise SystemExit("no nrr executable: run `make install` first")
    return found


def cases(data: Path, small: Path, out: Path, start: date, end: date) -> list[Case]:
    """Every case for the dataset ``data``; ``small`` is the cold-start dataset."""
    nrr = nrr_executable()
    window = ["--from", start.isoformat(), "--to", end.isoformat()]

    def report(name: str, label: str, *options: str) -> Case:
        target = out / f"{name}.csv"
        argv = [
            nrr,
            "report",
            str(data),
            *options,
            *window,
            "--format",
            "csv",
            "--output",
            str(target),
        ]
        return Case(name, label, argv, target)

    def script(name: str, label: str, file: str) -> Case:
        target = out / f"{name}.csv"
        argv = [sys.executable, str(BENCH / file), str(data), str(target), *window]
        return Case(name, label, argv, target)

    return [
        report(MONTHLY, "nrr report --period month", "--period", "month"),
        report(
            "report_month_by_segment",
            "nrr report --period month --by segment",
            "--period",
            "month",
            "--by",
            "segment",
        ),
        report(
            "report_quarter_organization",
            "nrr report --period quarter --level organization",
            "--period",
            "quarter",
            "--level",
            "organization",
        ),
        Case(
            "cohorts",
            "nrr cohorts",
            [
                nrr,
                "cohorts",
                str(data),
                *window,
                "--format",
                "csv",
                "--output",
                str(out / "cohorts.csv"),
            ],
            out / "cohorts.csv",
        ),
        Case(
            "cold_validate",
            f"nrr validate ({COLD_CUSTOMERS:,} customers)",
            [nrr, "validate", str(small)],
        ),
        Case("cold_help", "nrr --help", [nrr, "--help"]),
        script(PANDAS, "pandas baseline (monthly report)", "pandas_baseline.py"),
        script(FLOOR, "DuckDB floor (monthly report)", "floor.py"),
    ]
