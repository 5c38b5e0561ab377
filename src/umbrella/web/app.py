"""The application factory: routes, limits, errors, local docs and the page.

>>> from fastapi.testclient import TestClient
>>> client = TestClient(create_app(store=None))
>>> client.get("/api/assumptions").status_code
200
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from umbrella import __version__
from umbrella.errors import DataError, ScenarioError, UmbrellaError, UsageError
from umbrella.store.records import StoreError
from umbrella.types import PathLike
from umbrella.web.engine import AssessCache
from umbrella.web.limits import Limits
from umbrella.web.state import ApiError, Context, context

__all__ = ["TOKEN_ENV", "app_from_env", "create_app", "is_loopback"]

TOKEN_ENV = "UMBRELLA_TOKEN"
"""The environment variable that holds the bearer token, if ``--token`` is not given."""
_ENV_STORE = "UMBRELLA_SERVE_STORE"
_NO_STORE = "-"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_bearer = HTTPBearer(auto_error=False, description="The server's token (docs/web.md).")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _warm_up() -> None:
    from umbrella.web.engine import warm_up

    try:
        warm_up()
    except Exception:  # a request that needs it meets the same error, and reports it
        return


def create_app(
    store: PathLike | None = "umbrella-runs",
    token: str | None = None,
    limits: Limits | None = None,
    warm: bool = True,
) -> FastAPI:
    """The what-if web app and HTTP API (docs/web.md).

    ``store`` is the run store the ``/api/runs`` routes read and write (None: no store, those
    routes answer 404); ``token``, if given, is required as ``Authorization: Bearer`` on
    every ``/api`` route; ``limits`` bound request sizes, ensembles and work in flight.
    ``warm`` starts, beside the server, what the first visitor would otherwise wait for
    (:func:`umbrella.web.engine.warm_up`).
    """
    limits = limits or Limits()
    ctx = Context(
        store=Path(store) if store is not None else None,
        token=token or None,
        limits=limits,
        cache=AssessCache(limits.cache_entries),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            # Beside the server, not before it: it answers at once, and the first page
            # finds its sliders ranked (engine.warm_up).
            threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
        yield
        ctx.close()

    app = FastAPI(
        title="umbrella",
        version=__version__,
        summary="What-if assessments of nuclear security guarantees in Europe.",
        description="The HTTP API of `umbrella serve`: the world dataset, the assumption "
        "registry, shipped scenarios, what-if assessments (the numbers of `umbrella assess "
        "--json`), stored runs and trust trajectories. Every error is "
        "`{file, line, field, message}`. See docs/web.md.",
        docs_url=None,  # served from local files below, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.umbrella = ctx

    from umbrella.web.routes import analysis, model, pages, runs, trust, world

    secured = [Depends(_authorised)]
    for module in (world, model, runs, analysis, trust):
        app.include_router(module.router, prefix="/api", dependencies=secured)
    app.include_router(pages.router)
    pages.mount_static(app)
    _handle_errors(app)
    app.add_middleware(_BodyLimit, max_bytes=limits.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The app as ``umbrella serve`` configures it through the environment (the factory
    each uvicorn worker process calls)."""
    store = os.environ.get(_ENV_STORE, "umbrella-runs")
    return create_app(
        store=None if store == _NO_STORE else store, token=os.environ.get(TOKEN_ENV) or None
    )


def _authorised(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> None:
    ctx = context(request)
    if ctx.token is None:
        return
    given = credentials.credentials if credentials is not None else ""
    if not secrets.compare_digest(given.encode(), ctx.token.encode()):
        raise ApiError(
            401,
            "missing or wrong token: send 'Authorization: Bearer TOKEN'",
            field="authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _error(
    status: int,
    message: str,
    field: str | None = None,
    file: str | None = None,
    line: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"file": file or None, "line": line, "field": field, "message": _one_line(message)}
    return JSONResponse(body, status_code=status, headers=headers)


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _handle_errors(app: FastAPI) -> None:
    """Every refusal as ``{file, line, field, message}``, one line; never a traceback."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return _error(error.status, error.message, error.field, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = [str(p) for p in first.get("loc", ())]
        if where[:1] == ["body"] and len(where) > 1:
            where = where[1:]  # the field of the body, as the request names it
        return _error(422, str(first.get("msg", "invalid")), ".".join(where) or None)

    @app.exception_handler(ScenarioError)
    async def bad_scenario(request: Request, error: ScenarioError) -> JSONResponse:
        return _error(422, error.reason, error.field, error.file, error.line)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, error: StoreError) -> JSONResponse:
        missing = str(error).startswith("no run")
        return _error(404 if missing else 409, str(error))

    @app.exception_handler(DataError)
    async def data_error(request: Request, error: DataError) -> JSONResponse:
        first = error.problems[0] if error.problems else None
        return _error(422, str(error), first.field if first else None)

    @app.exception_handler(UsageError)
    async def usage_error(request: Request, error: UsageError) -> JSONResponse:
        return _error(422, str(error))

    @app.exception_handler(UmbrellaError)
    async def umbrella_error(request: Request, error: UmbrellaError) -> JSONResponse:
        return _error(422, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return _error(error.status_code, str(error.detail), headers=error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # A bug, not a bad request: the message says what kind, never the traceback.
        return _error(500, f"internal error ({type(error).__name__}); see the server's log")


class _BodyLimit:
    """Refuses a request body larger than ``max_bytes`` with 413, before any route reads it:
    by its Content-Length when given, else while it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # a disconnect, when it comes
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(
            413, f"the request body is larger than {self.max_bytes:,} bytes", field="body"
        )
        await response(scope, receive, send)
