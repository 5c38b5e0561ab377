"""The brief: a run turned into the document a newsroom or a ministry reads.

``write_brief()`` runs the scenario (or opens a stored run), gathers its findings
(:mod:`umbrella.report.findings`), words the conclusion from the numbers
(:mod:`umbrella.report.narrative`) and writes HTML, Markdown, charts and data
(:mod:`umbrella.report.build`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from umbrella.settings import DEFAULT_SAMPLES, DEFAULT_SEED
from umbrella.settings import REPORT_FORMATS as FORMATS

__all__ = ["DEFAULT_SAMPLES", "DEFAULT_SEED", "FORMATS", "Brief", "write_brief"]


def __getattr__(name: str) -> Any:
    # Lazy: the chart and template machinery loads only when a brief is written.
    if name in ("Brief", "write_brief"):
        return getattr(import_module("umbrella.report.build"), name)
    raise AttributeError(f"module 'umbrella.report' has no attribute {name!r}")
