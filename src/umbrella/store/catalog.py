"""The catalog of a run store: one DuckDB file, ``catalog.duckdb``, an index of the runs.

Two tables: ``runs`` (one row per run: settings, status, times, owner process) and
``chunks`` (one row per recorded chunk). The run folders are the authoritative record
(:mod:`umbrella.store.manifest`); the catalog is written when a run starts, stops or
finishes, brought up to date whenever runs are listed, and rebuilt from the folders when it
is missing or unreadable (:func:`build`). DuckDB lets one process at a time open the file
for writing, so every opening holds ``catalog.lock`` (:mod:`umbrella.store.locks`); when
another process holds either, opening waits (up to ``LOCK_WAIT`` seconds) and then gives up
with a :class:`~umbrella.store.StoreError` naming the file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from umbrella.store.records import METADATA, StoreError

__all__ = [
    "LOCK_WAIT",
    "RUN_COLUMNS",
    "SCHEMA_VERSION",
    "CatalogUnreadableError",
    "build",
    "chunk_counts",
    "connect",
    "delete_runs",
    "fetch_chunks",
    "fetch_runs",
    "insert_run",
    "mark_interrupted",
    "record_chunk",
    "replace_chunks",
    "run_ids",
    "running_runs",
    "transaction",
    "update_run",
    "upsert_run",
]

SCHEMA_VERSION = 1
LOCK_WAIT = 10.0

RUN_COLUMNS = (
    "run_id",
    "status",
    *METADATA,
    "started_at",
    "finished_at",
    "pid",
    "hostname",
    "reason",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    status VARCHAR NOT NULL,
    scenario_name VARCHAR NOT NULL,
    scenario_hash VARCHAR NOT NULL,
    data_version VARCHAR NOT NULL,
    seed HUGEINT NOT NULL,
    n_samples BIGINT NOT NULL,
    chunk_size BIGINT NOT NULL,
    sampler VARCHAR NOT NULL,
    package_version VARCHAR NOT NULL,
    options VARCHAR[] NOT NULL,
    uncertainties VARCHAR[] NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    pid BIGINT NOT NULL,
    hostname VARCHAR NOT NULL,
    reason VARCHAR
);
CREATE TABLE IF NOT EXISTS chunks (
    run_id VARCHAR NOT NULL,
    chunk BIGINT NOT NULL,
    rows BIGINT NOT NULL,
    written_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, chunk)
);
"""

Connection = duckdb.DuckDBPyConnection


class CatalogUnreadableError(StoreError):
    """The catalog file exists but DuckDB cannot open it as a database."""


@contextmanager
def connect(path: Path) -> Iterator[Connection]:
    """Open the catalog at ``path`` (creating its tables), yield it, close it.

    DuckDB errors raised inside the block come out as :class:`StoreError`.
    """
    connection = _open(path)
    try:
        _ensure_schema(connection, path)
        yield connection
    except duckdb.Error as error:
        raise StoreError(f"{path}: catalog error: {error}") from None
    finally:
        connection.close()


def _open(path: Path) -> Connection:
    deadline = time.monotonic() + LOCK_WAIT
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                message = f"{path}: cannot open the run catalog: {error}"
                raise CatalogUnreadableError(message) from None
            if time.monotonic() > deadline:
                raise StoreError(f"{path}: cannot open the run catalog: {error}") from None
        except duckdb.Error as error:
            raise CatalogUnreadableError(f"{path}: cannot open the run catalog: {error}") from None
        time.sleep(delay)
        delay = min(2 * delay, 0.2)


def _ensure_schema(connection: Connection, path: Path) -> None:
    connection.execute(_SCHEMA)
    found = connection.execute(
        "SELECT value FROM store_info WHERE key = 'schema_version'"
    ).fetchone()
    if found is None:
        connection.execute(
            "INSERT OR IGNORE INTO store_info VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
    elif int(found[0]) > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: catalog schema version {found[0]} is newer than this umbrella's "
            f"({SCHEMA_VERSION}); upgrade umbrella to read this store"
        )


@contextmanager
def transaction(connection: Connection) -> Iterator[Connection]:
    """Run the block's statements as one transaction: all of them or none."""
    connection.begin()
    committed = False
    try:
        yield connection
        connection.commit()
        committed = True
    finally:
        if not committed:
            with suppress(duckdb.Error):  # a failed commit leaves nothing to roll back
                connection.rollback()


def insert_run(connection: Connection, values: Mapping[str, Any]) -> None:
    """Add a run; ``values`` holds every column of ``runs``."""
    placeholders = ", ".join("?" for _ in RUN_COLUMNS)
    connection.execute(
        f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({placeholders})",
        [values[column] for column in RUN_COLUMNS],
    )


def upsert_run(connection: Connection, values: Mapping[str, Any]) -> None:
    """Add a run, or replace its row; ``values`` holds every column of ``runs``."""
    placeholders = ", ".join("?" for _ in RUN_COLUMNS)
    connection.execute(
        f"INSERT OR REPLACE INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({placeholders})",
        [values[column] for column in RUN_COLUMNS],
    )


