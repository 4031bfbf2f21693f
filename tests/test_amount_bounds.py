"""No wrong number with exit 0: amounts past float64's reach are refused, not summed.

The inputs are the ones issue 14 found: a 400-digit amount, three (or two) lines of 1e308
for one customer, a 400-digit mrr in events. Each passed validation and gave a null (or a
plausible but wrong) NRR with exit 0; each is now an ``amount-too-large`` error naming
file, line and column. The bound itself is argued in docs/validation-errors.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import nrr
from nrr.cli import cli

CUSTOMERS = "customer_id,name\nc1,Acme\nc2,Beta\n"
SUBS_HEADER = "customer_id,start_date,end_date,amount\n"
HUGE = "9" * 400
E308 = "1" + "0" * 308  # 1e308 as a plain decimal

CASES = {
    "400-digit amount": (
        "subscriptions.csv",
        SUBS_HEADER + f"c1,2024-01-01,,{HUGE}\nc2,2024-01-01,,100\n",
        [2],
    ),
    "three 1e308 lines": (
        "subscriptions.csv",
        SUBS_HEADER + f"c1,2024-01-01,,{E308}\nc1,2024-01-01,,{E308}\n"
        f"c1,2024-01-01,2024-03-01,{E308}\nc2,2024-01-01,,100\n",
        [2, 3, 4],
    ),
    "two 1e308 lines, one contracting": (
        "subscriptions.csv",
        SUBS_HEADER + f"c1,2024-01-01,,{E308}\nc1,2024-01-01,2024-03-01,{E308}\n"
        "c2,2024-01-01,,100\n",
        [2, 3],
    ),
    "400-digit mrr": (
        "events.csv",
        f"customer_id,date,mrr\nc1,2024-01-01,{HUGE}\nc2,2024-01-01,100\n",
        [2],
    ),
}


def _dataset(folder: Path, name: str, text: str) -> Path:
    folder.mkdir()
    (folder / "customers.csv").write_text(CUSTOMERS)
    (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["validate", "report"])
def test_amount_past_the_bound_is_an_error(case: str, command: str, tmp_path: Path) -> None:
    name, text, lines = CASES[case]
    folder = _dataset(tmp_path / "data", name, text)
    result = CliRunner().invoke(cli, [command, str(folder)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    issues = [ln for ln in result.stderr.splitlines() if ln.endswith("[amount-too-large]")]
    column = "mrr" if name == "events.csv" else "amount"
    assert [ln.split(": ", 1)[0] for ln in issues] == [f"{folder}/{name}:{n}" for n in lines]
    assert all(f": {column}: " in ln and "at most 1,000,000,000,000,000" in ln for ln in issues)


def test_the_bound_itself_is_accepted_and_summed_exactly(tmp_path: Path) -> None:
    folder = _dataset(
        tmp_path / "data",
        "subscriptions.csv",
        SUBS_HEADER + "c1,2023-12-01,,1000000000000000\nc1,2023-12-01,2024-02-01,12345678.25\n"
        "c2,2023-12-01,,100\n",
    )
    report = nrr.load(folder).report(period="month", start="2024-01-01", end="2024-02-01")
    (january,) = report.to_arrow().to_pylist()
    # (a change under 1e-9 of a customer's MRR counts as none: docs/definitions.md)
    assert january["starting_mrr"] == 1_000_000_012_345_778.25
    assert january["ending_mrr"] == 1_000_000_000_000_100
    assert january["contraction_mrr"] == 12_345_678.25  # to the cent, next to 1e15
    assert january["customers_start"] == 2
