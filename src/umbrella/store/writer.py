"""Chunks written in the background: encoding, hashing and syncing overlap the next chunk.

:meth:`umbrella.store.RunStore.write_chunk` checks a chunk and hands it to a
:class:`ChunkWriter`, whose one thread writes it (Parquet encoding, hashing and ``fsync``
release the GIL, so they run beside the model's evaluation of the next chunk). At most
``QUEUED`` chunks wait, so memory stays bounded. The store waits for the thread
(:meth:`ChunkWriter.flush`) before it reads or changes a run's status, so a process sees its
own chunks; a process that dies loses only chunks not yet recorded, which a resumed run
computes again. The first error of the thread is raised in the caller at its next write or
flush; chunks queued after it are dropped.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

__all__ = ["QUEUED", "ChunkWriter"]

QUEUED = 2
_IDLE = 1.0  # seconds the thread waits for work before it ends (a new one starts on demand)

Job = Callable[[], None]


class ChunkWriter:
    """One background thread running jobs in order; errors come back to the caller."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[Job] = queue.Queue(maxsize=QUEUED)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, job: Job) -> None:
        """Queue ``job`` (waiting while ``QUEUED`` jobs wait); first raise any earlier error."""
        self._raise()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="umbrella-store-writer", daemon=True
                )
                self._thread.start()
            self._jobs.put(job)

    def flush(self) -> None:
        """Wait until every queued job has run; raise the first error of any."""
        self._jobs.join()
        self._raise()

    def discard_error(self) -> BaseException | None:
        """Wait for queued jobs, then return (and forget) the first error instead of raising."""
        self._jobs.join()
        error, self._error = self._error, None
        return error

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=_IDLE)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            try:
                if self._error is None:
                    job()
            except BaseException as error:  # handed to the caller, never lost
                self._error = error
            finally:
                self._jobs.task_done()