def delete_runs(connection: Connection, run_ids: Iterable[str]) -> None:
    """Remove runs (and their chunk rows) from the catalog."""
    for run_id in run_ids:
        connection.execute("DELETE FROM chunks WHERE run_id = ?", [run_id])
        connection.execute("DELETE FROM runs WHERE run_id = ?", [run_id])


def replace_chunks(
    connection: Connection, run_id: str, chunks: Sequence[tuple[int, int, datetime]]
) -> None:
    """Set the chunk rows of one run: (chunk, rows, written_at) each."""
    connection.execute("DELETE FROM chunks WHERE run_id = ?", [run_id])
    if chunks:
        connection.executemany(
            "INSERT INTO chunks (run_id, chunk, rows, written_at) VALUES (?, ?, ?, ?)",
            [[run_id, chunk, rows, written_at] for chunk, rows, written_at in chunks],
        )


def chunk_counts(connection: Connection) -> dict[str, int]:
    """How many chunk rows each run has."""
    rows = connection.execute("SELECT run_id, count(*) FROM chunks GROUP BY run_id").fetchall()
    return {str(run_id): int(count) for run_id, count in rows}


def build(
    path: Path,
    runs: Iterable[tuple[Mapping[str, Any], Sequence[tuple[int, int, datetime]]]],
) -> None:
    """Write a new catalog at ``path`` holding ``runs`` (values, chunk rows), replacing any.

    The new file is built beside the old one and renamed over it; the caller holds the
    catalog lock.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        with connect(temporary) as connection, transaction(connection):
            for values, chunks in runs:
                insert_run(connection, values)
                replace_chunks(connection, str(values["run_id"]), chunks)
        # a log left by the old file would be replayed onto the new one: remove it first
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(temporary, path)
    except OSError as error:
        raise StoreError(f"{path}: cannot rebuild the run catalog: {error}") from None
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)


def update_run(connection: Connection, run_id: str, **values: Any) -> None:
    """Set some columns of one run (names are checked against ``RUN_COLUMNS``)."""
    unknown = set(values) - set(RUN_COLUMNS)
    if unknown:
        raise ValueError(f"unknown run column(s): {', '.join(sorted(unknown))}")
    assignments = ", ".join(f"{column} = ?" for column in values)
    connection.execute(
        f"UPDATE runs SET {assignments} WHERE run_id = ?", [*values.values(), run_id]
    )


def fetch_runs(connection: Connection, run_id: str | None = None) -> list[dict[str, Any]]:
    """Rows of ``runs`` as dictionaries, newest first (one run, or all)."""
    query = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"
    parameters: list[Any] = []
    if run_id is not None:
        query += " WHERE run_id = ?"
        parameters.append(run_id)
    rows = connection.execute(query + " ORDER BY started_at DESC, run_id DESC", parameters)
    return [dict(zip(RUN_COLUMNS, row, strict=True)) for row in rows.fetchall()]


def run_ids(connection: Connection) -> list[str]:
    """Every run id in the catalog."""
    return [str(row[0]) for row in connection.execute("SELECT run_id FROM runs").fetchall()]


def running_runs(connection: Connection, hostname: str) -> list[tuple[str, int]]:
    """(run id, pid) of the runs marked ``running`` by processes on ``hostname``."""
    rows = connection.execute(
        "SELECT run_id, pid FROM runs WHERE status = 'running' AND hostname = ?", [hostname]
    ).fetchall()
    return [(str(run_id), int(pid)) for run_id, pid in rows]


def mark_interrupted(connection: Connection, run_ids: Sequence[str], reason: str) -> None:
    """Mark these runs ``interrupted`` if they are still marked ``running``."""
    for run_id in run_ids:
        connection.execute(
            "UPDATE runs SET status = 'interrupted', reason = ? "
            "WHERE run_id = ? AND status = 'running'",
            [reason, run_id],
        )


def fetch_chunks(connection: Connection, run_id: str | None = None) -> dict[str, dict[int, int]]:
    """Recorded chunks as {run id: {chunk: rows}} (one run, or all)."""
    query = "SELECT run_id, chunk, rows FROM chunks"
    parameters: list[Any] = []
    if run_id is not None:
        query += " WHERE run_id = ?"
        parameters.append(run_id)
    chunks: dict[str, dict[int, int]] = {}
    for run, chunk, rows in connection.execute(query + " ORDER BY chunk", parameters).fetchall():
        chunks.setdefault(str(run), {})[int(chunk)] = int(rows)
    return chunks


def record_chunk(
    connection: Connection, run_id: str, chunk: int, rows: int, written_at: datetime
) -> None:
    """Record (or re-record) that a chunk's files are in place."""
    connection.execute(
        "INSERT OR REPLACE INTO chunks (run_id, chunk, rows, written_at) VALUES (?, ?, ?, ?)",
        [run_id, chunk, rows, written_at],
    )
