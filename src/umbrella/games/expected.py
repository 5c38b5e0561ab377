"""Expected outcomes of the deterrence games when the payoffs themselves are uncertain.

Solved at point payoffs, the games' default equilibria are step functions of credibility:
deterrence holds for sure above a threshold and not at all below it, and nothing moves in
between. Nobody knows the players' payoffs to that precision. Here every payoff that the
default outcome depends on is uncertain within the family's orderings, and the outcome is
the expectation of the exact default equilibrium's outcome over that uncertainty, in closed
form (docs/model.md, "The game under payoff uncertainty").

**The uncertainty.** The payoffs enter the outcome only through the gaps between them, and
every ordering of the family says that a gap is positive. Each gap is exponentially
distributed with the point payoffs' gap as its mean, independently of the others: among
positive quantities with a known mean the exponential assumes least (it has maximum
entropy). For the extended game (:mod:`umbrella.games.extended`):

- ``g = c_cw - c_sq``, the challenger's gain from an uncontested win (mean ``gain``);
- ``m = c_sq - c_dw``, what backing down after support costs the challenger against the
  status quo (mean ``cost``); a Hard challenger's conflict payoff sits at the fixed share
  ``hard_share`` of that span below the status quo, ``c_sq - c_cf_hard = hard_share m``;
- ``a = d_dw - d_cw`` and ``b = d_cw - d_cf_soft``, what abandoning the protege costs the
  defender against winning, and what war costs a Soft defender against abandoning (mean
  ratio ``stake_ratio = E[a] / E[b]``).

The thresholds of the default equilibrium are then ratios of gaps,
``sigma_hard = g / (g + hard_share m)``, ``sigma_soft = g / (g + m)`` and
``mu* = a / (a + b)``, each distributed as ``P(ratio <= x) = x / (x + c (1 - x))`` with ``c``
the ratio of the means (a log-logistic law for the odds), and ``sigma_soft < sigma_hard``
always. The expectation over the classes of the default equilibrium (deterrence,
separating, pooling challenge, bluff) needs those laws and two partial moments, all in
closed form (the formulas are in the functions below and in docs/model.md).

The exact equilibria of :mod:`umbrella.games.extended` stay the reference: the tests check
these expectations against the exact solver averaged over sampled payoffs.

All functions are elementwise and broadcast their arguments, so a whole ensemble, laid out
with the sample axis last, is one call.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["extended", "ratio_law", "rudimentary"]

FloatArray = npt.NDArray[np.float64]

# Below this |y| the partial moment uses its series (the closed form loses digits there).
_SERIES_BELOW = 1e-2


def ratio_law(x: npt.ArrayLike, c: npt.ArrayLike) -> FloatArray:
    """``P(u / (u + v) <= x)`` for independent exponential ``u``, ``v`` with mean ratio ``c``.

    ``c = E[u] / E[v]``; the law is ``x / (x + c (1 - x))``, continuous and strictly
    increasing on [0, 1], with median at the ratio of the means, ``c / (1 + c)``.

    >>> round(float(ratio_law(0.5, 1.0)), 12), round(float(ratio_law(2 / 3, 2.0)), 12)
    (0.5, 0.5)
    """
    x = np.asarray(x, dtype=np.float64)
    law: FloatArray = x / (x + np.asarray(c, dtype=np.float64) * (1.0 - x))
    return law


def _upper_moment(x: FloatArray, c: FloatArray) -> FloatArray:
    """``E[r 1{r > x}]`` for ``r`` with :func:`ratio_law` ``c``.

    With ``d = 1 - c`` and ``y = d (1 - x)``:
    ``c ((1 - x)^2 phi(y) + x (1 - x) / (1 - y))``, ``phi(y) = (-log(1 - y) - y) / y^2``,
    which is smooth through ``y = 0`` (``phi(0) = 1/2``): near 0 its series is used.
    """
    y = (1.0 - c) * (1.0 - x)
    small = np.abs(y) < _SERIES_BELOW
    safe = np.where(small, 0.5, y)
    direct = (-np.log1p(-safe) - safe) / (safe * safe)
    series = 0.5 + y * (1 / 3 + y * (1 / 4 + y * (1 / 5 + y * (1 / 6 + y / 7))))
    phi = np.where(small, series, direct)
    rest = 1.0 - x
    moment: FloatArray = c * (rest * rest * phi + x * rest / (1.0 - y))
    return moment


def _inverse_moment(p: FloatArray, rho: FloatArray) -> FloatArray:
    """``E[(1 / mu) 1{mu > p}]`` for ``mu = a / (a + b)``, exponential ``a``, ``b``.

    ``rho = E[a] / E[b]``. With ``q = b / a``, ``1 / mu = 1 + q`` and ``mu > p`` iff
    ``q < t = (1 - p) / p``; ``P(q <= t) = t rho / (1 + t rho)``, so the moment is
    ``F(t) (1 + t) - t + log(1 + t rho) / rho``.
    """
    t = (1.0 - p) / p
    below = t * rho / (1.0 + t * rho)
    moment: FloatArray = below * (1.0 + t) - t + np.log1p(t * rho) / rho
    return moment


def extended(
    *,
    p_def: npt.ArrayLike,
    p_ch: npt.ArrayLike,
    gain: npt.ArrayLike,
    cost: npt.ArrayLike,
    hard_share: npt.ArrayLike,
    stake_ratio: npt.ArrayLike,
) -> dict[str, FloatArray]:
    """Expected outcome of the extended game's default equilibrium over payoff uncertainty.

    Parameters
    ----------
    p_def
        Probability that the defender is Hard (its combined credibility), in [0, 1].
    p_ch
        Probability that the challenger is Hard (its resolve), in (0, 1).
    gain, cost, hard_share, stake_ratio
        The means of the payoff gaps (module docstring); ``gain``, ``cost`` and
        ``stake_ratio`` positive, ``hard_share`` in (0, 1).

    Returns
    -------
    dict
        ``SQ`` (no challenge), ``DW`` (challenge rebuffed: the challenger backs down) and
        ``fails`` (``CW + CF``: the challenger wins or there is conflict), summing to 1.

    Examples
    --------
    Point thresholds at the middle of the ranges (P1 with gain 2): at credibility 1/2 the
    three laws give ``P(sigma_hard <= 1/2) = 1/3`` and ``P(sigma_soft <= 1/2) = 1/2``.

    >>> out = extended(p_def=0.5, p_ch=0.2, gain=2.0, cost=2.0, hard_share=0.5, stake_ratio=1.0)
    >>> round(float(out["SQ"] + out["DW"] + out["fails"]), 12)
    1.0
    """
    x = np.asarray(p_def, dtype=np.float64)
    pc = np.asarray(p_ch, dtype=np.float64)
    gain = np.asarray(gain, dtype=np.float64)
    c_soft = gain / np.asarray(cost, dtype=np.float64)  # E[g] / E[m]
    c_hard = c_soft / np.asarray(hard_share, dtype=np.float64)  # E[g] / E[hard_share m]
    rho = np.asarray(stake_ratio, dtype=np.float64)
    # Per challenger-resolve: the defender's side (pooling or bluff), no credibility in it.
    pooling = ratio_law(pc, rho)  # P(mu* <= p_ch): both challenger types challenge
    bluffing = 1.0 - pooling  # P(mu* > p_ch)
    odds = pc * _inverse_moment(pc, rho)  # E[(p_ch / mu*) 1{bluff}]
    # Per credibility: the challenger's side.
    deter = ratio_law(x, c_hard)  # P(sigma_hard <= p_def)
    above_soft = ratio_law(x, c_soft)  # P(sigma_soft <= p_def)
    separating = above_soft - deter
    low = 1.0 - above_soft  # P(p_def < sigma_soft): pooling or bluff
    moment = _upper_moment(x, c_soft)  # E[sigma_soft 1{p_def < sigma_soft}]
    # Class by class (docs/games/extended.md): separating SQ 1 - p_ch, CW p_ch (1 - p_def),
    # CF p_ch p_def; pooling CW 1 - p_def, DW (1 - p_ch) p_def, CF p_ch p_def; bluff
    # SQ 1 - p_ch / mu*, CW (p_ch / mu*)(1 - sigma_soft), DW (p_ch / mu* - p_ch) sigma_soft,
    # CF p_ch sigma_soft.
    no_challenge = deter + separating * (1.0 - pc) + low * (bluffing - odds)
    rebuffed = low * pooling * (1.0 - pc) * x + (odds - pc * bluffing) * moment
    fails = 1.0 - no_challenge - rebuffed
    return {"SQ": no_challenge, "DW": rebuffed, "fails": fails}


def rudimentary(
    *,
    p_def: npt.ArrayLike,
    p_ch: npt.ArrayLike,
    gain: npt.ArrayLike,
    cost: npt.ArrayLike,
    hard_share: npt.ArrayLike,
) -> dict[str, FloatArray]:
    """Expected outcome of the rudimentary game (one-sided information) over payoff uncertainty.

    The challenger challenges iff ``p_def < sigma = g / (g + h)``, with ``g`` its gain from
    a win and ``h = a_sq - a_cf`` its expected cost of conflict over its own types: a Hard
    challenger's ``hard_share m``, a Soft one's ``2 m`` (conflict twice as bad as backing
    down, as in payoff set P1), so ``E[h] = (p_ch hard_share + 2 (1 - p_ch)) cost``. Both
    gaps are exponential; a defender that resists fights, so there is no rebuff.

    >>> out = rudimentary(p_def=0.5, p_ch=0.5, gain=2.0, cost=2.0, hard_share=0.5)
    >>> round(float(out["SQ"]), 6), float(out["DW"])
    (0.555556, 0.0)
    """
    x = np.asarray(p_def, dtype=np.float64)
    pc = np.asarray(p_ch, dtype=np.float64)
    conflict = (pc * np.asarray(hard_share) + 2.0 * (1.0 - pc)) * np.asarray(cost)
    no_challenge = ratio_law(x, np.asarray(gain, dtype=np.float64) / conflict)
    return {"SQ": no_challenge, "DW": np.zeros_like(no_challenge), "fails": 1.0 - no_challenge}
