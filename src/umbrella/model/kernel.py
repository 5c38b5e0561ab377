"""The model's hot path: one option's credibility, combination and game, fused in one pass.

For each protege group r, year y and future s (arrays laid out ``(..., year, sample)``) and
one option, :func:`deterrence` computes in a single compiled loop, without temporaries:

1. each guarantor g's credibility ``belief x depth x capability``, with the option's levers
   as pulled that year (``pull``: a lever times its ramp, the share of full effect reached):
   a depth pull ``p`` adds ``p reach (1 - depth)`` (reach: 1 for an ally, or for a protege
   the option aims at), a capability pull ``p scope (1 - capability)``;
2. coordination ``kappa = pull scope`` between the coordinating pair (i, j):
   ``c_i + kappa (1 - c_i) c_j`` and ``c_j + kappa (1 - c_j) c_i``, both from the values
   before coordination;
3. a European force as one more entry ``pull reach``, and the entries combined as
   ``(1 - rho)(1 - prod (1 - c)) + rho max c`` (``rho``: ``combine.correlation``);
4. the game's expected outcome at that combined credibility
   (:func:`umbrella.games.expected.no_challenge_at` and
   :func:`~umbrella.games.expected.rebuffed_at`, the same compiled functions as the games'
   ufuncs), the challenger's gain scaled by ``denial`` for the supported protege's group.

Where a ``reference`` is given (the status quo's outcomes), years before ``first`` are
copied from it, except the supported group's row when ``denial`` moves it: before an option
acts, its pulls are 0 and add exactly 0, so those values are the status quo's.

A pull is given per year, not as a lever and one ramp, so that an option made of several
(a portfolio, whose parts start and ramp up at different times) pulls each lever on its own
schedule; for a single option it is the lever times the ramp, the same product the
equations take first, so the values do not change by a bit.

The equations are those of docs/model.md; :mod:`umbrella.model.evaluate` prepares the
arrays and is the model's one entry point. Compiled with numba, cached on disk: the first
call in a fresh environment compiles (seconds), later processes load the cache.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from umbrella.games.expected import (
    no_challenge_at,
    no_challenge_rudimentary_at,
    rebuffed_with,
    upper_phi,
)
from umbrella.jit import compiled, ufunc
from umbrella.trust.projection import projected_trust

__all__ = ["EXTENDED", "FOLDED", "RUDIMENTARY", "belief", "deterrence"]

FloatArray = npt.NDArray[np.float64]


EXTENDED, RUDIMENTARY = 0, 1
"""The game solved at each credibility (``game`` argument of :func:`deterrence`)."""

FOLDED = (
    "hazard",
    "no_challenge_first",
    "rebuffed_first",
    "fails_first",
    "no_challenge_last",
    "rebuffed_last",
    "fails_last",
)
"""What :func:`deterrence` folds per option, group and future over the years: the sum of
``fails x years`` over every year (times the crisis rate, the hazard of failure through the
horizon), and the three shares in the first and the last year."""


@compiled
def _belief_at(trust: float, odds: float) -> float:  # pragma: no cover - compiled
    """The challenger's belief that a guarantor would fight: allies' ``trust`` with its odds
    multiplied by ``odds = exp(belief.shift)`` (a shift on the logit scale, written without
    a logarithm so that a trust of 0 or 1 stays where it is)."""
    moved = trust * odds
    return moved / (1.0 - trust + moved)


@ufunc("float64(float64, float64)")
def _beliefs(trust: float, odds: float) -> float:  # pragma: no cover - compiled
    return _belief_at(trust, odds)


def belief(trust: FloatArray, odds: FloatArray) -> FloatArray:
    """:func:`_belief_at` elementwise (odds broadcast along the last, sample, axis); empty
    ``odds`` (every shift 0): the trust itself.

    >>> belief(np.array([0.25, 0.0, 1.0]), np.full(3, 3.0)).tolist()
    [0.5, 0.0, 1.0]
    """
    if not odds.shape[0]:
        return trust
    moved: FloatArray = _beliefs(trust, odds)
    return moved


@compiled
def _option_row(
    o: int,
    r: int,
    y: int,
    belief: FloatArray,
    depth: FloatArray,
    capability: FloatArray,
    plain: FloatArray,
    pulls: npt.NDArray[np.bool_],
    depth_pull: FloatArray,
    capability_pull: FloatArray,
    reach: FloatArray,
    scope: FloatArray,
    pair: npt.NDArray[np.int64],
    coordinated: npt.NDArray[np.bool_],
    kappa_pull: FloatArray,
    forced: npt.NDArray[np.bool_],
    force_pull: FloatArray,
    rho: FloatArray,
    game: int,
    side: FloatArray,
    p_ch: FloatArray,
    gain: FloatArray,
    cost: FloatArray,
    hard_share: FloatArray,
    ratios: FloatArray,
    denial: FloatArray,
    denied: bool,
    c: FloatArray,
    work: FloatArray,
    row: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Option ``o``'s SQ, DW, fails and combined credibility for group ``r`` in year ``y``,
    every future, into ``row`` (4, s); ``c`` (g, s) receives each guarantor's credibility.

    ``belief`` (g, s) is the challenger's belief in this row; ``plain`` (g, s) each
    guarantor's credibility without levers, used where the option pulls none of its levers
    (``pulls`` (o, g)).

    The arithmetic runs as loops over the futures without branches or calls (compiled to
    vector instructions), the game's logarithm in a loop of its own.
    """
    n_g, n_s = c.shape
    yc = y if p_ch.shape[1] > 1 else 0
    keep, top, x = work[0], work[1], work[2]
    # 1. Each guarantor's credibility, its levers ramped (a lever of 0 adds exactly 0).
    for g in range(n_g):
        if not pulls[o, g]:
            c[g] = plain[g]
            continue
        for s in range(n_s):
            d = depth[g, r, y, s]
            d = d + depth_pull[o, g, y, s] * reach[o, r] * (1.0 - d)
            a = capability[g, s]
            a = a + capability_pull[o, g, y, s] * scope[o, r] * (1.0 - a)
            c[g, s] = belief[g, s] * d * a
    # 2. Coordination between the pair, both from their values before it.
    if coordinated[o]:
        i, j = pair[0], pair[1]
        for s in range(n_s):
            k_ij = kappa_pull[o, y, s] * scope[o, r]
            ci, cj = c[i, s], c[j, s]
            c[i, s] = ci + k_ij * (1.0 - ci) * cj
            c[j, s] = cj + k_ij * (1.0 - cj) * ci
    # 3. At least one resists: independently, or all decided by a common shock.
    for s in range(n_s):
        keep[s] = 1.0 - c[0, s]
        top[s] = c[0, s]
    for g in range(1, n_g):
        for s in range(n_s):
            keep[s] *= 1.0 - c[g, s]
            top[s] = max(top[s], c[g, s])
    if forced[o]:
        for s in range(n_s):
            e = force_pull[o, y, s] * reach[o, r]
            keep[s] *= 1.0 - e
            top[s] = max(top[s], e)
    for s in range(n_s):
        combined = 1.0 - keep[s]
        x[s] = combined + (top[s] - combined) * rho[s]
    # 4. The game at that credibility, the gain scaled by denial for the supported.
    if game == EXTENDED:
        if denied:
            soft, hard = work[3], work[4]
            for s in range(n_s):
                soft[s] = gain[s] * denial[o, y, s] / cost[s]
                hard[s] = soft[s] / hard_share[s]
        else:
            soft, hard = ratios[0], ratios[1]
        phi = keep  # no longer needed: reused
        for s in range(n_s):
            phi[s] = upper_phi((1.0 - soft[s]) * (1.0 - x[s]))
        for s in range(n_s):
            sq = no_challenge_at(x[s], p_ch[r, yc, s], hard[s], soft[s], side[0, r, yc, s])
            dw = rebuffed_with(x[s], soft[s], side[1, r, yc, s], side[2, r, yc, s], phi[s])
            row[0, s] = sq
            row[1, s] = dw
            row[2, s] = 1.0 - sq - dw
            row[3, s] = x[s]
    else:
        for s in range(n_s):
            gained = gain[s] * denial[o, y, s] if denied else gain[s]
            sq = no_challenge_rudimentary_at(x[s], gained / side[0, r, yc, s])
            row[0, s] = sq
            row[1, s] = 0.0
            row[2, s] = 1.0 - sq
            row[3, s] = x[s]


