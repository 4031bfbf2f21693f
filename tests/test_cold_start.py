"""The CLI answers --help, --version and usage errors without importing the data stack.

Each check runs in a fresh interpreter: in the test process these modules are long loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import nrr

HEAVY = ("ibis", "duckdb", "pandas", "pyarrow", "numpy", "plotly", "polars", "fastapi")
WARNINGS_AS_ERRORS = ("-W", "error", "-W", "ignore::DeprecationWarning")  # as pyproject.toml


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, *WARNINGS_AS_ERRORS, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_help_version_and_usage_errors_import_nothing_heavy() -> None:
    out = run_python(f"""
        import json, sys
        from click.testing import CliRunner
        import nrr.cli

        results = {{}}
        for args in (["--help"], ["-h"], ["report", "--help"], ["customers", "--help"],
                     ["cohorts", "--help"], ["validate", "--help"], ["demo", "--help"],
                     ["serve", "--help"], ["forecast", "--help"], ["signals", "--help"],
                     ["import", "stripe", "--help"], ["export", "--help"],
                     ["--version"], ["--no-such-option"],
                     ["report", "data", "--period", "fortnight"], ["no-such-command"]):
            result = CliRunner().invoke(nrr.cli.cli, args)
            loaded = [m for m in {HEAVY!r} if m in sys.modules]
            results[" ".join(args)] = [result.exit_code, loaded]
        print(json.dumps(results))
    """)
    results = json.loads(out)
    for args, (exit_code, loaded) in results.items():
        assert loaded == [], f"nrr {args} imported {loaded}"
        usage_error = args.startswith(("--no-such", "report data", "no-such"))
        assert exit_code == (2 if usage_error else 0), args


def test_command_summaries_do_not_depend_on_what_is_loaded() -> None:
    """The listing is the same before and after the commands' heavy modules are loaded."""
    out = run_python("""
        import json
        from click.testing import CliRunner
        import nrr.cli

        def listings():
            return [CliRunner().invoke(nrr.cli.cli, ["--help"], terminal_width=w).output
                    for w in (40, 80, 100)]

        before = listings()
        for module in ("nrr.api", "nrr.insights.forecast", "nrr.insights.health",
                       "nrr.render.insights", "nrr.web.app"):
            __import__(module)
        print(json.dumps([before, listings()]))
    """)
    before, after = json.loads(out)
    assert before == after
    assert all(f"  {name} " in before[-1] for name in ("forecast", "serve", "signals"))


def test_public_names_resolve_lazily() -> None:
    out = run_python(f"""
        import sys
        import nrr

        assert nrr.__version__
        assert not [m for m in {HEAVY!r} if m in sys.modules]
        from nrr.api import load
        assert nrr.load is load and callable(nrr.load)
        assert all(getattr(nrr, name) is not None for name in nrr.__all__)
        try:
            nrr.no_such_name
        except AttributeError:
            print("ok")
    """)
    assert out.strip() == "ok"


def test_public_names_in_this_process() -> None:
    assert set(nrr.__all__) <= set(dir(nrr))
    assert nrr.Report.__module__ == "nrr.results"
    assert nrr.Dataset.__module__ == "nrr.api"


def test_python_m_nrr_version() -> None:
    done = subprocess.run(
        [sys.executable, *WARNINGS_AS_ERRORS, "-m", "nrr", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"nrr, version {nrr.__version__}"
