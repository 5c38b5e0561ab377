"""One app per test session (the model compiles once), over a store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from umbrella.web import Limits, create_app


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web") / "runs"


@pytest.fixture(scope="session")
def app(store: Path) -> FastAPI:
    return create_app(store=store, limits=Limits(run_max_samples=5_000))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    # A bug must show as the 500 a client would see, not as an exception in the test.
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
