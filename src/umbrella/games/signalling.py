"""Commitment signalling: tying hands (audience costs) versus sinking costs.

After Fearon (1997), "Signaling foreign policy interests: tying hands versus sinking costs",
and Fearon (1994), "Domestic political audiences and the escalation of international
disputes"; the discrete version with binary types and a fixed signal size, documented in
docs/games/signalling.md.

Nature draws the defender's (Def) type: Hard with probability ``p_def`` (it would fight) or
Soft (it would abandon the protege). Def, knowing its type, sends no signal (N) or a costly one
(X). The challenger (Ch) sees the signal, not the type, and keeps the status quo (SQ) or
challenges; a challenged Def abandons (CW: the challenger wins) or resists (CF: conflict).
The two variants differ only in what the signal costs:

- ``tying-hands`` (X = T): an audience cost ``a`` paid only if Def ties and later abandons.
  If ``a > a_bar`` a tied Soft Def would rather fight, so tying commits and nobody bluffs
  (at ``a = a_bar`` it is indifferent, and the bluffs remain beside commitment).
- ``sinking-costs`` (X = K): a cost ``m`` paid at once, whatever follows. It can separate
  the types only if the Hard type loses more from a challenge (``g_hard > g_soft``).

Both solvers return every perfect Bayesian equilibrium (PBE) of B.5/B.6 with its existence
mask, and the default selection of B.7 (D1, then the sender-optimal PBE). Family B has no
outcome in which the challenger backs down, so ``DW`` is always 0.

On a threshold (``p_def = rho``, ``a = a_bar``, ``m = g_soft``, ``m = g_hard``,
``g_soft = g_hard``) the existence masks are closed: every listed PBE whose limit is still a
PBE there is returned, with its limiting behaviour and outcome, and so is ``t3_mixed_pool``,
which exists only on ``a = a_bar``. Two compared quantities count as tied when they agree
within :data:`TIE_RTOL` (relative), so that a tie that float rounding moves by an ulp
(``0.3 - 0.1`` against ``0.2``) is still one; the masks and the default's tie-breaks use the
same comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from umbrella.games.family import (
    Example,
    Family,
    Parameter,
    broadcast,
    chain,
    open_unit,
    positive,
    validity,
)
from umbrella.games.solution import BoolArray, Equilibrium, FloatArray, Solution

if TYPE_CHECKING:
    import pygambit

__all__ = [
    "SINKING_COSTS",
    "SINKING_COSTS_EXAMPLES",
    "TIE_RTOL",
    "TYING_HANDS",
    "TYING_HANDS_EXAMPLES",
    "sinking_costs_to_gambit",
    "solve_sinking_costs",
    "solve_tying_hands",
    "tying_hands_to_gambit",
]

TIE = "tying-hands"
SINK = "sinking-costs"
COMMON_PARAMETERS = (
    Parameter("c_cw", "challenger's payoff when the defender abandons (CW)"),
    Parameter("c_sq", "challenger's payoff from the status quo (SQ)"),
    Parameter("c_cf", "challenger's payoff from conflict (CF)"),
    Parameter("d_sq_hard", "Hard defender's payoff from the status quo"),
    Parameter("d_cf_hard", "Hard defender's payoff from conflict"),
    Parameter("d_cw_hard", "Hard defender's payoff from abandoning"),
    Parameter("d_sq_soft", "Soft defender's payoff from the status quo"),
    Parameter("d_cw_soft", "Soft defender's payoff from abandoning"),
    Parameter("d_cf_soft", "Soft defender's payoff from conflict"),
    Parameter("p_def", "probability that the defender is Hard (the prior)"),
)
TIE_PARAMETERS = (
    *COMMON_PARAMETERS,
    Parameter("a", "audience cost a tied defender pays if it abandons"),
)
SINK_PARAMETERS = (
    *COMMON_PARAMETERS,
    Parameter("m", "cost a defender sinks at once when it signals"),
)
COMMON_ORDERINGS = (
    chain("c_cf", "c_sq", "c_cw"),
    chain("d_cw_hard", "d_cf_hard", "d_sq_hard"),
    chain("d_cf_soft", "d_cw_soft", "d_sq_soft"),
    open_unit("p_def"),
)
TIE_ORDERINGS = (*COMMON_ORDERINGS, positive("a"))
SINK_ORDERINGS = (*COMMON_ORDERINGS, positive("m"))
TIE_CLASSES = ("deterrence", "commitment", "bluff")
SINK_CLASSES = ("deterrence", "separating", "bluff", "challenge")
TIE_NAMES = tuple(p.name for p in TIE_PARAMETERS)
SINK_NAMES = tuple(p.name for p in SINK_PARAMETERS)

_NAN = np.nan

TIE_RTOL = 1e-9
"""Relative tolerance of a tie: ``x`` and ``y`` are equal for the solvers when
``|x - y| <= TIE_RTOL * max(|x|, |y|)`` (``math.isclose`` with its default ``rel_tol``).

