"""umbrella: open, reproducible, quantitative analysis of nuclear umbrellas.

>>> import umbrella
>>> world = umbrella.load_world()
>>> sorted(world.forces["state"])
['CHN', 'FRA', 'GBR', 'RUS', 'USA']
"""

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from umbrella.errors import DataError, ScenarioError, UmbrellaError, UsageError

if TYPE_CHECKING:
    from umbrella.data import World, check_world, cite, load_world
    from umbrella.explore.assessment import Assessment, assess
    from umbrella.explore.backtest import backtest
    from umbrella.explore.run import Run, open_run, run
    from umbrella.explore.stress import stress_tests
    from umbrella.model import Scenario, load_scenario

_DATA = ("World", "check_world", "cite", "load_world")
_MODEL = ("Scenario", "load_scenario")
_EXPLORE = ("Run", "open_run", "run")
_ASSESS = ("Assessment", "assess")
_STRESS = ("stress_tests",)
_BACKTEST = ("backtest",)


def __getattr__(name: str) -> Any:
    # The dataset pulls in pandas and pydantic, the model and the exploration xarray, scipy
    # and more: import each on first use, so that `umbrella --version` loads none of them
    # and loading the dataset alone stays fast.
    if name in _DATA:
        from umbrella import data

        return getattr(data, name)
    if name in _MODEL:
        from umbrella import model

        return getattr(model, name)
    if name in _ASSESS:
        from umbrella.explore import assessment

        return getattr(assessment, name)
    if name in _STRESS:
        from umbrella.explore import stress

        return getattr(stress, name)
    if name in _BACKTEST:
        from umbrella.explore import backtest as explore_backtest

        return getattr(explore_backtest, name)
    if name in _EXPLORE:
        from umbrella.explore import run as explore_run

        return getattr(explore_run, name)
    raise AttributeError(f"module 'umbrella' has no attribute {name!r}")


try:
    __version__ = version("umbrella")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Assessment",
    "DataError",
    "Run",
    "Scenario",
    "ScenarioError",
    "UmbrellaError",
    "UsageError",
    "World",
    "__version__",
    "assess",
    "backtest",
    "check_world",
    "cite",
    "load_scenario",
    "load_world",
    "open_run",
    "run",
    "stress_tests",
]
