"""The run store: :class:`RunStore`, which delegates to the manifest, files, catalog and lookup.

A run's folder is its authoritative record: ``manifest.json`` (settings, status) and one
``chunk-NNNNN.json`` per chunk (the size and SHA-256 of its two Parquet files). A chunk
counts once both its files are in place *and* its record is written: files first
(atomically), record second. Every read checks the files against their record. The DuckDB
catalog is an index of the folders, written when a run starts, stops or finishes, brought up
to date when runs are listed and rebuilt when it is missing or unreadable.
"""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from umbrella.store import catalog, files, manifest
from umbrella.store.checks import futures_problem, outcomes_problem
from umbrella.store.compare import compare_runs
from umbrella.store.locks import locked
from umbrella.store.lookup import (
    RECORD_FIELDS,
    catalog_values,
    check_chunk,
    check_readable,
    chunk_rows,
    chunks_on_disk,
    known_runs,
    load_manifest,
    new_run_folder,
    now,
    to_record,
)
from umbrella.store.records import (
    RESUMABLE,
    ChunkProblem,
    DamagedChunkError,
    RunDiff,
    RunRecord,
    StoreError,
)
from umbrella.store.writer import ChunkWriter
from umbrella.types import PathLike

__all__ = ["RunStore"]


class _DamageError(Exception):
    """A chunk that does not match its record: the file and what is wrong."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"{path}: {what}")
        self.path = path
        self.what = what


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
    >>> store.verify(run_id)
    []
    >>> folder.cleanup()
    """

    def __init__(self, path: PathLike = "umbrella-runs") -> None:
        self._path = Path(path)
        self._writer = ChunkWriter()

    def __repr__(self) -> str:
        return f"RunStore({str(self._path)!r})"

    @property
    def path(self) -> Path:
        """The store folder."""
        return self._path

    @property
    def _catalog(self) -> Path:
        return self._path / "catalog.duckdb"

    def _folder(self, run_id: str) -> Path:
        return files.run_folder(self._path, run_id)

    def _run_lock(self, run_id: str) -> AbstractContextManager[None]:
        """Held while a run's manifest is read, changed and written (the run must exist)."""
        load_manifest(self._path, run_id, as_recorded=True)  # an unknown id: "no run ..."
        return locked(self._folder(run_id) / ".lock", wait=catalog.LOCK_WAIT, what=f"run {run_id}")

    # -- the catalog: an index of the run folders -------------------------------------------

    @contextmanager
    def _catalog_session(self) -> Iterator[catalog.Connection]:
        """The catalog, opened under its lock; rebuilt first if missing or unreadable."""
        with ExitStack() as stack:
            stack.enter_context(
                locked(self._path / "catalog.lock", wait=catalog.LOCK_WAIT, what="the run catalog")
            )
            if not self._catalog.is_file():
                self._build_catalog()
            try:
                connection = stack.enter_context(catalog.connect(self._catalog))
            except catalog.CatalogUnreadableError:
                self._build_catalog()
                connection = stack.enter_context(catalog.connect(self._catalog))
            yield connection

    def _build_catalog(self) -> None:
        """Write the catalog afresh from the run folders (the catalog lock is held)."""
        entries = []
        for run_id in known_runs(self._path):
            values = load_manifest(self._path, run_id)
            entries.append((catalog_values(values), self._chunk_rows(run_id, values)))
        catalog.build(self._catalog, entries)

    def _chunk_rows(
        self, run_id: str, values: Mapping[str, Any]
    ) -> list[tuple[int, int, datetime]]:
        """(chunk, rows, written_at) of each done chunk, as the catalog holds them."""
        folder = self._folder(run_id)
        rows = []
        for chunk, size in chunks_on_disk(folder, values).items():
            try:
                stamp = (folder / manifest.chunk_record_name(chunk)).stat().st_mtime
            except OSError:
                continue
            rows.append((chunk, size, datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)))
        return rows

    def _index(self, run_id: str, values: Mapping[str, Any], *, chunks: bool = False) -> None:
        """Bring the catalog row of one run (and, if ``chunks``, its chunk rows) up to date."""
        with self._catalog_session() as connection, catalog.transaction(connection):
            catalog.upsert_run(connection, catalog_values(values))
            if chunks:
                catalog.replace_chunks(connection, run_id, self._chunk_rows(run_id, values))

    def rebuild(self) -> int:
        """Recreate the catalog from the run folders; return how many runs it lists.

        Runs written by an umbrella whose folders hold no manifest are first given one from
        the old catalog, if it can still be read.
        """
        self.flush()
        if not self._path.is_dir():
            raise StoreError(f"{self._path}: no run store here; see `umbrella runs list`")
        with locked(self._path / "catalog.lock", wait=catalog.LOCK_WAIT, what="the run catalog"):
            if self._catalog.is_file():
                try:
                    with catalog.connect(self._catalog) as connection:
                        self._migrate(connection)
                except catalog.CatalogUnreadableError:
                    pass
            self._build_catalog()
        return len(known_runs(self._path))

    def _migrate(self, connection: catalog.Connection) -> list[str]:
        """Give a manifest to each run the catalog lists whose folder has none."""
        known = set(known_runs(self._path))
        moved = []
        for row in catalog.fetch_runs(connection):
            run_id = str(row["run_id"])
            folder = self._folder(run_id)
            if run_id in known or not folder.is_dir():
                continue
            values = dict(row)
            for chunk, rows in catalog.fetch_chunks(connection, run_id).get(run_id, {}).items():
                sums = {}
                for kind in ("futures", "outcomes"):
                    path = folder / files.chunk_name(kind, chunk)
                    try:
                        data = path.read_bytes()
                    except OSError:
                        break
                    sums[kind] = manifest.FileSum(path.name, len(data), files.sha256(data))
                if len(sums) == 2:
                    entry = manifest.ChunkEntry(
                        chunk, rows, sums["futures"], sums["outcomes"], now().isoformat()
                    )
                    manifest.write_chunk_record(folder, entry)
            manifest.write_manifest(folder, values)
            moved.append(run_id)
        return moved

    def _sync(self, found: Mapping[str, tuple[dict[str, Any], dict[int, int]]]) -> bool:
        """Make the catalog list exactly the runs found in the folders, as they are.

        Returns True, changing nothing else, if runs of an older store were first given a
        manifest: the folders must then be read again.
        """
        with self._catalog_session() as connection:
            if self._migrate(connection):
                return True
            rows = {str(row["run_id"]): row for row in catalog.fetch_runs(connection)}
            counts = catalog.chunk_counts(connection)
            stale = [run_id for run_id in rows if run_id not in found]
            changed = [
                run_id
                for run_id, (values, done) in found.items()
                if rows.get(run_id) != catalog_values(values) or counts.get(run_id, 0) != len(done)
            ]
            if stale or changed:
                with catalog.transaction(connection):
                    catalog.delete_runs(connection, stale)
                    for run_id in changed:
                        values = found[run_id][0]
                        catalog.upsert_run(connection, catalog_values(values))
                        catalog.replace_chunks(connection, run_id, self._chunk_rows(run_id, values))
        return False

    # -- writing --------------------------------------------------------------------------

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
        values: dict[str, Any] = {
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
            "started_at": started.replace(tzinfo=UTC),
            "finished_at": None,
            "pid": os.getpid(),
            "hostname": socket.gethostname(),
            "reason": None,
        }
        manifest.write_manifest(folder, values)
        self._index(run_id, values)
        return run_id

    def write_chunk(
        self,
        run_id: str,
        chunk: int,
        futures: pd.DataFrame,
        outcomes: pd.DataFrame,
        *,
        wait: bool = False,
    ) -> None:
        """Check one chunk's futures and outcomes and write them; rewriting replaces it.

        ``futures`` holds ``future`` (int64, the global sample index) and one float column
        per uncertainty; ``outcomes`` holds ``future``, ``option`` and the outcome columns.
        Chunk ``k`` holds ``min(chunk_size, n_samples - k * chunk_size)`` futures. The chunk
        is checked (:mod:`umbrella.store.checks`) and written in the background
        (:mod:`umbrella.store.writer`): it counts once its files and record are in place,
        which every other method of this store waits for; an error (impossible values, a
        full disk) is raised by the next call of ``write_chunk``, ``flush``,
        ``finish_run`` or a read. Do not change the frames after handing them over.

        With ``wait``, the chunk is written and recorded before this returns, and an error
        is raised here: a Dask worker writes the chunks it evaluates this way, into a run
        that another process (the one that started the run) owns. The files and record are
        the same either way.
        """
        where = f"{self._path}: run {run_id} chunk {chunk}"
        files.check_columns(where, futures, outcomes)
        values = load_manifest(self._path, run_id, as_recorded=True)
        if values["status"] == "complete":
            raise StoreError(f"{self._path}: run {run_id} is complete; its chunks are final")
        check_chunk(self._path, values, chunk, len(futures))
        start = chunk * int(values["chunk_size"])
        job = partial(
            _write_chunk_files, self._folder(run_id), where, chunk, start, futures, outcomes
        )
        if wait:
            # Chunks queued earlier go first: a rewrite of the same chunk must not be
            # overtaken by an older version still in the queue.
            self._writer.flush()
            job()
        else:
            self._writer.submit(job)

    def flush(self) -> None:
        """Wait until every chunk handed to :meth:`write_chunk` is written and recorded."""
        self._writer.flush()

    def finish_run(self, run_id: str) -> None:
        """Mark a run ``complete``; refused unless its chunks hold all ``n_samples`` futures."""
        self.flush()
        with self._run_lock(run_id):
            values = load_manifest(self._path, run_id, as_recorded=True)
            if values["status"] == "complete":
                return
            record = to_record(values, chunks_on_disk(self._folder(run_id), values))
            if record.chunks_done != record.n_chunks or record.futures_done != record.n_samples:
                raise StoreError(
                    f"{self._path}: cannot finish run {run_id}: {record.chunks_done} of "
                    f"{record.n_chunks} chunks ({record.futures_done} of {record.n_samples} "
                    "futures) are recorded"
                )
            values.update(status="complete", finished_at=now(), reason=None)
            manifest.write_manifest(self._folder(run_id), values)
        self._index(run_id, values, chunks=True)

    def fail_run(self, run_id: str, reason: str) -> None:
        """Mark a run ``failed``, with the reason; it can be resumed."""
        lost = self._writer.discard_error()
        if lost is not None:
            reason = f"{reason} (and a chunk was not written: {lost})"
        with self._run_lock(run_id):
            values = load_manifest(self._path, run_id, as_recorded=True)
            if values["status"] == "complete":
                raise StoreError(f"{self._path}: run {run_id} is complete; it cannot fail")
            values.update(status="failed", finished_at=now(), reason=reason)
            manifest.write_manifest(self._folder(run_id), values)
        self._index(run_id, values, chunks=True)

    def reopen_run(self, run_id: str) -> None:
        """Take over a ``failed`` or ``interrupted`` run to resume it: ``running`` again."""
        self.flush()
        with self._run_lock(run_id):
            values = load_manifest(self._path, run_id)
            if values["status"] not in RESUMABLE:
                where = f" (pid {values['pid']} on {values['hostname']})"
                raise StoreError(
                    f"{self._path}: run {run_id} is {values['status']}"
                    f"{where if values['status'] == 'running' else ''}; only failed or "
                    "interrupted runs can be resumed"
                )
            values.update(
                status="running",
                finished_at=None,
                reason=None,
                pid=os.getpid(),
                hostname=socket.gethostname(),
            )
            manifest.write_manifest(self._folder(run_id), values)
        self._index(run_id, values)

    # -- reading --------------------------------------------------------------------------

    def completed_chunks(self, run_id: str) -> set[int]:
        """Chunks recorded in the run's manifest whose two files are on disk."""
        self.flush()
        values = load_manifest(self._path, run_id)
        return set(chunks_on_disk(self._folder(run_id), values))

    def runs(self) -> pd.DataFrame:
        """One row per run, newest first: every :class:`RunRecord` field.

        Read from the run folders; the catalog is brought up to date with them (and
        rebuilt if it is missing or unreadable).
        """
        self.flush()
        if not (self._path / "runs").is_dir():
            return pd.DataFrame(columns=RECORD_FIELDS)
        found = {}
        for run_id in known_runs(self._path):
            values = load_manifest(self._path, run_id)
            found[run_id] = (values, chunks_on_disk(self._folder(run_id), values))
        if self._sync(found):
            return self.runs()
        records = [to_record(values, done) for values, done in found.values()]
        records.sort(key=lambda r: (r.started_at, r.run_id), reverse=True)
        frame = pd.DataFrame([vars(record) for record in records], columns=RECORD_FIELDS)
        for column in ("started_at", "finished_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        return frame

    def run(self, run_id: str) -> RunRecord:
        """The record of one run (a dead ``running`` run reads as ``interrupted``)."""
        self.flush()
        values = load_manifest(self._path, run_id)
        return to_record(values, chunks_on_disk(self._folder(run_id), values))

    def read_chunk(self, run_id: str, chunk: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The futures and outcomes of one recorded chunk, checked against its record."""
        self.flush()
        values = load_manifest(self._path, run_id)
        folder = self._folder(run_id)
        names = (
            manifest.chunk_record_name(chunk),
            files.chunk_name("futures", chunk),
            files.chunk_name("outcomes", chunk),
        )
        n_chunks = math.ceil(int(values["n_samples"]) / int(values["chunk_size"]))
        if not 0 <= chunk < n_chunks or not all((folder / name).is_file() for name in names):
            raise StoreError(f"{self._path}: run {run_id} has no recorded chunk {chunk}")
        futures, outcomes = self._read_checked(run_id, values, chunk)
        return _to_pandas(futures), _to_pandas(outcomes)

    def _read_checked(
        self, run_id: str, values: Mapping[str, Any], chunk: int
    ) -> tuple[pa.Table, pa.Table]:
        try:
            return _read_chunk_files(self._folder(run_id), values, chunk)
        except _DamageError as damage:
            raise DamagedChunkError(
                f"{damage.path}: chunk {chunk} of run {run_id} is damaged: {damage.what}; "
                f"run `umbrella runs verify {run_id}`"
            ) from None

    def load(
        self, run_id: str, *, allow_partial: bool = False
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """All futures and outcomes of a run, sorted by future (and option).

        Refuses a run that is not ``complete`` unless ``allow_partial``, which returns the
        recorded chunks only (whole chunks: a chunk is recorded after its files are in place).
        Every chunk is checked against its record (:class:`DamagedChunkError` if it is not
        as written).
        """
        self.flush()
        values = load_manifest(self._path, run_id)
        done = chunks_on_disk(self._folder(run_id), values)
        record = to_record(values, done)
        check_readable(
            self._path,
            record,
            allow_partial=allow_partial,
            fix="pass allow_partial=True to read the recorded chunks, or resume the run",
        )
        if not done:
            return files.empty_frames(record.uncertainties)
        tables = [self._read_checked(run_id, values, chunk) for chunk in sorted(done)]
        futures = _concat([f for f, _ in tables], self._folder(run_id))
        outcomes = _concat([o for _, o in tables], self._folder(run_id))
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
        load_manifest(self._path, run_id)
        path = self._folder(run_id) / "scenario.yaml"
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise StoreError(f"{path}: cannot read the scenario of run {run_id}: {error}") from None

    def diff(self, a: str, b: str) -> RunDiff:
        """Metadata that differ, and each option's outcome means in ``a`` and ``b``.

        Both runs must be complete, and their outcome files as written. ``difference`` is
        ``mean_b - mean_a``.
        """
        records = self.run(a), self.run(b)
        for record in records:
            check_readable(self._path, record, fix="only complete runs can be compared")
        means = []
        for record in records:
            folder = self._folder(record.run_id)
            for chunk in range(record.n_chunks):
                try:
                    _checked_bytes(folder, chunk, "outcomes")
                except _DamageError as damage:
                    raise DamagedChunkError(
                        f"{damage.path}: chunk {chunk} of run {record.run_id} is damaged: "
                        f"{damage.what}; run `umbrella runs verify {record.run_id}`"
                    ) from None
            paths = files.chunk_paths(folder, "outcomes", range(record.n_chunks))
            means.append(files.outcome_means(paths))
        return compare_runs(*records, *means)

    # -- damage ---------------------------------------------------------------------------

    def verify(self, run_id: str) -> list[ChunkProblem]:
        """Every damaged chunk of a run: a record whose files are missing, of another size or
        checksum, unreadable or holding impossible values, and (for a complete run) a chunk
        without a record. An empty list means every chunk is as written."""
        self.flush()
        values = load_manifest(self._path, run_id)
        return self._problems(run_id, values)

    def _problems(self, run_id: str, values: Mapping[str, Any]) -> list[ChunkProblem]:
        folder = self._folder(run_id)
        try:
            names = set(os.listdir(folder))
        except OSError as error:
            raise StoreError(f"{folder}: cannot list the run folder: {error}") from None
        n_chunks = math.ceil(int(values["n_samples"]) / int(values["chunk_size"]))
        recorded = manifest.recorded_chunks(names)
        wanted = set(range(n_chunks)) if values["status"] == "complete" else set()
        problems = []
        for chunk in sorted(recorded | wanted):
            record = folder / manifest.chunk_record_name(chunk)
            if chunk >= n_chunks:
                what = f"records a chunk outside the run (chunks 0 to {n_chunks - 1})"
                problems.append(ChunkProblem(chunk, str(record), what))
                continue
            try:
                _read_chunk_files(folder, values, chunk)
            except _DamageError as damage:
                problems.append(ChunkProblem(chunk, str(damage.path), damage.what))
        return problems

    def repair(self, run_id: str) -> list[ChunkProblem]:
        """Remove a run's damaged chunks (their records and files) and, if there were any,
        mark it ``interrupted``, so that ``umbrella run --resume`` computes exactly those
        chunks again. Returns the damage found (empty: nothing to repair, nothing changed)."""
        self.flush()
        with self._run_lock(run_id):
            values = load_manifest(self._path, run_id)
            if values["status"] == "running":
                raise StoreError(
                    f"{self._path}: run {run_id} is running (pid {values['pid']} on "
                    f"{values['hostname']}); stop it before repairing it"
                )
            problems = self._problems(run_id, values)
            if not problems:
                return []
            folder = self._folder(run_id)
            chunks = sorted({p.chunk for p in problems})
            for chunk in chunks:
                (folder / manifest.chunk_record_name(chunk)).unlink(missing_ok=True)
            files.sync_folder_of(folder / manifest.MANIFEST)
            for chunk in chunks:
                for kind in ("futures", "outcomes"):
                    (folder / files.chunk_name(kind, chunk)).unlink(missing_ok=True)
            listed = ", ".join(str(c) for c in chunks)
            values.update(
                status="interrupted",
                finished_at=None,
                reason=f"repaired: damaged chunk(s) {listed} removed; resume the run to "
                "compute them again",
            )
            manifest.write_manifest(folder, values)
        self._index(run_id, values, chunks=True)
        return problems


def _write_chunk_files(
    folder: Path,
    where: str,
    chunk: int,
    start: int,
    futures_frame: pd.DataFrame,
    outcomes_frame: pd.DataFrame,
) -> None:
    """Check a chunk, write its two files, then its record (run by the background writer).

    An earlier record of the chunk is removed first, so that a rewrite stopped half-way
    leaves the chunk unrecorded rather than recorded with files it does not describe.
    """
    futures = files.to_table(futures_frame, f"{where}: futures")
    outcomes = files.to_table(outcomes_frame, f"{where}: outcomes")
    stop = start + len(futures)
    problem = futures_problem(futures, start, stop)
    problem = problem and f"futures: {problem}"
    if problem is None and (found := outcomes_problem(outcomes, start, stop)):
        problem = f"outcomes: {found}"
    if problem:
        raise StoreError(f"{where}: {problem}; not stored")
    record = folder / manifest.chunk_record_name(chunk)
    if record.exists():
        record.unlink()
        files.sync_folder_of(record)
    sums = {}
    pairs: tuple[tuple[files.Kind, pa.Table], ...] = (("futures", futures), ("outcomes", outcomes))
    for kind, table in pairs:
        path = folder / files.chunk_name(kind, chunk)
        data = files.encode_frame(table, path)
        files.write_bytes(data, path, sync_folder=False)
        sums[kind] = manifest.FileSum(path.name, len(data), files.sha256(data))
    files.sync_folder_of(record)
    entry = manifest.ChunkEntry(
        chunk,
        len(futures),
        sums["futures"],
        sums["outcomes"],
        now().replace(tzinfo=UTC).isoformat(),
    )
    manifest.write_chunk_record(folder, entry)


def _checked_bytes(folder: Path, chunk: int, kind: files.Kind) -> bytes:
    """The bytes of one chunk file, checked against the chunk's record."""
    try:
        entry = manifest.read_chunk_record(folder, chunk)
    except StoreError as error:
        record = folder / manifest.chunk_record_name(chunk)
        raise _DamageError(record, str(error).removeprefix(f"{record}: ")) from None
    file = entry.futures if kind == "futures" else entry.outcomes
    path = folder / file.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _DamageError(path, "the file is missing") from None
    except OSError as error:
        raise _DamageError(path, f"cannot read the file: {error.strerror or error}") from None
    if len(data) != file.size:
        what = f"the file holds {len(data)} bytes, the manifest records {file.size}"
        raise _DamageError(path, what)
    if files.sha256(data) != file.sha256:
        raise _DamageError(path, "its SHA-256 checksum does not match the manifest")
    return data


def _read_chunk_files(
    folder: Path, values: Mapping[str, Any], chunk: int
) -> tuple[pa.Table, pa.Table]:
    """A chunk's two tables, checked against its record and for impossible values."""
    start = chunk * int(values["chunk_size"])
    stop = start + chunk_rows(values, chunk)
    tables = []
    checks: tuple[tuple[files.Kind, Callable[[pa.Table, int, int], str | None]], ...] = (
        ("futures", futures_problem),
        ("outcomes", outcomes_problem),
    )
    for kind, check in checks:
        path = folder / files.chunk_name(kind, chunk)
        data = _checked_bytes(folder, chunk, kind)
        try:
            table = files.decode_table(data, path)
        except StoreError as error:
            raise _DamageError(path, str(error).removeprefix(f"{path}: ")) from None
        problem = check(table, start, stop)
        if problem:
            raise _DamageError(path, problem)
        tables.append(table)
    return tables[0], tables[1]


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    frame: pd.DataFrame = table.to_pandas()
    return frame


def _concat(tables: list[pa.Table], folder: Path) -> pd.DataFrame:
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowException as error:
        raise StoreError(f"{folder}: chunks do not share columns: {error}") from None
    return _to_pandas(table)
