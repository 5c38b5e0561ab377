"""Nothing the app serves loads from, or links to, another host."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from umbrella.web.routes.pages import STATIC

URL = re.compile(r"""(?:https?:)?//([A-Za-z0-9.-]+\.[A-Za-z]{2,}|\[[0-9a-f:]+\])""")
LOCAL = {"localhost", "127.0.0.1", "[::1]"}


def _hosts(text: str) -> set[str]:
    return {host for host in URL.findall(text) if host not in LOCAL}


def test_docs_load_local_files_only(client: TestClient) -> None:
    html = client.get("/docs").text
    assert _hosts(html) == set()
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert asset.startswith("/static/swagger/"), asset
        assert client.get(asset).status_code == 200
    assert "validatorUrl" in html
    assert '"validatorUrl": null' in html
    assert client.get("/redoc").status_code == 404
    assert "default-src 'self'" in client.get("/docs").headers["Content-Security-Policy"]


def test_the_page_loads_local_files_only(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "connect-src 'self'" in page.headers["Content-Security-Policy"]
    assert _hosts(page.text) == set()
    assets = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
    assert "vendor/plotly.min.js" in assets
    assert "static/app.js" in assets
    for asset in assets:
        response = client.get("/" + asset)
        assert response.status_code == 200, asset
        if asset.startswith("static/app"):
            assert _hosts(response.text) == set(), asset


def test_plotly_is_the_packaged_copy(client: TestClient) -> None:
    import plotly.offline

    served = client.get("/vendor/plotly.min.js").text
    assert served.strip() == plotly.offline.get_plotlyjs().strip()


def test_swagger_ui_ships_with_its_licence() -> None:
    folder = STATIC / "swagger"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "favicon-32x32.png"):
        assert (folder / name).is_file(), name
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")


def test_root_path_prefixes_the_docs(app: object) -> None:
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)
    with TestClient(app, root_path="/umbrella") as client:
        html = client.get("/docs").text
        assert "/umbrella/openapi.json" in html
        assert "/umbrella/static/swagger/swagger-ui-bundle.js" in html
