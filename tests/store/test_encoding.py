"""How chunk files are encoded and written, and that files of the earlier encoding still
read the same.

Chunk files are written plain and uncompressed, float columns without statistics and, where
they hold no NaN, declared non-nullable. Stores written before hold Snappy-compressed files
with statistics, nullable fields and pandas metadata: they must load, verify and compare as
before, alone or mixed with new chunks in one run (a resumed run). Files of chunk size leave
the page cache once synced; that is advice, which may fail without failing the write.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

from tests.store.chunks import CHUNK_SIZE, N_SAMPLES, OPTIONS, expected, make_chunk, new_run
from umbrella.store import RunStore, files

N_CHUNKS = -(-N_SAMPLES // CHUNK_SIZE)


def _categorical(chunk: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A chunk whose options are a category, as an ensemble writes them."""
    futures, outcomes = make_chunk(chunk)
    outcomes["option"] = pd.Categorical(outcomes["option"], categories=list(OPTIONS))
    return futures, outcomes


def _earlier_table(frame: pd.DataFrame, where: Path | str) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _earlier_encoding(table: pa.Table, where: Path | str) -> bytes:
    """Parquet bytes as the store wrote them before: pyarrow's defaults (Snappy, statistics),
    dictionaries for every column but floats, every field nullable."""
    table = table.cast(pa.schema([field.with_nullable(True) for field in table.schema]))
    sink = pa.BufferOutputStream()
    dictionary = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
    pq.write_table(table, sink, use_dictionary=dictionary)
    return bytes(sink.getvalue())


def _write(
    store: RunStore, run_id: str, chunks: range, monkeypatch: pytest.MonkeyPatch, *, earlier: bool
) -> None:
    with monkeypatch.context() as patch:
        if earlier:
            patch.setattr(files, "to_table", _earlier_table)
            patch.setattr(files, "encode_frame", _earlier_encoding)
        for chunk in chunks:
            store.write_chunk(run_id, chunk, *_categorical(chunk))
        store.flush()


def _compression(path: Path) -> str:
    return str(pq.read_metadata(path).row_group(0).column(2).compression)


