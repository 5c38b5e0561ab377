"""The run store: :class:`RunStore`, which delegates to the catalog, files and lookup.

A chunk counts only once both its files are in place *and* the catalog records it: files
are written first (atomically), the catalog row second, in one transaction.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import pandas as pd

from umbrella.store import catalog, files
from umbrella.store.compare import compare_runs
from umbrella.store.lookup import (
    RECORD_FIELDS,
    check_chunk,
    check_readable,
    chunks_on_disk,
    find_row,
    mark_interrupted,
    new_run_folder,
    now,
    read_record,
    to_record,
)
from umbrella.store.records import RESUMABLE, RunDiff, RunRecord, StoreError
from umbrella.types import PathLike

__all__ = ["RunStore"]


class RunStore:
    """A folder of ensemble runs; created on first write.

    Parameters
    ----------
    path
        The store folder (default ``umbrella-runs`` in the working directory).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> store = RunStore(folder.name)
    >>> run_id = store.create_run(
    ...     scenario_name="demo", scenario_hash="0", scenario_text="name: demo\\n",
    ...     data_version="0", seed=1, n_samples=2, chunk_size=2, sampler="lhs",
    ...     package_version="0", options=["a"], uncertainties=["x"])
    >>> futures = pd.DataFrame({"future": [0, 1], "x": [0.25, 0.75]})
    >>> outcomes = pd.DataFrame({"future": [0, 1], "option": ["a", "a"], "cost": [1.0, 3.0]})
    >>> store.write_chunk(run_id, 0, futures, outcomes)
    >>> store.finish_run(run_id)
    >>> store.run(run_id).status
    'complete'
    >>> float(store.load(run_id)[1]["cost"].mean())
    2.0
    >>> folder.cleanup()
    """

    def __init__(self, path: PathLike = "umbrella-runs") -> None:
        self._path = Path(path)

    def __repr__(self) -> str:
        return f"RunStore({str(self._path)!r})"

    @property
    def path(self) -> Path:
        """The store folder."""
        return self._path

    @property
    def _catalog(self) -> Path:
        return self._path / "catalog.duckdb"

    def _connect(self, run_id: str) -> AbstractContextManager[catalog.Connection]:
        """A catalog connection for an operation on an existing run."""
        if not self._catalog.is_file():
            raise StoreError(
                f"no run {run_id!r} in {self._path} (no runs stored there); "
                "see `umbrella runs list`"
            )
        return catalog.connect(self._catalog)

    def _folder(self, run_id: str) -> Path:
        return files.run_folder(self._path, run_id)

    def create_run(
        self,
        *,
        scenario_name: str,
        scenario_hash: str,
        scenario_text: str,
        data_version: str,
        seed: int,
        n_samples: int,
        chunk_size: int,
        sampler: str,
        package_version: str,
        options: list[str],
        uncertainties: list[str],
        data_files: Mapping[str, str] | None = None,
    ) -> str:
        """Start a run (status ``running``, owned by this process) and return its new id.

        The id is ``YYYYMMDD-HHMMSS-xxxx``: the UTC start time and four random hex digits.
        ``data_files`` (file name -> text) are the YAML tables of the scenario's ``data``
        folder, kept with the run so that it can be opened again wherever the folder is.
        """
        limits = (("seed", seed, 0), ("n_samples", n_samples, 1), ("chunk_size", chunk_size, 1))
        for name, value, least in limits:
            if value < least:
                raise StoreError(f"{self._path}: {name} must be >= {least} (got {value})")
        try:
            (self._path / "runs").mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{self._path}: cannot create the run store: {error}") from None
        started = now()
        run_id, folder = new_run_folder(self._path, started)
        files.write_text(scenario_text, folder / "scenario.yaml")
        if data_files:
            (folder / "data").mkdir()
            for name, text in data_files.items():
                files.write_text(text, folder / "data" / Path(name).name)
        values = {
            "run_id": run_id,
            "status": "running",
            "scenario_name": scenario_name,
            "scenario_hash": scenario_hash,
            "data_version": data_version,
            "seed": seed,
            "n_samples": n_samples,
            "chunk_size": chunk_size,
            "sampler": sampler,
            "package_version": package_version,
            "options": list(options),
            "uncertainties": list(uncertainties),
            "started_at": started,
            "finished_at": None,
            "pid": os.getpid(),
            "hostname": socket.gethostname(),
            "reason": None,
        }
        with catalog.connect(self._catalog) as connection:
            catalog.insert_run(connection, values)
        return run_id

    def write_chunk(
        self, run_id: str, chunk: int, futures: pd.DataFrame, outcomes: pd.DataFrame
    ) -> None:
        """Write one chunk's futures and outcomes, then record it; rewriting replaces it.

        ``futures`` holds ``future`` (int64, the global sample index) and one float column
        per uncertainty; ``outcomes`` holds ``future``, ``option`` and the outcome columns.
        Chunk ``k`` holds ``min(chunk_size, n_samples - k * chunk_size)`` futures.
        """
        files.check_columns(f"{self._path}: run {run_id} chunk {chunk}", futures, outcomes)
        with self._connect(run_id) as connection:
            row = find_row(connection, self._path, run_id)
        if row["status"] == "complete":
            raise StoreError(f"{self._path}: run {run_id} is complete; its chunks are final")
        check_chunk(self._path, row, chunk, len(futures))
        folder = self._folder(run_id)
        files.write_frame(futures, folder / files.chunk_name("futures", chunk))
        files.write_frame(outcomes, folder / files.chunk_name("outcomes", chunk))
        with self._connect(run_id) as connection, catalog.transaction(connection):
            catalog.record_chunk(connection, run_id, chunk, len(futures), now())

    def finish_run(self, run_id: str) -> None:
        """Mark a run ``complete``; refused unless its chunks hold all ``n_samples`` futures."""
        with self._connect(run_id) as connection, catalog.transaction(connection):
            record = read_record(connection, self._path, run_id)
            if record.status == "complete":
                return
            if record.chunks_done != record.n_chunks or record.futures_done != record.n_samples:
                raise StoreError(
                    f"{self._path}: cannot finish run {run_id}: {record.chunks_done} of "
                    f"{record.n_chunks} chunks ({record.futures_done} of {record.n_samples} "
                    "futures) are recorded"
                )
            catalog.update_run(
                connection, run_id, status="complete", finished_at=now(), reason=None
            )

    def fail_run(self, run_id: str, reason: str) -> None:
        """Mark a run ``failed``, with the reason; it can be resumed."""
        with self._connect(run_id) as connection:
            if find_row(connection, self._path, run_id)["status"] == "complete":
                raise StoreError(f"{self._path}: run {run_id} is complete; it cannot fail")
            catalog.update_run(
                connection, run_id, status="failed", finished_at=now(), reason=reason
            )

    def reopen_run(self, run_id: str) -> None:
        """Take over a ``failed`` or ``interrupted`` run to resume it: ``running`` again."""
        with self._connect(run_id) as connection:
            mark_interrupted(connection)
            row = find_row(connection, self._path, run_id)
            if row["status"] not in RESUMABLE:
                where = f" (pid {row['pid']} on {row['hostname']})"
                raise StoreError(
                    f"{self._path}: run {run_id} is {row['status']}"
                    f"{where if row['status'] == 'running' else ''}; only failed or "
                    "interrupted runs can be resumed"
                )
            catalog.update_run(
                connection,
                run_id,
                status="running",
                finished_at=None,
                reason=None,
                pid=os.getpid(),
                hostname=socket.gethostname(),
            )

    def completed_chunks(self, run_id: str) -> set[int]:
        """Chunks recorded in the catalog whose two files are on disk."""
        with self._connect(run_id) as connection:
            find_row(connection, self._path, run_id)
            recorded = catalog.fetch_chunks(connection, run_id).get(run_id, {})
        return set(chunks_on_disk(self._folder(run_id), recorded))

    def runs(self) -> pd.DataFrame:
        """One row per run, newest first: every :class:`RunRecord` field."""
        if not self._catalog.is_file():
            return pd.DataFrame(columns=RECORD_FIELDS)
        with catalog.connect(self._catalog) as connection:
            mark_interrupted(connection)
            rows = catalog.fetch_runs(connection)
            chunks = catalog.fetch_chunks(connection)
        records = [to_record(self._path, row, chunks.get(row["run_id"], {})) for row in rows]
        frame = pd.DataFrame([vars(record) for record in records], columns=RECORD_FIELDS)
        for column in ("started_at", "finished_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        return frame

    def run(self, run_id: str) -> RunRecord:
        """The record of one run (a dead ``running`` run is first marked ``interrupted``)."""
        with self._connect(run_id) as connection:
            mark_interrupted(connection)
            return read_record(connection, self._path, run_id)

    def read_chunk(self, run_id: str, chunk: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The futures and outcomes of one recorded chunk."""
        if chunk not in self.completed_chunks(run_id):
            raise StoreError(f"{self._path}: run {run_id} has no recorded chunk {chunk}")
        folder = self._folder(run_id)
        return (
            files.read_frames([folder / files.chunk_name("futures", chunk)]),
            files.read_frames([folder / files.chunk_name("outcomes", chunk)]),
        )

    def load(
        self, run_id: str, *, allow_partial: bool = False
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """All futures and outcomes of a run, sorted by future (and option).

        Refuses a run that is not ``complete`` unless ``allow_partial``, which returns the
        recorded chunks only (whole chunks: a chunk is recorded after its files are in place).
        """
        record = self.run(run_id)
        check_readable(
            self._path,
            record,
            allow_partial=allow_partial,
            fix="pass allow_partial=True to read the recorded chunks, or resume the run",
        )
        chunks = sorted(self.completed_chunks(run_id))
        folder = self._folder(run_id)
        if not chunks:
            return files.empty_frames(record.uncertainties)
        futures = files.read_frames(files.chunk_paths(folder, "futures", chunks))
        outcomes = files.read_frames(files.chunk_paths(folder, "outcomes", chunks))
        return (
            futures.sort_values("future", kind="stable", ignore_index=True),
            outcomes.sort_values(["future", "option"], kind="stable", ignore_index=True),
        )

    def data_folder(self, run_id: str) -> Path | None:
        """The run's copy of its scenario's ``data`` folder; None if it had none."""
        folder = self._folder(run_id) / "data"
        return folder if folder.is_dir() else None

    def scenario_text(self, run_id: str) -> str:
        """The scenario text the run was made from."""
        with self._connect(run_id) as connection:
            find_row(connection, self._path, run_id)
        path = self._folder(run_id) / "scenario.yaml"
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise StoreError(f"{path}: cannot read the scenario of run {run_id}: {error}") from None

    def diff(self, a: str, b: str) -> RunDiff:
        """Metadata that differ, and each option's outcome means in ``a`` and ``b``.

        Both runs must be complete. ``difference`` is ``mean_b - mean_a``.
        """
        records = self.run(a), self.run(b)
        for record in records:
            check_readable(self._path, record, fix="only complete runs can be compared")
        means = [
            files.outcome_means(
                files.chunk_paths(self._folder(r.run_id), "outcomes", range(r.n_chunks))
            )
            for r in records
        ]
        return compare_runs(*records, *means)
