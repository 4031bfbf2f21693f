"""Shared pieces of the web tests: the demo dataset, a TestClient, a valid widget spec."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from nrr.api import Dataset

with warnings.catch_warnings():
    # starlette asks for the httpx2 package; with plain httpx it warns once at import.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*", category=UserWarning)
    from fastapi.testclient import TestClient

__all__ = ["DEMO", "TestClient", "assert_close", "client_for", "make_demo", "widget_body"]

DEMO = {"customers": 400, "months": 24, "seed": 11}


def make_demo(folder: Path) -> Path:
    """The demo dataset plus a seeded ``health_score`` signal (for the signals page)."""
    from nrr.demo import generate
    from nrr.insights.demo import write_signals

    generate(folder, **DEMO)
    write_signals(folder, seed=DEMO["seed"])
    return folder


def client_for(
    dataset: Dataset | Path,
    store: Path,
    token: str | None = None,
    *,
    raise_errors: bool = True,
    allowed_hosts: set[str] | None = None,
    base_url: str = "http://testserver",
) -> TestClient:
    from nrr.web.app import create_app

    app: FastAPI = create_app(dataset, store, token, allowed_hosts=allowed_hosts)
    return TestClient(app, raise_server_exceptions=raise_errors, base_url=base_url)


def widget_body(title: str = "NRR per CSM", **spec: Any) -> dict[str, Any]:
    """A widget like the issue's example: accounts, NRR, bar chart, by CSM, last quarter."""
    base: dict[str, Any] = {
        "target": "accounts",
        "metric": "nrr",
        "chart": "bar",
        "group_by": "csm",
        "timeframe": {"grain": "quarter", "mode": "last", "last": 1},
        "filters": [],
    }
    base.update(spec)
    return {"title": title, "spec": base}


def assert_close(got: dict[str, Any], want: dict[str, Any]) -> None:
    """``got`` holds ``want``'s keys with equal values, floats to 1e-9 relative.

    DuckDB's parallel sums may differ in the last bit between two runs of one query.
    """
    import pytest

    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
        else:
            assert got[key] == value, key
