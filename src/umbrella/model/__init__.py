"""The umbrella model: from evidence to trust, from trust to deterrence, option by option.

``assess(scenario)`` evaluates every option of a scenario year by year and protege by
protege (docs/model.md); ``load_scenario`` reads a scenario file (docs/scenarios.md);
the assumption registry lists every parameter with its default, range and basis.
"""

from umbrella.model.assess import Assessment, assess
from umbrella.model.registry import MODEL_ASSUMPTIONS, OptionSpec
from umbrella.model.scenario import Scenario, load_scenario

__all__ = ["MODEL_ASSUMPTIONS", "Assessment", "OptionSpec", "Scenario", "assess", "load_scenario"]
