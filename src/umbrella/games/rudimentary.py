"""Rudimentary Asymmetric Deterrence Game with one-sided incomplete information.

After Zagare & Kilgour, *Perfect Deterrence* (Cambridge UP, 2000), section 3.4 and
Appendix 3.

The challenger (A) keeps the status quo or challenges. After a challenge the defender (B)
concedes (A wins: outcome CW, "DC" in the source) or resists (conflict: CF, "DD"). B is Hard
with probability ``p_hard`` (it prefers resisting to conceding) and Soft otherwise; A does not
know which.

At every Bayesian equilibrium each defender type plays its dominant reply (Hard resists,
Soft concedes), so A challenges iff ``p_hard < (a_cw - a_sq) / (a_cw - a_cf)``, the
credibility threshold. At equality A is indifferent; the default keeps the status quo.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from umbrella.games.family import (
    Example,
    Family,
    Parameter,
    broadcast,
    chain,
    open_unit,
    validity,
)
from umbrella.games.solution import Equilibrium, Solution

if TYPE_CHECKING:
    import pygambit

__all__ = ["FAMILY", "solve", "to_gambit"]

NAME = "rudimentary"
PARAMETERS = (
    Parameter("a_cf", "challenger's payoff from conflict (DD)"),
    Parameter("a_sq", "challenger's payoff from the status quo (SQ)"),
    Parameter("a_cw", "challenger's payoff when the defender concedes (DC)"),
    Parameter("b_cf_soft", "Soft defender's payoff from conflict (DD-)"),
    Parameter("b_cw", "defender's payoff from conceding (DC)"),
    Parameter("b_cf_hard", "Hard defender's payoff from conflict (DD+)"),
    Parameter("b_sq", "defender's payoff from the status quo (SQ)"),
    Parameter("p_hard", "probability that the defender is Hard (its credibility)"),
)
ORDERINGS = (
    chain("a_cf", "a_sq", "a_cw"),
    chain("b_cf_soft", "b_cw", "b_cf_hard", "b_sq"),
    open_unit("p_hard"),
)
CLASSES = ("deterrence", "challenge")
NAMES = tuple(p.name for p in PARAMETERS)


def solve(
    *,
    a_cf: npt.ArrayLike,
    a_sq: npt.ArrayLike,
    a_cw: npt.ArrayLike,
    b_cf_soft: npt.ArrayLike,
    b_cw: npt.ArrayLike,
    b_cf_hard: npt.ArrayLike,
    b_sq: npt.ArrayLike,
    p_hard: npt.ArrayLike,
) -> Solution:
    """Every Bayesian equilibrium of the rudimentary game, over broadcast parameter arrays.

    Parameters
    ----------
    a_cf, a_sq, a_cw
        Challenger payoffs, with ``a_cf < a_sq < a_cw``.
    b_cf_soft, b_cw, b_cf_hard, b_sq
        Defender payoffs, with ``b_cf_soft < b_cw < b_cf_hard < b_sq``.
    p_hard
        Probability that the defender is Hard, in (0, 1).

    Returns
    -------
    Solution
        Classes ``deterrence`` / ``challenge``; behaviour ``x`` (P(challenge)),
        ``y_hard``, ``y_soft`` (P(resist | type)); threshold ``credibility``.
        Where ``p_hard`` equals the threshold both pure equilibria are listed.

    Examples
    --------
    >>> s = solve(a_cf=-2, a_sq=0, a_cw=1, b_cf_soft=1, b_cw=2, b_cf_hard=3, b_sq=4,
    ...           p_hard=[0.2, 0.5])
    >>> s.equilibrium_class.tolist(), s.outcome["CF"].tolist()
    (['challenge', 'deterrence'], [0.2, 0.0])

    References
    ----------
    Zagare, F. C. & Kilgour, D. M. (2000). *Perfect Deterrence*. Cambridge UP, section 3.4.
    """
    p = broadcast(NAME, NAMES, locals())
    valid = validity(ORDERINGS, p)
    ph = p["p_hard"]
    threshold = (p["a_cw"] - p["a_sq"]) / (p["a_cw"] - p["a_cf"])
    challenges = ph < threshold
    # NaN enters once per equilibrium (0.0 or 1.0 where it exists, NaN elsewhere) and spreads
    # to every array derived from it; equal arrays are shared and read-only. At 10^6
    # instances the cost is first-touching fresh memory, so fewer arrays means faster.
    one = _read_only(np.where(valid, 1.0, np.nan))
    zero = _read_only(one - 1.0)
    x = _read_only(np.where(challenges, one, zero))
    soft_share = 1.0 - ph
    deter = _read_only(np.where(ph >= threshold, zero, np.nan))
    deter_one = _read_only(deter + 1.0)
    pressed = _read_only(np.where(ph <= threshold, one, np.nan))
    pressed_zero = _read_only(pressed - 1.0)
    equilibria = (
        Equilibrium(
            "deter",
            "deterrence",
            ~np.isnan(deter),
            {"x": deter, "y_hard": deter_one, "y_soft": deter},
            {"SQ": deter_one, "CW": deter, "DW": deter, "CF": deter},
        ),
        Equilibrium(
            "challenge",
            "challenge",
            ~np.isnan(pressed),
            {"x": pressed, "y_hard": pressed, "y_soft": pressed_zero},
            {
                "SQ": pressed_zero,
                "CW": _read_only(pressed * soft_share),
                "DW": pressed_zero,
                "CF": _read_only(pressed * ph),
            },
        ),
    )
    return Solution(
        family=NAME,
        parameters=p,
        valid=valid,
        classes=CLASSES,
        class_code=_read_only(np.where(valid, challenges, -1).astype(np.int8)),
        behaviour={"x": x, "y_hard": one, "y_soft": zero},
        outcome={
            "SQ": _read_only(one - x),
            "CW": _read_only(x * soft_share),
            "DW": zero,
            "CF": _read_only(x * ph),
        },
        thresholds={"credibility": _read_only(threshold * one)},
        equilibria=equilibria,
    )


def _read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def to_gambit(
    *,
    a_cf: float | Fraction,
    a_sq: float | Fraction,
    a_cw: float | Fraction,
    b_cf_soft: float | Fraction,
    b_cw: float | Fraction,
    b_cf_hard: float | Fraction,
    b_sq: float | Fraction,
    p_hard: float | Fraction,
) -> pygambit.Game:
    """The game in extensive form, with a chance move for the defender's type.

    Outcomes are labelled ``CLASS:type`` (e.g. ``CF:Hard``) so that equilibrium outcome
    distributions can be summed by class. Numbers are passed as exact fractions.
    """
    from umbrella.games.gambit import exact, require_pygambit

    gbt = require_pygambit()
    game = gbt.Game.new_tree(players=["Challenger", "Defender"], title="Rudimentary deterrence")
    game.append_move(game.root, game.players.chance, ["Hard", "Soft"])
    ph = exact(p_hard)
    game.set_chance_probs(game.root.infoset, [gbt.Rational(ph), gbt.Rational(1 - ph)])
    types = [game.root.children["Hard"], game.root.children["Soft"]]
    game.append_move(types, "Challenger", ["Status quo", "Challenge"])
    resolve = {"Hard": b_cf_hard, "Soft": b_cf_soft}
    for node in types:
        kind = node.prior_action.label
        game.append_move(node.children["Challenge"], "Defender", ["Concede", "Resist"])
        leaves = {
            ("SQ", a_sq, b_sq): node.children["Status quo"],
            ("CW", a_cw, b_cw): node.children["Challenge"].children["Concede"],
            ("CF", a_cf, resolve[kind]): node.children["Challenge"].children["Resist"],
        }
        for (label, a, b), leaf in leaves.items():
            game.set_outcome(leaf, game.add_outcome(f"{label}:{kind}", [exact(a), exact(b)]))
    return game


EXAMPLES = (
    Example(
        name="ZK-1",
        parameters={
            "a_cf": Fraction(-2),
            "a_sq": Fraction(0),
            "a_cw": Fraction(1),
            "b_cf_soft": Fraction(1),
            "b_cw": Fraction(2),
            "b_cf_hard": Fraction(3),
            "b_sq": Fraction(4),
            "p_hard": Fraction(1, 5),
        },
        default_class="challenge",
        outcome={"SQ": Fraction(0), "CW": Fraction(4, 5), "DW": Fraction(0), "CF": Fraction(1, 5)},
        behaviour={"x": Fraction(1), "y_hard": Fraction(1), "y_soft": Fraction(0)},
        other_outcomes=(),
        source="Zagare & Kilgour (2000), s. 3.4: threshold 1/3 > p_hard = 0.2, A challenges",
    ),
    Example(
        name="ZK-2",
        parameters={
            "a_cf": Fraction(-2),
            "a_sq": Fraction(0),
            "a_cw": Fraction(1),
            "b_cf_soft": Fraction(1),
            "b_cw": Fraction(2),
            "b_cf_hard": Fraction(3),
            "b_sq": Fraction(4),
            "p_hard": Fraction(1, 2),
        },
        default_class="deterrence",
        outcome={"SQ": Fraction(1), "CW": Fraction(0), "DW": Fraction(0), "CF": Fraction(0)},
        behaviour={"x": Fraction(0), "y_hard": Fraction(1), "y_soft": Fraction(0)},
        other_outcomes=(),
        source="Zagare & Kilgour (2000), s. 3.4: threshold 1/3 < p_hard = 0.5, A is deterred",
    ),
)

FAMILY = Family(
    name=NAME,
    title="Rudimentary Asymmetric Deterrence Game (one-sided incomplete information)",
    citation="Zagare, F. C. & Kilgour, D. M. (2000). Perfect Deterrence. Cambridge "
    "University Press, section 3.4 and Appendix 3.",
    tree=(
        "Nature draws the defender's type: Hard (p_hard) or Soft; only the defender learns "
        "it.\nThe challenger keeps the status quo (SQ) or challenges.\nAfter a challenge the "
        "defender concedes (CW: the challenger wins) or resists (CF: conflict)."
    ),
    parameters=PARAMETERS,
    orderings=ORDERINGS,
    classes=CLASSES,
    solve=solve,
    to_gambit=to_gambit,
    examples=EXAMPLES,
)
