"""examples/nrr-tour.ipynb runs from top to bottom in a real kernel (docs/notebook.md).

The kernel is this interpreter, whatever kernels the machine has installed: a kernelspec
written for the test and found first through ``JUPYTER_PATH``, so the notebook runs against
the nrr under test. A missing ipykernel or nbclient fails here; it is never skipped (both
are in the ``dev`` extra that ``make test`` installs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "nrr-tour.ipynb"
TIMEOUT = 300  # seconds per cell: the demo data is generated in the first one


def outputs(cell: Any) -> list[dict[str, Any]]:
    return [dict(output.get("data", {})) for output in cell.get("outputs", [])]


def test_the_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.fixture
def this_interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipykernel  # noqa: F401  (the kernel the spec starts: fail, not skip, without it)

    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (nrr tests)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # connection files and IPython's profile in the test's folder, not the user's home
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


@pytest.mark.usefixtures("this_interpreter")
def test_the_tour_runs_and_shows_tables_and_charts(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    work = tmp_path / "work"
    work.mkdir()
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    assert (work / "demo-data" / "subscriptions.csv").exists()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    shown = {cell.source: outputs(cell) for cell in code}
    for source, data in shown.items():
        assert data, f"no output from: {source}"
    tables = [
        s for s, data in shown.items() if any("nrr-table" in d.get("text/html", "") for d in data)
    ]
    assert len(tables) == 4, tables  # the report, by segment, the cohorts, the churned customers
    assert all('class="nrr-band-' in d["text/html"] for s in tables[:3] for d in shown[s])
    charts = [s for s in shown if ".plot(" in s]
    for source in charts:
        assert any("application/vnd.plotly.v1+json" in d for d in shown[source]), source
