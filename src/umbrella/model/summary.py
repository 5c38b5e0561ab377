"""The summary outcomes of every option over a chunk of futures: the ensembles' fast path.

The model is the one of :mod:`umbrella.model.assess` (docs/model.md); this module computes
only the per-future, per-option outcomes an ensemble keeps (:data:`SUMMARY_OUTCOMES`), and
computes them the cheap way:

- arrays are laid out with the sample axis last, ``(guarantor, protege, year, sample)``, so
  that every assumption (one value per sample) broadcasts along the contiguous axis and
  NumPy's inner loops run over the whole chunk instead of over 15 years;
- the status quo's credibility is computed once; per option only the guarantors and the
  levers the option moves are recomputed, and options that pull no lever of credibility
  share one deterrence result;
- deterrence comes from the closed form of the default equilibrium
  (:func:`umbrella.games.extended.default_deterrence`).

The arithmetic follows :func:`umbrella.model.assess.assess` step by step; a test checks
that both give the same outcomes to rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from umbrella.games.extended import default_deterrence
from umbrella.model import credibility as cred
from umbrella.model import options as opt
from umbrella.model.assess import (
    CREDIBILITY_LEVERS,
    EPSILON,
    FAST_PAYOFFS,
    FUTURE_EVIDENCE,
    Layout,
    evaluate,
    mid_year_months,
)
from umbrella.model.registry import OptionSpec
from umbrella.model.scenario import Scenario
from umbrella.trust import trust_state

__all__ = ["SUMMARY_OUTCOMES", "summarise"]

FloatArray = npt.NDArray[np.float64]

SUMMARY_OUTCOMES = {
    "deterrence_europe": "probability that deterrence holds in the last year, Europe-wide "
    "(population-weighted)",
    "deterrence_europe_mean": "the same, averaged over the years assessed",
    "deterrence_ukraine": "probability that deterrence holds for Ukraine in the last year",
    "npv_eur_bn": "net present value of spending, EUR bn",
    "proliferation": "non-proliferation risk index in the last year",
    "ukraine_support_eur_bn": "support to Ukraine, EUR bn per year, averaged over the years",
}
"""The per-future, per-option outcomes an ensemble keeps (docs/model.md)."""

# The guarantors whose depth, capability and coordination the options' levers move.
_MOVABLE = ("GBR", "FRA")


def summarise(
    scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]
) -> dict[str, FloatArray]:
    """The summary outcomes, each (sample, option), of every option of ``scenario``.

    ``grid`` is :func:`umbrella.model.assess.layout` of the scenario and ``params`` the
    resolved assumptions, one value per sample.
    """
    shares = [
        opt.ramp(params, option, grid.years, samples_last=True) for option in scenario.options
    ]
    if scenario.game != "extended":
        per_option = evaluate(scenario, grid, params)
        held = [np.moveaxis(d, 0, -1) for d in per_option["deterrence"]]
        return _summary(scenario, grid, params, shares, held)
    base = _status_quo(scenario, grid, params)
    # Options that pull no lever of credibility, and every option in the years before any
    # future sees it act, leave deterrence as under the status quo (exactly: x + 0 = x).
    still = _deterrence(base, base.keep)
    held = []
    for option, share in zip(scenario.options, shares, strict=True):
        acting = np.flatnonzero(share.any(axis=1))
        if not set(option.levers) & CREDIBILITY_LEVERS or not len(acting):
            held.append(still)
            continue
        first = int(acting[0])
        later = _held(option, share[first:], _from_year(base, first))
        held.append(np.concatenate([still[:, :first], later], axis=1) if first else later)
    return _summary(scenario, grid, params, shares, held)


def _summary(
    scenario: Scenario,
    grid: Layout,
    params: Mapping[str, FloatArray],
    shares: Sequence[FloatArray],
    held: Sequence[FloatArray],
) -> dict[str, FloatArray]:
    """Stack per-option deterrence (r, y, s) and the cheap outcomes into (s, o) arrays."""
    columns: dict[str, list[FloatArray]] = {name: [] for name in SUMMARY_OUTCOMES}
    ukraine = grid.reps.index("UKR") if "UKR" in grid.reps else None
    rate = params["discount_rate"]
    discount = opt.discount_factors(grid.years, scenario.start_year, rate, samples_last=True)
    europe_of: dict[int, FloatArray] = {}  # options that share a result share its average
    for option, share, deterrence in zip(scenario.options, shares, held, strict=True):
        if id(deterrence) not in europe_of:
            europe_of[id(deterrence)] = np.tensordot(grid.group_weights, deterrence, axes=(0, 0))
        europe = europe_of[id(deterrence)]  # (y, s)
        columns["deterrence_europe"].append(europe[-1])
        columns["deterrence_europe_mean"].append(europe.mean(axis=0))
        columns["deterrence_ukraine"].append(
            deterrence[ukraine, -1] if ukraine is not None else np.full(europe.shape[1], np.nan)
        )
        spent = opt.spending(params, option, grid.years, samples_last=True)
        columns["npv_eur_bn"].append(opt.present_value(spent, discount, samples_last=True))
        index = opt.proliferation(params, option, share, samples_last=True)
        columns["proliferation"].append(index[-1])
        support = opt.ukraine_support(params, option, share, spent, samples_last=True)[0]
        columns["ukraine_support_eur_bn"].append(support.mean(axis=0))
    return {name: np.stack(values, axis=1) for name, values in columns.items()}


@dataclass(frozen=True)
class _StatusQuo:
    """What every option starts from, sample axis last."""

    params: Mapping[str, FloatArray]
    trust: FloatArray  # (g, view, y, s)
    views: list[int]  # the view of each group
    own: dict[str, int]  # guarantor -> its own group, where it is a protege
    depth: FloatArray  # (g, r, y, s)
    capability: FloatArray  # (g, s)
    credibility: FloatArray  # (g, r, y, s)
    others: FloatArray | None  # prod (1 - c) over the guarantors no lever moves, (r, y, s)
    keep: FloatArray  # prod (1 - c) over all guarantors, (r, y, s)
    moved: dict[str, int]  # guarantor -> index, for those the levers move
    reach: dict[str, FloatArray]  # credibility a full depth lever adds, per moved guarantor
    ally: FloatArray  # (r, 1, 1), 1 for an ally, else 0
    p_ch: FloatArray  # (r, 1, s)
    payoffs: dict[str, Any]


def _status_quo(scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]) -> _StatusQuo:
    pulled = {lever for option in scenario.options for lever in option.levers}
    guarantors = list(grid.guarantors)
    trust = _trust(scenario, grid, params)  # (g, view, y, s)
    depth = _depth(grid, params)
    capability = np.ascontiguousarray(cred.capability(scenario.world, guarantors, params).T)
    # Trust times capability, the most credibility full depth can give; per view, then group.
    reachable = _by_group(grid, trust * capability[:, None, None, :], capability)
    credibility = reachable * depth
    moved = {g: guarantors.index(g) for g in _MOVABLE if g in guarantors}
    kept = [i for i, g in enumerate(guarantors) if g not in moved]
    # The guarantors' share of 1 - prod(1 - c), multiplied in guarantor order as in assess.
    others = _keep(None, [credibility[i] for i in kept]) if kept else None
    keep = _keep(others, [credibility[i] for i in moved.values()])
    ally = grid.allies[:, None, None].astype(np.float64)
    # Depth d -> d + a (1 - d) on allies raises t d c by a t (1 - d) c: precompute the factor.
    reach = {
        g: (reachable[i] - credibility[i]) * ally
        for g, i in moved.items()
        if f"depth_{g.lower()}" in pulled
    }
    payoffs = FAST_PAYOFFS | {"c_cw": params["game.challenger_gain"]}
    return _StatusQuo(
        params=params,
        trust=trust,
        views=_view_index(grid),
        own={g: grid.reps.index(g) for g in guarantors if g in grid.reps},
        depth=depth,
        capability=capability,
        credibility=credibility,
        others=others,
        keep=keep,
        moved=moved,
        reach=reach,
        ally=ally,
        p_ch=np.stack([params[k] for k in grid.resolve_keys], axis=0)[:, None, :],
        payoffs=payoffs,
    )


def _keep(start: FloatArray | None, credibility: Iterable[FloatArray]) -> FloatArray:
    """``start * prod (1 - c)``, multiplied in guarantor order as ``credibility.combine``."""
    keep = start
    for value in credibility:
        keep = 1.0 - value if keep is None else keep * (1.0 - value)
    if keep is None:
        raise ValueError("a scenario needs at least one guarantor")
    return keep


def _trust(scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]) -> FloatArray:
    """Trust (g, view, y, s) at mid-year: decayed evidence plus the flow of new evidence."""
    # Proteges that read the same view of the evidence share their trust: compute per view.
    distinct = list(dict.fromkeys(grid.views))
    readers = [grid.reps[grid.views.index(v)] for v in distinct]
    state = trust_state(scenario.world, params, scenario.as_of, scenario.guarantors, readers)
    lam = state.monthly_decay
    decay = lam[None, :] ** mid_year_months(scenario.as_of, grid.years)[:, None]  # (y, s)
    accumulated = (1.0 - decay) / (1.0 - lam)
    none = np.zeros_like(lam)
    flow = np.stack([params.get(FUTURE_EVIDENCE.get(g, ""), none) for g in scenario.guarantors])
    flow = flow / 12.0  # (g, s) per month
    # Prior plus the flow of new evidence, (g, 1, y, s): small, added once to the big arrays.
    gained = np.maximum(flow, 0.0)[:, None, None, :] * accumulated
    gained += state.prior_alpha.T[:, None, None, :]
    lost = (np.maximum(-flow, 0.0) * params["trust.negative_multiplier"])[:, None, None, :]
    lost = lost * accumulated
    lost += state.prior_beta.T[:, None, None, :]
    alpha = _samples_last(state.positive)[:, :, None, :] * decay
    alpha += gained
    total = _samples_last(state.negative)[:, :, None, :] * decay
    total += lost
    total += alpha
    alpha /= total
    return alpha


def _view_index(grid: Layout) -> list[int]:
    distinct = list(dict.fromkeys(grid.views))
    return [distinct.index(v) for v in grid.views]


def _by_group(grid: Layout, per_view: FloatArray, own: FloatArray) -> FloatArray:
    """(g, view, y, s) -> (g, r, y, s); a guarantor's own group gets ``own[g]`` (trust 1)."""
    grouped: FloatArray = np.take(per_view, _view_index(grid), axis=1)
    for gi, g in enumerate(grid.guarantors):
        if g in grid.reps:
            grouped[gi, grid.reps.index(g)] = own[gi]
    return grouped