Thresholds are differences and ratios of payoffs, so decimal inputs put them an ulp or so off
the value their exact fractions give (the value the Gambit export uses); this tolerance
absorbs that and is far below any difference in payoffs that matters to the model."""


def _at_least(x: FloatArray, y: FloatArray) -> BoolArray:
    """``x >= y``, counting a tie within :data:`TIE_RTOL` as equality (False where NaN).

    For positive ``x`` and ``y``, as every quantity these solvers compare is on a valid
    instance, ``x >= (1 - TIE_RTOL) y`` is ``x >= y - TIE_RTOL max(x, y)``.
    """
    return np.asarray(x >= y * (1.0 - TIE_RTOL))


class _Own(NamedTuple):
    """A formula array that one equilibrium alone uses: masked in place instead of copied."""

    array: FloatArray


_Value = float | FloatArray | _Own


class _Fill:
    """Arrays equal to given values where ``exists`` holds and NaN elsewhere.

    A constant is computed once per mask and shared, read-only, between every key that
    holds it; an :class:`_Own` array is masked in place. An equilibrium's pure strategies
    and point outcomes thus cost one array each, its own formulas none.
    """

    def __init__(self, exists: BoolArray) -> None:
        self.exists = exists
        self._absent = ~exists
        self._constants: dict[float, FloatArray] = {}

    def __call__(self, value: _Value) -> FloatArray:
        if isinstance(value, _Own):
            np.copyto(value.array, _NAN, where=self._absent)
            return value.array
        if isinstance(value, np.ndarray):
            return np.where(self.exists, value, _NAN)
        if value not in self._constants:
            array = np.where(self.exists, value, _NAN)
            array.flags.writeable = False
            self._constants[value] = array
        return self._constants[value]

    def equilibrium(
        self,
        name: str,
        label: str,
        behaviour: Mapping[str, _Value],
        outcome: tuple[_Value, _Value, _Value],
    ) -> Equilibrium:
        sq, cw, cf = outcome
        return Equilibrium(
            name=name,
            label=label,
            exists=self.exists,
            behaviour={k: self(v) for k, v in behaviour.items()},
            outcome={"SQ": self(sq), "CW": self(cw), "DW": self(0.0), "CF": self(cf)},
        )


def _parameters(
    family: str, names: tuple[str, ...], given: Mapping[str, Any]
) -> tuple[dict[str, FloatArray], tuple[int, ...]]:
    """:func:`broadcast`'s arrays, at least 1-d for in-place arithmetic, and the shape that
    :func:`broadcast` gives them, which the results take."""
    p = broadcast(family, names, given)
    shape = next(iter(p.values())).shape
    return {n: np.atleast_1d(v) for n, v in p.items()}, shape


def _thresholds(p: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """rho, g_hard, g_soft, a_bar and q of B.3 (raw: not yet masked by validity)."""
    c_cw, p_def = p["c_cw"], p["p_def"]
    rho = c_cw - p["c_sq"]
    rho /= c_cw - p["c_cf"]
    q = 1.0 / rho
    q -= 1.0
    q *= p_def
    q /= 1.0 - p_def
    return {
        "rho": rho,
        "g_hard": p["d_sq_hard"] - p["d_cf_hard"],
        "g_soft": p["d_sq_soft"] - p["d_cw_soft"],
        "a_bar": p["d_cw_soft"] - p["d_cf_soft"],
        "q": q,
    }


def _default(
    code: npt.NDArray[np.int8],
    constants: Mapping[str, tuple[float, ...]],
    formulas: Mapping[str, tuple[tuple[BoolArray, FloatArray], ...]],
) -> dict[str, FloatArray]:
    """The default equilibrium's arrays: a constant per class looked up by class code (-1,
    invalid, picks NaN), then the classes whose value is a formula, filled in place."""
    index = code.astype(np.intp)
    result = {}
    for key, per_class in constants.items():
        array = np.take(np.array([*per_class, _NAN]), index)
        for where, formula in formulas.get(key, ()):
            np.copyto(array, formula, where=where)
        result[key] = array
    return result


def _solution(
    family: str,
    shape: tuple[int, ...],
    p: dict[str, FloatArray],
    valid: BoolArray,
    classes: tuple[str, ...],
    code: npt.NDArray[np.int8],
    values: dict[str, FloatArray],
    thresholds: dict[str, FloatArray],
    equilibria: tuple[Equilibrium, ...],
) -> Solution:
    """Assemble the solution: thresholds NaN where invalid, every array in ``shape``."""
    invalid = ~valid
    for array in thresholds.values():
        np.copyto(array, _NAN, where=invalid)

    def shaped(arrays: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        return {k: v.reshape(shape) for k, v in arrays.items()}

    outcome = {k: values.pop(k) for k in ("SQ", "CW", "DW", "CF")}
    return Solution(
        family=family,
        parameters=shaped(p),
        valid=valid.reshape(shape),
        classes=classes,
        class_code=code.reshape(shape),
        behaviour=shaped(values),
        outcome=shaped(outcome),
        thresholds=shaped(thresholds),
        equilibria=tuple(
            replace(
                e,
                exists=e.exists.reshape(shape),
                behaviour=shaped(e.behaviour),
                outcome=shaped(e.outcome),
            )
            for e in equilibria
        ),
    )


def solve_tying_hands(
    *,
    c_cw: npt.ArrayLike,
    c_sq: npt.ArrayLike,
    c_cf: npt.ArrayLike,
    d_sq_hard: npt.ArrayLike,
    d_cf_hard: npt.ArrayLike,
    d_cw_hard: npt.ArrayLike,
    d_sq_soft: npt.ArrayLike,
    d_cw_soft: npt.ArrayLike,
    d_cf_soft: npt.ArrayLike,
    p_def: npt.ArrayLike,
    a: npt.ArrayLike,
) -> Solution:
    """Every PBE of the tying-hands game (audience costs), over broadcast parameter arrays.

    Parameters
    ----------
    c_cw, c_sq, c_cf
        Challenger payoffs, with ``c_cf < c_sq < c_cw``.
    d_sq_hard, d_cf_hard, d_cw_hard
        Hard defender payoffs, with ``d_cw_hard < d_cf_hard < d_sq_hard``.
    d_sq_soft, d_cw_soft, d_cf_soft
        Soft defender payoffs, with ``d_cf_soft < d_cw_soft < d_sq_soft``.
    p_def
        Probability that the defender is Hard, in (0, 1).
    a
        Audience cost, > 0: subtracted from the defender's payoff when it ties its hands
        and then abandons.

    Returns
    -------
    Solution
        Classes ``deterrence`` (``p_def >= rho``: no signal, no challenge), ``commitment``
        (``p_def < rho``, ``a >= a_bar``: both types tie, nobody is challenged) and ``bluff``
        (``p_def < rho``, ``a < a_bar``: the Hard type ties, the Soft type ties with
        probability ``q``). Behaviour: ``tau_hard``, ``tau_soft`` (P(tie | type)),
        ``y_none``, ``y_signal`` (P(challenge | no signal / tie)) and ``resist_soft_signal``
        (P(a tied Soft defender resists)); the Hard type always resists and an untied Soft
        type always abandons. Thresholds ``rho``, ``g_hard``, ``g_soft``, ``a_bar``, ``q``.
        Equilibria: ``pool_none`` and ``pool_tie`` (both with outcome SQ, the PBE of cases
        (i)/(ii) of B.5), ``t1_challenge`` and ``t2_bluff`` (case (iii)), and
        ``t3_mixed_pool``, which exists only on the tie ``a = a_bar`` (with
        ``p_def <= rho``). Existence is closed on every threshold, ties within
        :data:`TIE_RTOL`. Where an equilibrium leaves a challenge probability off the path
        free, it holds the value of B.5's tables (one choice that beliefs support). Arrays
        that hold a constant may be shared between keys and are read-only.

    Examples
    --------
    Worked examples B1, B2 and B3 (payoff set Q1, ``rho = 1/2``, ``a_bar = 2``):

    >>> s = solve_tying_hands(c_cw=1, c_sq=0, c_cf=-1, d_sq_hard=3, d_cf_hard=1,
    ...                       d_cw_hard=0, d_sq_soft=1, d_cw_soft=0, d_cf_soft=-2,
    ...                       p_def=[0.6, 0.2, 0.2], a=[1, 1, 3])
    >>> s.equilibrium_class.tolist()
    ['deterrence', 'bluff', 'commitment']
    >>> [round(float(s.outcome[k][1]), 12) for k in ("SQ", "CW", "CF")]
    [0.2, 0.7, 0.1]
    >>> float(s.behaviour["tau_soft"][1]), float(s.behaviour["y_signal"][1])
    (0.25, 0.5)
    >>> [eq.name for eq in s.equilibria if eq.exists[1]]
    ['t1_challenge', 't2_bluff']

    On the tie ``a = a_bar`` a tied Soft defender is indifferent between resisting and
    backing down, and the PBE of both sides exist:

    >>> s = solve_tying_hands(c_cw=1, c_sq=0, c_cf=-1, d_sq_hard=3, d_cf_hard=1,
    ...                       d_cw_hard=0, d_sq_soft=1, d_cw_soft=0, d_cf_soft=-2,
    ...                       p_def=0.2, a=2)
    >>> [eq.name for eq in s.equilibria if eq.exists.item()]
    ['pool_tie', 't1_challenge', 't2_bluff', 't3_mixed_pool']

    References
    ----------
    .. [1] Fearon, J. D. (1997). Signaling foreign policy interests: tying hands versus
       sinking costs. *Journal of Conflict Resolution* 41(1): 68-90.
    .. [2] Fearon, J. D. (1994). Domestic political audiences and the escalation of
       international disputes. *American Political Science Review* 88(3): 577-592.
    .. [3] docs/games/signalling.md, sections B.3-B.5 and B.7.
    """
    p, shape = _parameters(TIE, TIE_NAMES, locals())
    valid = validity(TIE_ORDERINGS, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        thresholds = _thresholds(p)
        rho, g_soft, q = thresholds["rho"], thresholds["g_soft"], thresholds["q"]
        p_def, cost, a_bar = p["p_def"], p["a"], thresholds["a_bar"]
        deter = _at_least(p_def, rho)
        committing = _at_least(cost, a_bar)
        # T2: Ch challenges a tied Def with y_signal = g_soft / (g_soft + a); P(Tie) =
        # p_def / rho. Capped at 1, as tau_soft = q is, for the limit on p_def = rho.
        tau_bluff = np.minimum(q, 1.0)
        y_bluff = g_soft + cost
        sq_bluff = cost / y_bluff
        y_bluff = g_soft / y_bluff
        sq_bluff *= np.minimum(p_def / rho, 1.0)
        cf_bluff = p_def * y_bluff
        cw_bluff = 1.0 - sq_bluff
        cw_bluff -= cf_bluff
        resist = np.where(valid, committing, _NAN)

        code = np.full(valid.shape, 2, dtype=np.int8)
        np.copyto(code, 1, where=committing)
        np.copyto(code, 0, where=deter)
        np.copyto(code, -1, where=~valid)
        bluff = code == 2
        values = _default(
            code,
            {
                "tau_hard": (0.0, 1.0, 1.0),
                "tau_soft": (0.0, 1.0, 1.0),
                "y_none": (0.0, 1.0, 1.0),
                "y_signal": (0.0, 0.0, 1.0),
                "SQ": (1.0, 1.0, 1.0),
                "CW": (0.0, 0.0, 0.0),
                "DW": (0.0, 0.0, 0.0),
                "CF": (0.0, 0.0, 0.0),
            },
            {
                "tau_soft": ((bluff, tau_bluff),),
                "y_signal": ((bluff, y_bluff),),
                "SQ": ((bluff, sq_bluff),),
                "CW": ((bluff, cw_bluff),),
                "CF": ((bluff, cf_bluff),),
            },
        )
        values["resist_soft_signal"] = resist

        # Existence (B.5), closed: SQ-only pooling PBE in cases (i)/(ii), T1 and T2 in case
        # (iii). At a = a_bar a tied Soft defender may resist (pool_tie), back down (T1, T2)
        # or mix (T3): all four exist there when p_def <= rho.
        deter &= valid
        pool_none = _Fill(deter)
        pool_tie = _Fill(deter | (valid & committing))
        case_iii = valid & _at_least(rho, p_def) & _at_least(a_bar, cost)
        case_iii_fill = _Fill(case_iii)
        mixed_pool = _Fill(case_iii & committing)

        # T3: a tied Soft defender resists with the probability that leaves P(resist | Tie)
        # at rho (capped at 0 within the tolerance above rho), and the challenger mixes as in
        # T2. It exists only on a tie, so its arrays are built only where one occurs.
        resist_mixed: _Value = 0.0
        y_mixed: _Value = 0.0
        outcome_mixed: tuple[_Value, _Value, _Value] = (0.0, 0.0, 0.0)
        if mixed_pool.exists.any():
            share = rho - p_def
            share /= 1.0 - p_def
            resist_mixed = _Own(np.maximum(share, 0.0, out=share))
            y_mixed = _Own(y_bluff.copy())
            outcome_mixed = (
                _Own(1.0 - y_bluff),
                _Own((1.0 - rho) * y_bluff),
                _Own(rho * y_bluff),
            )
        equilibria = (
            pool_none.equilibrium(
                "pool_none",
                "deterrence: neither type ties and nobody is challenged (pooling on N)",
                {
                    "tau_hard": 0.0,
                    "tau_soft": 0.0,
                    "y_none": 0.0,
                    "y_signal": 0.0,
                    "resist_soft_signal": resist,
                },
                (1.0, 0.0, 0.0),
            ),
            pool_tie.equilibrium(
                "pool_tie",
                "commitment: both types tie and are not challenged; an untied defender "
                "would be (pooling on T)",
                {
                    "tau_hard": 1.0,
                    "tau_soft": 1.0,
                    "y_none": 1.0,
                    "y_signal": 0.0,
                    "resist_soft_signal": resist,
                },
                (1.0, 0.0, 0.0),
            ),
            case_iii_fill.equilibrium(
                "t1_challenge",
                "T1, challenge: neither type ties and the challenger always challenges",
                {
                    "tau_hard": 0.0,
                    "tau_soft": 0.0,
                    "y_none": 1.0,
                    "y_signal": 1.0,
                    "resist_soft_signal": 0.0,
                },
                (0.0, 1.0 - p_def, p_def),
            ),
            case_iii_fill.equilibrium(
                "t2_bluff",
                "T2, bluff: Hard ties; Soft ties with probability q and backs down if challenged",
                {
                    "tau_hard": 1.0,
                    "tau_soft": tau_bluff,
                    "y_none": 1.0,
                    "y_signal": _Own(y_bluff),
                    "resist_soft_signal": 0.0,
                },
                (_Own(sq_bluff), _Own(cw_bluff), _Own(cf_bluff)),
            ),
            mixed_pool.equilibrium(
                "t3_mixed_pool",
                "T3, mixed pooling (only at a = a_bar): both types tie; a tied Soft defender "
                "resists just often enough that the challenger mixes as in T2",
                {
                    "tau_hard": 1.0,
                    "tau_soft": 1.0,
                    "y_none": 1.0,
                    "y_signal": y_mixed,
                    "resist_soft_signal": resist_mixed,
                },
                outcome_mixed,
            ),
        )
    return _solution(TIE, shape, p, valid, TIE_CLASSES, code, values, thresholds, equilibria)


def solve_sinking_costs(
    *,
    c_cw: npt.ArrayLike,
    c_sq: npt.ArrayLike,
    c_cf: npt.ArrayLike,
    d_sq_hard: npt.ArrayLike,
    d_cf_hard: npt.ArrayLike,
    d_cw_hard: npt.ArrayLike,
    d_sq_soft: npt.ArrayLike,
    d_cw_soft: npt.ArrayLike,
    d_cf_soft: npt.ArrayLike,
    p_def: npt.ArrayLike,
    m: npt.ArrayLike,
) -> Solution:
    """Every PBE of the sinking-costs game, over broadcast parameter arrays.

    Parameters
    ----------
    c_cw, c_sq, c_cf
        Challenger payoffs, with ``c_cf < c_sq < c_cw``.
    d_sq_hard, d_cf_hard, d_cw_hard
        Hard defender payoffs, with ``d_cw_hard < d_cf_hard < d_sq_hard``.
    d_sq_soft, d_cw_soft, d_cf_soft
        Soft defender payoffs, with ``d_cf_soft < d_cw_soft < d_sq_soft``.
    p_def
        Probability that the defender is Hard, in (0, 1).
    m
        Sunk cost, > 0: subtracted from every payoff of a defender that sinks costs.

    Returns
    -------
    Solution
        Classes ``deterrence`` (K0, ``p_def >= rho``), ``separating`` (K3, ``p_def < rho``,
        ``g_soft <= m < g_hard``: only the Hard type sinks), ``bluff`` (K5, ``p_def < rho``,
        ``m < g_soft < g_hard``: the Soft type sinks with probability ``q``) and
        ``challenge`` (K4: nobody signals and the challenger challenges). Behaviour:
        ``tau_hard``, ``tau_soft`` (P(sink | type)), ``y_none``, ``y_signal``
        (P(challenge | no signal / sunk cost)); the Hard type always resists and the Soft
        type always abandons. Thresholds ``rho``, ``g_hard``, ``g_soft``, ``a_bar``, ``q``.
        Equilibria ``k0_deterrence`` to ``k5_bluff`` of B.6, with off-path challenge
        probabilities as in B.6's table (one choice that beliefs support); existence is
        closed on every threshold, ties within :data:`TIE_RTOL`, with each PBE's limiting
        behaviour and outcome there. Arrays that hold a constant may be shared between keys
        and are read-only.

    Examples
    --------
    Worked examples B4 to B7 (B4-B6: payoff set Q1, ``g_hard = 2 > g_soft = 1``; B7: payoff
    set Q2, ``g_hard = 1 < g_soft = 2``, where sunk costs cannot separate):

    >>> s = solve_sinking_costs(c_cw=1, c_sq=0, c_cf=-1, d_sq_hard=[3, 3, 3, 2],
    ...                         d_cf_hard=1, d_cw_hard=0, d_sq_soft=[1, 1, 1, 2],
    ...                         d_cw_soft=0, d_cf_soft=[-2, -2, -2, -1],
    ...                         p_def=[0.2, 0.2, 0.6, 0.2], m=[1.5, 0.5, 0.5, 1.5])
    >>> s.equilibrium_class.tolist()
    ['separating', 'bluff', 'deterrence', 'challenge']
    >>> s.outcome["CF"].round(12).tolist()
    [0.0, 0.1, 0.0, 0.2]
    >>> s.n_equilibria().tolist()
    [2, 2, 3, 1]

    On the tie ``m = g_soft`` the limit of the bluff K5 (no challenge after a sunk cost)
    exists beside K3 and K4:

    >>> s = solve_sinking_costs(c_cw=1, c_sq=0, c_cf=-1, d_sq_hard=3, d_cf_hard=1,
    ...                         d_cw_hard=0, d_sq_soft=1, d_cw_soft=0, d_cf_soft=-2,
    ...                         p_def=0.2, m=1)
    >>> [eq.name for eq in s.equilibria if eq.exists.item()]
    ['k3_separating', 'k4_challenge', 'k5_bluff']

    References
    ----------
    .. [1] Fearon, J. D. (1997). Signaling foreign policy interests: tying hands versus
       sinking costs. *Journal of Conflict Resolution* 41(1): 68-90.
    .. [2] Mailath, G., Okuno-Fujiwara, M. & Postlewaite, A. (1993). Belief-based
       refinements in signalling games. *Journal of Economic Theory* 60(2): 241-276.
    .. [3] docs/games/signalling.md, sections B.3, B.4, B.6 and B.7.
    """
    p, shape = _parameters(SINK, SINK_NAMES, locals())
    valid = validity(SINK_ORDERINGS, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        thresholds = _thresholds(p)
        rho, q = thresholds["rho"], thresholds["q"]
        g_hard, g_soft = thresholds["g_hard"], thresholds["g_soft"]
        p_def, cost = p["p_def"], p["m"]
        # Closed comparisons (ties included); their negations are the strict ones.
        deter = _at_least(p_def, rho)
        low = _at_least(rho, p_def)
        m_le_soft, m_ge_soft = _at_least(g_soft, cost), _at_least(cost, g_soft)
        m_le_hard, m_ge_hard = _at_least(g_hard, cost), _at_least(cost, g_hard)
        single_crossing = _at_least(g_hard, g_soft)
        not_hard = 1.0 - p_def
        # K5: Soft indifferent iff (1 - y_signal) g_soft = m; P(signal) = p_def / rho. Both
        # are capped at 1 for the limits on m = g_soft and p_def = rho (y_signal = 0, q = 1).
        tau_bluff = np.minimum(q, 1.0)
        unchallenged = np.minimum(cost / g_soft, 1.0)
        y_bluff = 1.0 - unchallenged
        sq_bluff = np.minimum(p_def / rho, 1.0)
        sq_bluff *= unchallenged
        cf_bluff = p_def * y_bluff
        cw_bluff = 1.0 - sq_bluff
        cw_bluff -= cf_bluff
        # K2: Hard indifferent iff y_none g_hard = m; mu_none = rho fixes tau_hard = 1 - 1/q.
        # Capped for the limits on m = g_hard (y_none = 1) and p_def = rho (tau_hard = 0).
        y_hybrid = np.minimum(cost / g_hard, 1.0)
        stay_hybrid = np.minimum(1.0 / q, 1.0)  # P(no signal | Hard) = 1 - tau_hard
        cf_hybrid = p_def * stay_hybrid
        cf_hybrid *= y_hybrid
        tau_hybrid = 1.0 - stay_hybrid
        cw_hybrid = not_hard * y_hybrid
        sq_hybrid = 1.0 - cw_hybrid
        sq_hybrid -= cf_hybrid

        # Default (B.7): an indifferent type does not signal, so K3 needs m < g_hard and K5
        # m < g_soft < g_hard, strictly (beyond a tie).
        code = np.full(valid.shape, 3, dtype=np.int8)
        np.copyto(code, 1, where=m_ge_soft & ~m_ge_hard)
        np.copyto(code, 2, where=~m_ge_soft & ~_at_least(g_soft, g_hard))
        np.copyto(code, 0, where=deter)
        np.copyto(code, -1, where=~valid)
        separates, bluff, challenge = code == 1, code == 2, code == 3
        values = _default(
            code,
            {
                "tau_hard": (0.0, 1.0, 1.0, 0.0),
                "tau_soft": (0.0, 0.0, 1.0, 0.0),
                "y_none": (0.0, 1.0, 1.0, 1.0),
                "y_signal": (0.0, 0.0, 1.0, 1.0),
                "SQ": (1.0, 1.0, 1.0, 0.0),
                "CW": (0.0, 1.0, 1.0, 1.0),
                "DW": (0.0, 0.0, 0.0, 0.0),
                "CF": (0.0, 0.0, 1.0, 1.0),
            },
            {
                "tau_soft": ((bluff, tau_bluff),),
                "y_signal": ((bluff, y_bluff),),
                "SQ": ((separates, p_def), (bluff, sq_bluff)),
                "CW": ((separates, not_hard), (bluff, cw_bluff), (challenge, not_hard)),
                "CF": ((bluff, cf_bluff), (challenge, p_def)),
            },
        )

        # Existence (B.6), closed: each PBE's limit on a threshold is still a PBE there.
        low &= valid
        deter &= valid
        k0 = _Fill(deter)
        k1 = _Fill(deter & m_le_hard & m_le_soft)
        k2 = _Fill(deter & m_le_hard & single_crossing)
        k3 = _Fill(valid & m_ge_soft & m_le_hard)
        k4 = _Fill(low)
        k5 = _Fill(low & m_le_soft & single_crossing)
        equilibria = (
            k0.equilibrium(
                "k0_deterrence",
                "K0, deterrence: nobody sinks costs and nobody is challenged",
                {"tau_hard": 0.0, "tau_soft": 0.0, "y_none": 0.0, "y_signal": 0.0},
                (1.0, 0.0, 0.0),
            ),
            k1.equilibrium(
                "k1_pooling",
                "K1, wasteful pooling: both types sink costs; a defender that does not "
                "would be challenged",
                {"tau_hard": 1.0, "tau_soft": 1.0, "y_none": 1.0, "y_signal": 0.0},
                (1.0, 0.0, 0.0),
            ),
            k2.equilibrium(
                "k2_hybrid",
                "K2, hybrid: Hard sinks with probability tau_hard, Soft never; the "
                "challenger mixes after no signal",
                {
                    "tau_hard": _Own(tau_hybrid),
                    "tau_soft": 0.0,
                    "y_none": _Own(y_hybrid),
                    "y_signal": 0.0,
                },
                (_Own(sq_hybrid), _Own(cw_hybrid), _Own(cf_hybrid)),
            ),
            k3.equilibrium(
                "k3_separating",
                "K3, separating: only Hard sinks costs and only Soft is challenged",
                {"tau_hard": 1.0, "tau_soft": 0.0, "y_none": 1.0, "y_signal": 0.0},
                (p_def, not_hard, 0.0),
            ),
            k4.equilibrium(
                "k4_challenge",
                "K4, challenge: nobody sinks costs and the challenger always challenges",
                {"tau_hard": 0.0, "tau_soft": 0.0, "y_none": 1.0, "y_signal": 1.0},
                (0.0, not_hard, p_def),
            ),
            k5.equilibrium(
                "k5_bluff",
                "K5, bluff: Hard sinks; Soft sinks with probability q and backs down if challenged",
                {"tau_hard": 1.0, "tau_soft": tau_bluff, "y_none": 1.0, "y_signal": _Own(y_bluff)},
                (_Own(sq_bluff), _Own(cw_bluff), _Own(cf_bluff)),
            ),
        )
    return _solution(SINK, shape, p, valid, SINK_CLASSES, code, values, thresholds, equilibria)


def _tree(
    title: str,
    signal: str,
    values: Mapping[str, float | Fraction],
    signal_cost: Mapping[str, str],
) -> Any:
    """The Family B tree (B.1): chance, Def's signal, Ch's two information sets, Def's reply.

    ``signal_cost`` maps an outcome class to the parameter that a defender that sent
    ``signal`` loses there (B.2); other outcomes cost nothing extra.
    """
    from umbrella.games.gambit import exact, require_pygambit

    gbt = require_pygambit()
    v = {k: exact(x) for k, x in values.items()}
    game = gbt.Game.new_tree(players=["Challenger", "Defender"], title=title)
    game.append_move(game.root, game.players.chance, ["Hard", "Soft"])
    game.set_chance_probs(
        game.root.infoset, [gbt.Rational(v["p_def"]), gbt.Rational(1 - v["p_def"])]
    )
    kinds, signals = ("Hard", "Soft"), ("None", signal)
    for kind in kinds:
        game.append_move(game.root.children[kind], "Defender", list(signals))
        game.root.children[kind].infoset.label = f"{kind}: signal"
    for sent in signals:
        nodes = [game.root.children[kind].children[sent] for kind in kinds]
        game.append_move(nodes, "Challenger", ["Status quo", "Challenge"])
        nodes[0].infoset.label = f"after {sent}"
        cost = {
            o: v[signal_cost[o]] if sent == signal and o in signal_cost else Fraction(0)
            for o in ("SQ", "CW", "CF")
        }
        for kind, node in zip(kinds, nodes, strict=True):
            challenged = node.children["Challenge"]
            game.append_move(challenged, "Defender", ["Abandon", "Resist"])
            challenged.infoset.label = f"{kind}, {sent}: challenged"
            suffix = kind.lower()
            leaves = (
                ("SQ", node.children["Status quo"]),
                ("CW", challenged.children["Abandon"]),
                ("CF", challenged.children["Resist"]),
            )
            for label, leaf in leaves:
                key = label.lower()
                payoffs = [v[f"c_{key}"], v[f"d_{key}_{suffix}"] - cost[label]]
                game.set_outcome(leaf, game.add_outcome(f"{label}:{kind},{sent}", payoffs))
    return game


def tying_hands_to_gambit(
    *,
    c_cw: float | Fraction,
    c_sq: float | Fraction,
    c_cf: float | Fraction,
    d_sq_hard: float | Fraction,
    d_cf_hard: float | Fraction,
    d_cw_hard: float | Fraction,
    d_sq_soft: float | Fraction,
    d_cw_soft: float | Fraction,
    d_cf_soft: float | Fraction,
    p_def: float | Fraction,
    a: float | Fraction,
) -> pygambit.Game:
    """The tying-hands game in extensive form (B.1), with a chance move for Def's type.

    Players are ``Challenger`` and ``Defender``. Def signals ``None`` or ``Tie``; the
    challenger has one information set per signal, holding both type nodes; a challenged Def
    chooses ``Abandon`` or ``Resist``. The audience cost ``a`` is subtracted from Def's
    payoff only where it tied and abandoned. Outcomes are labelled ``CLASS:type,signal``
    (e.g. ``CW:Soft,Tie``); numbers are passed as exact fractions.

    Examples
    --------
    >>> game = tying_hands_to_gambit(c_cw=1, c_sq=0, c_cf=-1, d_sq_hard=3, d_cf_hard=1,
    ...                              d_cw_hard=0, d_sq_soft=1, d_cw_soft=0, d_cf_soft=-2,
    ...                              p_def=0.2, a=1)
    >>> len(game.outcomes), [len(p.infosets) for p in game.players]
    (12, [2, 6])

    References
    ----------
    .. [1] Fearon, J. D. (1994). Domestic political audiences and the escalation of
       international disputes. *American Political Science Review* 88(3): 577-592.
    .. [2] docs/games/signalling.md, sections B.1 and B.2.
    """
    return _tree("Tying hands (audience costs)", "Tie", locals(), {"CW": "a"})


def sinking_costs_to_gambit(
    *,
    c_cw: float | Fraction,
    c_sq: float | Fraction,
    c_cf: float | Fraction,
    d_sq_hard: float | Fraction,
    d_cf_hard: float | Fraction,
    d_cw_hard: float | Fraction,
    d_sq_soft: float | Fraction,
    d_cw_soft: float | Fraction,
    d_cf_soft: float | Fraction,
    p_def: float | Fraction,
    m: float | Fraction,
) -> pygambit.Game:
    """The sinking-costs game in extensive form (B.1), with a chance move for Def's type.

    As :func:`tying_hands_to_gambit`, with signal ``Sink``: the sunk cost ``m`` is
    subtracted from every payoff of a Def that sank costs. Outcomes are labelled
    ``CLASS:type,signal`` (e.g. ``SQ:Hard,Sink``).

    Examples
    --------
    >>> game = sinking_costs_to_gambit(c_cw=1, c_sq=0, c_cf=-1, d_sq_hard=3, d_cf_hard=1,
    ...                                d_cw_hard=0, d_sq_soft=1, d_cw_soft=0,
    ...                                d_cf_soft=-2, p_def=0.2, m=1.5)
    >>> sorted(o.label for o in game.outcomes)[:3]
    ['CF:Hard,None', 'CF:Hard,Sink', 'CF:Soft,None']

    References
    ----------
    .. [1] Fearon, J. D. (1997). Signaling foreign policy interests: tying hands versus
       sinking costs. *Journal of Conflict Resolution* 41(1): 68-90.
    .. [2] docs/games/signalling.md, sections B.1 and B.2.
    """
    return _tree("Sinking costs", "Sink", locals(), {"SQ": "m", "CW": "m", "CF": "m"})


def _example(
    name: str,
    payoffs: Mapping[str, Fraction],
    p_def: Fraction,
    cost: tuple[str, Fraction],
    default_class: str,
    outcome: tuple[Fraction, Fraction, Fraction],
    behaviour: Mapping[str, Fraction],
    others: tuple[tuple[Fraction, Fraction, Fraction], ...] = (),
    note: str = "",
) -> Example:
    def distribution(sq_cw_cf: tuple[Fraction, Fraction, Fraction]) -> dict[str, Fraction]:
        sq, cw, cf = sq_cw_cf
        return {"SQ": sq, "CW": cw, "DW": Fraction(0), "CF": cf}

    return Example(
        name=name,
        parameters={**payoffs, "p_def": p_def, cost[0]: cost[1]},
        default_class=default_class,
        outcome=distribution(outcome),
        behaviour=behaviour,
        other_outcomes=tuple(distribution(o) for o in others),
        source=f"docs/games/signalling.md, worked example {name} (B.8){note}",
    )


_F = Fraction
_CHALLENGER = {"c_cw": _F(1), "c_sq": _F(0), "c_cf": _F(-1)}
Q1 = {
    **_CHALLENGER,
    "d_sq_hard": _F(3),
    "d_cf_hard": _F(1),
    "d_cw_hard": _F(0),
    "d_sq_soft": _F(1),
    "d_cw_soft": _F(0),
    "d_cf_soft": _F(-2),
}
"""Payoff set Q1 (the resolved type values the protege more): rho = 1/2, g_hard = 2,
g_soft = 1, a_bar = 2."""
Q2 = {
    **_CHALLENGER,
    "d_sq_hard": _F(2),
    "d_cf_hard": _F(1),
    "d_cw_hard": _F(0),
    "d_sq_soft": _F(2),
    "d_cw_soft": _F(0),
    "d_cf_soft": _F(-1),
}
"""Payoff set Q2 (Family A's common status quo and abandonment payoffs): g_hard = 1 <
g_soft = 2, a_bar = 1."""


def _play(
    tau_hard: int | Fraction,
    tau_soft: int | Fraction,
    y_none: int | Fraction,
    y_signal: int | Fraction,
    **extra: int | Fraction,
) -> dict[str, Fraction]:
    return {
        k: _F(v)
        for k, v in {
            "tau_hard": tau_hard,
            "tau_soft": tau_soft,
            "y_none": y_none,
            "y_signal": y_signal,
            **extra,
        }.items()
    }


TYING_HANDS_EXAMPLES = (
    _example(
        "B1",
        Q1,
        _F(3, 5),
        ("a", _F(1)),
        "deterrence",
        (_F(1), _F(0), _F(0)),
        _play(0, 0, 0, 0, resist_soft_signal=0),
        note=": every PBE has outcome SQ (pooling on N or on T)",
    ),
    _example(
        "B2",
        Q1,
        _F(1, 5),
        ("a", _F(1)),
        "bluff",
        (_F(1, 5), _F(7, 10), _F(1, 10)),
        _play(1, _F(1, 4), 1, _F(1, 2), resist_soft_signal=0),
        others=((_F(0), _F(4, 5), _F(1, 5)),),
        note=": the other PBE is T1",
    ),
    _example(
        "B3",
        Q1,
        _F(1, 5),
        ("a", _F(3)),
        "commitment",
        (_F(1), _F(0), _F(0)),
        _play(1, 1, 1, 0, resist_soft_signal=1),
        note=": a committing audience cost, every PBE has outcome SQ",
    ),
)
SINKING_COSTS_EXAMPLES = (
    _example(
        "B4",
        Q1,
        _F(1, 5),
        ("m", _F(3, 2)),
        "separating",
        (_F(1, 5), _F(4, 5), _F(0)),
        _play(1, 0, 1, 0),
        others=((_F(0), _F(4, 5), _F(1, 5)),),
        note=": the other PBE is K4",
    ),
    _example(
        "B5",
        Q1,
        _F(1, 5),
        ("m", _F(1, 2)),
        "bluff",
        (_F(1, 5), _F(7, 10), _F(1, 10)),
        _play(1, _F(1, 4), 1, _F(1, 2)),
        others=((_F(0), _F(4, 5), _F(1, 5)),),
        note=": the other PBE is K4",
    ),
    _example(
        "B6",
        Q1,
        _F(3, 5),
        ("m", _F(1, 2)),
        "deterrence",
        (_F(1), _F(0), _F(0)),
        _play(0, 0, 0, 0),
        others=((_F(4, 5), _F(1, 10), _F(1, 10)),),
        note=": K1 has outcome SQ too; K2 has tau_hard = 1/3, y_none = 1/4",
    ),
    _example(
        "B7",
        Q2,
        _F(1, 5),
        ("m", _F(3, 2)),
        "challenge",
        (_F(0), _F(4, 5), _F(1, 5)),
        _play(0, 0, 1, 1),
        note=": K4 is the only PBE, sunk costs are useless",
    ),
)

_CITATION = (
    "Fearon, J. D. (1997). Signaling foreign policy interests: tying hands versus sinking "
    "costs. Journal of Conflict Resolution 41(1): 68-90. Fearon, J. D. (1994). Domestic "
    "political audiences and the escalation of international disputes. American Political "
    "Science Review 88(3): 577-592."
)
_TREE = (
    "Nature draws the defender's type: Hard (p_def), who would fight, or Soft, who would "
    "abandon; only the defender learns it.\nThe defender sends no signal (None) or {signal}."
    "\nThe challenger sees the signal but not the type and keeps the status quo (SQ) or "
    "challenges.\nA challenged defender abandons (CW: the challenger wins) or resists "
    "(CF: conflict).\n{cost}"
)

TYING_HANDS = Family(
    name=TIE,
    title="Tying hands: audience costs as a commitment signal (binary types and signal)",
    citation=_CITATION,
    tree=_TREE.format(
        signal="ties its hands (Tie: a public commitment)",
        cost="A defender that tied and then abandons pays the audience cost a.",
    ),
    parameters=TIE_PARAMETERS,
    orderings=TIE_ORDERINGS,
    classes=TIE_CLASSES,
    solve=solve_tying_hands,
    to_gambit=tying_hands_to_gambit,
    examples=TYING_HANDS_EXAMPLES,
)

SINKING_COSTS = Family(
    name=SINK,
    title="Sinking costs: a costly signal paid up front (binary types and signal)",
    citation=_CITATION,
    tree=_TREE.format(
        signal="sinks costs (Sink: a cost paid at once)",
        cost="A defender that sank costs loses m whatever follows.",
    ),
    parameters=SINK_PARAMETERS,
    orderings=SINK_ORDERINGS,
    classes=SINK_CLASSES,
    solve=solve_sinking_costs,
    to_gambit=sinking_costs_to_gambit,
    examples=SINKING_COSTS_EXAMPLES,
)
