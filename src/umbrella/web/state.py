"""What one server process holds: its settings, its worker threads and its counters."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request

from umbrella.store.locks import Slot, take_slot
from umbrella.web.engine import AssessCache
from umbrella.web.limits import Limits

__all__ = ["TASKS_KEPT", "ApiError", "BusyError", "Context", "Job", "Task", "context"]

TASKS_KEPT = 32
"""Finished analyses (Sobol indices, failed briefs) a process keeps in memory: the oldest
finished one is forgotten when a new one starts beyond this many."""


class ApiError(Exception):
    """A request the API refuses: the status, the field at fault (if one) and one line."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers


class BusyError(ApiError):
    """Beyond capacity: answered 503 with Retry-After, never queued without end."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(
            503,
            f"the server is busy with {what}; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


@dataclass
class Job:
    """A background run started over HTTP, as this process knows it."""

    ready: threading.Event = field(default_factory=threading.Event)
    run_id: str | None = None
    error: BaseException | None = None
    done: int = 0
    total: int = 0


@dataclass
class Task:
    """An analysis of a stored run computed in the background (Sobol indices, a brief), as
    this process knows it: how far it has come, then its result or why it failed."""

    kind: str
    run_id: str
    done: int = 0
    total: int = 0
    phase: str | None = None
    finished: bool = False
    result: Any = None
    error: str | None = None


@dataclass
class Context:
    """The server's settings and shared state (``app.state.umbrella``)."""

    store: Path | None  # None: no run store, the run routes answer 404
    token: str | None
    limits: Limits
    cache: AssessCache
    # Re-entrant: a route may take a place (:meth:`take_place`) while holding it.
    lock: threading.RLock = field(default_factory=threading.RLock)
    assess_in_flight: int = 0
    runs_active: int = 0
    jobs: dict[str, Job] = field(default_factory=dict)
    # Analyses by what they compute (kind, run, settings), oldest first: at most TASKS_KEPT
    # finished ones, so that a long-lived server does not keep every result it ever made.
    tasks: dict[tuple[str, ...], Task] = field(default_factory=dict)
    world: Any = None  # the world dataset, read on first use
    _pools: dict[str, ThreadPoolExecutor] = field(default_factory=dict)
    _places: list[Slot | None] = field(default_factory=list)

    def take_place(self, what: str, retry_after: int) -> None:
        """Take a place for background work (a run, a brief, Sobol indices), or refuse it
        with 503 and Retry-After: at most ``limits.run_concurrency`` at once in this process
        and, over a store, among every process serving that store (``--workers``), each
        place a lock file in the store's ``server/`` folder that the kernel frees if its
        process dies. :meth:`free_place` gives it back."""
        with self.lock:
            if self.runs_active >= self.limits.run_concurrency:
                raise BusyError(what, retry_after)
            place = None
            if self.store is not None:
                place = take_slot(self.store / "server", "background", self.limits.run_concurrency)
                if place is None:
                    raise BusyError(f"{what} (in another server process)", retry_after)
            self.runs_active += 1
            self._places.append(place)

    def free_place(self) -> None:
        """Give back a place taken by :meth:`take_place` (places are interchangeable)."""
        with self.lock:
            self.runs_active -= 1
            place = self._places.pop() if self._places else None
        if place is not None:
            place.free()

    def pool(self, kind: str) -> ThreadPoolExecutor:
        """The worker threads of ``assess`` or ``run``, started on first use (again after
        the app shut down and started again, as test clients do)."""
        with self.lock:
            if kind not in self._pools:
                size = (
                    self.limits.assess_threads if kind == "assess" else self.limits.run_concurrency
                )
                self._pools[kind] = ThreadPoolExecutor(size, thread_name_prefix=kind)
            return self._pools[kind]

    def close(self) -> None:
        with self.lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)


def context(request: Request) -> Context:
    """The server's context, for route dependencies."""
    ctx: Context = request.app.state.umbrella
    return ctx
