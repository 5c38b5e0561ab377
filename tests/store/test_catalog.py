"""The catalog: an index rebuilt from the run folders; a locked catalog is waited for, then
reported; errors name the file."""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest
from pandas.testing import assert_frame_equal

from tests.store.chunks import expected, make_chunk, new_run, write_all
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
        assert list(store.runs()["run_id"]) == [run_id]  # after the other process lets go
    assert child.returncode == 0


def test_a_catalog_locked_too_long_is_a_store_error(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = new_run(store)
    monkeypatch.setattr(catalog, "LOCK_WAIT", 0.2)
    with _hold_lock(store, 5) as child:
        try:
            with pytest.raises(StoreError, match=r"catalog\.duckdb: cannot open the run catalog"):
                store.fail_run(run_id, "stopped")
        finally:
            child.kill()


def test_a_broken_catalog_is_rebuilt_from_the_run_folders(store: RunStore) -> None:
    done, failed = new_run(store), new_run(store, seed=8)
    write_all(store, done)
    store.write_chunk(failed, 0, *make_chunk(0))
    store.fail_run(failed, "stopped: KeyboardInterrupt")
    (store.path / "catalog.duckdb").write_bytes(b"this is not a database" * 100)
    frame = store.runs()
    assert set(frame["run_id"]) == {done, failed}
    assert _catalog_rows(store) == {done: ("complete", 3), failed: ("failed", 1)}


def test_a_deleted_catalog_is_rebuilt_and_runs_are_listed_again(store: RunStore) -> None:
    first, second = new_run(store), new_run(store, seed=8)
    write_all(store, first)
    before = store.runs()
    (store.path / "catalog.duckdb").unlink()
    after = store.runs()
    assert_frame_equal(after, before)
    assert (store.path / "catalog.duckdb").is_file()
    assert _catalog_rows(store) == {first: ("complete", 3), second: ("running", 0)}
    (store.path / "catalog.duckdb").unlink()
    assert store.rebuild() == 2
    assert _catalog_rows(store) == {first: ("complete", 3), second: ("running", 0)}
    assert store.run(first).status == "complete"  # a run reads from its folder


def test_the_catalog_follows_the_folders(store: RunStore) -> None:
    kept, dropped = new_run(store), new_run(store, seed=8)
    store.write_chunk(kept, 0, *make_chunk(0))
    store.fail_run(kept, "stopped")
    shutil.rmtree(store.path / "runs" / dropped)
    assert list(store.runs()["run_id"]) == [kept]
    assert _catalog_rows(store) == {kept: ("failed", 1)}


def test_a_run_of_an_older_store_gets_a_manifest(store: RunStore) -> None:
    """A store written before run folders held manifests: the catalog alone knew the runs."""
    run_id = new_run(store)
    write_all(store, run_id)
    folder = store.path / "runs" / run_id
    for path in folder.glob("*.json"):
        path.unlink()
    assert list(store.runs()["run_id"]) == [run_id]
    assert store.run(run_id).status == "complete"
    assert store.verify(run_id) == []
    assert_frame_equal(store.load(run_id)[0], expected([0, 1, 2])[0])


def _catalog_rows(store: RunStore) -> dict[str, tuple[str, int]]:
    """{run id: (status, chunk rows)} as the catalog holds them, read straight from DuckDB."""
    with duckdb.connect(str(store.path / "catalog.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT run_id, status, (SELECT count(*) FROM chunks c WHERE c.run_id = r.run_id) "
            "FROM runs r"
        ).fetchall()
    return {str(run_id): (str(status), int(count)) for run_id, status, count in rows}


def test_a_newer_catalog_schema_is_refused(store: RunStore) -> None:
    new_run(store)
    with duckdb.connect(str(store.path / "catalog.duckdb")) as connection:
        connection.execute("UPDATE store_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        store.runs()
