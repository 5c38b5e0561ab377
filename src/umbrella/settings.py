"""The defaults every entry point shares, in a module that imports nothing.

The command line reads these when it starts, before it knows which command will run; the
stages that use them (exploration, reports, data) import them from here, so that the same
question gets the same defaults everywhere and ``umbrella --version`` loads no numerics.
"""

from __future__ import annotations

__all__ = [
    "BLOCK",
    "CHUNK_SIZE",
    "CITE_FORMATS",
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "EXPORT_FORMATS",
    "REPORT_FORMATS",
    "SATISFICING",
    "TABLE_NAMES",
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
