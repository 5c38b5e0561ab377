"""Credibility games: published deterrence games solved exactly over arrays of parameters.

Each family is a module with a vectorised ``solve`` returning a :class:`Solution` of
labelled arrays (every equilibrium, the default selection, the outcome distribution and the
thresholds), a ``to_gambit`` exporter for verification with Gambit, and worked examples
with known answers.

>>> from umbrella.games import FAMILIES
>>> sorted(FAMILIES)
['extended', 'rudimentary', 'sinking-costs', 'tying-hands']
"""

from umbrella.errors import UsageError
from umbrella.games.extended import FAMILY as EXTENDED
from umbrella.games.family import Example, Family
from umbrella.games.rudimentary import FAMILY as RUDIMENTARY
from umbrella.games.signalling import SINKING_COSTS, TYING_HANDS
from umbrella.games.solution import OUTCOMES, Equilibrium, Solution

FAMILIES: dict[str, Family] = {
    family.name: family for family in (RUDIMENTARY, EXTENDED, TYING_HANDS, SINKING_COSTS)
}
"""Every game family umbrella solves, by name."""


def get_family(name: str) -> Family:
    """The family called ``name``; raises :class:`UsageError` listing the known ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UsageError(
            f"unknown game family '{name}'; families are: {', '.join(FAMILIES)}"
        ) from None


__all__ = ["FAMILIES", "OUTCOMES", "Equilibrium", "Example", "Family", "Solution", "get_family"]
