"""The cache of the shipped dataset: read when nothing it depends on changed, else ignored."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.data import cache
from umbrella.data.read import read_tables, shipped_dir
from umbrella.data.schema import TABLES
from umbrella.settings import TABLE_NAMES


@pytest.fixture
def folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path_factory.mktemp("cache") / "umbrella"
    monkeypatch.setenv("UMBRELLA_CACHE_DIR", str(where))
    return where


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(yaml, "load", refuse)


def test_a_second_read_comes_from_the_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = read_tables()
    assert len(list(folder.glob("*.pickle"))) == len(first.records)
    _no_parsing(monkeypatch)
    again = read_tables()
    assert again.records == first.records
    assert not again.problems


def test_a_changed_file_is_parsed_again(folder: Path) -> None:
    data = (shipped_dir() / "forces.yaml").read_bytes()
    cache.store("forces", data, [{"id": "cached"}])
    assert cache.load("forces", data) == [{"id": "cached"}]
    assert cache.load("forces", data + b"\n# an edit\n") is None
    cache.store("forces", data + b"\n", [{"id": "newer"}])
    assert len(list(folder.glob("forces-*.pickle"))) == 1  # the older entry is gone
    assert cache.load("forces", data + b"\n") == [{"id": "newer"}]
    assert cache.load("forces", data) is None


def test_a_damaged_entry_is_a_miss(folder: Path) -> None:
    read_tables()
    for entry in folder.glob("actors-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert read_tables().records["actors"]  # parsed again, and written again
    data = (shipped_dir() / "actors.yaml").read_bytes()
    assert cache.load("actors", data)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_may_write_to_is_not_read(folder: Path) -> None:
    data = (shipped_dir() / "forces.yaml").read_bytes()
    cache.store("forces", data, [{"id": "cached"}])
    folder.chmod(0o777)
    try:
        assert cache.load("forces", data) is None
    finally:
        folder.chmod(0o700)


def test_an_empty_setting_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UMBRELLA_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    assert cache.cache_dir() is None
    read_tables()
    assert not list(tmp_path.iterdir())


def test_an_overlay_is_never_cached(folder: Path, overlay: Path) -> None:
    tables = read_tables(overlay)
    assert "test-source" in tables.records["sources"]
    assert len(list(folder.glob("sources-*.pickle"))) == 1  # the shipped table's only


def test_table_names_are_the_schemas() -> None:
    assert list(TABLE_NAMES) == list(TABLES)


def test_a_view_is_kept_only_for_the_checked_shipped_dataset(
    folder: Path, overlay: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["data", "show", "forces", "--json"])
    assert shown.exit_code == 0, shown.output
    assert len(list(folder.glob("view-forces-*.pickle"))) == 1
    key = cache.dataset_key()
    assert key is not None
    view = cache.load_view("forces", key)
    assert view is not None
    assert [r["id"] for r in json.loads(shown.stdout)] == view.rows.ids

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read and checked although kept")

    monkeypatch.setattr("umbrella.data.check.read_checked", refuse)
    again = runner.invoke(app, ["data", "show", "forces", "--json"])
    assert again.stdout == shown.stdout
    monkeypatch.undo()
    monkeypatch.setenv("UMBRELLA_CACHE_DIR", str(folder))
    with_overlay = runner.invoke(app, ["data", "show", "sources", "--json", "--data", str(overlay)])
    assert with_overlay.exit_code == 0, with_overlay.output
    assert "test-source" in [r["id"] for r in json.loads(with_overlay.stdout)]
    assert not list(folder.glob("view-sources-*.pickle"))


def test_the_dataset_key_follows_the_shipped_tables(
    folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = cache.dataset_key()
    world = tmp_path / "world"
    shutil.copytree(shipped_dir(), world)
    monkeypatch.setattr(cache, "_world", lambda: world)
    assert cache.dataset_key() == key
    with (world / "polls.yaml").open("a", encoding="utf-8") as polls:
        polls.write("\n# an edit\n")
    assert cache.dataset_key() not in (None, key)
    (world / "polls.yaml").unlink()
    assert cache.dataset_key() is None
