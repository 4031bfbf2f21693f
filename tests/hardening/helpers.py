"""What the hardening tests share: running the CLI, the issue-line grammar, input snapshots.

Every CLI run here goes through ``run`` so the same three promises are checked everywhere:
the exit code is one of the documented ones, nothing prints a traceback, and (via
``unchanged``) the input files are byte-identical afterwards.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from nrr.cli import cli
from nrr.dataset.contract import RULES

CUSTOMERS = "customer_id,name,parent_id,segment\nc1,Acme,,smb\nc2,Beta,c1,ent\n"
SUBS_HEADER = "customer_id,start_date,end_date,amount,currency\n"
SUBS = SUBS_HEADER + "c1,2024-01-01,,100,USD\nc2,2024-02-01,2024-06-01,50,USD\n"

# FILE:LINE: COLUMN: message [rule-id]   (FILE never holds ": "; COLUMN may be "-")
ISSUE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+): (?P<column>.*?): (?P<message>.+) "
    r"\[(?P<rule>[a-z-]+)\]$"
)
SUMMARY = re.compile(r"^\d+ errors? in \d+ files?; nothing was computed\.")


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def issues(self) -> list[re.Match[str]]:
        """The error lines (warnings excluded), each parsed by ``ISSUE``."""
        lines = [ln for ln in self.stderr.splitlines() if not ln.startswith("warning: ")]
        return [m for m in map(ISSUE.match, lines) if m is not None]


def run(*args: str | Path) -> Outcome:
    """``nrr ARGS`` in-process; fails the test on a traceback or an undocumented exit."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    output = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"nrr {args} raised {result.exception!r}") from result.exception
    assert "Traceback" not in output, output
    assert result.exit_code in (0, 1, 2, 3), result.exit_code
    return Outcome(result.exit_code, result.stdout, result.stderr)


def assert_input_errors(outcome: Outcome, rules: set[str] | None = None) -> list[re.Match[str]]:
    """Exit 1, every stderr line an issue (or warning) with a known rule, then the summary."""
    assert outcome.code == 1, (outcome.code, outcome.stderr)
    lines = outcome.stderr.splitlines()
    assert lines and SUMMARY.match(lines[-1]), lines[-1:]
    for line in lines[:-1]:
        match = ISSUE.match(line.removeprefix("warning: "))
        assert match is not None, f"not FILE:LINE: COLUMN: message [rule]: {line!r}"
        assert match["rule"] in RULES, line
    issues = outcome.issues
    assert issues, outcome.stderr
    if rules is not None:
        assert {m["rule"] for m in issues} <= rules, outcome.stderr
    return issues


def write(folder: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """The valid two-customer dataset with ``files`` replacing (None: removing) some files."""
    folder.mkdir(parents=True, exist_ok=True)
    merged: dict[str, str | bytes | None] = {"customers.csv": CUSTOMERS, "subscriptions.csv": SUBS}
    merged.update(files)
    for name, content in merged.items():
        if content is None:
            continue
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and modification time."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@contextmanager
def unchanged(folder: Path) -> Iterator[None]:
    """Assert that nothing under ``folder`` is added, removed, rewritten or touched."""
    before = snapshot(folder)
    yield
    assert snapshot(folder) == before, "an input file was modified"


def report_rows(csv_text: str) -> list[dict[str, Any]]:
    """``nrr report --format csv`` output as rows of floats (None for empty cells)."""
    rows = []
    for raw in csv.DictReader(io.StringIO(csv_text)):
        rows.append({k: (float(v) if _numeric(v) else (v or None)) for k, v in raw.items()})
    return rows


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_bridge(row: Mapping[str, Any]) -> None:
    """The bridge of docs/definitions.md holds, and NRR/GRR follow from their terms."""
    terms = [
        row["total_mrr_start"],
        row["new_mrr"],
        row["reactivation_mrr"],
        row["expansion_mrr"],
        -row["contraction_mrr"],
        -row["churn_mrr"],
    ]
    assert all(math.isfinite(t) for t in [*terms, row["total_mrr_end"]]), row
    scale = max(1.0, sum(abs(t) for t in terms), abs(row["total_mrr_end"]))
    assert abs(row["total_mrr_end"] - sum(terms)) <= 1e-9 * scale, row
    assert min(row["expansion_mrr"], row["contraction_mrr"], row["churn_mrr"]) >= 0, row
    if row["starting_mrr"] > 0:
        nrr = row["ending_mrr"] / row["starting_mrr"] * 100
        grr = (
            (row["starting_mrr"] - row["contraction_mrr"] - row["churn_mrr"])
            / row["starting_mrr"]
            * 100
        )
        assert math.isclose(row["nrr"], nrr, rel_tol=1e-9, abs_tol=1e-9), row
        assert math.isclose(row["grr"], grr, rel_tol=1e-9, abs_tol=1e-9), row
    else:
        assert row["nrr"] is None and row["grr"] is None, row
