"""The interfaces stay on top: only ``nrr.cli`` speaks Click, the insights only compute.

Read from the source with ``ast`` (no import runs), so a module that imports the CLI
inside a function is caught as well as one that does it at its top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "nrr"


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, wherever in the file the import is."""
    found: set[str] = set()
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join([*base, node.module] if node.module else base)
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def modules(under: str = "") -> list[Path]:
    return sorted((SOURCE / under).rglob("*.py"))


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


@pytest.mark.parametrize("path", modules(), ids=module_name)
def test_only_the_cli_imports_the_cli(path: Path) -> None:
    if within(module_name(path), "nrr.cli") or module_name(path) == "nrr.__main__":
        return  # ``python -m nrr`` is the command line's other door
    assert not [m for m in imports(path) if within(m, "nrr.cli")]


@pytest.mark.parametrize("path", modules("insights"), ids=module_name)
def test_the_insights_compute_and_never_print(path: Path) -> None:
    interface = ("click", "rich", "nrr.render", "nrr.web", "fastapi")
    assert not [m for m in imports(path) if any(within(m, p) for p in interface)]


@pytest.mark.parametrize("path", [*modules("render"), *modules("web")], ids=module_name)
def test_renderers_and_the_web_do_not_speak_click(path: Path) -> None:
    assert not [m for m in imports(path) if within(m, "click")]
