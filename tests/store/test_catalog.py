"""The catalog: errors name the file; a locked catalog is waited for, then reported."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from tests.store.chunks import new_run
from umbrella.store import RunStore, StoreError, catalog

HOLD = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.close()
"""


def _hold_lock(store: RunStore, seconds: float) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store.path / "catalog.duckdb"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    return child


def test_a_locked_catalog_is_waited_for(store: RunStore) -> None:
    run_id = new_run(store)
    with _hold_lock(store, 0.5) as child:
        assert store.run(run_id).status == "running"  # after the other process lets go
    assert child.returncode == 0


def test_a_catalog_locked_too_long_is_a_store_error(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = new_run(store)
    monkeypatch.setattr(catalog, "LOCK_WAIT", 0.2)
    with _hold_lock(store, 5) as child:
        try:
            with pytest.raises(StoreError, match=r"catalog\.duckdb: cannot open the run catalog"):
                store.run(run_id)
        finally:
            child.kill()


def test_broken_catalog_is_a_store_error_naming_the_file(store: RunStore) -> None:
    store.path.mkdir(parents=True)
    (store.path / "catalog.duckdb").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"catalog\.duckdb: cannot open the run catalog"):
        store.runs()


def test_a_newer_catalog_schema_is_refused(store: RunStore) -> None:
    new_run(store)
    with duckdb.connect(str(store.path / "catalog.duckdb")) as connection:
        connection.execute("UPDATE store_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        store.runs()
