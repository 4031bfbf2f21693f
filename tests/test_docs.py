"""Docs that cannot drift: the CLI reference is generated, rule ids and examples checked.

Regenerate the CLI reference with ``NRR_REGENERATE_DOCS=1 make pytest``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nrr.cli import cli
from nrr.dataset.contract import RULES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def render_cli_reference() -> str:
    parts = [
        "# CLI reference\n",
        "Generated from `nrr --help` by tests/test_docs.py; do not edit by hand "
        "(regenerate with `NRR_REGENERATE_DOCS=1 make pytest`).\n",
    ]
    context = click.Context(cli)
    commands = ["", *cli.list_commands(context)] if isinstance(cli, click.Group) else [""]
    for top in list(commands):
        group = cli.commands.get(top) if top and isinstance(cli, click.Group) else None
        if isinstance(group, click.Group):  # nrr import SOURCE: each source has its page part
            at = commands.index(top) + 1
            commands[at:at] = [f"{top} {sub}" for sub in group.list_commands(context)]
    for name in commands:
        args = [*name.split(), "--help"] if name else ["--help"]
        text = CliRunner().invoke(cli, args, terminal_width=100).stdout
        parts.append(f"## `nrr {name}`\n".replace(" `", " `").replace("nrr `", "nrr`"))
        parts.append("```\n" + text.replace("Usage: cli", "Usage: nrr").rstrip() + "\n```\n")
    return "\n".join(parts)


def test_cli_reference_is_current() -> None:
    path = DOCS / "cli-reference.md"
    expected = render_cli_reference()
    if os.environ.get("NRR_REGENERATE_DOCS"):
        path.write_text(expected)
    assert path.exists(), "docs/cli-reference.md is missing: run NRR_REGENERATE_DOCS=1 make pytest"
    assert path.read_text() == expected, "docs/cli-reference.md is stale: regenerate it"


def test_every_rule_id_is_documented() -> None:
    text = (DOCS / "validation-errors.md").read_text()
    documented = set(re.findall(r"^### `([a-z-]+)`", text, flags=re.M))
    assert documented == set(RULES)


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


def test_python_api_example_runs(tmp_path: Path) -> None:
    blocks = python_blocks(DOCS / "python-api.md")
    assert blocks
    script = tmp_path / "example.py"
    script.write_text("\n".join(blocks))
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "NRR" in result.stdout


@pytest.mark.parametrize("page", ["README.md", "docs/definitions.md", "docs/getting-started.md"])
def test_pages_link_to_existing_docs(page: str) -> None:
    text = (ROOT / page).read_text()
    for target in re.findall(r"\]\(((?:docs/)?[a-z-]+\.md)\)", text):
        base = ROOT if page == "README.md" else DOCS
        assert (base / target).exists(), f"{page} links to missing {target}"
