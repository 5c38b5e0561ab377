"""``umbrella serve``: the what-if web app and the HTTP API (docs/web.md).

FastAPI and uvicorn load only when the command runs, so that ``umbrella --version`` and the
other commands start as fast as before.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import typer

from umbrella.cli.output import reports_errors
from umbrella.errors import UsageError

__all__ = ["serve_command"]


@reports_errors
def serve_command(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (default: this machine only)."
    ),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    store: Path = typer.Option(
        Path("umbrella-runs"), "--store", help="The run store the /api/runs routes use."
    ),
    workers: int = typer.Option(
        1, "--workers", help="Server processes (they share the store; docs/web.md)."
    ),
    root_path: str = typer.Option(
        "", "--root-path", help="The prefix a reverse proxy serves the app under, e.g. /umbrella."
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="UMBRELLA_TOKEN",
        help="Require 'Authorization: Bearer TOKEN' on /api (also $UMBRELLA_TOKEN). Off on "
        "loopback unless given; made up and printed when listening beyond this machine.",
        show_envvar=False,
    ),
) -> None:
    """Serve the what-if web app and the HTTP API (JSON, OpenAPI at /openapi.json)."""
    if not 1 <= port <= 65535:
        raise UsageError(f"--port {port}: use 1 to 65535")
    if not 1 <= workers <= 64:
        raise UsageError(f"--workers {workers}: use 1 to 64 processes")
    if root_path and (not root_path.startswith("/") or root_path.endswith("/")):
        raise UsageError(f"--root-path {root_path!r}: write it as /prefix (no trailing slash)")
    import uvicorn

    from umbrella.web.app import TOKEN_ENV, is_loopback

    made_up = False
    if not token and not is_loopback(host):
        # Beyond this machine the API is never open to anyone who can reach the port.
        token, made_up = secrets.token_urlsafe(24), True
    # The worker processes read their settings from the environment (the app factory).
    os.environ["UMBRELLA_SERVE_STORE"] = str(store)
    if token:
        os.environ[TOKEN_ENV] = token
    else:
        os.environ.pop(TOKEN_ENV, None)
    shown = "localhost" if is_loopback(host) else host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}{root_path}/"
    typer.echo(f"umbrella: the what-if app on {url} (API docs: {url}docs); Ctrl+C stops it")
    if made_up:
        typer.echo(f"token (send as 'Authorization: Bearer TOKEN'; or open {url}#token={token}):")
        typer.echo(token)
    uvicorn.run(
        "umbrella.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        root_path=root_path,
        log_level="warning",
        proxy_headers=True,
    )
