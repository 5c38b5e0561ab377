"""The umbrella model: from evidence to trust, from trust to credibility, and to deterrence.

``evaluate(scenario, layout, params)`` is the one implementation of the model: every option
of a scenario, per protege group, year and sampled future (docs/model.md). ``central``
labels it on the central future; ``load_scenario`` reads a scenario file (docs/scenarios.md);
the assumption registry lists every parameter with its default, range and basis. The
figures to quote come from ``umbrella.assess``, which adds the default ensemble.
"""

from umbrella.model.central import central
from umbrella.model.evaluate import OUTCOMES, SUMMARY_OUTCOMES, evaluate, summarise
from umbrella.model.layout import Layout, layout
from umbrella.model.registry import MODEL_ASSUMPTIONS, OptionSpec
from umbrella.model.scenario import Scenario, load_scenario

__all__ = [
    "MODEL_ASSUMPTIONS",
    "OUTCOMES",
    "SUMMARY_OUTCOMES",
    "Layout",
    "OptionSpec",
    "Scenario",
    "central",
    "evaluate",
    "layout",
    "load_scenario",
    "summarise",
]
