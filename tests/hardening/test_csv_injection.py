"""CSV formula injection: a customer's text never runs as a spreadsheet formula.

Every CSV the CLI and the dashboard write puts a ``'`` before a text cell (or a column
name) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's rule,
docs/security.md). Numbers stay numbers, negative ones included; ``--raw-csv`` (CLI) and
``raw_csv=true`` (web) write text as it is, for programs.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pytest

import nrr
from nrr.render import render_bytes
from tests.hardening.helpers import run
from tests.web.helpers import client_for

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3", "+cmd", "\t=1", "\r=1"]
SAFE = ["plain", "a=b", "'=already quoted"]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One customer per segment name; each churns or contracts, so deltas are negative."""
    folder = tmp_path_factory.mktemp("hostile")
    segments = HOSTILE + SAFE
    customers = ["customer_id,name,parent_id,segment"]
    lines = ["customer_id,start_date,end_date,amount,currency"]
    for index, segment in enumerate(segments):
        customers.append(f"c{index},{_quoted(segments[-1 - index])},,{_quoted(segment)}")
        lines.append(f"c{index},2024-01-01,2024-03-01,{100 + index},USD")
    customers.append('-c99,"=1+1",,plain')  # a customer id a spreadsheet would run
    lines.append("-c99,2024-01-01,,50,USD")
    (folder / "customers.csv").write_text("\n".join(customers) + "\n")
    (folder / "subscriptions.csv").write_text("\n".join(lines) + "\n")
    return folder


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_customers_csv_escapes_text_that_starts_a_formula(hostile: Path) -> None:
    outcome = run(
        "customers", hostile, "--by", "segment", "--to", "2024-04-01", "--format", "csv", "-q"
    )
    assert outcome.code == 0, outcome.stderr
    found = rows(outcome.stdout)
    segments = {row["segment"] for row in found}
    assert segments == {"'" + s for s in HOSTILE} | set(SAFE)
    assert {row["customer_id"] for row in found} >= {"'-c99", "c0"}
    churned = [row for row in found if row["category"] == "churn"]
    assert churned and all(float(row["delta"]) < 0 for row in churned)
    assert ",-1" in outcome.stdout  # a negative number is written bare, as a number
    assert "'-1" not in outcome.stdout


def test_raw_csv_writes_text_as_it_is(hostile: Path) -> None:
    outcome = run(
        "customers",
        hostile,
        "--by",
        "segment",
        "--to",
        "2024-04-01",
        "--format",
        "csv",
        "--raw-csv",
        "-q",
    )
    assert outcome.code == 0, outcome.stderr
    found = rows(outcome.stdout)
    assert {row["segment"] for row in found} == set(HOSTILE + SAFE)
    assert "-c99" in {row["customer_id"] for row in found}


@pytest.mark.parametrize("command", ["report", "cohorts"])
def test_every_tabular_command_escapes(hostile: Path, command: str) -> None:
    outcome = run(command, hostile, "--by", "segment", "--format", "csv", "-q")
    assert outcome.code == 0, outcome.stderr
    assert {row["segment"] for row in rows(outcome.stdout)} <= {"'" + s for s in HOSTILE} | set(
        SAFE
    )
    assert '"@SUM(1)"' not in outcome.stdout and '"\'@SUM(1)"' in outcome.stdout
    raw = run(command, hostile, "--by", "segment", "--format", "csv", "--raw-csv", "-q")
    assert '"@SUM(1)"' in raw.stdout


def test_json_is_not_escaped(hostile: Path) -> None:
    outcome = run("report", hostile, "--by", "segment", "--format", "json", "-q")
    assert "@SUM(1)" in {row["segment"] for row in json.loads(outcome.stdout)}


def test_the_dashboards_csv_download_escapes(hostile: Path, tmp_path: Path) -> None:
    params = {"by": "segment", "format": "csv", "end": "2024-06-01"}
    with client_for(nrr.load(hostile), tmp_path / "s.sqlite") as client:
        escaped = client.get("/api/report", params=params)
        raw = client.get("/api/report", params={**params, "raw_csv": "true"})
    assert escaped.status_code == raw.status_code == 200
    assert {row["segment"] for row in rows(escaped.text)} == {"'" + s for s in HOSTILE} | set(SAFE)
    assert {row["segment"] for row in rows(raw.text)} == set(HOSTILE + SAFE)
    churn = [row["churn_mrr"] for row in rows(escaped.text)]
    assert any(float(value) > 0 for value in churn)  # numbers stay bare numbers


@pytest.mark.parametrize("path", ["/api/forecast", "/api/signals"])
def test_insight_csv_downloads_take_the_opt_out(path: str, demo_dir: Path, tmp_path: Path) -> None:
    params = {"period": "quarter", "format": "csv", "raw_csv": "true"}
    with client_for(demo_dir, tmp_path / "s.sqlite") as client:
        assert client.get(path, params=params).status_code == 200


def test_render_bytes_escapes_text_and_names_only() -> None:
    table = pa.table(
        {
            "=name": ["-2+3", "x", None, "\r=1"],
            "tier": pa.array(["@a", "b", "@a", "b"]).dictionary_encode(),
            "delta": [-30.5, 1.0, None, -2.0],
            "count": [-1, 2, 3, 4],
        }
    )
    text = render_bytes(table, "csv").decode()
    assert text.splitlines()[0] == '"\'=name","tier","delta","count"'
    assert text.splitlines()[1] == '"\'-2+3","\'@a",-30.5,-1'
    assert '"\'\r=1"' in text
    assert render_bytes(table, "csv", escape_formulas=False).decode().startswith('"=name"')
    assert render_bytes(table, "json") == render_bytes(table, "json", escape_formulas=False)
