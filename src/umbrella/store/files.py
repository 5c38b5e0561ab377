"""Files of a run store: Parquet chunks, manifests and the scenario text, written atomically.

A file is written under a temporary name in its final folder (``.NAME.XXXXXXXX.tmp``),
flushed to disk (``fsync``), then renamed over its final name, and the folder is synced:
a reader sees the old file or the new one, never a part of one. A writer killed half-way
leaves only a temporary file, which nothing reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO, Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from umbrella.store.records import StoreError

__all__ = [
    "Kind",
    "check_columns",
    "chunk_name",
    "chunk_paths",
    "decode_table",
    "empty_frames",
    "encode_frame",
    "outcome_means",
    "read_frames",
    "run_folder",
    "sha256",
    "sync_folder_of",
    "to_table",
    "write_bytes",
    "write_frame",
    "write_text",
]

Kind = Literal["futures", "outcomes"]
UNCACHED = 1 << 20
"""Files of at least this many bytes (chunk files) leave the kernel's page cache once
synced. A run writes each chunk once and reads it, if ever, as a whole; caching its files
grows the cache by the size of the run, and writing into a growing cache took about three
times the CPU time of writing into pages just dropped (measured on a virtual machine).
A chunk read back soon after then comes from the disk."""
KEYS = ("future", "option")


def run_folder(store: Path, run_id: str) -> Path:
    """The folder of one run: ``STORE/runs/RUN_ID``."""
    return store / "runs" / run_id


def chunk_name(kind: Kind, chunk: int) -> str:
    """The file name of one chunk: ``futures-00003.parquet``, ``outcomes-00003.parquet``."""
    return f"{kind}-{chunk:05d}.parquet"


def chunk_paths(folder: Path, kind: Kind, chunks: Iterable[int]) -> list[Path]:
    """The files of these chunks, in the order given."""
    return [folder / chunk_name(kind, chunk) for chunk in chunks]


def check_columns(where: str, futures: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    """Refuse chunk frames without their key columns (``future``; ``future`` and ``option``)."""
    for kind, frame, keys in (("futures", futures, KEYS[:1]), ("outcomes", outcomes, KEYS)):
        missing = [key for key in keys if key not in frame.columns]
        if missing:
            raise StoreError(f"{where}: {kind} lacks column(s) {', '.join(missing)}")


def empty_frames(uncertainties: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Futures and outcomes of a run with no chunk yet: key columns only (and uncertainties)."""
    futures = pd.DataFrame({"future": pd.Series(dtype="int64")})
    for name in uncertainties:
        futures[name] = pd.Series(dtype="float64")
    outcomes = pd.DataFrame({"future": pd.Series(dtype="int64"), "option": pd.Series(dtype="str")})
    return futures, outcomes


def to_table(frame: pd.DataFrame, where: Path | str) -> pa.Table:
    """``frame`` (without its index) as an Arrow table.

    A frame of plain numeric columns and categories of strings (as an ensemble writes) is
    converted without pandas metadata, which is several times faster and reads back the
    same: its float64 columns share one copy, the columns of which Arrow then uses without
    copying again. NaN becomes a null (a missing value, as in pandas); a column without one
    is declared non-nullable, which Parquet then writes without a level per value. Any other
    frame goes through ``pyarrow.Table.from_pandas``.
    """
    try:
        table = _plain_table(frame)
        if table is not None:
            return table
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as error:
        raise StoreError(f"{where}: cannot convert the frame to Parquet: {error}") from None


def _plain_table(frame: pd.DataFrame) -> pa.Table | None:
    """The table of ``frame``, or None if a column is neither numeric nor a category of
    strings (or names are not unique strings)."""
    names = list(frame.columns)
    if len(set(names)) != len(names) or not all(isinstance(name, str) for name in names):
        return None
    dtypes = dict(frame.dtypes.items())
    arrays: dict[str, pa.Array] = {}
    # Taking a column out of a frame costs pandas about 20 us, 2 ms for a hundred columns.
    # One column-major copy of every float64 column at once gives each as contiguous
    # memory, which Arrow uses without copying again.
    selected = frame.select_dtypes(include=[np.float64])
    doubles = [str(name) for name in selected.columns]
    if any(not isinstance(dtypes[name], np.dtype) for name in doubles):
        return None  # pandas' nullable Float64, which only from_pandas keeps
    if doubles:
        block = np.asfortranarray(selected.to_numpy(dtype=np.float64))
        missing = np.isnan(block).any(axis=0)
        for index, name in enumerate(doubles):
            arrays[name] = pa.array(block[:, index], from_pandas=bool(missing[index]))
    for name in names:
        if name in arrays:
            continue
        dtype = dtypes[name]
        if isinstance(dtype, pd.CategoricalDtype):
            categories = dtype.categories
            if not (
                pd.api.types.is_object_dtype(categories) or pd.api.types.is_string_dtype(categories)
            ) or not all(isinstance(c, str) for c in categories):
                return None
            codes = frame[name].cat.codes.to_numpy()
            if (codes < 0).any():
                return None
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(codes), pa.array(list(categories), pa.string()), ordered=dtype.ordered
            )
        elif isinstance(dtype, np.dtype) and dtype.kind in "fiu":
            arrays[name] = pa.array(frame[name].to_numpy(), from_pandas=True)  # NaN as null
        else:
            return None
    fields = [
        pa.field(name, arrays[name].type, nullable=arrays[name].null_count > 0) for name in names
    ]
    return pa.Table.from_arrays([arrays[name] for name in names], schema=pa.schema(fields))


