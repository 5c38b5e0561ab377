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
with the sample axis last, is one call. The per-credibility arithmetic runs as two compiled
NumPy ufuncs (numba): each is one pass over an ensemble's (group, year, sample) array
instead of some thirty NumPy passes and temporaries, which halves the cost of the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from umbrella.jit import compiled, ufunc

__all__ = [
    "challenger_side",
    "extended",
    "no_challenge_at",
    "no_challenge_rudimentary_at",
    "ratio_law",
    "rebuffed_at",
    "rebuffed_with",
    "rudimentary",
    "rudimentary_conflict",
    "upper_moment_with",
    "upper_phi",
]

FloatArray = npt.NDArray[np.float64]
Kernel = TypeVar("Kernel", bound=Callable[..., float])


# Where |y| is below this the partial moment uses its series (the closed form loses
# digits there).
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


@compiled
def upper_phi(y: float) -> float:  # pragma: no cover - compiled
    """``phi(y) = (-log(1 - y) - y) / y^2``, smooth through ``y = 0`` (``phi(0) = 1/2``): the
    logarithm in :func:`upper_moment_with`.

    The closed form loses digits as ``y`` nears 0 (by about 1e-16 / y^2), so below
    ``|y| = 1e-2`` its series is used, to y^7 (exact to 1e-17).
    """
    small = abs(y) < _SERIES_BELOW
    # Compiled code may evaluate both branches: the closed form gets a harmless y where the
    # series is used, so that no 0/0 is ever computed (and no floating-point flag raised).
    safe = 0.5 if small else y
    closed = -(math.log(1.0 - safe) + safe) / (safe * safe)
    series = 0.5 + y * (
        1 / 3 + y * (1 / 4 + y * (1 / 5 + y * (1 / 6 + y * (1 / 7 + y * (1 / 8 + y / 9)))))
    )
    return series if small else closed


@compiled
def upper_moment_with(x: float, c: float, phi: float) -> float:  # pragma: no cover - compiled
    """``E[r 1{r > x}]`` for ``r`` with :func:`ratio_law` ``c``, given
    ``phi = upper_phi((1 - c)(1 - x))``.

    With ``y = (1 - c)(1 - x)``, so that ``1 - y = x + c (1 - x)``:
    ``c (1 - x) ((1 - x) phi(y) + x / (1 - y))``. Apart from ``phi``, the arithmetic has no
    call in it, so a loop over many ``x`` compiles to vector instructions.
    """
    rest = 1.0 - x
    y = (1.0 - c) * rest
    return c * rest * (rest * phi + x / (1.0 - y))


@compiled
def no_challenge_at(
    x: float, p_ch: float, c_hard: float, c_soft: float, quiet: float
) -> float:  # pragma: no cover - compiled
    """The extended game's share of no challenge at credibility ``x`` (one element):
    ``deter + (above_soft - deter)(1 - p_ch) + (1 - above_soft) quiet``, written as
    ``deter p_ch + above_soft (1 - p_ch - quiet) + quiet``."""
    rest = 1.0 - x
    deter = x / (x + c_hard * rest)  # P(sigma_hard <= p_def)
    above_soft = x / (x + c_soft * rest)  # P(sigma_soft <= p_def)
    return deter * p_ch + above_soft * (1.0 - p_ch - quiet) + quiet


@compiled
def rebuffed_at(
    x: float, c_soft: float, pooled: float, weight: float
) -> float:  # pragma: no cover - compiled
    """The extended game's share of challenges rebuffed at credibility ``x`` (one element):
    ``(1 - above_soft) p_def pooled + weight E[sigma_soft 1{sigma_soft > p_def}]``."""
    return rebuffed_with(x, c_soft, pooled, weight, upper_phi((1.0 - c_soft) * (1.0 - x)))


@compiled
def rebuffed_with(
    x: float, c_soft: float, pooled: float, weight: float, phi: float
) -> float:  # pragma: no cover - compiled
    """:func:`rebuffed_at` given ``phi = upper_phi((1 - c_soft)(1 - x))``."""
    above_soft = x / (x + c_soft * (1.0 - x))
    return (1.0 - above_soft) * x * pooled + weight * upper_moment_with(x, c_soft, phi)