def _depth(grid: Layout, params: Mapping[str, FloatArray]) -> FloatArray:
    """:func:`umbrella.model.credibility.commitment_depth`, (g, r, y, s).

    Few distinct sets of commitments are in force over (g, r, y): each is computed once.
    """
    weights = np.stack([params[f"depth.{k}"] for k in cred.COMMITMENT_KINDS])  # (k, s)
    log_keep = np.log1p(-np.clip(weights, 0.0, 1.0 - 1e-12))
    per_pattern = 1.0 - np.exp(grid.patterns.astype(np.float64) @ log_keep)  # (pattern, s)
    depth: FloatArray = np.take(per_pattern, grid.pattern, axis=0)
    for gi, g in enumerate(grid.guarantors):
        if g in grid.reps:
            depth[gi, grid.reps.index(g)] = 1.0
    return depth


def _samples_last(values: FloatArray) -> FloatArray:
    return np.ascontiguousarray(np.moveaxis(values, 0, -1))


def _lever(params: Mapping[str, FloatArray], option: OptionSpec, name: str) -> FloatArray:
    return params[f"option.{option.id}.{name}"]


def _held(option: OptionSpec, share: FloatArray, base: _StatusQuo) -> FloatArray:
    """Probability that deterrence holds (r, y, s) under ``option``."""
    params, pulled = base.params, set(option.levers)
    moved: dict[str, FloatArray] = {}
    for g, gi in base.moved.items():
        code = g.lower()
        if not {f"depth_{code}", f"capability_{code}"} & pulled:
            moved[g] = base.credibility[gi]
        elif f"capability_{code}" not in pulled:
            moved[g] = (
                base.credibility[gi]
                + _lever(params, option, f"depth_{code}") * share * (base.reach[g])
            )
        else:
            depth = base.depth[gi]
            if f"depth_{code}" in pulled:
                added = _lever(params, option, f"depth_{code}") * share * base.ally
                depth = depth + added * (1.0 - depth)
            capability = base.capability[gi]
            extra = _lever(params, option, f"capability_{code}") * share
            capability = capability + extra * (1.0 - capability)
            trust = np.take(base.trust[gi], base.views, axis=0)
            if g in base.own:
                trust[base.own[g]] = 1.0
            moved[g] = trust * depth * capability
    unmoved = not any(
        f"{kind}_{g.lower()}" in pulled for g in moved for kind in ("depth", "capability")
    )
    keep = base.keep if unmoved else _keep(base.others, moved.values())
    if "coordination" in pulled and len(moved) == 2:
        # c1 + k (1 - c1) c2 and c2 + k (1 - c2) c1 leave (1 - c1)(1 - k c2)(1 - c2)(1 - k c1).
        kappa = _lever(params, option, "coordination") * share
        first, second = moved.values()
        keep = keep * (1.0 - kappa * second) * (1.0 - kappa * first)
    if "european_force" in pulled:
        european = _lever(params, option, "european_force") * share * base.ally
        keep = keep * (1.0 - european)
    return _deterrence(base, keep)


def _deterrence(base: _StatusQuo, keep: FloatArray) -> FloatArray:
    """Deterrence (r, y, s) when no guarantor resists with probability ``keep``."""
    p_def = np.clip(1.0 - keep, EPSILON, 1.0 - EPSILON)
    return default_deterrence(**base.payoffs, p_ch=base.p_ch, p_def=p_def)


def _from_year(base: _StatusQuo, first: int) -> _StatusQuo:
    """``base`` from year index ``first`` on (views, no copies)."""
    if not first:
        return base
    return replace(
        base,
        trust=base.trust[:, :, first:],
        depth=base.depth[:, :, first:],
        credibility=base.credibility[:, :, first:],
        others=None if base.others is None else base.others[:, first:],
        keep=base.keep[:, first:],
        reach={g: values[:, first:] for g, values in base.reach.items()},
    )
