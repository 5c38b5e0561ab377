"""The bounds of the server: request sizes, ensemble sizes, work in flight.

A request beyond a bound gets a 413 (body), a 422 (a number out of range) or a 503 with
``Retry-After`` (too much work in flight): the server never queues without end, and one
request cannot take every core or all the memory.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INTERACTIVE_SAMPLES", "Limits"]

INTERACTIVE_SAMPLES = 500
"""Futures of ``POST /api/assess`` when the request names none: the call then answers in
about 100 ms on a two-core machine once the model is compiled (docs/web.md, "Limits"), quick
enough to follow a slider. The 10th-90th percentile spread of a figure is stable to about
0.01 at this size; the figures to quote are the command line's 10,000 futures (up to
``assess_max_samples`` may be asked for)."""


@dataclass(frozen=True)
class Limits:
    """What one server process accepts. Every bound can be changed from Python
    (``create_app(limits=Limits(...))``) for a larger machine."""

    max_body_bytes: int = 1_100_000
    """A request body: a scenario file may be 1 MB (docs/scenarios.md), with room for JSON."""
    assess_samples: int = INTERACTIVE_SAMPLES
    """Futures of an assessment whose request names none."""
    assess_max_samples: int = 20_000
    """The most futures one ``POST /api/assess`` may ask for (about 2 s and 200 MB)."""
    assess_threads: int = 1
    """Assessments computed at once, each in a worker thread beside the event loop; the model
    uses every core of a chunk itself, so more threads mostly share the same cores."""
    assess_in_flight: int = 2
    """Assessments running or waiting in this process (one running, one waiting with
    ``assess_threads = 1``); one more is answered 503 with Retry-After at once. Two keep an
    answered request's latency within about twice one assessment's under any load
    (benchmarks/web.py), where a longer queue only makes every answer later."""
    run_max_samples: int = 200_000
    """The most futures of a run started over HTTP (larger runs: ``umbrella run``)."""
    run_concurrency: int = 1
    """Background runs at once in this process; one more is answered 503."""
    run_json_rows: int = 200_000
    """The most rows ``/api/runs/{id}/results?table=outcomes&format=json`` returns; larger
    tables are for CSV or Parquet."""
    trust_max_months: int = 1_200
    """The most months ``/api/trust`` returns per guarantor and view: a century, about 5 MB
    of JSON for every guarantor and view, computed in under half a second."""
    retry_after_s: int = 1
    """The Retry-After of a 503 for an assessment, in seconds (an assessment takes about a
    tenth of one); a background run, brief or analysis asks for a multiple of it."""
    cache_entries: int = 64
    """Assessments kept in memory by their inputs, so that a slider moved back is instant."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive integer (got {value!r})")
        if not 100 <= self.assess_samples <= self.assess_max_samples:
            raise ValueError("Limits.assess_samples must lie from 100 to assess_max_samples")
