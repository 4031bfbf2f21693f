"""The layers of docs/architecture.md, enforced: who may import whom, and no cycles.

Read from the source with ``ast`` (nothing is imported), so a forbidden import fails here
even when it sits inside a function. Imports under ``if TYPE_CHECKING:`` are annotations
only and do not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "nrr"

# Each part of nrr and the parts it may import (docs/architecture.md, "Layers"). A part is
# the first name under ``nrr`` (``nrr.engine.totals`` belongs to ``engine``); a part may
# always import itself. Read bottom-up: nothing in a lower layer names a higher one.
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "definitions": frozenset({"errors"}),
    "periods": frozenset({"errors", "definitions"}),
    "glossary": frozenset({"errors", "definitions"}),
    "dataset": frozenset({"errors", "definitions"}),
    "engine": frozenset({"errors", "definitions", "glossary", "periods", "dataset"}),
    "charts": frozenset({"errors", "definitions", "periods"}),
    "results_html": frozenset({"errors", "definitions"}),
    "results": frozenset({"errors", "definitions", "charts", "results_html"}),
    "data_values": frozenset({"errors", "definitions", "dataset"}),
    "api_requests": frozenset({"errors", "definitions", "periods", "dataset", "data_values"}),
    "api": frozenset(
        {
            "errors",
            "definitions",
            "periods",
            "dataset",
            "engine",
            "results",
            "api_requests",
            "data_values",
        }
    ),
    "insights": frozenset(
        {"errors", "definitions", "periods", "engine", "results", "api", "api_requests"}
    ),
    "demo": frozenset({"errors", "definitions"}),
    "importers": frozenset({"errors", "definitions", "dataset"}),
    "store_schema": frozenset(),
    "store_file": frozenset({"errors"}),
    "store": frozenset({"errors", "definitions", "store_schema", "store_file"}),
    "render": frozenset(
        {"errors", "definitions", "glossary", "periods", "results", "insights", "charts"}
    ),
    "web": frozenset(
        {
            "errors",
            "definitions",
            "periods",
            "results",
            "api",
            "api_requests",
            "insights",
            "render",
            "charts",
            "store",
            "store_schema",
        }
    ),
    "cli": frozenset(
        {
            "errors",
            "definitions",
            "glossary",
            "periods",
            "results",
            "api",
            "api_requests",
            "insights",
            "render",
            "demo",
            "importers",
            "store",
            "store_schema",
            "web",
        }
    ),
}
# The package itself (the public re-exports, the version) and ``python -m nrr``.
TOP = {"__init__", "__main__"}

# Third-party interfaces that only the interface layers may use.
INTERFACE_LIBRARIES = {"click", "rich", "fastapi", "starlette", "uvicorn", "jinja2"}
COMPUTING_PARTS = {
    "dataset",
    "engine",
    "results",
    "results_html",
    "api",
    "insights",
    "definitions",
    "periods",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(name: str) -> bool:
    return (SRC / name.replace(".", "/") / "__init__.py").exists()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return hidden


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        base = module.split(".")
        if not is_package(module):
            base = base[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    yield target
    for alias in node.names:  # ``from nrr import periods`` imports the module nrr.periods
        candidate = f"{target}.{alias.name}"
        if (SRC / (candidate.replace(".", "/") + ".py")).exists() or is_package(candidate):
            yield candidate


@cache
def imports() -> dict[str, frozenset[str]]:
    """Every module of nrr and what it imports at run time (anywhere in its body)."""
    graph: dict[str, frozenset[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = _type_checking_nodes(tree)
        graph[module] = frozenset(
            target
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in hidden
            for target in _imported(module, node)
        )
    return graph


def part(module: str) -> str:
    names = module.split(".")
    return names[1] if len(names) > 1 else "__init__"


def test_every_part_is_placed_in_a_layer() -> None:
    unplaced = {part(m) for m in imports()} - set(ALLOWED) - TOP
    assert not unplaced, f"add these parts of nrr to ALLOWED (and to docs): {sorted(unplaced)}"


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_a_part_imports_only_the_layers_below_it(name: str) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in imports().items()
        if part(module) == name
        for target in targets
        if target.startswith("nrr.") and part(target) != name and part(target) not in ALLOWED[name]
    )
    assert not wrong, "\n".join(wrong)


def test_only_interfaces_use_interface_libraries() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in imports().items()
        if part(module) in COMPUTING_PARTS
        for target in targets
        if target.split(".")[0] in INTERFACE_LIBRARIES
    )
    assert not wrong, "\n".join(wrong)


def test_only_the_cli_speaks_click() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in imports().items()
        if part(module) != "cli"
        for target in targets
        if target.split(".")[0] == "click"
    )
    assert not wrong, "\n".join(wrong)


def test_the_test_oracle_does_not_ship_in_the_package() -> None:
    assert not any(part(m) == "oracle" for m in imports())
    assert not any("oracle" in t for targets in imports().values() for t in targets)


def _reachable(graph: dict[str, frozenset[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {
        tuple(sorted(other for other in reach[node] if node in reach.get(other, ())))
        for node in graph
        if node in reach[node]
    }
    return sorted(list(group) for group in groups)


def test_no_import_cycles() -> None:
    # A package's __init__ re-exporting its own modules is how Python packages work, not a
    # cycle between concepts: only edges between modules that are not a package's own
    # __init__ and its members count.
    graph = {
        module: frozenset(
            t for t in targets if t != module and not (is_package(t) and module.startswith(f"{t}."))
        )
        for module, targets in imports().items()
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert _cycles(graph) == [["a", "b", "c"]]
