"""The run store: ensemble runs kept chunk by chunk in Parquet, with a DuckDB catalog.

:class:`RunStore` is the one entry point. A store is a folder::

    umbrella-runs/
      catalog.duckdb                  runs and recorded chunks (umbrella.store.catalog)
      runs/20250301-142233-9f3a/
        scenario.yaml                 the scenario text the run was made from
        futures-00000.parquet         future (int64) + one float column per uncertainty
        outcomes-00000.parquet        future, option + one float column per outcome
        ...

A run is ``running``, ``complete``, ``failed`` or ``interrupted`` (its process died); a
chunk counts once its two files are in place *and* the catalog records it, so whatever a
killed writer leaves behind is ignored. See ``docs/runs.md``.
"""

from __future__ import annotations

from umbrella.store.records import RunDiff, RunRecord, Status, StoreError
from umbrella.store.runstore import RunStore

__all__ = ["RunDiff", "RunRecord", "RunStore", "Status", "StoreError"]
