"""The pages at ``/`` (what if?) and ``/runs`` (stored runs), Swagger UI at ``/docs`` and
their files, all served from this package.

Nothing here points at another host: Swagger UI's files are vendored in ``static/swagger``
(its online validator switched off), plotly.js is the copy inside the ``plotly`` package,
and a Content-Security-Policy keeps the browser from loading or sending anything elsewhere.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)

STATIC = Path(str(resources.files("umbrella.web") / "static"))
# The page and its scripts may talk to this server only. Plotly styles its charts with
# inline styles; Swagger UI's start-up script is inline.
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
_DOCS_POLICY = _PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def _plotly_js() -> Path:
    """plotly.js as the ``plotly`` Python package ships it."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/")
def page() -> FileResponse:
    return FileResponse(
        STATIC / "index.html",
        headers={"Content-Security-Policy": _PAGE_POLICY, "Cache-Control": "no-cache"},
    )


@router.get("/runs")
def runs_page() -> FileResponse:
    """The stored runs: their headlines, robustness, comparisons and briefs."""
    return FileResponse(
        STATIC / "runs.html",
        headers={"Content-Security-Policy": _PAGE_POLICY, "Cache-Control": "no-cache"},
    )


@router.get("/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    return FileResponse(
        _plotly_js(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    html = get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title="umbrella API",
        swagger_js_url=f"{root}/static/swagger/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/static/swagger/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/swagger/favicon-32x32.png",
        # None: no badge fetched from the online validator.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html.headers["Content-Security-Policy"] = _DOCS_POLICY
    return html


@router.get("/favicon.ico")
def favicon() -> Response:
    return FileResponse(STATIC / "swagger" / "favicon-32x32.png", media_type="image/png")


def mount_static(app: FastAPI) -> None:
    """The page's script and style and Swagger UI's files under ``/static``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