def encode_frame(table: pa.Table, where: Path | str) -> memoryview:
    """The bytes of a Parquet file holding ``table``: a view of the buffer Arrow wrote them
    to (a copy would be one more pass over every byte, beside hashing and writing them).

    Chunks are encoded beside the model, so the settings favour CPU time over bytes: float
    columns are stored plain, uncompressed and without statistics (Snappy would save about
    a fifth of the bytes at about three times what hashing and writing them costs; nothing
    filters chunk files by value). Integer columns are delta-encoded (the keys run in
    order) and keep their statistics; other columns, such as the options, keep their
    dictionary. A Parquet file records how it is encoded, so files written with pyarrow's
    defaults (Snappy, statistics, as earlier versions did) read the same.
    """
    floats = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    integers = [f.name for f in table.schema if pa.types.is_integer(f.type)]
    others = [f.name for f in table.schema if f.name not in floats and f.name not in integers]
    sink = pa.BufferOutputStream()
    try:
        pq.write_table(
            table,
            sink,
            compression="none",
            use_dictionary=others,
            write_statistics=integers + others,
            column_encoding=dict.fromkeys(integers, "DELTA_BINARY_PACKED"),
        )
    except (pa.ArrowException, OSError) as error:
        raise StoreError(f"{where}: cannot write Parquet: {error}") from None
    return memoryview(sink.getvalue())


def decode_table(data: bytes, path: Path) -> pa.Table:
    """The table held by the Parquet bytes ``data`` read from ``path``."""
    try:
        return pq.read_table(pa.BufferReader(data))
    except (OSError, pa.ArrowException) as error:
        raise StoreError(f"{path}: cannot read chunk: {error}") from None


def sha256(data: bytes | memoryview) -> str:
    """The SHA-256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (without its index) as Parquet at ``path``, atomically."""
    write_bytes(encode_frame(to_table(frame, path), path), path)


def write_bytes(data: bytes | memoryview, path: Path, *, sync_folder: bool = True) -> None:
    """Write ``data`` at ``path``, atomically (the folder synced unless ``sync_folder`` is
    False, for a caller that syncs it once after several files); ``UNCACHED`` bytes or more
    leave the page cache once durable."""
    _write_atomic(
        path,
        lambda handle: handle.write(data),
        sync_folder=sync_folder,
        uncached=memoryview(data).nbytes >= UNCACHED,
    )


def write_text(text: str, path: Path) -> None:
    """Write ``text`` (UTF-8) at ``path``, atomically."""
    write_bytes(text.encode("utf-8"), path)


def _write_atomic(
    path: Path,
    write: Callable[[BinaryIO], object],
    *,
    sync_folder: bool = True,
    uncached: bool = False,
) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            if uncached:
                _drop_cached(handle.fileno())
        os.replace(temporary, path)
        if sync_folder:
            sync_folder_of(path)
    except (OSError, pa.ArrowException) as error:
        raise StoreError(f"{path}: cannot write: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _drop_cached(descriptor: int) -> None:
    """Let the kernel drop a synced file's pages from its cache (POSIX; advice only)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    with contextlib.suppress(OSError):
        advise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)


def sync_folder_of(path: Path) -> None:
    """Make a rename in the folder of ``path`` durable (POSIX; a no-op where folders cannot
    be opened)."""
    folder = path.parent
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_frames(paths: Sequence[Path]) -> pd.DataFrame:
    """Read and concatenate Parquet files, in order, into one frame with a fresh index."""
    tables = []
    for path in paths:
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowException) as error:
            raise StoreError(f"{path}: cannot read chunk: {error}") from None
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowException as error:
        raise StoreError(f"{paths[0].parent}: chunks do not share columns: {error}") from None
    frame: pd.DataFrame = table.to_pandas()
    return frame


def outcome_means(paths: Sequence[Path]) -> dict[tuple[str, str], float | None]:
    """Mean of every numeric outcome column per option over the outcome files ``paths``.

    NaN and missing values are left out of a mean (as pandas does); a mean over none is
    None. Sums are compensated (Kahan) and taken in file order, so they are reproducible.
    Keys are (option, outcome), options sorted, outcomes in column order.
    """
    if not paths:
        return {}
    try:
        schema = pq.read_schema(paths[0])
    except (OSError, pa.ArrowException) as error:
        raise StoreError(f"{paths[0]}: cannot read chunk: {error}") from None
    outcomes = [
        field.name
        for field in schema
        if field.name not in KEYS
        and (
            pa.types.is_floating(field.type)
            or pa.types.is_integer(field.type)
            or pa.types.is_boolean(field.type)
        )
    ]
    if not outcomes:
        return {}
    averages = ", ".join(
        f"favg({value}) FILTER (WHERE NOT isnan({value}))"
        for value in (f"CAST({_quote(name)} AS DOUBLE)" for name in outcomes)
    )
    query = (
        f"SELECT CAST(option AS VARCHAR), {averages} "
        "FROM read_parquet(?, union_by_name = true) GROUP BY 1 ORDER BY 1"
    )
    try:
        # one thread: sums in file order, so a run compared with itself differs by exactly 0
        with duckdb.connect(config={"threads": 1}) as connection:
            rows = connection.execute(query, [[str(path) for path in paths]]).fetchall()
    except duckdb.Error as error:
        raise StoreError(f"{paths[0].parent}: cannot average outcomes: {error}") from None
    means: dict[tuple[str, str], float | None] = {}
    for option, *values in rows:
        for name, value in zip(outcomes, values, strict=True):
            means[str(option), name] = None if value is None else float(value)
    return means


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
