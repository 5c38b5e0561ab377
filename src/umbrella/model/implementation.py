"""Implementation risk: whether an option is agreed and delivered on its timeline.

docs/options.md ("Implementation risk") gives the model and its reasons. In one future, an
option that needs the governments G to agree is delivered on its timeline with probability

    P = prod over i in G of a_i,
    logit a_i = logit(consent) + trust_weight x (T - 1/2) - election_penalty x E_i,

a product because each government can block it (a veto player, Tsebelis 2002): ``consent``
is one government's chance of agreeing and keeping its part through the option's window
with no election in it and trust at one half; ``T`` is the trust between the capitals
involved, the mean over the pairs (state i of G, nuclear guarantor g of G, i != g) of i's
trust in g in the first year assessed, as the evidence timeline gives it in that future
(1/2, no effect, where G holds no such pair); ``E_i`` is the number of national elections
scheduled in state i (the ``elections`` of the actors table, at the latest dates the law
allows) from the option's start to its full effect.

Whether it is delivered is drawn through a one-factor Gaussian copula: with ``c`` the
future's common draw and ``u`` the option's own (both uniform on 0-1 in the ensemble),
``z = sqrt(rho) Phi^-1(c) + sqrt(1 - rho) Phi^-1(u)`` is standard normal, and the option is
delivered on time where ``Phi(z) < P``: so in a share P of futures, and, with ``rho`` the
``common_share``, in the same futures as other options to that degree (European capitals
that cannot agree on one measure are less likely to agree on another). An option that is
not delivered on time stalls: it starts ``stall_years`` later (past the horizon: never).
At their defaults of 0 the draws deliver every option on time: the central future shows
the options as planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import log_expit, logit, ndtr, ndtri

from umbrella.assumptions import Assumption

__all__ = [
    "COMMON_DRAW",
    "IMPLEMENTATION_ASSUMPTIONS",
    "Agreement",
    "agreement_of",
    "delivered",
    "draw_assumption",
    "draw_name",
    "elections_in",
    "is_draw",
    "probability",
]

FloatArray = npt.NDArray[np.float64]

COMMON_DRAW = "implementation.common_draw"

_DRAW_BASIS = (
    "Rationale: a draw, not a judgement: the ensemble samples it uniformly, so that an "
    "option is delivered on time in a share of futures equal to its probability. At its "
    "default of 0 every option is delivered on time: the central future shows the options "
    "as planned (docs/options.md, 'Implementation risk')."
)

IMPLEMENTATION_ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "implementation.consent",
        "probability that one government agrees to an option and keeps its part through the "
        "option's timeline, with no national election in that time and trust between the "
        "capitals at one half",
        0.95,
        0.85,
        0.99,
        "probability",
        "Rationale: judged. Once signed, European defence undertakings are mostly kept (the "
        "Northwood Declaration of July 2025 had its steering group meeting five months "
        "later, event 2025-12-10-uk-france-nuclear-steering-group-first-meeting), but "
        "multinational programmes are often renegotiated or late. At 0.95 an option that "
        "nine governments must agree is delivered on time with "
        "probability 0.63 before trust and elections; 0.85 gives 0.23 and 0.99 gives 0.91.",
    ),
    Assumption(
        "implementation.trust_weight",
        "rise in the log-odds of each government's consent per unit of trust between the "
        "capitals involved",
        2.0,
        0.0,
        4.0,
        "logit",
        "Rationale: judged, after the seed article: the less radical options 'require "
        "political will and trust between capitals'. At 2, a consent of 0.95 at trust 0.5 "
        "becomes 0.97 at trust 0.75 and 0.92 at trust 0.25; 0 ignores trust.",
    ),
    Assumption(
        "implementation.election_penalty",
        "fall in the log-odds of a government's consent for each national election "
        "scheduled in its state between the option's start and its full effect",
        0.5,
        0.0,
        1.0,
        "logit",
        "Rationale: judged. An election can bring a government that reopens or delays an "
        "agreement (the nearest is France's presidential election of 2027; dates in the "
        "actors table). At 0.5 a consent of 0.95 falls to 0.92 per election, at 1 to 0.88; "
        "0 ignores elections.",
    ),
    Assumption(
        "implementation.stall_years",
        "years by which an option that is not agreed and delivered on time starts late",
        5.0,
        2.0,
        15.0,
        "years",
        "Rationale: judged. From a renegotiation of two years to a stall past a 2040 "
        "horizon (15 years from 2026: never within it); five years is about one electoral "
        "cycle, after which a new set of governments can take the option up again.",
    ),
    Assumption(
        "implementation.common_share",
        "correlation of political will between options in one future (the common share of "
        "the one-factor Gaussian copula)",
        0.5,
        0.0,
        1.0,
        "share",
        "Rationale: judged. Capitals that cannot agree on one measure are less likely to "
        "agree on another; 0 makes every option's fate independent, 1 makes an option "
        "stall whenever an option more likely than it does.",
    ),
    Assumption(
        COMMON_DRAW,
        "the political climate a future shares across options, as a quantile (0: the most "
        "favourable)",
        0.0,
        0.0,
        1.0,
        "share",
        _DRAW_BASIS,
    ),
)
"""The model's implementation-risk assumptions, in the registry where a scenario has an
option with governments to agree and implementation risk on."""

# The draws are quantiles; Phi^-1 of 0 or 1 is infinite, so they are kept this far inside.
_EDGE = 1e-12


@dataclass(frozen=True)
class Agreement:
    """What an option needs to be agreed: the governments, and for each state its
    scheduled elections (the next year the law allows, and the term after it)."""

    governments: tuple[str, ...]
    elections: Mapping[str, tuple[int, int]]  # state -> (next, every_years)
    pairs: tuple[tuple[str, str], ...]  # (state, guarantor) pairs whose trust counts


def is_draw(name: str) -> bool:
    """Whether assumption ``name`` is a draw (a future's or an option's political fortune),
    sampled to spread the futures, not a judgement a reader would set."""
    return name == COMMON_DRAW or name.endswith(".implementation_draw")


def draw_name(option: str) -> str:
    """The name of option ``option``'s own draw."""
    return f"option.{option}.implementation_draw"


