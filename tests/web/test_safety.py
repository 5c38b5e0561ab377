"""What a request cannot do: leave the store, send a body too large, go past the token,
or queue work without end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from umbrella.web import Limits, create_app
from umbrella.web.app import is_loopback
from umbrella.web.state import Context


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/../../etc/passwd",
        "/api/runs/..%2F..%2Fetc%2Fpasswd",
        "/api/runs/%2Fetc%2Fpasswd",
        "/api/runs/20250101-000000-abcd%2F..",
        "/api/runs/20250101-000000-ABCD",
        "/api/runs/20250101-000000-abcd.json",
        "/api/runs/ 20250101-000000-abcd",
        "/api/runs/20250101-000000-abcd/results?format=../../x",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2Fapp.py",
    ],
)
def test_no_path_leaves_the_store(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422), (path, response.status_code)
    assert "import" not in response.text  # no source file served


def test_an_unknown_run_is_a_404(client: TestClient) -> None:
    response = client.get("/api/runs/20000101-000000-abcd")
    assert response.status_code == 404
    assert response.json()["message"].startswith("no run")


def test_oversize_bodies_are_refused(client: TestClient) -> None:
    big = b"x" * 1_200_000
    response = client.post("/api/scenarios/validate", content=big)
    assert response.status_code == 413
    assert response.json()["field"] == "body"

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"y" * 100_000

    response = client.post("/api/scenarios/validate", content=streamed())
    assert response.status_code == 413
    many = {"overrides": {f"a{i}.b": 0.1 for i in range(300)}}
    assert client.post("/api/assess", json=many).status_code == 422


def test_oversize_runs_are_refused(client: TestClient) -> None:
    response = client.post("/api/runs", json={"samples": 10_000_000})
    assert response.status_code == 422
    assert response.json()["field"] == "samples"


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store=tmp_path, token="s3cret")) as client:
        yield client


def test_a_token_guards_the_api(guarded: TestClient) -> None:
    response = guarded.get("/api/assumptions")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["field"] == "authorization"
    wrong = guarded.get("/api/assumptions", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = guarded.get("/api/assumptions", headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200
    assert guarded.post("/api/assess", json={}).status_code == 401
    # The page and the docs hold no data: open, so that a browser can load them.
    assert guarded.get("/").status_code == 200
    assert guarded.get("/docs").status_code == 200


def test_without_a_token_the_api_is_open(client: TestClient) -> None:
    assert client.get("/api/assumptions").status_code == 200


def test_loopback() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.2")
    assert not is_loopback("example.org")


def test_beyond_capacity_is_a_503(app: FastAPI, client: TestClient) -> None:
    ctx: Context = app.state.umbrella
    with ctx.lock:
        ctx.assess_in_flight += ctx.limits.assess_in_flight  # every slot taken
    try:
        response = client.post("/api/assess", json={"samples": 300, "seed": 99})
    finally:
        with ctx.lock:
            ctx.assess_in_flight -= ctx.limits.assess_in_flight
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert "busy" in response.json()["message"]
    with ctx.lock:
        ctx.runs_active += ctx.limits.run_concurrency
    try:
        response = client.post("/api/runs", json={"samples": 200})
    finally:
        with ctx.lock:
            ctx.runs_active -= ctx.limits.run_concurrency
    assert response.status_code == 503
    assert "Retry-After" in response.headers


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="assess_samples"):
        Limits(assess_samples=50)
    with pytest.raises(ValueError, match="positive"):
        Limits(run_concurrency=0)


def test_no_store(tmp_path: Path) -> None:
    with TestClient(create_app(store=None)) as client:
        response = client.get("/api/runs")
        assert response.status_code == 404
        assert response.json()["field"] == "store"


def test_background_places_are_shared_by_every_process_of_a_store(tmp_path: Path) -> None:
    """Two server processes over one store (``--workers 2``) run no more background work
    at once than one would: the second is refused, then served once the first is done."""
    from umbrella.web.engine import AssessCache
    from umbrella.web.state import BusyError

    limits = Limits(run_concurrency=1)
    first, second = (
        Context(store=tmp_path, token=None, limits=limits, cache=AssessCache(1)) for _ in range(2)
    )
    first.take_place("a run", 60)
    with pytest.raises(BusyError, match="another server process") as refused:
        second.take_place("a run", 60)
    assert refused.value.headers == {"Retry-After": "60"}
    assert second.runs_active == 0
    first.free_place()
    second.take_place("a run", 60)  # now free
    second.free_place()
    assert first.runs_active == second.runs_active == 0
