"""The run store: ensemble runs kept chunk by chunk in Parquet, with a DuckDB catalog.

:class:`RunStore` is the one entry point. A store is a folder::

    umbrella-runs/
      catalog.duckdb                  an index of the runs (umbrella.store.catalog)
      runs/20250301-142233-9f3a/      the authoritative record of one run
        manifest.json                 settings and status (umbrella.store.manifest)
        scenario.yaml                 the scenario text the run was made from
        futures-00000.parquet         future (int64) + one float column per uncertainty
        outcomes-00000.parquet        future, option + one float column per outcome
        chunk-00000.json              the chunk's record: size and SHA-256 of its files
        ...

A run is ``running``, ``complete``, ``failed`` or ``interrupted`` (its process died); a
chunk counts once its two files are in place *and* its record is written, so whatever a
killed writer leaves behind is ignored; every read checks the files against the record.
The catalog is rebuilt from the folders when it is missing. See ``docs/runs.md``.
"""

from __future__ import annotations

from umbrella.store.records import (
    ChunkProblem,
    DamagedChunkError,
    RunDiff,
    RunRecord,
    Status,
    StoreError,
)
from umbrella.store.runstore import RunStore

__all__ = [
    "ChunkProblem",
    "DamagedChunkError",
    "RunDiff",
    "RunRecord",
    "RunStore",
    "Status",
    "StoreError",
]
