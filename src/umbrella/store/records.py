"""What the run store hands out: its error, one run's record, and the diff of two runs."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict, cast

from umbrella.errors import UmbrellaError

__all__ = [
    "ChunkProblem",
    "DamagedChunkError",
    "FieldChange",
    "OutcomeChange",
    "RunDiff",
    "RunRecord",
    "Status",
    "StoreError",
]

Status = Literal["running", "complete", "failed", "interrupted"]
"""``running`` (its process is alive), ``complete`` (every chunk recorded, then finished),
``failed`` (stopped by an error, with a reason) or ``interrupted`` (its process died)."""

RESUMABLE: tuple[Status, ...] = ("failed", "interrupted")

# Fields that describe what a run computed (compared by RunStore.diff), in display order.
METADATA = (
    "scenario_name",
    "scenario_hash",
    "data_version",
    "seed",
    "n_samples",
    "chunk_size",
    "sampler",
    "package_version",
    "options",
    "uncertainties",
)


class StoreError(UmbrellaError):
    """The run store cannot do what was asked: unknown run, unfinished run, unreadable file.

    The message names the store folder (or the file) and, where one exists, the fix.
    """


class DamagedChunkError(StoreError):
    """A chunk read back does not match the run's manifest (checksum, size, presence) or
    holds values no run can produce; the message names the file and the command to run."""


@dataclass(frozen=True)
class ChunkProblem:
    """One damaged chunk of a run, as :meth:`umbrella.store.RunStore.verify` finds it."""

    chunk: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"chunk {self.chunk}: {self.path}: {self.message}"


@dataclass(frozen=True)
class RunRecord:
    """One run as its folder records it, with its chunks counted on disk.

    ``chunks_done`` and ``futures_done`` count only chunks that the run's manifest records
    *and* whose two Parquet files are present; times are timezone-aware (UTC).
    """

    run_id: str
    status: Status
    scenario_name: str
    scenario_hash: str
    data_version: str
    seed: int
    n_samples: int
    chunk_size: int
    sampler: str
    package_version: str
    options: tuple[str, ...]
    uncertainties: tuple[str, ...]
    started_at: datetime
    finished_at: datetime | None
    pid: int
    hostname: str
    reason: str | None
    chunks_done: int
    futures_done: int

    @property
    def n_chunks(self) -> int:
        """How many chunks the whole run has (the last one may be shorter)."""
        return math.ceil(self.n_samples / self.chunk_size)

    @property
    def resumable(self) -> bool:
        """Whether the run stopped before finishing and can be resumed."""
        return self.status in RESUMABLE

    @classmethod
    def from_row(cls, row: Mapping[str, Any], chunks_done: int, futures_done: int) -> RunRecord:
        """Build a record from a manifest or catalog row (times naive UTC or aware)."""
        values = dict(row)
        values["options"] = tuple(values["options"] or ())
        values["uncertainties"] = tuple(values["uncertainties"] or ())
        values["seed"] = int(values["seed"])
        for name in ("started_at", "finished_at"):
            value = values[name]
            if isinstance(value, datetime) and value.tzinfo is None:
                values[name] = value.replace(tzinfo=UTC)
        values["status"] = cast(Status, values["status"])
        return cls(**values, chunks_done=chunks_done, futures_done=futures_done)


class FieldChange(TypedDict):
    """A metadata field whose value differs between run ``a`` and run ``b``."""

    a: Any
    b: Any


class OutcomeChange(TypedDict):
    """Mean of one outcome of one option over all futures of each run, and ``b - a``.

    A mean is None where the run has no such option or outcome (or only NaN values).
    """

    option: str
    outcome: str
    mean_a: float | None
    mean_b: float | None
    difference: float | None


class RunDiff(TypedDict):
    """What :meth:`umbrella.store.RunStore.diff` returns."""

    a: str
    b: str
    metadata: dict[str, FieldChange]
    outcomes: list[OutcomeChange]
