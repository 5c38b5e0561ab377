"""File locks between processes: one writer of the catalog, one writer of a run's manifest.

A lock is an exclusive ``flock`` on a small file beside what it guards (``catalog.lock`` in
the store folder, ``.lock`` in a run folder). It is released when the holder closes it or
dies, so a killed process never leaves a stale lock. Taking a lock another process holds
waits, retrying, up to ``wait`` seconds, then gives up with a
:class:`~umbrella.store.StoreError` naming the lock file.

:func:`take_slot` shares a bounded number of places between processes the same way: several
server processes over one store run no more background work at once than the store allows.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from umbrella.store.records import StoreError

__all__ = ["Slot", "locked", "take_slot"]


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


class Slot:
    """One of a bounded number of places, held by this process until :meth:`free` (or until
    it exits: the kernel then frees it, so a killed server never keeps a place)."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._descriptor: int | None = descriptor

    def free(self) -> None:
        """Give the place back (again: nothing)."""
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is not None:
            os.close(descriptor)


def take_slot(folder: Path, name: str, count: int) -> Slot | None:
    """One of ``count`` places called ``name`` among every process using ``folder``, or
    None when all are held. Place k is an exclusive lock on ``folder/name-k.lock``; nothing
    waits."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        path = folder / f"{name}-{k}.lock"
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"{path}: cannot open the lock of {name}: {error}") from None
        if _try(descriptor):
            return Slot(path, descriptor)
        os.close(descriptor)
    return None


if sys.platform == "win32":  # pragma: no cover - no flock: processes do not take turns

    def _acquire(descriptor: int, path: Path, wait: float, what: str) -> None:
        return

    def _try(descriptor: int) -> bool:
        return True

else:
    import fcntl

    def _try(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

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
