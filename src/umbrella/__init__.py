"""umbrella: open, reproducible, quantitative analysis of nuclear umbrellas.

>>> import umbrella
>>> world = umbrella.load_world()
>>> sorted(world.forces["state"])
['CHN', 'FRA', 'GBR', 'RUS', 'USA']
"""

from importlib.metadata import PackageNotFoundError, version

from umbrella.data import World, check_world, cite, load_world
from umbrella.errors import DataError, UmbrellaError, UsageError

try:
    __version__ = version("umbrella")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "DataError",
    "UmbrellaError",
    "UsageError",
    "World",
    "__version__",
    "check_world",
    "cite",
    "load_world",
]
