"""Extended deterrence with two-sided incomplete information (the protege as the stake).

After Kilgour & Zagare (1994), "Uncertainty and the role of the pawn in extended
deterrence", and Zagare & Kilgour, *Perfect Deterrence* (2000), Part III; the exact game and
its derivation are documented in docs/games/extended.md.

Nature draws the challenger's type (Hard with probability ``p_ch``) and, independently, the
defender's (Hard with probability ``p_def``); each side learns only its own. The challenger
keeps the status quo (SQ) or challenges; the defender abandons the protege (CW) or supports
it; after support the challenger backs down (DW) or presses (CF). A Hard challenger prefers
fighting to backing down, a Soft one does not; a Hard defender prefers fighting to
abandoning, a Soft one does not.

At every perfect Bayesian equilibrium (PBE) the last move and the Hard defender's reply are
fixed (a Hard challenger presses, a Soft one backs down, a Hard defender supports), so an
equilibrium is pinned down by the challenger's entry rates ``x_hard``, ``x_soft``, the Soft
defender's support rate ``s`` and its belief ``mu`` that a challenger is Hard. Generically
there are one or two outcome-distinct PBE: deterrence (E1, always) and one of separating
(E2), pooling challenge (E3) or bluff (E4). D1 removes E1 whenever ``p_def`` is below the
Hard challenger's threshold ``sigma_hard``, which leaves a unique default.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from umbrella.games.family import (
    Example,
    Family,
    Ordering,
    Parameter,
    broadcast,
    chain,
    open_unit,
    validity,
)
from umbrella.games.solution import OUTCOMES, BoolArray, Equilibrium, FloatArray, Solution

if TYPE_CHECKING:
    import pygambit

__all__ = ["FAMILY", "solve", "to_gambit"]

NAME = "extended"
PARAMETERS = (
    Parameter("c_cw", "challenger's payoff when the defender abandons the protege (CW)"),
    Parameter("c_sq", "challenger's payoff from the status quo (SQ)"),
    Parameter("c_dw", "challenger's payoff from backing down after support (DW)"),
    Parameter("c_cf_hard", "Hard challenger's payoff from conflict (CF)"),
    Parameter("c_cf_soft", "Soft challenger's payoff from conflict (CF)"),
    Parameter("d_sq", "defender's payoff from the status quo (SQ)"),
    Parameter("d_dw", "defender's payoff when the challenger backs down (DW)"),
    Parameter("d_cw", "defender's payoff from abandoning the protege (CW)"),
    Parameter("d_cf_hard", "Hard defender's payoff from conflict (CF)"),
    Parameter("d_cf_soft", "Soft defender's payoff from conflict (CF)"),
    Parameter("p_ch", "probability that the challenger is Hard"),
    Parameter("p_def", "probability that the defender is Hard (its credibility)"),
)
ORDERINGS = (
    chain("c_dw", "c_sq", "c_cw"),
    chain("c_dw", "c_cf_hard", "c_sq"),
    chain("c_cf_soft", "c_dw"),
    Ordering("d_dw <= d_sq", lambda p: p["d_dw"] <= p["d_sq"]),
    chain("d_cw", "d_dw"),
    chain("d_cw", "d_cf_hard"),
    chain("d_cf_soft", "d_cw"),
    open_unit("p_ch"),
    open_unit("p_def"),
)
CLASSES = ("deterrence", "separating", "pooling-challenge", "bluff")
NAMES = tuple(p.name for p in PARAMETERS)


def solve(
    *,
    c_cw: npt.ArrayLike,
    c_sq: npt.ArrayLike,
    c_dw: npt.ArrayLike,
    c_cf_hard: npt.ArrayLike,
    c_cf_soft: npt.ArrayLike,
    d_sq: npt.ArrayLike,
    d_dw: npt.ArrayLike,
    d_cw: npt.ArrayLike,
    d_cf_hard: npt.ArrayLike,
    d_cf_soft: npt.ArrayLike,
    p_ch: npt.ArrayLike,
    p_def: npt.ArrayLike,
) -> Solution:
    """Every perfect Bayesian equilibrium of the extended deterrence game, vectorised.

    Parameters
    ----------
    c_cw, c_sq, c_dw, c_cf_hard, c_cf_soft
        Challenger payoffs, with ``c_cf_soft < c_dw < c_cf_hard < c_sq < c_cw``.
    d_sq, d_dw, d_cw, d_cf_hard, d_cf_soft
        Defender payoffs, with ``d_cf_soft < d_cw < d_dw <= d_sq`` and ``d_cw < d_cf_hard``.
    p_ch, p_def
        Probabilities that the challenger and the defender are Hard, each in (0, 1).

    Returns
    -------
    Solution
        Arrays of the broadcast shape. The default is the equilibrium that survives D1, ties
        broken by "an indifferent challenger keeps the status quo, an indifferent Soft
        defender abandons":

        - ``deterrence`` where ``p_def >= sigma_hard``: nobody challenges;
        - ``separating`` where ``sigma_soft <= p_def < sigma_hard``: only a Hard challenger
          challenges and the Soft defender abandons;
        - ``pooling-challenge`` where ``p_def < sigma_soft`` and ``p_ch >= mu_star``: both
          challenger types challenge and the Soft defender abandons;
        - ``bluff`` where ``p_def < sigma_soft`` and ``p_ch < mu_star``: a Soft challenger
          probes with probability ``x_star`` and the Soft defender supports with probability
          ``s_soft``.

        Behaviour keys: ``x_hard``, ``x_soft`` (P(challenge | challenger type)), ``h``, ``s``
        (P(support | defender type)), ``z_hard``, ``z_soft`` (P(press | challenger type))
        and ``mu`` (the defender's belief that a challenger is Hard; off the path, under
        deterrence, the D1 belief 1). Thresholds: ``sigma_hard``, ``sigma_soft``,
        ``mu_star``, ``s_hard``, ``s_soft``, ``x_star``.

        ``equilibria`` lists E1 (deterrence; the Soft defender's off-path support ``s`` may
        be anything in ``[s_min, s_max]``, held by an off-path belief in
        ``[mu_min, mu_max]``), E2 (separating), E3 (pooling challenge) and E4 (bluff).
        Existence masks are the closed regions of the table in A.5: on a threshold the
        equilibria form continua and the listed profiles are their end points, each still
        a PBE there. Invalid instances hold NaN and class code -1. The returned arrays
        are read-only, and keys with equal values may share one array.

    Examples
    --------
    Worked examples A1, A2 and A4 (payoff set P1, ``p_ch = 1/4``):

    >>> s = solve(c_cw=2, c_sq=0, c_dw=-2, c_cf_hard=-1, c_cf_soft=-4,
    ...           d_sq=2, d_dw=1, d_cw=-1, d_cf_hard=0, d_cf_soft=-3,
    ...           p_ch=0.25, p_def=[0.75, 0.6, 0.2])
    >>> s.equilibrium_class.tolist()
    ['deterrence', 'separating', 'bluff']
    >>> s.outcome["CF"].tolist(), s.behaviour["s"].round(12).tolist()
    ([0.0, 0.15, 0.125], [0.0, 0.0, 0.375])

    References
    ----------
    .. [1] Kilgour, D. M. & Zagare, F. C. (1994). Uncertainty and the role of the pawn in
       extended deterrence. *Synthese* 100(3): 379-412.
    .. [2] Zagare, F. C. & Kilgour, D. M. (2000). *Perfect Deterrence*. Cambridge UP,
       Part III.
    .. [3] docs/games/extended.md: tree A.1, thresholds A.3, equilibria A.5,
       default selection A.6.
    """
    p = broadcast(NAME, NAMES, locals())
    valid = validity(ORDERINGS, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _solve(p, valid)


def _solve(p: dict[str, FloatArray], valid: BoolArray) -> Solution:
    # Selection uses 0/1 indicators and NaN masks (0.0 where a condition holds, NaN
    # elsewhere) rather than ``np.where``, which is about ten times slower on unsorted masks;
    # ``a * 1.0 + b * 0.0 + 0.0`` is exactly ``a`` for finite ``b``. At 10^6 instances the
    # cost is dominated by writing the output arrays, so keys with equal values share one
    # (read-only) array.
    pc, pd = p["p_ch"], p["p_def"]
    nan_invalid = _nan_unless(valid)
    gain = p["c_cw"] - p["c_sq"]
    sigma_hard = gain / (p["c_cw"] - p["c_cf_hard"]) + nan_invalid
    sigma_soft = gain / (p["c_cw"] - p["c_dw"]) + nan_invalid
    mu_star = (p["d_dw"] - p["d_cw"]) / (p["d_dw"] - p["d_cf_soft"]) + nan_invalid
    not_pd = 1.0 - pd
    s_hard = (sigma_hard - pd) / not_pd
    s_soft = (sigma_soft - pd) / not_pd
    odds = pc / mu_star  # P(challenge) in the bluff equilibrium
    x_star = (odds - pc) / (1.0 - pc)

    # Regions. A comparison with a NaN threshold is False, so all are False where invalid.
    deter = pd >= sigma_hard
    above_soft = pd >= sigma_soft
    below_soft = pd <= sigma_soft
    hard_likely = pc >= mu_star
    exists = (
        valid,
        above_soft & (pd <= sigma_hard),
        below_soft & hard_likely,
        below_soft & (pc <= mu_star),
    )
    zero = [nan_invalid, *(_nan_unless(e) for e in exists[1:])]  # 0 where E_k exists
    one = [z + 1.0 for z in zero]

    pc_pd = pc * pd
    cf_bluff = pc * sigma_soft
    separating_outcome = (1.0 - pc, pc * not_pd, pc_pd)
    pooling_outcome = (not_pd, (1.0 - pc) * pd)
    bluff_outcome = (1.0 - odds, odds * (1.0 - sigma_soft), (odds - pc) * sigma_soft)
    e1 = Equilibrium(
        name="E1",
        label="deterrence",
        exists=exists[0],
        behaviour={
            "x_hard": zero[0],
            "x_soft": zero[0],
            "h": one[0],
            "s_min": np.maximum(s_hard, 0.0),
            "s_max": one[0],
            "z_hard": one[0],
            "z_soft": zero[0],
            "mu_min": zero[0],
            "mu_max": deter + ~deter * mu_star,
        },
        outcome={"SQ": one[0], "CW": zero[0], "DW": zero[0], "CF": zero[0]},
    )
    e2 = Equilibrium(
        name="E2",
        label="separating: only a Hard challenger challenges",
        exists=exists[1],
        behaviour={
            "x_hard": one[1],
            "x_soft": zero[1],
            "h": one[1],
            "s": zero[1],
            "z_hard": one[1],
            "z_soft": zero[1],
            "mu": one[1],
        },
        outcome={
            "SQ": separating_outcome[0] + zero[1],
            "CW": separating_outcome[1] + zero[1],
            "DW": zero[1],
            "CF": pc_pd + zero[1],
        },
    )
    e3 = Equilibrium(
        name="E3",
        label="pooling challenge: both types challenge, no bluff",
        exists=exists[2],
        behaviour={
            "x_hard": one[2],
            "x_soft": one[2],
            "h": one[2],
            "s": zero[2],
            "z_hard": one[2],
            "z_soft": zero[2],
            "mu": pc + zero[2],
        },
        outcome={
            "SQ": zero[2],
            "CW": pooling_outcome[0] + zero[2],
            "DW": pooling_outcome[1] + zero[2],
            "CF": pc_pd + zero[2],
        },
    )
    e4 = Equilibrium(
        name="E4",
        label="bluff: semi-separating, the Soft defender bluffs",
        exists=exists[3],
        behaviour={
            "x_hard": one[3],
            "x_soft": x_star + zero[3],
            "h": one[3],
            "s": s_soft + zero[3],
            "z_hard": one[3],
            "z_soft": zero[3],
            "mu": mu_star + zero[3],
        },
        outcome={
            "SQ": bluff_outcome[0] + zero[3],
            "CW": bluff_outcome[1] + zero[3],
            "DW": bluff_outcome[2] + zero[3],
            "CF": cf_bluff + zero[3],
        },
    )

    # The default (A.6): E1 where deter, else E2 where above_soft, else E3 where
    # hard_likely, else E4. The class indicators are all 0 on invalid instances.
    separating = above_soft & ~deter
    pooling = hard_likely & ~above_soft
    bluff = valid & ~(above_soft | hard_likely)
    is_pool, is_bluff = pooling.astype(np.float64), bluff.astype(np.float64)
    is_sep = separating.astype(np.float64)
    behaviour = {
        "x_hard": ~deter + nan_invalid,
        "x_soft": is_pool + is_bluff * x_star + nan_invalid,
        "h": one[0],
        "s": is_bluff * s_soft + nan_invalid,
        "z_hard": one[0],
        "z_soft": zero[0],
        "mu": (deter | separating) + is_pool * pc + is_bluff * mu_star + nan_invalid,
    }
    outcome = {
        "SQ": deter + is_sep * separating_outcome[0] + is_bluff * bluff_outcome[0] + nan_invalid,
        "CW": is_sep * separating_outcome[1]
        + is_pool * pooling_outcome[0]
        + is_bluff * bluff_outcome[1]
        + nan_invalid,
        "DW": is_pool * pooling_outcome[1] + is_bluff * bluff_outcome[2] + nan_invalid,
        "CF": (is_sep + is_pool) * pc_pd + is_bluff * cf_bluff + nan_invalid,
    }
    code = separating.view(np.int8) + 2 * pooling.view(np.int8) + 3 * bluff.view(np.int8)
    code -= (~valid).view(np.int8)
    thresholds = {
        "sigma_hard": sigma_hard,
        "sigma_soft": sigma_soft,
        "mu_star": mu_star,
        "s_hard": s_hard,
        "s_soft": s_soft,
        "x_star": x_star,
    }
    equilibria = (e1, e2, e3, e4)
    for mapping in (
        behaviour,
        outcome,
        thresholds,
        *(e.behaviour for e in equilibria),
        *(e.outcome for e in equilibria),
    ):
        _freeze(*mapping.values())
    _freeze(code, *exists)
    return Solution(
        family=NAME,
        parameters=p,
        valid=valid,
        classes=CLASSES,
        class_code=code,
        behaviour=behaviour,
        outcome=outcome,
        thresholds=thresholds,
        equilibria=equilibria,
    )


def _freeze(*arrays: npt.NDArray[Any]) -> None:
    for array in arrays:
        array.flags.writeable = False


def _nan_unless(condition: BoolArray) -> FloatArray:
    """0.0 where ``condition`` holds and NaN elsewhere (call under ``np.errstate``)."""
    return np.divide(0.0, condition.astype(np.float64))


def to_gambit(
    *,
    c_cw: float | Fraction,
    c_sq: float | Fraction,
    c_dw: float | Fraction,
    c_cf_hard: float | Fraction,
    c_cf_soft: float | Fraction,
    d_sq: float | Fraction,
    d_dw: float | Fraction,
    d_cw: float | Fraction,
    d_cf_hard: float | Fraction,
    d_cf_soft: float | Fraction,
    p_ch: float | Fraction,
    p_def: float | Fraction,
) -> pygambit.Game:
    """The game of section A.1 in extensive form, with one chance move for both types.

    Nature's four branches are labelled ``Hard/Hard``, ``Hard/Soft``, ``Soft/Hard`` and
    ``Soft/Soft`` (challenger's type, then defender's) and carry exact probabilities. The
    challenger has four information sets (``Hard entry``, ``Soft entry``, ``Hard last``,
    ``Soft last``), each holding the two nodes that differ only in the defender's type; the
    defender has two (``Hard``, ``Soft``), each holding the two nodes that differ only in the
    challenger's type. The 16 outcomes are labelled ``CLASS:challenger/defender`` (e.g.
    ``CF:Hard/Soft``) so that equilibrium outcome distributions can be summed by class.
    Payoffs are passed as exact fractions.

    Examples
    --------
    >>> game = to_gambit(c_cw=2, c_sq=0, c_dw=-2, c_cf_hard=-1, c_cf_soft=-4, d_sq=2,
    ...                  d_dw=1, d_cw=-1, d_cf_hard=0, d_cf_soft=-3, p_ch=0.25, p_def=0.2)
    >>> len(game.outcomes), [len(player.infosets) for player in game.players]
    (16, [4, 2])
    """
    from umbrella.games.gambit import exact, require_pygambit

    gbt = require_pygambit()
    game = gbt.Game.new_tree(
        players=["Challenger", "Defender"], title="Extended deterrence (two-sided)"
    )
    types = ("Hard", "Soft")
    branches = [f"{t}/{d}" for t in types for d in types]
    game.append_move(game.root, game.players.chance, branches)
    pc, pd = exact(p_ch), exact(p_def)
    prior = {"Hard": (pc, pd), "Soft": (1 - pc, 1 - pd)}
    game.set_chance_probs(
        game.root.infoset,
        [gbt.Rational(prior[t][0] * prior[d][1]) for t in types for d in types],
    )
    node = {branch: game.root.children[branch] for branch in branches}
    c_conflict = {"Hard": c_cf_hard, "Soft": c_cf_soft}
    d_conflict = {"Hard": d_cf_hard, "Soft": d_cf_soft}

    for t in types:  # the challenger's entry: one information set per own type
        game.append_move(
            [node[f"{t}/{d}"] for d in types], "Challenger", ["Status quo", "Challenge"]
        )
        node[f"{t}/{types[0]}"].infoset.label = f"{t} entry"
    for d in types:  # the defender's reply: one information set per own type
        game.append_move(
            [node[f"{t}/{d}"].children["Challenge"] for t in types],
            "Defender",
            ["Abandon", "Support"],
        )
        node[f"{types[0]}/{d}"].children["Challenge"].infoset.label = d
    for t in types:  # the challenger's last move: one information set per own type
        supported = [node[f"{t}/{d}"].children["Challenge"].children["Support"] for d in types]
        game.append_move(supported, "Challenger", ["Back down", "Press"])
        supported[0].infoset.label = f"{t} last"

    for branch in branches:
        t, d = branch.split("/")
        challenge = node[branch].children["Challenge"]
        leaves = (
            ("SQ", node[branch].children["Status quo"], c_sq, d_sq),
            ("CW", challenge.children["Abandon"], c_cw, d_cw),
            ("DW", challenge.children["Support"].children["Back down"], c_dw, d_dw),
            ("CF", challenge.children["Support"].children["Press"], c_conflict[t], d_conflict[d]),
        )
        for label, leaf, c, d_payoff in leaves:
            outcome = game.add_outcome(f"{label}:{branch}", [exact(c), exact(d_payoff)])
            game.set_outcome(leaf, outcome)
    return game


def _fractions(**values: int | Fraction) -> dict[str, Fraction]:
    return {k: Fraction(v) for k, v in values.items()}


P1 = _fractions(
    c_cw=2,
    c_sq=0,
    c_dw=-2,
    c_cf_hard=-1,
    c_cf_soft=-4,
    d_sq=2,
    d_dw=1,
    d_cw=-1,
    d_cf_hard=0,
    d_cf_soft=-3,
)
P2 = _fractions(
    c_cw=3,
    c_sq=1,
    c_dw=0,
    c_cf_hard=Fraction(1, 2),
    c_cf_soft=-1,
    d_sq=3,
    d_dw=2,
    d_cw=0,
    d_cf_hard=1,
    d_cf_soft=-2,
)
_DETERRENCE = _fractions(SQ=1, CW=0, DW=0, CF=0)


def _example(
    name: str,
    payoffs: Mapping[str, Fraction],
    probabilities: str,
    default_class: str,
    outcome: str,
    behaviour: str,
    other: str,
) -> Example:
    """One row of the table in A.8: ``"p_ch, p_def"``, outcome ``"SQ, CW, DW, CF"`` and
    default behaviour ``"x_hard, x_soft, s, mu"`` as fractions in text."""
    p_ch, p_def = (Fraction(v) for v in probabilities.split(","))
    x_hard, x_soft, s, mu = (Fraction(v) for v in behaviour.split(","))
    return Example(
        name=name,
        parameters={**payoffs, "p_ch": p_ch, "p_def": p_def},
        default_class=default_class,
        outcome={k: Fraction(v) for k, v in zip(OUTCOMES, outcome.split(","), strict=True)},
        behaviour=_fractions(x_hard=x_hard, x_soft=x_soft, h=1, s=s, z_hard=1, z_soft=0, mu=mu),
        other_outcomes=() if default_class == "deterrence" else (_DETERRENCE,),
        source=f"docs/games/extended.md, worked example {name} (A.8); other PBE: {other}",
    )


EXAMPLES = (
    _example("A1", P1, "1/4, 3/4", "deterrence", "1, 0, 0, 0", "0, 0, 0, 1", "none (unique)"),
    _example(
        "A2",
        P1,
        "1/4, 3/5",
        "separating",
        "3/4, 1/10, 0, 3/20",
        "1, 0, 0, 1",
        "E1 with s in [1/6, 1]",
    ),
    _example(
        "A3",
        P1,
        "3/4, 1/5",
        "pooling-challenge",
        "0, 4/5, 1/20, 3/20",
        "1, 1, 0, 3/4",
        "E1 with s in [7/12, 1]",
    ),
    _example(
        "A4",
        P1,
        "1/4, 1/5",
        "bluff",
        "1/2, 1/4, 1/8, 1/8",
        "1, 1/3, 3/8, 1/2",
        "E1 with s in [7/12, 1]",
    ),
    _example(
        "A5",
        P1,
        "1/10, 9/20",
        "bluff",
        "4/5, 1/10, 1/20, 1/20",
        "1, 1/9, 1/11, 1/2",
        "E1 with s in [13/33, 1]",
    ),
    _example(
        "A6",
        P2,
        "1/2, 3/4",
        "separating",
        "1/2, 1/8, 0, 3/8",
        "1, 0, 0, 1",
        "E1 with s in [1/5, 1]",
    ),
)

FAMILY = Family(
    name=NAME,
    title="Extended deterrence with two-sided incomplete information",
    citation="Kilgour, D. M. & Zagare, F. C. (1994). Uncertainty and the role of the pawn in "
    "extended deterrence. Synthese 100(3): 379-412; Zagare, F. C. & Kilgour, D. M. "
    "(2000). Perfect Deterrence. Cambridge University Press, Part III.",
    tree=(
        "Nature draws the challenger's type (Hard with probability p_ch) and, independently, "
        "the defender's (Hard with probability p_def); each learns only its own.\n"
        "The challenger keeps the status quo (SQ) or challenges.\n"
        "After a challenge the defender, not knowing the challenger's type, abandons the "
        "protege (CW: the challenger wins) or supports it.\n"
        "After support the challenger, not knowing the defender's type, backs down (DW: the "
        "defender wins) or presses (CF: conflict)."
    ),
    parameters=PARAMETERS,
    orderings=ORDERINGS,
    classes=CLASSES,
    solve=solve,
    to_gambit=to_gambit,
    examples=EXAMPLES,
)