@compiled
def deterrence(
    alpha0: FloatArray,  # (g, v, s): allies' trust in g, the posterior at the evidence date
    beta0: FloatArray,  # (g, v, s)
    decay: FloatArray,  # (y, s): what is left of it at each year's middle
    gained: FloatArray,  # (g, y, s): what the flow of evidence has added since
    lost: FloatArray,  # (g, y, s)
    views: npt.NDArray[np.int64],  # (r,): each group's view of the evidence (v)
    own: npt.NDArray[np.bool_],  # (g, r): g's own territory, where its trust is 1
    odds: FloatArray,  # (s,): exp(belief.shift), the challenger's odds over allies'; or (0,)
    depth: FloatArray,  # (g, r, y, s)
    capability: FloatArray,  # (g, s)
    rho: FloatArray,  # (s,): combine.correlation
    game: int,  # EXTENDED or RUDIMENTARY
    side: FloatArray,  # (3, r, y', s): quiet, pooled, weight; or (1, r, y', s): conflict
    p_ch: FloatArray,  # (r, y', s), y' = 1 or y
    gain: FloatArray,  # (s,)
    cost: FloatArray,  # (s,)
    hard_share: FloatArray,  # (s,)
    supported: int,  # the supported protege's group, -1 for none
    pair: npt.NDArray[np.int64],  # (2,): the coordinating pair
    steps: FloatArray,  # (y,): years each assessed year closes
    depth_pull: FloatArray,  # (o, g, y, s): g's depth lever as pulled; 0 where none
    capability_pull: FloatArray,  # (o, g, y, s)
    reach: FloatArray,  # (o, r): whom depth levers and the force reach (0 or 1)
    scope: FloatArray,  # (o, r): whom capability and coordination reach (0 or 1)
    coordinated: npt.NDArray[np.bool_],  # (o,): the option coordinates the pair
    kappa_pull: FloatArray,  # (o, y, s): the coordination lever as pulled
    forced: npt.NDArray[np.bool_],  # (o,): the option fields a European force
    force_pull: FloatArray,  # (o, y, s): its lever as pulled
    denied: npt.NDArray[np.bool_],  # (o,): the option changes the supported's support
    denial: FloatArray,  # (o, y, s): the factor on the challenger's gain there
    first: npt.NDArray[np.int64],  # (o,): the first year the option may differ from the reference
    reference: int,  # the option whose values the others copy before their first year; -1
    folded: FloatArray,  # (7, o, r, s): FOLDED; or empty
    full: FloatArray,  # (o, 4, r, y, s): SQ, DW, fails, combined every year; or empty
    credibility: FloatArray,  # (o, g, r, y, s): each guarantor's, when not empty
) -> None:  # pragma: no cover - compiled
    n_g, n_r, n_y, n_s = depth.shape
    n_o = depth_pull.shape[0]
    shifted = odds.shape[0] > 0
    # Which guarantors' credibility each option changes by a lever of its own.
    pulls = np.empty((n_o, n_g), dtype=np.bool_)
    for k in range(n_o):
        for g in range(n_g):
            pulls[k, g] = depth_pull[k, g].any() or capability_pull[k, g].any()
    keep_folded = folded.shape[0] > 0
    keep_full = full.shape[0] > 0
    keep_credibility = credibility.shape[0] > 0
    # The reference first: the others copy its row where they cannot differ from it.
    order = np.arange(n_o)
    if reference > 0:
        order[0], order[reference] = reference, 0
    c = np.empty((n_g, n_s))
    believed = np.empty((n_g, n_s))
    plain = np.empty((n_g, n_s))
    work = np.empty((5, n_s))
    # The game's ratios of payoff means, E[g] / E[m] and E[g] / E[hard_share m], where no
    # denial scales the gain: once per call.
    ratios = np.empty((2, n_s))
    for s in range(n_s):
        ratios[0, s] = gain[s] / cost[s]
        ratios[1, s] = ratios[0, s] / hard_share[s]
    computed = np.empty((4, n_s))
    held = np.empty((4, n_s))  # the reference's row
    for r in range(n_r):
        for y in range(n_y):
            # Allies' trust (umbrella.trust.projection), the challenger's belief (that
            # trust with its odds times ``odds``) and the credibility without levers: once
            # per row, for every option.
            v = views[r]
            for g in range(n_g):
                for s in range(n_s):
                    t = projected_trust(
                        alpha0[g, v, s], beta0[g, v, s], decay[y, s], gained[g, y, s], lost[g, y, s]
                    )
                    if own[g, r]:
                        t = 1.0
                    if shifted:
                        t = _belief_at(t, odds[s])
                    believed[g, s] = t
                    plain[g, s] = t * depth[g, r, y, s] * capability[g, s]
            for position in range(n_o):
                o = int(order[position])
                supported_row = denied[o] and r == supported
                if reference >= 0 and o != reference and y < first[o] and not supported_row:
                    row = held
                else:
                    row = held if o == reference else computed
                    _option_row(
                        o, r, y, believed, depth, capability, plain, pulls, depth_pull,
                        capability_pull,
                        reach, scope, pair, coordinated, kappa_pull, forced, force_pull, rho,
                        game, side, p_ch, gain, cost, hard_share, ratios, denial,
                        supported_row, c,
                        work, row,
                    )  # fmt: skip
                    if keep_credibility:
                        credibility[o, :, r, y, :] = c
                if keep_full:
                    full[o, :, r, y, :] = row
                if keep_folded:
                    if y == 0:
                        folded[0, o, r, :] = 0.0
                        folded[1:4, o, r, :] = row[:3]
                    for s in range(n_s):
                        folded[0, o, r, s] += row[2, s] * steps[y]
                    if y == n_y - 1:
                        folded[4:7, o, r, :] = row[:3]
