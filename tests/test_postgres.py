"""PostgreSQL as a data source, against a throwaway cluster (tests/pg.py).

Every scenario dataset is loaded into its own schema and the scenario cases run through
``postgresql://`` URLs with the same expectations as tests/test_scenarios.py. Around them:
issues name table, primary key and column; passwords never appear in any output; bad
connections are a ConfigError (exit code 2).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner, Result

import nrr
from nrr.cli import cli
from nrr.dataset.postgres import PostgresURL, is_database_url
from nrr.dataset.readers import RawTable
from nrr.errors import ConfigError, InputError
from tests.compare import mismatches
from tests.pg import (
    PASSWORD,
    PASSWORD_USER,
    Cluster,
    PostgresMissing,
    bindir,
    load_csv_folder,
    running_cluster,
)
from tests.test_scenarios import SCENARIOS, _cases

KEYS = {"customers": "customer_id"}  # subscriptions etc. stay keyless: row-number path


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """One cluster for the whole run; a missing server or driver fails, never skips."""
    problem = None
    try:
        bindir()
        import psycopg  # noqa: F401
    except PostgresMissing as exc:
        problem = str(exc)
    except ImportError:
        problem = "psycopg is not installed: pip install -e '.[postgres]'"
    if problem:
        pytest.fail(problem, pytrace=False)
    with running_cluster() as running:
        yield running


@pytest.fixture(scope="session")
def scenario_urls(cluster: Cluster) -> dict[str, str]:
    """Each tests/scenarios/<name>/data folder as schema <name>, read as the superuser."""
    urls = {}
    for folder in sorted(p for p in SCENARIOS.iterdir() if p.is_dir()):
        load_csv_folder(cluster, folder / "data", folder.name, KEYS)
        urls[folder.name] = cluster.url(folder.name)
    return urls


def admin(cluster: Cluster, *statements: str) -> None:
    import psycopg

    with psycopg.connect(cluster.admin_conninfo, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def sorted_rows(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.column_names])


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def output_of(result: Result) -> str:
    return result.stdout + result.stderr


# --- the scenarios, through PostgreSQL -------------------------------------------------------


@pytest.mark.parametrize(("folder", "case"), _cases())
def test_scenario_on_postgres(
    scenario_urls: dict[str, str], folder: Path, case: dict[str, Any]
) -> None:
    request = case["request"]
    report = nrr.load(scenario_urls[folder.name]).report(**request)
    rows = report.to_pylist()
    assert rows, "the report is empty"
    problems = mismatches(rows, case["rows"], request.get("by", []))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir()))
def test_postgres_stages_the_same_tables_as_the_files(
    scenario_urls: dict[str, str], name: str
) -> None:
    """Stronger than equal reports: the typed staging tables hold the same rows.

    Row order may differ (a keyed table is read in key order), and it carries no meaning.
    """
    from_db = nrr.load(scenario_urls[name]).staged
    from_files = nrr.load(SCENARIOS / name / "data").staged
    for table in ("customers", "lines", "fx_rates", "attribute_history"):
        db, files = getattr(from_db, table), getattr(from_files, table)
        assert sorted_rows(db).equals(sorted_rows(files)), table
    assert from_db.base_currency == from_files.base_currency
    assert from_db.table_rows == from_files.table_rows
    assert from_db.source == scenario_urls[name]


def test_native_types_and_case_insensitive_names(cluster: Cluster, tmp_path: Path) -> None:
    """Typed columns (date, numeric, integer, midnight timestamps) read like their text."""
    admin(
        cluster,
        "CREATE SCHEMA typed",
        'CREATE TABLE typed."Customers" ("Customer_ID" text PRIMARY KEY, segment text)',
        "INSERT INTO typed.\"Customers\" VALUES ('c1', 'smb'), ('c2', NULL)",
        "CREATE TABLE typed.subscriptions (id bigint PRIMARY KEY, customer_id text, "
        "start_date timestamp, end_date date, amount numeric(12, 2), billing_months int)",
        "INSERT INTO typed.subscriptions VALUES "
        "(1, 'c1', '2024-01-01', NULL, 100, 1), (2, 'c2', '2024-01-01', '2024-03-01', 1200, 12)",
    )
    (tmp_path / "customers.csv").write_text("customer_id,segment\nc1,smb\nc2,\n")
    (tmp_path / "subscriptions.csv").write_text(
        "customer_id,start_date,end_date,amount,billing_months\n"
        "c1,2024-01-01,,100.00,1\nc2,2024-01-01,2024-03-01,1200.00,12\n"
    )
    db = nrr.load(cluster.url("TYPED")).report(start="2024-01-01", end="2024-05-01")
    files = nrr.load(tmp_path).report(start="2024-01-01", end="2024-05-01")
    assert db.to_pylist() == files.to_pylist()


# --- validation: table, primary key, column --------------------------------------------------


def test_issues_name_table_primary_key_and_column(cluster: Cluster) -> None:
    admin(
        cluster,
        "CREATE SCHEMA broken",
        "CREATE TABLE broken.customers (customer_id text PRIMARY KEY, parent_id text)",
        "INSERT INTO broken.customers VALUES ('c1', NULL), ('c2', 'c9')",
        "CREATE TABLE broken.subscriptions (id int PRIMARY KEY, customer_id text, "
        "start_date date, amount text)",
        "INSERT INTO broken.subscriptions VALUES (7, 'c1', '2024-01-01', '100'), "
        "(42, 'c1', '2024-01-01', '1,000'), (43, 'c1', NULL, '-5')",
        "CREATE TABLE broken.fx_rates (date text, currency text, rate text)",  # no key
        "INSERT INTO broken.fx_rates VALUES ('2023-01-01', 'EUR', '1.1'), "
        "('2023-01-01', 'GBP', '0')",
    )
    url = cluster.url("broken")
    result = invoke("validate", url)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{url}#customers: customer_id=c2: parent_id: parent_id 'c9' is not a customer_id "
        "of the customers table [parent-unknown]",
        f"{url}#fx_rates:3: rate: rate 0 must be > 0 [rate-positive]",
        f"{url}#subscriptions: id=42: amount: '1,000' is not a plain decimal number (no "
        "currency symbols, thousands separators or exponents) [decimal-format]",
        f"{url}#subscriptions: id=43: amount: -5 is negative; amount must be >= 0 "
        "[amount-negative]",
        f"{url}#subscriptions: id=43: start_date: start_date is required [value-required]",
        "5 errors in 3 files; nothing was computed. Rule ids are explained in "
        "docs/validation-errors.md.",
    ]


def test_header_problems_and_case_clashes(cluster: Cluster) -> None:
    admin(
        cluster,
        "CREATE SCHEMA headers",
        "CREATE TABLE headers.customers (id int PRIMARY KEY, name text)",
        "CREATE TABLE headers.subscriptions (customer_id text, start_date date, amount int)",
        'CREATE TABLE headers."Events" (customer_id text)',
        'CREATE TABLE headers."EVENTS" (customer_id text)',
    )
    with pytest.raises(ConfigError, match="both EVENTS and Events hold table events; keep one"):
        nrr.load(cluster.url("headers"))
    admin(cluster, 'DROP TABLE headers."Events", headers."EVENTS"')
    url = cluster.url("headers")
    with pytest.raises(InputError) as info:
        nrr.load(url)
    assert str(info.value).splitlines() == [
        f"{url}#customers:1: customer_id: required column 'customer_id' is missing from the "
        "header [column-missing]"
    ]


def test_missing_tables_and_unreadable_tables_are_issues(cluster: Cluster) -> None:
    admin(
        cluster,
        "CREATE SCHEMA locked",
        "CREATE TABLE locked.customers (customer_id text)",
        f"GRANT USAGE ON SCHEMA locked TO {PASSWORD_USER}",
    )
    url = cluster.url("locked", PASSWORD_USER, PASSWORD)
    with pytest.raises(InputError) as info:
        nrr.load(url)
    text = str(info.value)
    shown = cluster.url("locked", PASSWORD_USER)
    assert (
        f"{shown}#customers:0: -: cannot read customers: permission denied for table "
        "customers [file-unreadable]" in text
    )
    assert f"{shown}:0: -: no revenue table" in text
    assert PASSWORD not in text


def test_validate_prints_the_summary(scenario_urls: dict[str, str]) -> None:
    url = scenario_urls["multi_currency"]
    result = invoke("validate", url)
    assert result.exit_code == 0, output_of(result)
    assert f"ok: {url} satisfies the nrr data contract" in result.stdout
    assert "subscriptions" in result.stdout and "fx_rates" in result.stdout
    assert "currencies" in result.stdout


# --- credentials: never printed ---------------------------------------------------------------


def test_password_from_pgpassword_is_never_printed(
    scenario_urls: dict[str, str], cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    url = cluster.url("worked_example", PASSWORD_USER)
    runs = [
        invoke("validate", url),
        invoke("report", url, "--period", "quarter", "--explain"),
        invoke("report", url, "--period", "quarter", "--format", "json"),
    ]
    for result in runs:
        assert result.exit_code == 0, output_of(result)
        assert PASSWORD not in output_of(result)
    assert f"ok: {url} satisfies" in runs[0].stdout
    assert "-- engine:" in runs[1].stdout
    assert '"nrr"' in runs[2].stdout


def test_password_in_the_url_is_removed_everywhere(
    scenario_urls: dict[str, str], cluster: Cluster
) -> None:
    with_password = cluster.url("worked_example", PASSWORD_USER, PASSWORD)
    shown = cluster.url("worked_example", PASSWORD_USER)
    dataset = nrr.load(with_password)
    assert dataset.staged.source == shown
    assert PASSWORD not in repr(dataset)
    assert PASSWORD not in dataset.explain(dataset.request(period="quarter"))
    result = invoke("validate", with_password)
    assert result.exit_code == 0, output_of(result).replace(PASSWORD, "<password>")
    assert f"ok: {shown} satisfies" in result.stdout
    assert PASSWORD not in output_of(result)


def test_password_from_pgpass_file(
    scenario_urls: dict[str, str],
    cluster: Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{cluster.port}:nrr:{PASSWORD_USER}:{PASSWORD}\n")
    passfile.chmod(0o600)  # libpq ignores a pgpass file others can read
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    dataset = nrr.load(cluster.url("worked_example", PASSWORD_USER))
    assert dataset.staged.table_rows["customers"] > 0


@pytest.mark.parametrize("how", ["url", "pgpassword"])
def test_wrong_password_is_exit_2_without_the_password(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    wrong = "Wr0ng-" + PASSWORD
    if how == "url":
        url = cluster.url("worked_example", PASSWORD_USER, wrong)
    else:
        monkeypatch.setenv("PGPASSWORD", wrong)
        url = cluster.url("worked_example", PASSWORD_USER)
    result = invoke("report", url)
    assert result.exit_code == 2
    assert wrong not in output_of(result) and PASSWORD not in output_of(result)
    message = " ".join(result.stderr.split())  # rich may wrap a long line
    assert (
        f"error: {cluster.url('worked_example', PASSWORD_USER)}: cannot connect to PostgreSQL "
        f"(host 127.0.0.1, port {cluster.port}, database nrr, user {PASSWORD_USER}): "
        f'password authentication failed for user "{PASSWORD_USER}"'
    ) in message


def test_unreachable_port_is_a_config_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://{PASSWORD_USER}:{PASSWORD}@127.0.0.1:{port}/nrr"
    with pytest.raises(ConfigError) as info:
        nrr.load(url)
    message = str(info.value)
    assert "\n" not in message
    assert PASSWORD not in message
    assert f"host 127.0.0.1, port {port}, database nrr, user {PASSWORD_USER}" in message
    assert "refused" in message.lower()
    result = invoke("validate", url)
    assert result.exit_code == 2
    assert PASSWORD not in output_of(result)


def test_unknown_schema_lists_the_schemas(scenario_urls: dict[str, str], cluster: Cluster) -> None:
    with pytest.raises(ConfigError, match=r"schema 'nope' does not exist; schemas: .*ttm"):
        nrr.load(cluster.url("nope"))


def test_without_psycopg_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # makes `import psycopg` fail
    with pytest.raises(ConfigError, match=r"pip install 'nrr\[postgres\]'"):
        nrr.load("postgresql://nobody@127.0.0.1:1/nrr")


# --- URL handling (no server needed) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "display", "conninfo", "schema"),
    [
        ("postgresql://u@h/db", "postgresql://u@h/db", "postgresql://u@h/db", "public"),
        (
            "postgresql://u:p%40ss@h:5433/db?schema=billing&sslmode=require",
            "postgresql://u@h:5433/db?schema=billing&sslmode=require",
            "postgresql://u:p%40ss@h:5433/db?sslmode=require",
            "billing",
        ),
        (
            "postgres://h1,h2:5433/db?password=secret&schema=Billing",
            "postgres://h1,h2:5433/db?schema=Billing",
            "postgres://h1,h2:5433/db?password=secret",
            "Billing",
        ),
        ("postgresql://:pw@h/db", "postgresql://h/db", "postgresql://:pw@h/db", "public"),
        ("postgresql:///db", "postgresql:///db", "postgresql:///db", "public"),
    ],
)
def test_url_parsing(url: str, display: str, conninfo: str, schema: str) -> None:
    parsed = PostgresURL.parse(url)
    assert (parsed.display, parsed.conninfo, parsed.schema) == (display, conninfo, schema)
    assert is_database_url(url)


def test_row_labels_name_the_primary_key() -> None:
    data = pa.table({"a": ["acme", "x y", ""], "b": ["1", "2", "3"], "c": ["", "", ""]})
    raw = RawTable("subscriptions", "t", ["tenant", "id", "amount"], data, key=(0, 1))
    assert [raw.label(r) for r in range(3)] == [
        "tenant=acme, id=1",
        "tenant='x y', id=2",
        "tenant='', id=3",
    ]
    assert RawTable("subscriptions", "t", ["id"], data.select([1])).label(0) is None


def test_secrets_are_scrubbed_raw_and_decoded() -> None:
    parsed = PostgresURL.parse("postgresql://u:p%40ss@h/db")
    assert parsed.scrub("x p@ss y p%40ss") == "x *** y ***"


@pytest.mark.parametrize("special", ["/", "?", "#"])
def test_unencoded_password_is_refused_without_echo(special: str) -> None:
    with pytest.raises(ConfigError) as info:
        PostgresURL.parse(f"postgresql://u:Se{special}Cret@h/db")
    assert "Se" not in str(info.value) and "Cret" not in str(info.value)
    assert "percent-encoded" in str(info.value)


@pytest.mark.parametrize(
    "data", ["postgresq://u:Secret@h/db", Path("mysql://u:Secret@h/db"), "pg:/u:Secret@h"]
)
def test_other_urls_are_refused_without_echo(data: str | Path) -> None:
    with pytest.raises(ConfigError, match="nrr reads only postgresql:// URLs") as info:
        nrr.load(data)
    assert "Secret" not in str(info.value)


def test_a_postgres_url_folded_into_a_path_is_explained() -> None:
    with pytest.raises(ConfigError, match="as a string, not a Path") as info:
        nrr.load(Path("postgresql://u:Secret@h/db"))
    assert "Secret" not in str(info.value)


def test_paths_are_not_urls(tmp_path: Path) -> None:
    assert not is_database_url(str(tmp_path))
    with pytest.raises(ConfigError, match="no such file or folder"):
        nrr.load(str(tmp_path / "missing"))


def test_server_binaries_are_installed() -> None:
    """Fail loudly (not skip) when the PostgreSQL tests cannot run here."""
    assert bindir().exists()
    assert shutil.which("runuser") or os.geteuid() != 0
