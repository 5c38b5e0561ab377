"""What one server process holds: its settings, its worker threads and its counters."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request

from umbrella.web.engine import AssessCache
from umbrella.web.limits import Limits

__all__ = ["ApiError", "BusyError", "Context", "Job", "context"]


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
class Context:
    """The server's settings and shared state (``app.state.umbrella``)."""

    store: Path | None  # None: no run store, the run routes answer 404
    token: str | None
    limits: Limits
    cache: AssessCache
    lock: threading.Lock = field(default_factory=threading.Lock)
    assess_in_flight: int = 0
    runs_active: int = 0
    jobs: dict[str, Job] = field(default_factory=dict)
    world: Any = None  # the world dataset, read on first use
    _pools: dict[str, ThreadPoolExecutor] = field(default_factory=dict)

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
