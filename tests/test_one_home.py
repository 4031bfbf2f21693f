"""Every metric has one home: ``nrr.engine.metrics`` (formulas) and ``nrr.definitions.Band``
(interpretation thresholds). These scans fail when a ratio formula or a band threshold is
typed again somewhere else (docs/definitions.md, "Where each number is computed")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nrr
from nrr.definitions import Band

SRC = Path(nrr.__file__).parent
JS = SRC / "web" / "static" / "js"
HOMES = {"engine/metrics.py", "definitions.py"}
# An independent re-implementation the tests compare the engine against, on purpose.
ORACLE = {"oracle.py"}
DENOMINATORS = ("starting_mrr", "initial_mrr", "customers_start", "mrr_start")
THRESHOLDS = {90.0, 100.0, 110.0}
# Numbers equal to a threshold that mean something else, file by file.
OTHER_MEANINGS = {
    "demo.py": {100.0},  # cents per currency unit
    "insights/backtest.py": {100.0},  # the forecast error (MAPE) as a percentage
    "insights/demo.py": {100.0},  # the demo health score's scale, 0 to 100
    "insights/benchmarks.py": {100.0, 110.0},  # industry bands, not the NRR interpretation bands
    "insights/forecast.py": {100.0},  # GRR cannot exceed 100%; interval levels in %
    "insights/signals.py": {100.0},  # the warning threshold is given in %
    "web/models.py": {100.0},  # the longest range a request may span, in years
    "render/workbook.py": {100.0},  # percent points to the fraction a spreadsheet shows as %
}


def python_files() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name not in HOMES | ORACLE:
            found.append((name, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _within(name: str, key: str) -> bool:
    """``name`` is the module ``key`` or inside the package it became."""
    return name == key or name.startswith(key.removesuffix(".py") + "/")


def test_no_ratio_is_computed_outside_the_metrics_module() -> None:
    found = []
    for name, tree in python_files():
        for node in ast.walk(tree):
            if not isinstance(node, ast.BinOp):
                continue
            text = ast.unparse(node)
            divides = isinstance(node.op, ast.Div) and any(
                d in ast.unparse(node.right) for d in DENOMINATORS
            )
            gross = isinstance(node.op, ast.Sub) and "contraction" in text and "churn" in text
            if divides or gross:
                found.append(f"{name}:{node.lineno}: {text}")
    assert not found, "a ratio formula outside nrr.engine.metrics:\n" + "\n".join(found)


def test_no_band_threshold_is_typed_outside_definitions() -> None:
    found = []
    for name, tree in python_files():
        allowed = {
            v for key, values in OTHER_MEANINGS.items() if _within(name, key) for v in values
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, int | float)
                and not isinstance(node.value, bool)
                and float(node.value) in THRESHOLDS - allowed
            ):
                found.append(f"{name}:{node.lineno}: {node.value}")
    assert not found, "a band threshold outside nrr.definitions:\n" + "\n".join(found)


def test_the_thresholds_scanned_for_are_the_bands() -> None:
    edges = {edge for _, low, high in Band.ranges() for edge in (low, high) if edge is not None}
    assert edges <= THRESHOLDS


def test_the_dashboard_scripts_hold_no_band_threshold() -> None:
    """The JS shades and colours from the ``bands`` the API sends; a band name next to a
    number, the top edge, or a hand-placed colour-scale stop would be a second copy."""
    names = "|".join(band.value for band in Band)
    strings = re.compile(r"\"[^\"]*\"|'[^']*'|`[^`]*`")
    found = []
    for path in sorted(JS.glob("*.js")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = strings.sub('""', line.split("//")[0])
            where = f"{path.name}:{number}: {line.strip()}"
            if re.search(rf"\b({names})\b", line) and re.search(r"(?<![\w.#])\d+(\.\d+)?\b", code):
                found.append(where)
            if re.search(r"(?<![\w.])110(\.0)?\b", code):
                found.append(where)
            if re.search(r"\[\s*0?\.\d+\s*,\s*[\"']#", line):
                found.append(where)
    assert not found, "band thresholds in the dashboard scripts:\n" + "\n".join(found)
