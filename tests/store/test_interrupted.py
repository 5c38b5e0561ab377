"""A writer killed with SIGKILL leaves a consistent store: whole chunks or nothing.

A child process creates a run and writes its chunks with a pause between them; the test
kills it (SIGKILL: no cleanup, no ``fail_run``) and reads what is left. Two more children
are killed at the worst moments: with a chunk's files in place but not yet recorded in the
run's manifest, and half-way through writing a chunk file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from tests.store.chunks import expected, make_chunk
from umbrella.store import RunStore, StoreError

ROOT = Path(__file__).resolve().parents[2]

# argv: store folder, where to stop ("loop", "before-record" or "mid-file")
CHILD = """
import sys, time
from umbrella.store import RunStore, files, manifest
from tests.store.chunks import make_chunk, new_run

store, pause = RunStore(sys.argv[1]), sys.argv[2]

def hang():
    print("paused", flush=True)
    time.sleep(60)

if pause == "before-record":
    record = manifest.write_chunk_record
    def write_chunk_record(folder, entry):
        if entry.chunk == 2:
            hang()
        record(folder, entry)
    manifest.write_chunk_record = write_chunk_record
if pause == "mid-file":
    write_bytes = files.write_bytes
    def half_written(data, path, **kwargs):
        if path.name == files.chunk_name("outcomes", 2):
            path.with_name(f".{path.name}.0badf00d.tmp").write_bytes(data[: len(data) // 2])
            hang()
        write_bytes(data, path, **kwargs)
    files.write_bytes = half_written

run_id = new_run(store)
print(run_id, flush=True)
for chunk in range(3):
    store.write_chunk(run_id, chunk, *make_chunk(chunk))
    time.sleep(0.2)
store.finish_run(run_id)
"""


def _recorded(store: RunStore, run_id: str) -> set[int]:
    """The chunks the run's manifest records, read straight from its folder."""
    return {int(path.name[6:11]) for path in (store.path / "runs" / run_id).glob("chunk-*.json")}


PAUSES = ("loop", "before-record", "mid-file")


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RunStore, str]]:
    """One child per pause, started together (imports take a second), each killed there."""
    children = {}
    for pause in PAUSES:
        store = RunStore(tmp_path_factory.mktemp(pause) / "umbrella-runs")
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(store.path), pause],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        children[pause] = (store, child)
    runs = {}
    try:
        for pause, (store, child) in children.items():
            runs[pause] = (store, _kill_at(store, child, pause))
    finally:
        for _, child in children.values():
            child.kill()
            child.wait()  # reap it, so that its pid is gone
            if child.stdout is not None:
                child.stdout.close()
    for _, child in children.values():
        assert child.returncode == -signal.SIGKILL
    return runs


def _kill_at(store: RunStore, child: subprocess.Popen[str], pause: str) -> str:
    assert child.stdout is not None
    run_id = child.stdout.readline().strip()
    assert run_id, "the child did not start a run"
    if pause == "loop":
        deadline = time.monotonic() + 30
        while len(store.completed_chunks(run_id)) < 2:
            assert time.monotonic() < deadline, "the child wrote no chunks"
            time.sleep(0.01)
    else:
        assert child.stdout.readline().strip() == "paused"
    child.send_signal(signal.SIGKILL)
    return run_id


@pytest.mark.parametrize("pause", PAUSES)
def test_killed_writer_leaves_whole_chunks_only(
    killed: dict[str, tuple[RunStore, str]], pause: str
) -> None:
    store, run_id = killed[pause]
    record = store.run(run_id)
    assert record.status == "interrupted"
    assert record.resumable
    done = store.completed_chunks(run_id)
    assert done == _recorded(store, run_id)
    assert len(done) >= 2
    assert done == set(range(len(done)))  # chunks are written in order
    if pause != "loop":
        assert done == {0, 1}  # chunk 2 was on its way, and does not count
        leftovers = [p.name for p in (store.path / "runs" / run_id).iterdir()]
        assert any("-00002" in name for name in leftovers)
    for chunk in done:  # every completed chunk is whole and readable
        futures, outcomes = store.read_chunk(run_id, chunk)
        assert_frame_equal(futures, make_chunk(chunk)[0])
        assert_frame_equal(outcomes, make_chunk(chunk)[1])

    with pytest.raises(StoreError, match="is interrupted"):
        store.load(run_id)
    futures, outcomes = store.load(run_id, allow_partial=True)
    want_futures, want_outcomes = expected(sorted(done))
    assert_frame_equal(futures, want_futures)
    assert_frame_equal(outcomes, want_outcomes)

    store.reopen_run(run_id)  # and it can be finished
    for chunk in set(range(record.n_chunks)) - done:
        store.write_chunk(run_id, chunk, *make_chunk(chunk))
    store.finish_run(run_id)
    assert_frame_equal(store.load(run_id)[0], expected([0, 1, 2])[0])
