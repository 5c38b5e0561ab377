"""The brief's charts for a what-if: ``POST /api/figures``.

The page shows the same plotly figures as ``umbrella brief``, drawn by the brief's own code:
the what-if's assessment (the same as ``POST /api/assess``'s, from the same scenario,
assumptions, stresses, futures and seed) is read by
:func:`umbrella.report.findings.what_if_findings` and drawn by
:func:`umbrella.report.build.chart_drawers`. Nothing here computes a number or builds a
figure: it only turns each chart into JSON for the page.

The series by year and by country (the map, support to Ukraine, holds by year) come from the
full model on the first :data:`~umbrella.report.findings.WHAT_IF_FUTURES` futures of the
assessment, not the brief's 256, so that the figures follow a slider in a fraction of a
second; the value for money reads every future of the assessment, as the headline does.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from plotly.io.json import to_json_plotly
from pydantic import BaseModel, Field

from umbrella.web import engine
from umbrella.web.schemas import AssessRequest

__all__ = ["CHARTS", "FigureOut", "FiguresRequest", "SelectorOut", "compute_figures"]

CHARTS = ("map", "ukraine", "value-per-eur", "holds-by-year", "trust")
"""The brief's charts the page shows for a what-if, in the page's order. The value for money
is left out where no option costs more than the status quo (the brief leaves it out too)."""


class FiguresRequest(AssessRequest):
    """A what-if, as ``POST /api/assess`` takes it, and the language of the charts' words.
    Every option is drawn, whichever ``options`` names (they are checked all the same)."""

    lang: Literal["en", "uk"] = Field(
        "en", description="The language of titles, labels and descriptions (as `--lang`)."
    )


class SelectorOut(BaseModel):
    """A drop-down list that switches what some traces show (the map's option), as the
    brief's page has it: choosing ``choices[i]`` applies ``updates[i]`` (trace properties
    and layout properties, as ``Plotly.update`` takes them) to the traces ``traces``."""

    label: str
    choices: list[str]
    selected: int
    traces: list[int]
    updates: list[list[dict[str, Any]]]


class FigureOut(BaseModel):
    """One chart: its title (the page's heading), its text alternative, the plotly figure
    as the brief's page shows it, and the table behind it (the brief's ``data/<id>.csv``)."""

    title: str
    alt: str
    figure: dict[str, Any] = Field(description="Plotly figure JSON: `{data, layout}`.")
    config: dict[str, Any] = Field(description="Plotly config: the toolbar and the locale.")
    selector: SelectorOut | None = None
    data: list[dict[str, Any]]


def compute_figures(
    name: str,
    overrides: Mapping[str, float],
    stress: Mapping[str, int],
    samples: int,
    seed: int,
    lang: str = "en",
    cancelled: threading.Event | None = None,
) -> bytes:
    """The charts of one what-if as the JSON body of ``POST /api/figures``:
    ``{chart id: FigureOut}`` (run in a worker thread, never on the event loop)."""
    # Imported here: the report's modules load plotly and matplotlib, which the rest of
    # the server does not need to start.
    from umbrella.explore.assessment import assess
    from umbrella.report.build import chart_drawers
    from umbrella.report.findings import what_if_findings
    from umbrella.report.locale import language

    scenario = engine.what_if(name, overrides, stress)
    stop = engine.stopper(cancelled)  # a what-if the page no longer wants stops early
    found = what_if_findings(assess(scenario, samples=samples, seed=seed, progress=stop))
    drawers = chart_drawers(found)
    tongue = language(lang)
    body = {
        chart_id: _chart_json(drawers[chart_id](tongue))
        for chart_id in CHARTS
        if chart_id in drawers
    }
    # plotly's own encoder, once for the whole body: it writes NumPy arrays, dates and NaN
    # (as null) the way plotly.js reads them.
    text: str = to_json_plotly(body, engine="json")
    return text.encode()


def _chart_json(chart: Any) -> dict[str, Any]:
    """A brief's :class:`~umbrella.report.charts.Chart` as plain JSON values."""
    selector = chart.selector
    data: pd.DataFrame = chart.data
    return {
        "title": chart.title,
        "alt": chart.alt or chart.title,
        "figure": chart.web_json(),
        "config": chart.config(),  # the brief's page's settings
        "selector": None
        if selector is None
        else {
            "label": selector.label,
            "choices": list(selector.choices),
            "selected": selector.selected,
            "traces": list(selector.traces),
            "updates": [list(update) for update in selector.updates],
        },
        # Written by plotly's encoder with the figure: NaN (a ratio with no cost) as null,
        # dates as ISO text, every number as it is.
        "data": data.to_dict("records"),
    }
