"""Finding runs: records from run folders, chunks counted on disk, dead runs noticed.

A chunk is *done* when the run's manifest records it and both its Parquet files are in the
run folder; a ``running`` run whose process is gone from this host reads as ``interrupted``.
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

from umbrella.store import catalog, files, manifest
from umbrella.store.records import RunRecord, StoreError

__all__ = [
    "DEAD_REASON",
    "RECORD_FIELDS",
    "alive",
    "catalog_values",
    "check_chunk",
    "check_readable",
    "chunk_rows",
    "chunks_on_disk",
    "known_runs",
    "load_manifest",
    "new_run_folder",
    "now",
    "to_record",
]

RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")
RECORD_FIELDS = [*catalog.RUN_COLUMNS, "chunks_done", "futures_done"]
DEAD_REASON = "its process ended without finishing"


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


def known_runs(store: Path) -> list[str]:
    """The ids of the run folders of ``store`` that hold a manifest."""
    try:
        entries = list(os.scandir(store / "runs"))
    except OSError:
        return []
    return sorted(
        entry.name
        for entry in entries
        if RUN_ID.match(entry.name) and os.path.isfile(os.path.join(entry.path, manifest.MANIFEST))
    )


def _no_run(store: Path, run_id: str) -> StoreError:
    known = known_runs(store)
    close = [k for k in known if run_id and k.startswith(run_id)][:3]
    close += difflib.get_close_matches(run_id, [k for k in known if k not in close], n=3)
    hint = f" (did you mean {', '.join(repr(k) for k in close[:3])}?)" if close else ""
    return StoreError(f"no run {run_id!r} in {store}{hint}; see `umbrella runs list`")


def load_manifest(store: Path, run_id: str, *, as_recorded: bool = False) -> dict[str, Any]:
    """The values of a run's manifest, or a StoreError suggesting close ids.

    A ``running`` run of this host whose process has ended reads as ``interrupted``
    (unless ``as_recorded``).
    """
    if not RUN_ID.match(run_id):
        raise _no_run(store, run_id)
    try:
        values = manifest.read_manifest(files.run_folder(store, run_id))
    except FileNotFoundError:
        raise _no_run(store, run_id) from None
    if values.get("run_id") != run_id:
        raise StoreError(
            f"{files.run_folder(store, run_id) / manifest.MANIFEST}: the manifest is of run "
            f"{values.get('run_id')!r}; the folder was renamed or the manifest copied"
        )
    if not as_recorded and values["status"] == "running" and _dead(values):
        values["status"] = "interrupted"
        values["reason"] = DEAD_REASON
    return values


def _dead(values: Mapping[str, Any]) -> bool:
    return values["hostname"] == socket.gethostname() and not alive(int(values["pid"]))


def chunk_rows(values: Mapping[str, Any], chunk: int) -> int:
    """How many futures chunk ``chunk`` of a run holds."""
    n_samples, chunk_size = int(values["n_samples"]), int(values["chunk_size"])
    return min(chunk_size, n_samples - chunk * chunk_size)


def chunks_on_disk(folder: Path, values: Mapping[str, Any]) -> dict[int, int]:
    """The recorded chunks ({chunk: rows}) of a run whose two files are in ``folder``."""
    try:
        names = set(os.listdir(folder))
    except OSError:
        return {}
    n_chunks = math.ceil(int(values["n_samples"]) / int(values["chunk_size"]))
    return {
        chunk: chunk_rows(values, chunk)
        for chunk in sorted(manifest.recorded_chunks(names))
        if chunk < n_chunks
        and files.chunk_name("futures", chunk) in names
        and files.chunk_name("outcomes", chunk) in names
    }


def to_record(values: Mapping[str, Any], done: Mapping[int, int]) -> RunRecord:
    """A record from a run's manifest values and its done chunks."""
    row = {name: values[name] for name in catalog.RUN_COLUMNS}
    return RunRecord.from_row(row, len(done), sum(done.values()))


def catalog_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A run's values as the catalog holds them (naive UTC times)."""
    row = {name: values[name] for name in catalog.RUN_COLUMNS}
    for name in ("started_at", "finished_at"):
        value = row[name]
        if isinstance(value, datetime) and value.tzinfo is not None:
            row[name] = value.astimezone(UTC).replace(tzinfo=None)
    row["options"] = list(row["options"])
    row["uncertainties"] = list(row["uncertainties"])
    return row


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
