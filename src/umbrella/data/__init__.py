"""The world dataset: states, forces, commitments, evidence events and policy options.

Shipped as sourced YAML tables (``docs/data.md``), validated into typed records and
offered as labelled pandas DataFrames through :func:`load_world`.
"""

from umbrella.data.cite import cite, format_source
from umbrella.data.schema import TABLES
from umbrella.data.world import World, check_world, load_world

__all__ = ["TABLES", "World", "check_world", "cite", "format_source", "load_world"]
