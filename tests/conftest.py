from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import umbrella
from umbrella.data import World

TEST_SOURCE = """\
- id: test-source
  kind: primary
  publisher: Test publisher
  title: A publication used by the tests
  url: https://example.org/test
  published: "2025-01-01"
"""


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Parsed tables cached in the session's own folder, not in the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UMBRELLA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def world() -> World:
    return umbrella.load_world()


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    """A user data folder holding one valid source, ``test-source``."""
    (tmp_path / "sources.yaml").write_text(TEST_SOURCE, encoding="utf-8")
    return tmp_path
