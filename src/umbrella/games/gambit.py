"""Gambit interoperability: exact game trees, solving any extensive game, outcome distributions.

Gambit (pygambit) computes Nash equilibria, not perfect Bayesian ones: its profiles may prescribe
non-credible moves off the equilibrium path. Compare games through their **outcome
distributions** (see the Verification section of each page in docs/games/). Outcomes of the trees
umbrella exports are labelled ``CLASS:detail`` (``CF:Hard``); distributions are summed by the
part before the colon.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, cast

from umbrella.errors import UmbrellaError, UsageError

__all__ = [
    "GambitEquilibrium",
    "exact",
    "outcome_distribution",
    "read_game",
    "require_pygambit",
    "solve_game",
]

Method = Literal["lcp", "enummixed", "logit", "enumpure"]


def require_pygambit() -> ModuleType:
    """The pygambit module, or a clear error saying how to install it."""
    try:
        import pygambit
    except ImportError:
        raise UmbrellaError(
            "pygambit is not installed; install it with: pip install 'umbrella[gambit]'"
        ) from None
    return cast(ModuleType, pygambit)


def exact(value: float | Fraction | int) -> Fraction:
    """A parameter as an exact fraction (floats by their shortest decimal form)."""
    if isinstance(value, Fraction | int):
        return Fraction(value)
    return Fraction(repr(float(value)))


def read_game(path: Path) -> Any:
    """Read a Gambit ``.efg`` (or ``.nfg``) file; errors name the file."""
    gbt = require_pygambit()
    if not path.is_file():
        raise UsageError(f"{path}: file not found; give the path of a Gambit .efg file")
    try:
        if path.suffix == ".nfg":
            return gbt.read_nfg(str(path))
        return gbt.read_efg(str(path))
    except Exception as error:  # pygambit raises bare ValueError/RuntimeError on bad files
        raise UsageError(f"{path}: not a valid Gambit game file ({error})") from None


@dataclass(frozen=True)
class GambitEquilibrium:
    """One equilibrium found by Gambit: behaviour per information set, outcome distribution."""

    behaviour: dict[str, dict[str, float]]
    outcome: dict[str, Fraction | float]
    max_regret: float


def solve_game(game: Any, method: Method = "lcp", rational: bool = True) -> list[GambitEquilibrium]:
    """Nash equilibria of ``game`` found by a pygambit solver.

    ``lcp`` (two players; exact by default) returns one equilibrium of the extensive form;
    ``enummixed`` (two players, strategic form) every extreme equilibrium; ``logit`` the limit
    of the agent quantal-response path, a sequential equilibrium; ``enumpure`` the pure ones.
    """
    gbt = require_pygambit()
    players = len(game.players)
    if method in ("lcp", "enummixed") and players != 2:
        raise UsageError(f"the {method} solver needs a two-player game (this one has {players})")
    if method == "lcp":
        result = gbt.nash.lcp_solve(game, rational=rational)
    elif method == "enummixed":
        result = gbt.nash.enummixed_solve(game, rational=rational)
    elif method == "logit":
        result = gbt.nash.logit_solve(game, use_strategic=False, maxregret=1e-10)
    else:
        result = gbt.nash.enumpure_agent_solve(game)
    found = []
    for profile in result.equilibria:
        behaviour_profile = profile
        if not hasattr(profile, "realiz_prob"):
            behaviour_profile = profile.as_behavior()
        found.append(
            GambitEquilibrium(
                behaviour=_behaviour(game, behaviour_profile),
                outcome=outcome_distribution(game, behaviour_profile),
                max_regret=float(profile.max_regret()),
            )
        )
    return found


def outcome_distribution(game: Any, profile: Any) -> dict[str, Fraction | float]:
    """Probability of each outcome class (label before ':') under a behaviour profile."""
    totals: dict[str, Fraction | float] = {}
    for node in _terminal_nodes(game.root):
        label = node.outcome.label if node.outcome is not None else "(none)"
        key = label.split(":", 1)[0]
        probability = _number(profile.realiz_prob(node))
        totals[key] = totals.get(key, 0) + probability
    return totals


def _terminal_nodes(node: Any) -> Iterable[Any]:
    if node.is_terminal:
        yield node
    for child in node.children:
        yield from _terminal_nodes(child)


def _behaviour(game: Any, profile: Any) -> dict[str, dict[str, float]]:
    behaviour: dict[str, dict[str, float]] = {}
    for player in game.players:
        for index, infoset in enumerate(player.infosets):
            name = f"{player.label}[{infoset.label or index}]"
            behaviour[name] = {a.label: float(profile[a]) for a in infoset.actions}
    return behaviour


def _number(value: Any) -> Fraction | float:
    if isinstance(value, float):
        return value
    try:
        return Fraction(str(value))
    except ValueError:
        return float(value)
