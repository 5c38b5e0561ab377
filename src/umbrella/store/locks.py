"""File locks between processes: one writer of the catalog, one writer of a run's manifest.

A lock is an exclusive ``flock`` on a small file beside what it guards (``catalog.lock`` in
the store folder, ``.lock`` in a run folder). It is released when the holder closes it or
dies, so a killed process never leaves a stale lock. Taking a lock another process holds
waits, retrying, up to ``wait`` seconds, then gives up with a
:class:`~umbrella.store.StoreError` naming the lock file.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from umbrella.store.records import StoreError

__all__ = ["locked"]


@contextmanager
def locked(path: Path, *, wait: float, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the block."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StoreError(f"{path}: cannot open the lock of {what}: {error}") from None
    try:
        _acquire(descriptor, path, wait, what)
        yield
    finally:
        os.close(descriptor)  # releases the lock


if sys.platform == "win32":  # pragma: no cover - no flock: processes do not take turns

    def _acquire(descriptor: int, path: Path, wait: float, what: str) -> None:
        return

else:
    import fcntl

    def _acquire(descriptor: int, path: Path, wait: float, what: str) -> None:
        deadline = time.monotonic() + wait
        delay = 0.005
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{path}: {what} is held by another process for over {wait:g} s; "
                        "try again when it has finished"
                    ) from None
            except OSError as error:
                raise StoreError(f"{path}: cannot lock {what}: {error}") from None
            else:
                return
            time.sleep(delay)
            delay = min(2 * delay, 0.1)
