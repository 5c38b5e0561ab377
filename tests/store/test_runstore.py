"""RunStore: roundtrip, chunk bookkeeping, statuses and what ``load`` refuses."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tests.store.chunks import (
    CHUNK_SIZE,
    N_SAMPLES,
    OPTIONS,
    SCENARIO,
    UNCERTAINTIES,
    expected,
    make_chunk,
    new_run,
    write_all,
)
from umbrella.store import RunRecord, RunStore, StoreError
from umbrella.store.files import chunk_name


def _set_pid(store: RunStore, run_id: str, pid: int) -> None:
    path = store.path / "runs" / run_id / "manifest.json"
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "pid": pid}))


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_roundtrip_of_three_chunks_keeps_values_order_and_dtypes(store: RunStore) -> None:
    run_id = new_run(store)
    for chunk in (2, 0, 1):  # written in any order, read in order
        store.write_chunk(run_id, chunk, *make_chunk(chunk))
    store.finish_run(run_id)
    futures, outcomes = store.load(run_id)
    want_futures, want_outcomes = expected([0, 1, 2])
    assert_frame_equal(futures, want_futures)
    assert_frame_equal(outcomes, want_outcomes)
    assert futures["future"].dtype == "int64"
    assert list(futures.columns) == ["future", *UNCERTAINTIES]
    assert len(futures) == N_SAMPLES
    assert len(outcomes) == N_SAMPLES * len(OPTIONS)


def test_categorical_option_column_comes_back_categorical(store: RunStore) -> None:
    run_id = new_run(store, n_samples=CHUNK_SIZE)
    futures, outcomes = make_chunk(0)
    outcomes["option"] = pd.Categorical(outcomes["option"], categories=list(OPTIONS))
    store.write_chunk(run_id, 0, futures, outcomes)
    store.finish_run(run_id)
    _, loaded = store.load(run_id)
    assert isinstance(loaded["option"].dtype, pd.CategoricalDtype)
    assert list(loaded["option"].cat.categories) == list(OPTIONS)


def test_new_run_is_running_with_its_settings_and_owner(store: RunStore) -> None:
    before = datetime.now(UTC)
    run_id = new_run(store)
    record = store.run(run_id)
    assert isinstance(record, RunRecord)
    date, time, suffix = run_id.split("-")
    assert (len(date), len(time), len(suffix)) == (8, 6, 4)
    assert record.status == "running"
    assert record.pid == os.getpid()
    assert record.options == OPTIONS
    assert record.uncertainties == UNCERTAINTIES
    assert (record.n_chunks, record.chunks_done, record.futures_done) == (3, 0, 0)
    assert record.started_at >= before.replace(microsecond=0)
    assert record.finished_at is None
    assert store.scenario_text(run_id) == SCENARIO
    assert (store.path / "runs" / run_id / "scenario.yaml").is_file()
    with pytest.raises(FrozenInstanceError):
        record.status = "complete"  # type: ignore[misc]


def test_run_ids_are_unique(store: RunStore) -> None:
    ids = {new_run(store) for _ in range(8)}
    assert len(ids) == 8
    assert set(store.runs()["run_id"]) == ids


def test_runs_lists_newest_first_with_counts(store: RunStore) -> None:
    first = new_run(store)
    store.write_chunk(first, 0, *make_chunk(0))
    second = new_run(store, seed=8)
    frame = store.runs()
    assert list(frame["run_id"]) == [second, first]
    assert list(frame["chunks_done"]) == [0, 1]
    assert list(frame["futures_done"]) == [0, CHUNK_SIZE]
    assert str(frame["started_at"].dtype).endswith("UTC]")


def test_empty_or_missing_store(store: RunStore) -> None:
    assert store.runs().empty
    assert not store.path.exists()  # reading creates nothing
    with pytest.raises(StoreError, match=r"no run 'nope' in .*umbrella-runs"):
        store.run("nope")


def test_completed_chunks_and_idempotent_rewrite(store: RunStore) -> None:
    run_id = new_run(store)
    assert store.completed_chunks(run_id) == set()
    store.write_chunk(run_id, 0, *make_chunk(0))
    store.write_chunk(run_id, 2, *make_chunk(2))
    assert store.completed_chunks(run_id) == {0, 2}
    store.write_chunk(run_id, 0, *make_chunk(0, shift=1.0))  # replaces chunk 0
    store.write_chunk(run_id, 0, *make_chunk(0))
    store.write_chunk(run_id, 1, *make_chunk(1))
    assert store.completed_chunks(run_id) == {0, 1, 2}
    assert store.run(run_id).futures_done == N_SAMPLES
    names = sorted(p.name for p in (store.path / "runs" / run_id).iterdir())
    assert [name for name in names if not name.startswith(".")] == [
        *(f"chunk-{c:05d}.json" for c in range(3)),
        *(chunk_name("futures", c) for c in range(3)),
        "manifest.json",
        *(chunk_name("outcomes", c) for c in range(3)),
        "scenario.yaml",
    ]
    store.finish_run(run_id)
    assert_frame_equal(store.load(run_id)[1], expected([0, 1, 2])[1])
    assert_frame_equal(store.read_chunk(run_id, 1)[0], make_chunk(1)[0])


def test_chunk_missing_on_disk_is_not_completed(store: RunStore) -> None:
    run_id = new_run(store)
    for chunk in range(3):
        store.write_chunk(run_id, chunk, *make_chunk(chunk))
    store.flush()  # chunks are written in the background
    (store.path / "runs" / run_id / chunk_name("outcomes", 1)).unlink()
    assert store.completed_chunks(run_id) == {0, 2}
    with pytest.raises(StoreError, match=r"cannot finish run .*2 of 3 chunks"):
        store.finish_run(run_id)


def test_complete_run_with_files_removed_is_refused(store: RunStore) -> None:
    run_id = new_run(store)
    write_all(store, run_id)
    (store.path / "runs" / run_id / chunk_name("futures", 2)).unlink()  # finished: written
    with pytest.raises(StoreError, match="complete but only 2 of 3 chunks are on disk"):
        store.load(run_id)


def test_finish_needs_every_future(store: RunStore) -> None:
    run_id = new_run(store)
    store.write_chunk(run_id, 0, *make_chunk(0))
    with pytest.raises(StoreError, match=r"1 of 3 chunks \(50 of 130 futures\)"):
        store.finish_run(run_id)
    assert store.run(run_id).status == "running"


def test_complete_run_is_final(store: RunStore) -> None:
    run_id = new_run(store)
    write_all(store, run_id)
    record = store.run(run_id)
    assert record.status == "complete"
    assert record.finished_at is not None
    assert record.finished_at >= record.started_at
    store.finish_run(run_id)  # finishing twice is harmless
    with pytest.raises(StoreError, match="is complete; its chunks are final"):
        store.write_chunk(run_id, 0, *make_chunk(0, shift=1.0))
    with pytest.raises(StoreError, match="is complete; it cannot fail"):
        store.fail_run(run_id, "late")
    with pytest.raises(StoreError, match="only failed or interrupted runs can be resumed"):
        store.reopen_run(run_id)
    assert_frame_equal(store.load(run_id)[1], expected([0, 1, 2])[1])


def test_load_refuses_a_running_run(store: RunStore) -> None:
    run_id = new_run(store)
    store.write_chunk(run_id, 0, *make_chunk(0))
    with pytest.raises(StoreError, match=r"is running \(1 of 3 chunks recorded\).*allow_partial"):
        store.load(run_id)
    futures, outcomes = store.load(run_id, allow_partial=True)
    assert_frame_equal(futures, expected([0])[0])
    assert_frame_equal(outcomes, expected([0])[1])


def test_load_refuses_a_failed_run_which_can_be_resumed(store: RunStore) -> None:
    run_id = new_run(store)
    store.write_chunk(run_id, 1, *make_chunk(1))
    store.fail_run(run_id, "stopped: KeyboardInterrupt")
    record = store.run(run_id)
    assert (record.status, record.reason, record.resumable) == (
        "failed",
        "stopped: KeyboardInterrupt",
        True,
    )
    with pytest.raises(StoreError, match="is failed: stopped: KeyboardInterrupt"):
        store.load(run_id)
    assert_frame_equal(store.load(run_id, allow_partial=True)[0], expected([1])[0])
    store.reopen_run(run_id)
    assert store.run(run_id).status == "running"
    for chunk in (0, 2):
        store.write_chunk(run_id, chunk, *make_chunk(chunk))
    store.finish_run(run_id)
    assert_frame_equal(store.load(run_id)[0], expected([0, 1, 2])[0])


def test_dead_process_marks_the_run_interrupted(store: RunStore) -> None:
    run_id = new_run(store)
    store.write_chunk(run_id, 0, *make_chunk(0))
    _set_pid(store, run_id, _dead_pid())
    record = store.run(run_id)
    assert record.status == "interrupted"
    assert record.resumable
    with pytest.raises(StoreError, match="is interrupted"):
        store.load(run_id)
    assert len(store.load(run_id, allow_partial=True)[0]) == CHUNK_SIZE
    store.reopen_run(run_id)
    record = store.run(run_id)
    assert (record.status, record.pid, record.reason) == ("running", os.getpid(), None)


def test_a_live_run_cannot_be_taken_over(store: RunStore) -> None:
    run_id = new_run(store)
    with pytest.raises(StoreError, match=rf"is running \(pid {os.getpid()} on "):
        store.reopen_run(run_id)


def test_partial_run_without_chunks_loads_empty_frames(store: RunStore) -> None:
    run_id = new_run(store)
    futures, outcomes = store.load(run_id, allow_partial=True)
    assert list(futures.columns) == ["future", *UNCERTAINTIES]
    assert list(outcomes.columns) == ["future", "option"]
    assert futures.empty
    assert outcomes.empty


def test_files_not_recorded_in_the_catalog_are_ignored(store: RunStore) -> None:
    run_id = new_run(store, n_samples=2 * CHUNK_SIZE)
    store.write_chunk(run_id, 0, *make_chunk(0))
    store.flush()
    folder = store.path / "runs" / run_id
    # what a writer killed mid-way leaves: a temporary file, and files not yet recorded
    (folder / f".{chunk_name('futures', 1)}.0badf00d.tmp").write_bytes(b"PAR1 half a file")
    make_chunk(1)[0].to_parquet(folder / chunk_name("futures", 1))
    make_chunk(1)[1].to_parquet(folder / chunk_name("outcomes", 1))
    assert store.completed_chunks(run_id) == {0}
    futures, outcomes = store.load(run_id, allow_partial=True)
    assert_frame_equal(futures, expected([0])[0])
    assert_frame_equal(outcomes, expected([0])[1])
    with pytest.raises(StoreError, match="no recorded chunk 1"):
        store.read_chunk(run_id, 1)


def test_unknown_run_suggests_close_ids(store: RunStore) -> None:
    run_id = new_run(store)
    typo = run_id[:-1] + ("0" if run_id[-1] != "0" else "1")
    with pytest.raises(StoreError) as caught:
        store.run(typo)
    message = str(caught.value)
    assert message.startswith(f"no run '{typo}' in {store.path}")
    assert f"did you mean '{run_id}'?" in message
    assert message.endswith("see `umbrella runs list`")
    with pytest.raises(StoreError, match=f"did you mean '{run_id}'"):
        store.load(run_id[:10])  # a prefix
    with pytest.raises(StoreError, match=r"no run '\.\./x'"):
        store.scenario_text("../x")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_samples": 0}, "n_samples must be >= 1"),
        ({"chunk_size": 0}, "chunk_size must be >= 1"),
        ({"seed": -1}, "seed must be >= 0"),
    ],
)
def test_create_run_checks_its_settings(
    store: RunStore, change: dict[str, int], message: str
) -> None:
    with pytest.raises(StoreError, match=message):
        new_run(store, **change)


def test_write_chunk_checks_the_frames(store: RunStore) -> None:
    run_id = new_run(store)
    futures, outcomes = make_chunk(0)
    with pytest.raises(StoreError, match=r"chunk 0: outcomes lacks column\(s\) option"):
        store.write_chunk(run_id, 0, futures, outcomes.drop(columns="option"))
    with pytest.raises(StoreError, match=r"has chunks 0 to 2 \(got chunk -1\)"):
        store.write_chunk(run_id, -1, futures, outcomes)
    with pytest.raises(StoreError, match=r"has chunks 0 to 2 \(got chunk 3\)"):
        store.write_chunk(run_id, 3, futures, outcomes)
    with pytest.raises(StoreError, match=r"chunk 2 must hold 30 futures \(got 50\)"):
        store.write_chunk(run_id, 2, futures, outcomes)
    assert store.completed_chunks(run_id) == set()


def test_huge_seed_is_kept_exactly(store: RunStore) -> None:
    seed = 2**100 + 1
    assert store.run(new_run(store, seed=seed)).seed == seed