def test_runs_written_with_the_earlier_encoding_read_the_same(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier, mixed, new = new_run(store), new_run(store), new_run(store)
    _write(store, earlier, range(N_CHUNKS), monkeypatch, earlier=True)
    _write(store, mixed, range(1), monkeypatch, earlier=True)  # stopped, resumed by a newer
    _write(store, mixed, range(1, N_CHUNKS), monkeypatch, earlier=False)
    _write(store, new, range(N_CHUNKS), monkeypatch, earlier=False)
    for run_id in (earlier, mixed, new):
        store.finish_run(run_id)
    folder = store.path / "runs"
    assert _compression(folder / earlier / files.chunk_name("outcomes", 0)) == "SNAPPY"
    assert _compression(folder / mixed / files.chunk_name("outcomes", 0)) == "SNAPPY"
    assert _compression(folder / mixed / files.chunk_name("outcomes", 1)) == "UNCOMPRESSED"
    want_futures, _ = expected(list(range(N_CHUNKS)))
    want_outcomes = pd.concat([_categorical(c)[1] for c in range(N_CHUNKS)], ignore_index=True)
    want_outcomes = want_outcomes.sort_values(["future", "option"], ignore_index=True)
    for run_id in (earlier, mixed, new):
        assert store.verify(run_id) == []
        futures, outcomes = store.load(run_id)
        assert_frame_equal(futures, want_futures)
        assert_frame_equal(outcomes, want_outcomes)
        chunk_futures, chunk_outcomes = store.read_chunk(run_id, 0)
        assert_frame_equal(chunk_futures, make_chunk(0)[0])
        assert_frame_equal(chunk_outcomes, _categorical(0)[1])
        for other in (earlier, mixed):
            diff = store.diff(other, run_id)
            assert {c["difference"] for c in diff["outcomes"]} == {0.0}
            assert all(c["mean_a"] is not None for c in diff["outcomes"])


def test_chunk_files_are_plain_and_nan_is_a_null(tmp_path: Path) -> None:
    _, outcomes = _categorical(0)
    outcomes.loc[outcomes.index[3], "cost_eur_bn"] = float("nan")
    table = files.to_table(outcomes, "chunk")
    assert table.schema.metadata is None  # converted column by column, not through pandas
    path = tmp_path / "outcomes.parquet"
    files.write_frame(outcomes, path)
    schema = pq.read_schema(path)
    assert not schema.field("future").nullable
    assert not schema.field("option").nullable
    assert not schema.field("deterrence_prob").nullable
    assert schema.field("cost_eur_bn").nullable
    group = pq.read_metadata(path).row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    assert {str(c.compression) for c in columns.values()} == {"UNCOMPRESSED"}
    assert columns["cost_eur_bn"].statistics is None
    assert columns["future"].statistics is not None
    assert columns["future"].statistics.min == 0
    back = files.read_frames([path])
    assert_frame_equal(back, outcomes)
    assert pq.read_table(path).column("cost_eur_bn").null_count == 1
    means = files.outcome_means([path])
    want = outcomes.groupby("option", observed=True)["cost_eur_bn"].mean()
    for option in OPTIONS:
        assert means[option, "cost_eur_bn"] == pytest.approx(want[option])


def test_a_frame_of_columns_shared_with_other_frames_is_written_as_it_is(tmp_path: Path) -> None:
    # Columns selected out of a wider row-major array, as sampled futures are.
    values = np.random.default_rng(1).random((20, 4))
    frame = pd.DataFrame(values, columns=["a", "b", "c", "d"])[["d", "b"]]
    frame.insert(0, "future", np.arange(20, dtype=np.int64))
    path = tmp_path / "futures.parquet"
    files.write_frame(frame, path)
    assert_frame_equal(files.read_frames([path]), frame.reset_index(drop=True))
    assert pq.read_schema(path).names == ["future", "d", "b"]


def test_pandas_nullable_floats_keep_their_dtype(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": pd.array([1.0, None], dtype="Float64"), "b": [1.0, np.nan]})
    path = tmp_path / "frame.parquet"
    files.write_frame(frame, path)
    assert_frame_equal(files.read_frames([path]), frame)


def test_large_files_leave_the_page_cache_once_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(os, "posix_fadvise"):
        pytest.skip("no posix_fadvise here")
    advised: list[tuple[int, int]] = []
    synced: list[int] = []
    fsync, fadvise = os.fsync, os.posix_fadvise

    def record_fsync(descriptor: int) -> None:
        synced.append(descriptor)
        fsync(descriptor)

    def record_fadvise(descriptor: int, offset: int, length: int, advice: int) -> None:
        assert descriptor in synced  # durable first: only clean pages are dropped
        advised.append((descriptor, advice))
        fadvise(descriptor, offset, length, advice)

    monkeypatch.setattr(os, "fsync", record_fsync)
    monkeypatch.setattr(os, "posix_fadvise", record_fadvise)
    files.write_bytes(b"x" * files.UNCACHED, tmp_path / "chunk.parquet")
    assert [advice for _, advice in advised] == [os.POSIX_FADV_DONTNEED]
    files.write_bytes(b"x" * (files.UNCACHED - 1), tmp_path / "small.parquet")
    files.write_text("{}", tmp_path / "record.json")
    assert len(advised) == 1
    assert (tmp_path / "chunk.parquet").stat().st_size == files.UNCACHED


def test_refused_advice_does_not_fail_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(os, "posix_fadvise"):
        pytest.skip("no posix_fadvise here")

    def refuse(descriptor: int, offset: int, length: int, advice: int) -> None:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "posix_fadvise", refuse)
    files.write_bytes(b"y" * files.UNCACHED, tmp_path / "chunk.parquet")
    assert (tmp_path / "chunk.parquet").read_bytes() == b"y" * files.UNCACHED
