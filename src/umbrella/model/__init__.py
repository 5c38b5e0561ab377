"""The umbrella model: from evidence to trust, from trust to credibility, and to deterrence.

``evaluate(scenario, layout, params)`` is the one implementation of the model: every option
of a scenario, per protege group, year and sampled future (docs/model.md). ``central``
labels it on the central future; ``load_scenario`` reads a scenario file (docs/scenarios.md);
the assumption registry lists every parameter with its default, range and basis. The
figures to quote come from ``umbrella.assess``, which adds the default ensemble.
"""

from typing import TYPE_CHECKING

from umbrella.lazy import lazy_members

if TYPE_CHECKING:
    from umbrella.model.central import central
    from umbrella.model.evaluate import OUTCOMES, SUMMARY_OUTCOMES, evaluate, summarise
    from umbrella.model.layout import Layout, layout
    from umbrella.model.registry import MODEL_ASSUMPTIONS, OptionSpec
    from umbrella.model.scenario import Scenario, load_scenario

# Where each name lives: loaded on first use, so that reading a scenario does not compile
# the model's kernels (a bad scenario is reported before any of that work).
_HOMES = {
    "central": "umbrella.model.central",
    "OUTCOMES": "umbrella.model.evaluate",
    "SUMMARY_OUTCOMES": "umbrella.model.evaluate",
    "evaluate": "umbrella.model.evaluate",
    "summarise": "umbrella.model.evaluate",
    "Layout": "umbrella.model.layout",
    "layout": "umbrella.model.layout",
    "MODEL_ASSUMPTIONS": "umbrella.model.registry",
    "OptionSpec": "umbrella.model.registry",
    "Scenario": "umbrella.model.scenario",
    "load_scenario": "umbrella.model.scenario",
}


__getattr__ = lazy_members(__name__, _HOMES)

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
