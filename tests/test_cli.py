"""The CLI as a user drives it: formats, files, exit codes, stdout vs stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

import nrr
from nrr.cli import cli
from nrr.definitions import REPORT_METRICS
from nrr.demo import generate
from tests.compare import mismatches

WORKED = Path(__file__).parent / "scenarios" / "worked_example" / "data"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, customers=400, months=24, seed=11)
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_json_rows_have_exactly_the_contract_columns() -> None:
    result = run(
        "report",
        str(WORKED),
        "--period",
        "quarter",
        "--from",
        "2024-01-01",
        "--to",
        "2024-04-01",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 1
    assert list(rows[0]) == ["period_start", "period_end", *REPORT_METRICS]
    assert rows[0]["period_start"] == "2024-01-01"
    assert rows[0]["nrr"] == pytest.approx(110.0, rel=1e-12)
    assert rows[0]["grr"] == pytest.approx(95.0, rel=1e-12)


def test_json_is_unrounded_and_groups_follow_the_period(demo: Path) -> None:
    result = run(
        "report",
        str(demo),
        "--period",
        "quarter",
        "--by",
        "segment,region",
        "--from",
        "2023-04-01",
        "--to",
        "2024-01-01",
        "--format",
        "json",
    )
    rows = json.loads(result.stdout)
    assert list(rows[0])[:4] == ["period_start", "period_end", "segment", "region"]
    assert any(r["nrr"] is not None and r["nrr"] != round(r["nrr"], 6) for r in rows)


def test_csv_matches_the_python_api(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "nrr.csv"
    result = run(
        "report",
        str(demo),
        "--period",
        "month",
        "--by",
        "csm",
        "--level",
        "organization",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "wrote" in result.stderr
    import csv

    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    api = nrr.load(demo).report(period="month", by=["csm"], level="organization")
    assert len(rows) == len(api) > 0
    first = api.to_pylist()[0]
    assert rows[0]["period_start"] == first["period_start"].isoformat()
    assert float(rows[0]["starting_mrr"]) == pytest.approx(first["starting_mrr"], rel=1e-12)


def test_parquet_output(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "nrr.parquet"
    result = run(
        "report",
        str(demo),
        "--period",
        "ttm",
        "--from",
        "2023-01-01",
        "--to",
        "2025-01-01",
        "--format",
        "parquet",
        "--output",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out)
    assert table.num_rows == 13  # month ends 2024-01-01 .. 2025-01-01
    assert table.column("period_start").to_pylist()[0] == date(2023, 1, 1)


def test_table_shows_bands_and_totals(demo: Path) -> None:
    result = run(
        "report",
        str(demo),
        "--period",
        "year",
        "--fiscal-year-start",
        "4",
        "--by",
        "segment",
        "--from",
        "2023-01-01",
        "--to",
        "2025-01-01",
    )
    assert result.exit_code == 0, result.stderr
    assert "FY2024" in result.stdout
    assert "Total" in result.stdout
    assert any(band in result.stdout for band in ("exceptional", "healthy", "concerning"))


def test_filters_combine_with_and(demo: Path) -> None:
    def rows(*extra: str) -> list[dict[str, object]]:
        result = run("report", str(demo), "--period", "quarter", "--format", "json", *extra)
        assert result.exit_code == 0, result.stderr
        parsed: list[dict[str, object]] = json.loads(result.stdout)
        return parsed

    both = rows("--filter", "channel=partner", "--filter", "region=EMEA")
    by = rows("--by", "channel,region")
    wanted = [r for r in by if r["channel"] == "partner" and r["region"] == "EMEA"]
    # every period appears ungrouped; periods with no partner EMEA unit are all zeros
    for row in both:
        match = [w for w in wanted if w["period_start"] == row["period_start"]]
        if match:
            expected = {k: v for k, v in match[0].items() if k not in ("channel", "region")}
            assert not mismatches([row], [expected], [])
        else:
            assert row["customers_start"] == 0 and row["nrr"] is None


def test_currency_option(demo: Path) -> None:
    usd = json.loads(run("report", str(demo), "--period", "year", "--format", "json").stdout)
    eur = json.loads(
        run("report", str(demo), "--period", "year", "--currency", "EUR", "--format", "json").stdout
    )
    assert len(usd) == len(eur)
    assert eur[0]["starting_mrr"] != pytest.approx(usd[0]["starting_mrr"])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--period", "week"], 2, "Invalid value for '--period'"),
        (["--by", "planet"], 2, "unknown attribute 'planet'; available:"),
        (["--filter", "channel"], 2, "'channel' is not ATTRIBUTE=VALUE"),
        (["--from", "2024-13-01"], 2, "'2024-13-01' is not a date"),
        (["--from", "2025-01-01", "--to", "2024-01-01"], 2, "must be before --to"),
        (["--currency", "JPY"], 2, "cannot report in JPY: fx_rates has no JPY rate"),
    ],
)
def test_usage_errors(demo: Path, args: list[str], code: int, message: str) -> None:
    result = run("report", str(demo), *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_dataset_is_a_usage_error(tmp_path: Path) -> None:
    result = run("report", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_bad_input_exits_1_and_computes_nothing(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("customer_id\nc1\n")
    (tmp_path / "subscriptions.csv").write_text("customer_id,start_date,amount\nc1,2024-01-01,x\n")
    result = run("report", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "subscriptions.csv:2: amount: 'x' is not a plain decimal" in result.stderr


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    module = subprocess.run(
        [sys.executable, "-m", "nrr", "--version"], capture_output=True, text=True, check=True
    )
    assert module.stdout.startswith("nrr, version")
    script = Path(sys.executable).parent / "nrr"
    result = subprocess.run(
        [str(script), "demo", str(tmp_path / "d"), "--customers", "30", "--months", "6"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == ""
    assert "wrote 30 customers" in result.stderr
    assert (tmp_path / "d" / "subscriptions.csv").exists()


def test_no_whole_period_in_range_is_explained(demo: Path) -> None:
    result = run(
        "report",
        str(demo),
        "--period",
        "year",
        "--from",
        "2024-02-01",
        "--to",
        "2024-12-01",
        "--format",
        "json",
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "no whole year period lies inside" in result.stderr


def test_cohorts_triangle_and_json(demo: Path) -> None:
    table = run(
        "cohorts", str(demo), "--grain", "quarter", "--from", "2023-01-01", "--to", "2024-07-01"
    )
    assert table.exit_code == 0, table.stderr
    assert "2023 Q1" in table.stdout and "Q0" in table.stdout and "Q5" in table.stdout
    rows = json.loads(
        run(
            "cohorts",
            str(demo),
            "--grain",
            "quarter",
            "--from",
            "2023-01-01",
            "--to",
            "2024-07-01",
            "--format",
            "json",
        ).stdout
    )
    assert list(rows[0]) == [
        "cohort",
        "age",
        "customers",
        "customers_active",
        "initial_mrr",
        "mrr",
        "nrr",
        "logo_retention",
    ]
    ages = [r["age"] for r in rows if r["cohort"] == "2023-01-01"]
    assert ages == [0, 1, 2, 3, 4, 5]  # measured at Apr 1 2023 .. Jul 1 2024
    assert all(r["nrr"] == pytest.approx(100.0) for r in rows if r["age"] == 0)


def test_customers_drilldown_and_lines(demo: Path) -> None:
    result = run(
        "customers",
        str(demo),
        "--period",
        "quarter",
        "--from",
        "2023-04-01",
        "--to",
        "2023-07-01",
        "--category",
        "churn",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and {r["category"] for r in rows} == {"churn"}
    assert list(rows[0]) == [
        "period_start",
        "period_end",
        "customer_id",
        "mrr_start",
        "mrr_end",
        "delta",
        "category",
    ]
    report = json.loads(
        run(
            "report",
            str(demo),
            "--period",
            "quarter",
            "--from",
            "2023-04-01",
            "--to",
            "2023-07-01",
            "--format",
            "json",
        ).stdout
    )
    assert len(rows) == report[0]["customers_churned"]
    assert sum(r["mrr_start"] for r in rows) == pytest.approx(report[0]["churn_mrr"])
    lines = run(
        "customers",
        str(demo),
        "--period",
        "quarter",
        "--from",
        "2023-04-01",
        "--to",
        "2023-07-01",
        "--category",
        "churn",
        "--lines",
        "--format",
        "json",
    )
    line_rows = json.loads(lines.stdout)
    assert {r["customer_id"] for r in line_rows} == {r["customer_id"] for r in rows}
    assert {r["active_at"] for r in line_rows} == {"start"}  # churned: nothing active at t1


def test_explain_prints_definitions_and_sql(demo: Path) -> None:
    result = run(
        "report",
        str(demo),
        "--period",
        "quarter",
        "--by",
        "segment",
        "--level",
        "organization",
        "--currency",
        "EUR",
        "--explain",
    )
    assert result.exit_code == 0, result.stderr
    assert "-- level: organization" in result.stdout
    assert "-- currency: EUR (base USD)" in result.stdout
    assert "-- method: snapshot" in result.stdout
    assert "SELECT" in result.stdout and "nrr_lines" in result.stdout


def test_interpretation_lines_under_the_table(demo: Path) -> None:
    result = run(
        "report", str(demo), "--period", "year", "--from", "2023-01-01", "--to", "2025-01-01"
    )
    tail = result.stdout.strip().splitlines()[-2:]
    assert tail[0].startswith("2023: NRR ") and tail[1].startswith("2024: NRR ")
    assert all(" — " in line for line in tail)


def test_methods_and_fx_options(demo: Path) -> None:
    def first(*extra: str) -> dict[str, object]:
        rows = json.loads(
            run(
                "report",
                str(demo),
                "--period",
                "quarter",
                "--from",
                "2023-04-01",
                "--to",
                "2023-07-01",
                "--format",
                "json",
                *extra,
            ).stdout
        )
        assert len(rows) == 1
        row: dict[str, object] = rows[0]
        return row

    snapshot, compounded = first(), first("--method", "compounded")
    assert snapshot["starting_mrr"] == pytest.approx(compounded["starting_mrr"], rel=1e-12)
    months = json.loads(
        run(
            "report",
            str(demo),
            "--period",
            "month",
            "--from",
            "2023-04-01",
            "--to",
            "2023-07-01",
            "--format",
            "json",
        ).stdout
    )
    product = 100.0
    for month in months:
        product *= month["nrr"] / 100
    assert compounded["nrr"] == pytest.approx(product, rel=1e-12)
    constant = first("--fx", "constant")
    assert constant["starting_mrr"] == pytest.approx(snapshot["starting_mrr"], rel=1e-12)


def test_a_filter_value_that_never_occurs_warns(tmp_path: Path) -> None:
    """A typo in a filter value gives a report of zeros: say so (issue 14, point 7)."""
    data = Path(__file__).parent / "scenarios" / "worked_example" / "data"
    args = ["report", str(data), "--period", "quarter", "--from", "2024-01-01"]
    args += ["--to", "2024-04-01", "--format", "csv"]
    typo = CliRunner().invoke(cli, [*args, "--filter", "segment=Entreprise"])
    assert typo.exit_code == 0
    assert "--filter segment=Entreprise matches nothing" in typo.stderr
    assert "no customer has that value" in typo.stderr
    product = CliRunner().invoke(cli, [*args, "--filter", "product=nothing-sold"])
    assert "--filter product=nothing-sold matches nothing: no line has" in product.stderr
    quiet = CliRunner().invoke(cli, [*args, "--filter", "segment=Entreprise", "--quiet"])
    assert "matches nothing" not in quiet.stderr
    real = CliRunner().invoke(cli, [*args, "--filter", "segment=smb"])
    assert real.exit_code == 0 and "matches nothing" not in real.stderr