def draw_assumption(option: str, name: str) -> Assumption:
    """Option ``option``'s own draw (``name``: how readers know the option)."""
    return Assumption(
        draw_name(option),
        f"the political fortune of {name} in a future, as a quantile (0: the most favourable)",
        0.0,
        0.0,
        1.0,
        "share",
        _DRAW_BASIS,
    )


def elections_in(next_year: int, every: int, start: FloatArray, end: FloatArray) -> FloatArray:
    """How many of the elections ``next_year + k every`` (k = 0, 1, ...) fall from ``start``
    to ``end`` (inclusive, per future); 0 where ``start`` is not finite (never started)."""
    finite = np.isfinite(start) & np.isfinite(end)
    lo = np.where(finite, start, 0.0)
    hi = np.where(finite, end, -1.0)
    first = np.maximum(np.ceil((lo - next_year) / every), 0.0)
    last = np.floor((hi - next_year) / every)
    count: FloatArray = np.where(finite, np.maximum(last - first + 1.0, 0.0), 0.0)
    return count


def probability(
    agreement: Agreement,
    params: Mapping[str, FloatArray],
    trust: Mapping[tuple[str, str], FloatArray],
    start: FloatArray,
    full: FloatArray,
) -> FloatArray:
    """The probability (sample,) that the option is agreed and delivered on its timeline,
    starting in year ``start`` and reaching full effect ``full`` years later; ``trust`` maps
    each of the agreement's (state, guarantor) pairs to the state's trust in the guarantor."""
    n = start.shape[0]
    if not agreement.governments:
        return np.ones(n)
    shared = params["implementation.trust_weight"] * (_trust_between(agreement, trust, n) - 0.5)
    base = logit(params["implementation.consent"]) + shared
    penalty = params["implementation.election_penalty"]
    log_p = np.zeros(n)
    for state in agreement.governments:
        next_year, every = agreement.elections[state]
        held = elections_in(next_year, every, start, start + full)
        log_p += log_expit(base - penalty * held)
    result: FloatArray = np.exp(log_p)
    return result


def delivered(
    params: Mapping[str, FloatArray], option: str, chance: FloatArray
) -> npt.NDArray[np.bool_]:
    """Where (sample,) the option is delivered on time, given its probability ``chance``:
    its own draw and the common draw through the one-factor Gaussian copula."""
    rho = params["implementation.common_share"]
    common = ndtri(np.clip(params[COMMON_DRAW], _EDGE, 1.0 - _EDGE))
    own = ndtri(np.clip(params[draw_name(option)], _EDGE, 1.0 - _EDGE))
    z = np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own
    result: npt.NDArray[np.bool_] = ndtr(z) < chance
    return result


def _trust_between(
    agreement: Agreement, trust: Mapping[tuple[str, str], FloatArray], n: int
) -> FloatArray:
    """The mean trust (sample,) over the agreement's pairs; 1/2 where it has none."""
    if not agreement.pairs:
        return np.full(n, 0.5)
    total = np.zeros(n)
    for pair in agreement.pairs:
        total += trust[pair]
    mean: FloatArray = total / len(agreement.pairs)
    return mean


def agreement_of(
    governments: Sequence[str],
    elections: Mapping[str, tuple[int, int]],
    guarantors: Sequence[str],
    proteges: Sequence[str],
) -> Agreement:
    """An option's agreement: ``governments``, their ``elections``, and the pairs (state,
    guarantor) among them whose trust the scenario models (the state one of its proteges,
    the guarantor one of its guarantors)."""
    pairs = tuple(
        (state, g)
        for state in governments
        for g in governments
        if state != g and g in guarantors and state in proteges
    )
    return Agreement(
        governments=tuple(governments),
        elections={s: elections[s] for s in governments},
        pairs=pairs,
    )
