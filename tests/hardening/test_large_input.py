"""A 50 MB+ export, generated at test time: validated, reported right, errors found by line.

Runs ``python -m nrr`` as a real process, as a user would, so memory and start-up are real.
The data is built so that the right answer is known without nrr: every line starts in 2023
and none ends, so the MRR at 2024-01-01 is the sum of the amounts written.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening.helpers import ISSUE, SUMMARY, assert_bridge, report_rows, unchanged

CUSTOMERS = 100_000
LINES_PER_CUSTOMER = 12
MIN_BYTES = 50 * 1024 * 1024
TIMEOUT = 300


def nrr(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "nrr", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A folder with a >50 MB subscriptions.csv; returns it and the total MRR in cents."""
    folder = tmp_path_factory.mktemp("big")
    rng = random.Random(8)
    with (folder / "customers.csv").open("w", newline="") as out:
        out.write("customer_id,name,parent_id,segment\n")
        out.writelines(
            f'c{i},"Customer {i}, Inc.",,{rng.choice(("smb", "mid", "ent"))}\n'
            for i in range(CUSTOMERS)
        )
    total_cents = 0
    with (folder / "subscriptions.csv").open("w", newline="") as out:
        out.write(
            "customer_id,start_date,end_date,amount,billing_months,currency,kind,product,"
            "subscription_id\r\n"
        )
        for i in range(CUSTOMERS):
            for j in range(LINES_PER_CUSTOMER):
                cents = rng.randrange(1_000, 500_000)
                total_cents += cents
                out.write(
                    f"c{i},2023-{j + 1:02d}-01,,{cents // 100}.{cents % 100:02d},1,USD,"
                    f"recurring,plan-{j % 3},sub-{i}-{j}\r\n"
                )
    assert (folder / "subscriptions.csv").stat().st_size > MIN_BYTES
    return folder, total_cents


def test_a_50_mb_file_validates_and_reports_the_known_total(big: tuple[Path, int]) -> None:
    folder, total_cents = big
    with unchanged(folder):
        checked = nrr("validate", folder)
        assert checked.returncode == 0, checked.stderr
        rows = f"{CUSTOMERS * LINES_PER_CUSTOMER:,} rows"
        assert re.search(rf"subscriptions +{rows}", checked.stdout), checked.stdout
        report = nrr(
            "report",
            folder,
            "--period",
            "year",
            "--from",
            "2024-01-01",
            "--to",
            "2025-01-01",
            "--format",
            "csv",
        )
    assert report.returncode == 0, report.stderr
    (row,) = report_rows(report.stdout)
    assert_bridge(row)
    assert row["total_mrr_start"] == pytest.approx(total_cents / 100, rel=1e-12)
    assert row["nrr"] == pytest.approx(100.0) and row["customers_start"] == CUSTOMERS


def test_errors_deep_in_a_50_mb_file_are_found_at_their_lines(
    big: tuple[Path, int], tmp_path: Path
) -> None:
    source, _ = big
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "customers.csv").write_bytes((source / "customers.csv").read_bytes())
    lines = (source / "subscriptions.csv").read_bytes().split(b"\r\n")
    last = len(lines) - 1  # the text ends with a line break: the last item is empty
    lines[last - 1] = lines[last - 1].replace(b",1,USD,", b",1,US$,")
    lines[700_000] = lines[700_000].replace(b"2023-", b"2023/", 1)
    (folder / "subscriptions.csv").write_bytes(b"\r\n".join(lines))
    with unchanged(folder):
        result = nrr("validate", folder)
    assert result.returncode == 1
    stderr = result.stderr.splitlines()
    assert SUMMARY.match(stderr[-1]) and stderr[-1].startswith("2 errors in 1 file")
    found = [(int(m["line"]), m["column"], m["rule"]) for m in map(ISSUE.match, stderr[:-1]) if m]
    assert found == [(700_001, "start_date", "date-format"), (last, "currency", "currency-format")]
