"""Offline assets: plotly.js from the wheel at a versioned URL; no external URL anywhere."""

from __future__ import annotations

import re
from pathlib import Path

from nrr.web import assets
from tests.web.helpers import TestClient

WEB = Path(assets.__file__).parent
# Namespace identifiers are names, not addresses a browser fetches.
ALLOWED = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


def test_plotly_is_served_from_the_wheel_with_immutable_caching(client: TestClient) -> None:
    path, version = assets.plotly_bundle()
    assert path.name == "plotly.min.js" and "package_data" in path.parts
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    url = assets.plotly_url()
    assert url == f"/static/vendor/plotly-{version}.min.js"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]
    assert response.content == path.read_bytes()
    assert url in client.get("/").text
    assert client.get("/static/vendor/plotly-0.0.1.min.js").status_code == 404


def test_no_template_or_static_file_references_an_external_url() -> None:
    files = [p for p in (WEB / "templates").rglob("*") if p.is_file()]
    files += [p for p in (WEB / "static").rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        for allowed in ALLOWED:
            text = text.replace(allowed, "")
        found = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, flags=re.I)
        assert not found, f"{path.relative_to(WEB)} references {found}"
        assert not re.search(r"https?://", text, flags=re.I), path


def test_pages_load_only_local_assets(client: TestClient) -> None:
    for path in ("/", "/segments", "/cohorts", "/dashboards"):
        html = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(s.startswith(("/", "data:", "#")) for s in sources), sources
        for source in sources:
            if source.startswith("/static/"):
                assert client.get(source).status_code == 200, source


def test_cdn_docs_pages_are_off_but_the_schema_stays(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    schema = client.get("/openapi.json").json()
    assert {
        "/api/report",
        "/api/cohorts",
        "/api/customers",
        "/api/dashboards",
        "/api/widgets/{widget_id}",
        "/api/attributes",
    } <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/report"]["get"]["parameters"]}
    assert {"period", "start", "end", "by", "level", "filter", "currency"} <= params
