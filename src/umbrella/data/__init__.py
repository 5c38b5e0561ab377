"""The world dataset: states, forces, commitments, evidence events and policy options.

Shipped as sourced YAML tables (``docs/data.md``), validated into typed records and
offered as labelled pandas DataFrames through :func:`load_world`.
"""

from typing import TYPE_CHECKING

from umbrella.lazy import lazy_members

if TYPE_CHECKING:
    from umbrella.data.cite import cite, format_source
    from umbrella.data.schema import TABLES
    from umbrella.data.world import World, check_world, load_world

# Loaded on first use: the World's tables load pandas, which `umbrella data show` does
# without (it prints the records as they are read, umbrella.data.rows).
_HOMES = {
    "TABLES": "umbrella.data.schema",
    "World": "umbrella.data.world",
    "check_world": "umbrella.data.world",
    "load_world": "umbrella.data.world",
    "cite": "umbrella.data.cite",
    "format_source": "umbrella.data.cite",
}

__getattr__ = lazy_members(__name__, _HOMES)

__all__ = ["TABLES", "World", "check_world", "cite", "format_source", "load_world"]
