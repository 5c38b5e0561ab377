"""Finding runs: records from catalog rows and files on disk, and dead runs marked.

A chunk is *done* when the catalog records it and both its Parquet files are in the run
folder; a ``running`` run whose process is gone from this host becomes ``interrupted``.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import secrets
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from umbrella.store import catalog, files
from umbrella.store.records import RunRecord, StoreError

__all__ = [
    "RECORD_FIELDS",
    "alive",
    "check_chunk",
    "check_readable",
    "chunks_on_disk",
    "find_row",
    "mark_interrupted",
    "new_run_folder",
    "now",
    "read_record",
    "to_record",
]

RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")
RECORD_FIELDS = [*catalog.RUN_COLUMNS, "chunks_done", "futures_done"]


def now() -> datetime:
    """Now, in UTC, without a timezone (as the catalog's TIMESTAMP columns hold it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (``os.kill(pid, 0)``)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def new_run_folder(store: Path, started: datetime) -> tuple[str, Path]:
    """A fresh run id (``YYYYMMDD-HHMMSS-xxxx``, UTC) and its folder, created empty."""
    for _ in range(100):
        run_id = f"{started:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        folder = files.run_folder(store, run_id)
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            raise StoreError(f"{folder}: cannot create the run folder: {error}") from None
        return run_id, folder
    raise StoreError(f"{store}: no free run id for {started:%Y%m%d-%H%M%S}")


def mark_interrupted(connection: catalog.Connection) -> None:
    """Mark ``interrupted`` every ``running`` run of this host whose process has ended."""
    dead = [
        run_id
        for run_id, pid in catalog.running_runs(connection, socket.gethostname())
        if not alive(pid)
    ]
    if dead:
        catalog.mark_interrupted(connection, dead, "its process ended without finishing")


def find_row(connection: catalog.Connection, store: Path, run_id: str) -> dict[str, Any]:
    """The catalog row of ``run_id``, or a StoreError suggesting close ids."""
    rows = catalog.fetch_runs(connection, run_id) if RUN_ID.match(run_id) else []
    if rows:
        return rows[0]
    known = catalog.run_ids(connection)
    close = [k for k in known if run_id and k.startswith(run_id)][:3]
    close += difflib.get_close_matches(run_id, [k for k in known if k not in close], n=3)
    hint = f" (did you mean {', '.join(repr(k) for k in close[:3])}?)" if close else ""
    raise StoreError(f"no run {run_id!r} in {store}{hint}; see `umbrella runs list`")


def chunks_on_disk(folder: Path, recorded: Mapping[int, int]) -> dict[int, int]:
    """The recorded chunks ({chunk: rows}) whose two files are in ``folder``."""
    return {
        chunk: rows
        for chunk, rows in recorded.items()
        if (folder / files.chunk_name("futures", chunk)).is_file()
        and (folder / files.chunk_name("outcomes", chunk)).is_file()
    }


def to_record(store: Path, row: Mapping[str, Any], recorded: Mapping[int, int]) -> RunRecord:
    """A record from a catalog row and the run's recorded chunks."""
    done = chunks_on_disk(files.run_folder(store, row["run_id"]), recorded)
    return RunRecord.from_row(row, len(done), sum(done.values()))


def read_record(connection: catalog.Connection, store: Path, run_id: str) -> RunRecord:
    """The record of one run."""
    row = find_row(connection, store, run_id)
    return to_record(store, row, catalog.fetch_chunks(connection, run_id).get(run_id, {}))


def check_chunk(store: Path, row: Mapping[str, Any], chunk: int, rows: int) -> None:
    """Refuse a chunk index outside the run, or a chunk of the wrong number of futures."""
    n_samples, chunk_size = int(row["n_samples"]), int(row["chunk_size"])
    n_chunks = math.ceil(n_samples / chunk_size)
    where = f"{store}: run {row['run_id']}"
    if not 0 <= chunk < n_chunks:
        raise StoreError(f"{where} has chunks 0 to {n_chunks - 1} (got chunk {chunk})")
    want = min(chunk_size, n_samples - chunk * chunk_size)
    if rows != want:
        raise StoreError(f"{where}: chunk {chunk} must hold {want} futures (got {rows})")


def check_readable(
    store: Path, record: RunRecord, *, fix: str, allow_partial: bool = False
) -> None:
    """Refuse a run that is not complete (unless ``allow_partial``), or whose files are gone."""
    if record.status != "complete" and not allow_partial:
        reason = f": {record.reason}" if record.reason else ""
        raise StoreError(
            f"{store}: run {record.run_id} is {record.status}{reason} ({record.chunks_done} "
            f"of {record.n_chunks} chunks recorded); {fix}"
        )
    if record.status == "complete" and record.chunks_done != record.n_chunks:
        raise StoreError(
            f"{store}: run {record.run_id} is complete but only {record.chunks_done} "
            f"of {record.n_chunks} chunks are on disk; its files were removed or moved"
        )
