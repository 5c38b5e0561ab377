"""The defaults and limits every entry point shares, in a module that imports nothing heavy.

The command line reads these when it starts, before it knows which command will run; the
stages that use them (exploration, reports, data) import them from here, so that the same
question gets the same defaults everywhere and ``umbrella --version`` loads no numerics.
"""

from __future__ import annotations

import re

from umbrella.errors import UsageError

__all__ = [
    "BLOCK",
    "CHUNK_SIZE",
    "CITE_FORMATS",
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "EXPORT_FORMATS",
    "LEAN_CHUNK_SIZE",
    "MAX_CHUNK",
    "MAX_KEPT",
    "MAX_SAMPLES",
    "MAX_SEED",
    "MAX_WORKERS",
    "REPORT_FORMATS",
    "SATISFICING",
    "TABLE_NAMES",
    "check_run_settings",
]

DEFAULT_SAMPLES = 10_000
"""Futures of the default ensemble of ``assess``, ``run`` and ``brief``."""
DEFAULT_SEED = 2026
"""Seed of the default ensemble of ``assess``, ``run`` and ``brief``."""

BLOCK = 1024
"""Futures per block of the sampling design (docs/explore.md)."""
CHUNK_SIZE = 2 * BLOCK
"""Default futures per chunk: whole blocks of the design (none drawn twice), and arrays
small enough to stay in cache."""

LEAN_CHUNK_SIZE = BLOCK // 2
"""Futures per chunk where memory matters more than the last percent of speed (a brief's run
and stress tests): the model's working memory is about 0.1 MB a future. Like
:data:`CHUNK_SIZE`, a multiple of the width of the model's vectorised loops, so that the
results are the same, bit for bit."""

SATISFICING = 0.8
"""An option satisfices in a future where deterrence holds through the horizon,
Europe-wide, with probability at least this (the default threshold of robustness and PRIM)."""

REPORT_FORMATS = ("html", "md", "pdf")
"""What a brief can be written as."""
CITE_FORMATS = ("text", "bibtex", "csl-json", "ris")
"""What ``umbrella data cite`` can write."""
EXPORT_FORMATS = ("datapackage",)
"""What ``umbrella data export`` can write."""

TABLE_NAMES = (
    "sources",
    "actors",
    "forces",
    "deployments",
    "commitments",
    "events",
    "options",
    "polls",
    "crises",
)
"""The tables of the world dataset, in the order they depend on each other."""

MAX_SAMPLES = 10**10
"""The most futures one run may have: 100 times the largest run the docs project."""
MAX_CHUNK = 10**6
"""The most futures one chunk may hold (memory grows with it)."""
MAX_KEPT = 100_000
"""The most futures a command that keeps every future in memory (``assess``, ``brief``,
``backtest``) takes: about 1 GB of outcomes. Larger ensembles are for ``umbrella run``, which
keeps them in the store."""
MAX_WORKERS = 1024
MAX_SEED = 2**63 - 1
"""Seeds are stored as 64-bit integers."""
_SCHEDULER = re.compile(r"^(tcp|tls|ucx|inproc)://[^\s/:]+(:\d{1,5})?/?$")


def check_run_settings(
    n_samples: int, seed: int, chunk_size: int, workers: int | None, scheduler: str | None
) -> None:
    """The settings of a run, each within what the machinery can take; UsageError naming
    the option and the fix otherwise. Checked before anything is stored."""
    if not 1 <= n_samples <= MAX_SAMPLES:
        raise UsageError(f"--samples {n_samples}: use 1 to {MAX_SAMPLES:.0e} futures")
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed {seed}: use an integer from 0 to 2**63 - 1")
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise UsageError(f"--chunk-size {chunk_size}: use 1 to {MAX_CHUNK:,} futures per chunk")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers {workers}: use 1 to {MAX_WORKERS} worker processes")
    if workers is not None and scheduler is not None:
        raise UsageError("--workers starts a local cluster, --scheduler uses yours: give one")
    if scheduler is not None and not _SCHEDULER.match(scheduler):
        raise UsageError(
            f"--scheduler {scheduler!r}: give the scheduler's address, e.g. tcp://host:8786"
        )
