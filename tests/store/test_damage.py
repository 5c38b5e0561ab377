"""Damage: every read checks chunks against the run's manifest; verify, repair and resume.

A flipped bit, a chunk file copied over another, a truncated file and a chunk whose
checksum agrees but whose values are impossible are each caught, naming the file; `umbrella
runs verify` lists them, `umbrella runs repair` removes them, and a resumed run computes
them again, to the same bits as a run never damaged.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from pandas.testing import assert_frame_equal
from typer.testing import CliRunner

from tests.store.chunks import expected, make_chunk, new_run, write_all
from umbrella.cli import runs
from umbrella.explore.ensemble import run_ensemble
from umbrella.store import RunStore, StoreError
from umbrella.store.files import Kind, chunk_name
from umbrella.store.records import DamagedChunkError

runner = CliRunner()
app = typer.Typer()
app.add_typer(runs.app, name="runs")


@app.callback()
def _root() -> None:
    """A stand-in for the umbrella root command."""


def _invoke(store: RunStore, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["runs", *args, "--store", str(store.path)])
    return result.exit_code, result.stdout, result.stderr


def _complete_run(store: RunStore) -> tuple[str, Path]:
    run_id = new_run(store)
    write_all(store, run_id)
    return run_id, store.path / "runs" / run_id


def _flip_bit(path: Path, offset: int = 200) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


def test_a_flipped_bit_is_an_error_naming_the_file(store: RunStore) -> None:
    run_id, folder = _complete_run(store)
    damaged = folder / chunk_name("outcomes", 1)
    _flip_bit(damaged)
    reads: list[Callable[[], object]] = [
        lambda: store.load(run_id),
        lambda: store.read_chunk(run_id, 1),
    ]
    for read in reads:
        with pytest.raises(DamagedChunkError) as caught:
            read()
        message = str(caught.value)
        assert message.startswith(f"{damaged}: chunk 1 of run {run_id} is damaged")
        assert "checksum does not match" in message
        assert message.endswith(f"run `umbrella runs verify {run_id}`")
    with pytest.raises(DamagedChunkError, match="outcomes-00001"):
        store.diff(run_id, run_id)
    assert_frame_equal(store.read_chunk(run_id, 0)[1], make_chunk(0)[1])  # others read


def test_a_chunk_copied_over_another_is_detected(store: RunStore) -> None:
    run_id, folder = _complete_run(store)
    shutil.copyfile(folder / chunk_name("futures", 0), folder / chunk_name("futures", 1))
    with pytest.raises(DamagedChunkError, match=r"futures-00001\.parquet: chunk 1 .* damaged"):
        store.load(run_id)
    problems = store.verify(run_id)
    assert [(p.chunk, Path(p.path).name) for p in problems] == [(1, chunk_name("futures", 1))]
    # and with its record copied too, the record is of the wrong chunk
    shutil.copyfile(folder / "chunk-00000.json", folder / "chunk-00001.json")
    assert "record is of chunk 0" in store.verify(run_id)[0].message


def test_a_truncated_or_missing_file_is_detected(store: RunStore) -> None:
    run_id, folder = _complete_run(store)
    path = folder / chunk_name("outcomes", 2)
    path.write_bytes(path.read_bytes()[:100])
    (folder / chunk_name("futures", 0)).unlink()
    problems = store.verify(run_id)
    assert [p.chunk for p in problems] == [0, 2]
    assert "the file is missing" in problems[0].message
    assert "bytes, the manifest records" in problems[1].message


def _rewrite_with_checksum(folder: Path, chunk: int, table: pa.Table) -> None:
    """Put ``table`` in place of a chunk's outcomes and record its true checksum: a chunk
    consistent with the manifest, whatever it holds."""
    path = folder / chunk_name("outcomes", chunk)
    pq.write_table(table, path)
    record_path = folder / f"chunk-{chunk:05d}.json"
    record = json.loads(record_path.read_text())
    data = path.read_bytes()
    record["files"]["outcomes"].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    record_path.write_text(json.dumps(record))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("holds_europe", 1.5, "holds_europe holds a probability outside"),
        ("fails_in_frontline", -0.25, "fails_in_frontline holds a probability outside"),
        ("cost_eur_bn", np.inf, "cost_eur_bn holds an infinite value"),
        ("future", 10_000, "column future leaves the chunk's futures 50 to 99"),
    ],
)
def test_consistent_but_impossible_values_are_detected(
    store: RunStore, column: str, value: float, message: str
) -> None:
    run_id, folder = _complete_run(store)
    _, outcomes = make_chunk(1)
    outcomes["holds_europe"] = 0.5
    outcomes["fails_in_frontline"] = 0.5
    good = outcomes.copy()
    outcomes.loc[3, column] = value
    other = new_run(store)
    store.write_chunk(other, 1, make_chunk(1)[0], outcomes)
    with pytest.raises(StoreError, match=message):  # refused when written
        store.flush()
    assert store.completed_chunks(other) == set()
    _rewrite_with_checksum(folder, 1, pa.Table.from_pandas(good, preserve_index=False))
    assert store.verify(run_id) == []
    _rewrite_with_checksum(folder, 1, pa.Table.from_pandas(outcomes, preserve_index=False))
    with pytest.raises(DamagedChunkError, match=message):
        store.read_chunk(run_id, 1)
    (problem,) = store.verify(run_id)
    assert problem.chunk == 1
    assert message in problem.message


def test_verify_cli_lists_each_damaged_chunk_and_exits_2(store: RunStore) -> None:
    run_id, folder = _complete_run(store)
    code, out, err = _invoke(store, "verify", run_id)
    assert (code, err) == (0, "")
    assert "all 3 recorded chunk(s) match the manifest" in out
    _flip_bit(folder / chunk_name("futures", 0))
    _flip_bit(folder / chunk_name("outcomes", 2))
    code, out, err = _invoke(store, "verify", run_id)
    assert code == 2
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("damaged chunk 0: ")
    assert chunk_name("futures", 0) in lines[0]
    assert lines[1].startswith("damaged chunk 2: ")
    assert chunk_name("outcomes", 2) in lines[1]
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: run {run_id}: 2 damaged chunk(s); `umbrella runs repair")
    code, _, err = _invoke(store, "verify", "20250101-000000-0000")
    assert code == 2
    assert err.startswith("error: no run '20250101-000000-0000'")


def test_repair_then_resume_of_the_fake_run(store: RunStore) -> None:
    run_id, folder = _complete_run(store)
    _flip_bit(folder / chunk_name("outcomes", 1))
    code, out, _ = _invoke(store, "repair", run_id)
    assert code == 0, out
    assert out.startswith("removed chunk 1: ")
    record = store.run(run_id)
    assert (record.status, record.chunks_done) == ("interrupted", 2)
    assert "chunk(s) 1 removed" in str(record.reason)
    assert store.completed_chunks(run_id) == {0, 2}
    assert store.verify(run_id) == []
    code, out, _ = _invoke(store, "repair", run_id)
    assert (code, "nothing to repair" in out) == (0, True)
    store.reopen_run(run_id)
    store.write_chunk(run_id, 1, *make_chunk(1))
    store.finish_run(run_id)
    assert_frame_equal(store.load(run_id)[1], expected([0, 1, 2])[1])


def test_a_running_run_is_not_repaired(store: RunStore) -> None:
    run_id = new_run(store)
    with pytest.raises(StoreError, match=r"is running .*stop it before repairing it"):
        store.repair(run_id)
    for bad in ("../x", "20250101-000000-0000"):
        with pytest.raises(StoreError, match=rf"no run '{re.escape(bad)}' in "):
            store.repair(bad)
        with pytest.raises(StoreError, match="no run"):
            store.fail_run(bad, "stopped")
    assert not (store.path / "runs" / "x").exists()


def test_verify_repair_resume_gives_the_bits_of_an_undamaged_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    first = run_ensemble(None, 1200, seed=5, chunk_size=300, store=store)
    second = run_ensemble(None, 1200, seed=5, chunk_size=300, store=store)
    assert first.run_id is not None
    assert second.run_id is not None
    folder = store.path / "runs" / second.run_id
    _flip_bit(folder / chunk_name("outcomes", 1), offset=1000)
    shutil.copyfile(folder / chunk_name("futures", 2), folder / chunk_name("futures", 3))
    code, out, _ = _invoke(store, "verify", second.run_id)
    assert code == 2
    assert [line.split(":")[0] for line in out.strip().splitlines()] == [
        "damaged chunk 1",
        "damaged chunk 3",
    ]
    assert _invoke(store, "repair", second.run_id)[0] == 0
    assert store.completed_chunks(second.run_id) == {0, 2}
    resumed = run_ensemble(None, 1200, seed=5, store=store, resume=second.run_id)
    assert resumed.run_id == second.run_id
    assert _invoke(store, "verify", second.run_id)[0] == 0
    assert store.run(second.run_id).status == "complete"
    want, got = store.load(first.run_id), store.load(second.run_id)
    for a, b in zip(want, got, strict=True):
        assert_frame_equal(a, b, check_exact=True)
    kinds: tuple[Kind, ...] = ("futures", "outcomes")
    for kind in kinds:
        for chunk in range(4):
            name = chunk_name(kind, chunk)
            assert (folder / name).read_bytes() == (
                store.path / "runs" / first.run_id / name
            ).read_bytes()
    assert resumed.aggregates.equals(first.aggregates)