@compiled
def no_challenge_rudimentary_at(x: float, c: float) -> float:  # pragma: no cover - compiled
    """The rudimentary game's share of no challenge at credibility ``x``: the ratio law
    ``x / (x + c (1 - x))`` with ``c = E[g] / E[h]`` (one element)."""
    return x / (x + c * (1.0 - x))


@ufunc("float64(float64, float64, float64, float64, float64)")
def _no_challenge(
    x: float, p_ch: float, c_hard: float, c_soft: float, quiet: float
) -> float:  # pragma: no cover - compiled
    return no_challenge_at(x, p_ch, c_hard, c_soft, quiet)


@ufunc("float64(float64, float64, float64, float64)")
def _rebuffed(
    x: float, c_soft: float, pooled: float, weight: float
) -> float:  # pragma: no cover - compiled
    return rebuffed_at(x, c_soft, pooled, weight)


def challenger_side(p_ch: npt.ArrayLike, stake_ratio: npt.ArrayLike) -> dict[str, FloatArray]:
    """What the extended game's expectation needs of the challenger's resolve ``p_ch``
    alone (no credibility in it): ``quiet = bluffing - odds``, ``pooled = pooling (1 - p_ch)``
    and ``weight = odds - p_ch bluffing``, with ``pooling = P(mu* <= p_ch)``,
    ``bluffing = 1 - pooling`` and ``odds = E[(p_ch / mu*) 1{bluff}]`` (see :func:`extended`).
    """
    pc = np.asarray(p_ch, dtype=np.float64)
    rho = np.asarray(stake_ratio, dtype=np.float64)
    pooling = ratio_law(pc, rho)  # P(mu* <= p_ch): both challenger types challenge
    bluffing = 1.0 - pooling  # P(mu* > p_ch)
    odds = pc * _inverse_moment(pc, rho)  # E[(p_ch / mu*) 1{bluff}]
    return {
        "quiet": bluffing - odds,
        "pooled": pooling * (1.0 - pc),
        "weight": odds - pc * bluffing,
    }


def rudimentary_conflict(
    p_ch: npt.ArrayLike, hard_share: npt.ArrayLike, cost: npt.ArrayLike
) -> FloatArray:
    """``E[h]``, the challenger's expected cost of conflict in the rudimentary game over its
    own types: ``(p_ch hard_share + 2 (1 - p_ch)) cost`` (see :func:`rudimentary`)."""
    pc = np.asarray(p_ch, dtype=np.float64)
    conflict: FloatArray = (pc * np.asarray(hard_share) + 2.0 * (1.0 - pc)) * np.asarray(cost)
    return conflict


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
    # Per challenger-resolve: the defender's side (pooling or bluff), no credibility in it.
    side = challenger_side(pc, stake_ratio)
    # Per credibility (the challenger's side), class by class (docs/games/extended.md):
    # separating SQ 1 - p_ch, CW p_ch (1 - p_def), CF p_ch p_def; pooling CW 1 - p_def,
    # DW (1 - p_ch) p_def, CF p_ch p_def; bluff SQ 1 - p_ch / mu*, CW (p_ch / mu*)
    # (1 - sigma_soft), DW (p_ch / mu* - p_ch) sigma_soft, CF p_ch sigma_soft. Weighted by
    # the classes' probabilities, with F_h, F_s the laws of sigma_hard and sigma_soft at x:
    #   SQ = F_h + (F_s - F_h)(1 - p_ch) + (1 - F_s)(bluffing - odds)
    #   DW = (1 - F_s) pooling (1 - p_ch) x + (odds - p_ch bluffing) E[sigma_soft 1{> x}]
    # Each is one compiled pass over the (group, year, sample) array of an ensemble.
    no_challenge = np.asarray(_no_challenge(x, pc, c_hard, c_soft, side["quiet"]))
    rebuffed = np.asarray(_rebuffed(x, c_soft, side["pooled"], side["weight"]))
    fails = 1.0 - no_challenge
    fails -= rebuffed
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
    conflict = rudimentary_conflict(pc, hard_share, cost)
    no_challenge = ratio_law(x, np.asarray(gain, dtype=np.float64) / conflict)
    return {"SQ": no_challenge, "DW": np.zeros_like(no_challenge), "fails": 1.0 - no_challenge}
