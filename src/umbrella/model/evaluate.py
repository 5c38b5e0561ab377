"""The model: every option's outcomes, per protege group, year and future (docs/model.md).

This is the one implementation of the model; ``assess``, ``run``, ``brief`` and the EMA
Workbench wrapper all call :func:`evaluate` (or :func:`summarise`, its reductions). For each
option o, year y, protege group r and future s (arrays laid out ``(..., year, sample)``, the
sample axis last, so that every per-future assumption broadcasts along contiguous memory):

1. trust in each guarantor g at mid-year y: the evidence up to the scenario's date, then the
   assumed flow of new evidence (:func:`umbrella.trust.projection.project`);
2. the challenger's belief that g would fight, allies' trust moved on the logit scale by
   ``belief.shift`` (0: the same); credibility ``belief x depth x capability`` of g toward
   r, with the option's levers scaled
   by its ramp; coordination between the scenario's coordinating pair; the guarantors
   combined as independent chances that at least one resists, and a European force;
3. the credibility game under payoff uncertainty (:mod:`umbrella.games.expected`), with the
   combined credibility as the probability that the defender is Hard and the challenger's
   resolve toward r's group as the probability that it is Hard: per crisis opportunity, the
   shares of crises with no challenge, a challenge rebuffed, and the challenger gaining or
   conflict (deterrence fails);
4. the chance that deterrence holds through year y,
   ``exp(-sum over years up to y of rate x P(fails) x years)``, with ``rate`` the crisis
   opportunities a year of r's group;
5. the option's spending, net present value, proliferation index and support to Ukraine
   (:mod:`umbrella.model.options`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from umbrella.assumptions import Assumption
from umbrella.errors import ModelError
from umbrella.games import expected
from umbrella.model import credibility as cred
from umbrella.model import implementation, kernel
from umbrella.model import options as opt
from umbrella.model.implementation import Agreement
from umbrella.model.layout import Layout
from umbrella.model.levers import acts_on_credibility
from umbrella.model.registry import OptionSpec, Part
from umbrella.model.scenario import Scenario, part_start
from umbrella.ordered import matmul, matmul_each, sum_rows
from umbrella.trust import trust_state
from umbrella.trust.projection import Projection, projection

__all__ = [
    "OUTCOMES",
    "SUMMARY_OUTCOMES",
    "Evaluation",
    "OptionOutcomes",
    "check_finite",
    "evaluate",
    "held",
    "summarise",
    "summary_outcomes",
]

FloatArray = npt.NDArray[np.float64]

OUTCOMES = {
    "no_challenge": "share of crisis opportunities in which the challenger does not challenge",
    "rebuffed": "share of crisis opportunities in which the challenger challenges and then "
    "backs down in the face of support",
    "fails": "share of crisis opportunities in which deterrence fails: the challenger "
    "challenges and either gains unopposed or meets resistance and fights",
    "holds": "probability that deterrence has not failed in any crisis opportunity from the "
    "start year through this year",
}
"""The per-protege, per-year outcomes of the model, with their definitions."""

SUMMARY_OUTCOMES = {
    "holds_europe": "probability that deterrence holds from the start year through the "
    "horizon, averaged over Europe's population (the headline)",
    "holds_europe_first": "the same through the first year only",
    "no_challenge_europe": "share of crisis opportunities in the last year with no challenge, "
    "Europe-wide",
    "no_challenge_europe_first": "the same in the first year",
    "rebuffed_europe": "share of crisis opportunities in the last year with a challenge "
    "rebuffed, Europe-wide",
    "rebuffed_europe_first": "the same in the first year",
    "fails_europe": "share of crisis opportunities in the last year in which deterrence fails, "
    "Europe-wide",
    "fails_europe_first": "the same in the first year",
    "holds_ukraine": "probability that deterrence of a new offensive against the supported "
    "protege (Ukraine) holds through the horizon",
    "fails_ukraine": "share of crisis opportunities in the last year in which deterrence of the "
    "supported protege fails",
    "npv_eur_bn": "net present value of spending, EUR bn",
    "proliferation": "non-proliferation risk index in the last year",
    "ukraine_support_eur_bn": "support to Ukraine, EUR bn per year, averaged over the years",
    "on_time": "1 where the option (every part of a portfolio that starts) is agreed and "
    "delivered on its timeline, 0 where it stalls; over futures, the probability that it "
    "is (docs/options.md, 'Implementation risk')",
    "holds_europe_on_time": "holds_europe as it would be were the option agreed and "
    "delivered on its timeline in every future (the same as holds_europe where the "
    "scenario has no implementation risk)",
    "fails_ukraine_on_time": "fails_ukraine as it would be were the option agreed and "
    "delivered on its timeline in every future",
}
"""The per-future, per-option outcomes an ensemble keeps, for every scenario; a scenario's
other reports add ``<outcome>_<report>`` (:func:`summary_outcomes`)."""


def summary_outcomes(grid: Layout) -> dict[str, str]:
    """Every summary outcome of a scenario (its layout ``grid``), with its definition.

    Beside :data:`SUMMARY_OUTCOMES`: for Europe weighted equally (``<outcome>_in_europe_equal``)
    and by exposure (population times crisis rate, ``<outcome>_in_europe_exposure``), and for
    each exposure group of the scenario, weighted as Europe is and equally
    (``<outcome>_in_<group>``, ``<outcome>_in_<group>_equal``), the chance that deterrence
    holds through the horizon and the three shares per crisis in the last year.
    """
    names = dict(SUMMARY_OUTCOMES)
    for report in grid.weighted:
        if report == "europe":
            continue
        who = report.removesuffix("_equal").replace("_", " ")
        weighting = "each state counted once" if report.endswith("_equal") else "by population"
        for name, meaning in OUTCOMES.items():
            when = "through the horizon" if name == "holds" else "in the last year"
            names[f"{name}_in_{report}"] = f"{meaning}, {when}, over {who} ({weighting})"
    for name, meaning in OUTCOMES.items():
        when = "through the horizon" if name == "holds" else "in the last year"
        names[f"{name}_in_europe_exposure"] = (
            f"{meaning}, {when}, over Europe, each state weighted by its population times its "
            "crisis opportunities a year (the crises its people face)"
        )
    return names


@dataclass(frozen=True)
class OptionOutcomes:
    """One option's outcomes; deterrence arrays (group, year, sample), others (year, sample).

    ``credibility`` (guarantor, group, year, sample) and ``holds`` (every year) are kept
    only when asked for; :func:`held` gives ``holds`` through any one year.
    """

    no_challenge: FloatArray
    rebuffed: FloatArray
    fails: FloatArray
    holds: FloatArray | None
    combined: FloatArray
    credibility: FloatArray | None
    share: FloatArray
    spending: FloatArray
    npv: FloatArray
    proliferation: FloatArray
    support: tuple[FloatArray, FloatArray, FloatArray]
    on_time: FloatArray  # (sample,): 1 where it is agreed and delivered on time, else 0


@dataclass(frozen=True)
class Evaluation:
    """Every option's outcomes on a set of futures, and the trust they share."""

    trust: FloatArray  # (guarantor, group, year, sample)
    options: tuple[OptionOutcomes, ...]
    rate: FloatArray  # (group, 1, sample): crisis opportunities a year
    steps: FloatArray  # (year,): years each assessed year closes


def evaluate(
    scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray], *, detail: bool = False
) -> Evaluation:
    """Every option of ``scenario`` on the futures of ``params`` (one value per sample).

    ``grid`` is :func:`umbrella.model.layout.layout` of the scenario. With ``detail`` each
    option keeps its credibility per guarantor.
    """
    base = _base(scenario, grid, params)
    plans = _plans(scenario, grid, base)
    kept = _kernel(base, grid, plans, full=True, detail=detail)
    results: list[OptionOutcomes] = []
    for k, plan in enumerate(plans):
        no_challenge, rebuffed, fails, combined = kept.full[k]
        results.append(
            OptionOutcomes(
                no_challenge=no_challenge,
                rebuffed=rebuffed,
                fails=fails,
                holds=held(fails, base.rate, grid.steps) if detail else None,
                combined=combined,
                credibility=kept.credibility[k] if detail else None,
                share=plan.share,
                spending=plan.spent,
                npv=plan.npv,
                proliferation=plan.proliferation,
                support=plan.support,
                on_time=plan.on_time,
            )
        )
    return Evaluation(trust=_trust(base), options=tuple(results), rate=base.rate, steps=grid.steps)


def held(
    fails: FloatArray, rate: FloatArray, steps: FloatArray, through: int | None = None
) -> FloatArray:
    """The probability that deterrence holds in every crisis up to a year, crises arriving
    at ``rate`` a year as a Poisson process: ``exp(-sum_{t <= Y} rate fails_t dt_t)``.

    ``fails`` is (group, year, sample), ``rate`` (group, 1, sample), ``steps`` (year,).
    Every year (group, year, sample), or through year index ``through`` (group, sample).
    """
    if through is None:
        hazard: FloatArray = np.cumsum(fails * (rate * steps[:, None]), axis=1)
        return np.exp(-hazard)
    last = len(steps) if through == -1 else through + 1
    exposure: FloatArray = np.einsum("rys,y->rs", fails[:, :last], steps[:last])
    exposure *= rate[:, 0]
    return np.exp(-exposure)


def summarise(
    scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]
) -> dict[str, FloatArray]:
    """The summary outcomes (:data:`SUMMARY_OUTCOMES`), each (sample, option)."""
    base = _base(scenario, grid, params)
    plans = _plans(scenario, grid, base)
    # Where an option stalls in some future, the same option on time beside it: the
    # effect implementation risk takes away, on the same futures.
    late = [k for k, p in enumerate(plans) if not p.on_time.all()]
    planned = _plans(scenario, grid, base, risk=False) if late else []
    extra = [planned[k] for k in late]
    folded = _kernel(base, grid, [*plans, *extra], full=False, detail=False).folded
    on_time_hazard = folded[kernel.FOLDED.index("hazard"), len(plans) :]
    on_time_fails = folded[kernel.FOLDED.index("fails_last"), len(plans) :]
    folded = folded[:, : len(plans)]  # (k, o, r, s)
    weights = grid.group_weights
    supported = grid.supported
    n = next(iter(params.values())).shape[0]
    rate = base.rate[:, 0]  # (r, s)
    at = {name: kernel.FOLDED.index(name) for name in kernel.FOLDED}
    # Every option at once: each array (option, group, sample); each column (sample, option).
    through = np.exp(-(folded[at["hazard"]] * rate))
    last = {
        "holds": through,
        "no_challenge": folded[at["no_challenge_last"]],
        "rebuffed": folded[at["rebuffed_last"]],
        "fails": folded[at["fails_last"]],
    }
    first = {name: folded[at[f"{name}_first"]] for name in ("no_challenge", "rebuffed", "fails")}
    first["holds"] = np.exp(-(first["fails"] * grid.steps[0] * rate))
    summary: dict[str, FloatArray] = {}
    # Weighted over groups with sums in one fixed order (umbrella.ordered): a future's
    # outcomes do not depend on the chunk it is evaluated in.
    reports = [k for k in grid.weighted if k != "europe"]
    matrix = np.stack([weights, *(grid.weighted[k] for k in reports)])  # (1 + report, r)
    for name in OUTCOMES:
        summary[f"{name}_europe_first"] = _weighted(weights[None], first[name])[:, 0].T
        per_report = _weighted(matrix, last[name])  # (option, 1 + report, sample)
        summary[f"{name}_europe"] = per_report[:, 0].T
        for q, report in enumerate(reports, start=1):
            summary[f"{name}_in_{report}"] = per_report[:, q].T
    # Exposure: population times crisis rate, per future (the rates are uncertain).
    exposed = weights[:, None] * rate  # (r, s)
    exposed /= sum_rows(exposed)
    for name, per_group in last.items():
        weighted = exposed * per_group  # (option, r, s)
        total = weighted[:, 0].copy()
        for r in range(1, weighted.shape[1]):
            total += weighted[:, r]
        summary[f"{name}_in_europe_exposure"] = total.T
    if supported is None:
        summary["holds_ukraine"] = summary["fails_ukraine"] = np.full((n, len(plans)), np.nan)
    else:
        summary["holds_ukraine"] = through[:, supported].T
        summary["fails_ukraine"] = last["fails"][:, supported].T
    summary["npv_eur_bn"] = np.stack([p.npv for p in plans], axis=1)
    summary["proliferation"] = np.stack([p.proliferation[-1] for p in plans], axis=1)
    summary["ukraine_support_eur_bn"] = np.stack(
        [sum_rows(p.support[0]) / p.support[0].shape[0] for p in plans], axis=1
    )
    summary["on_time"] = np.stack([p.on_time for p in plans], axis=1)
    on_time = summary["holds_europe"].copy()
    if late:
        planned_holds = np.exp(-(on_time_hazard * rate))  # (late option, r, s)
        on_time[:, late] = _weighted(weights[None], planned_holds)[:, 0].T
    summary["holds_europe_on_time"] = on_time
    summary["fails_ukraine_on_time"] = summary["fails_ukraine"].copy()
    if late and supported is not None:
        summary["fails_ukraine_on_time"][:, late] = on_time_fails[:, supported].T
    order = [*SUMMARY_OUTCOMES]
    order += [f"{name}_in_{r}" for r in [*reports, "europe_exposure"] for name in OUTCOMES]
    summary = {name: summary[name] for name in order}
    check_finite(summary, params, scenario.registry, missing_allowed=supported is None)
    return summary


def _weighted(matrix: FloatArray, values: FloatArray) -> FloatArray:
    """``matrix`` (q, r) times each option's ``values`` (option, r, s): (option, q, s)."""
    return matmul_each(matrix, values)


def check_finite(
    outcomes: Mapping[str, FloatArray],
    params: Mapping[str, FloatArray],
    registry: Mapping[str, Assumption],
    *,
    missing_allowed: bool = False,
) -> None:
    """Raise :class:`ModelError` where an outcome (sample, option) is not finite, naming the
    outcome, the future and the assumptions of that future nearest the edge of what their
    unit allows: no such number is ever stored or printed as a result.

    ``missing_allowed``: the Ukraine outcomes are NaN by design when the scenario supports
    no protege.
    """
    for name, values in outcomes.items():
        if missing_allowed and name in ("holds_ukraine", "fails_ukraine", "fails_ukraine_on_time"):
            continue
        bad = ~np.isfinite(values)
        if not bad.any():
            continue
        sample = int(np.argwhere(bad)[0][0])
        raise ModelError(
            f"outcome {name} is not finite in {int(bad.any(axis=1).sum())} future(s), the "
            f"first at position {sample}; the assumptions of that future nearest their limits: "
            f"{_extremes(params, registry, sample)} (narrow their ranges in the scenario)"
        )


def _extremes(
    params: Mapping[str, FloatArray], registry: Mapping[str, Assumption], sample: int
) -> str:
    """The three assumptions of one future that lie furthest from their defaults toward the
    limits of their units (``umbrella.assumptions.LIMITS``): the likeliest causes of a value
    that is not finite."""
    scored = []
    for name, values in params.items():
        assumption = registry.get(name)
        if assumption is None or not values.shape[0]:
            continue
        value = float(values[min(sample, values.shape[0] - 1)])
        least, greatest = assumption.limits
        if not np.isfinite(value):
            reach = np.inf
        elif value >= assumption.default:
            reach = (value - assumption.default) / max(greatest - assumption.default, 1e-300)
        else:
            reach = (assumption.default - value) / max(assumption.default - least, 1e-300)
        scored.append((reach, name, value))
    scored.sort(key=lambda item: -item[0])
    return ", ".join(f"{name} = {value:g}" for _, name, value in scored[:3]) or "none"


@dataclass(frozen=True)
class _Base:
    """What every option starts from (sample axis last)."""

    params: Mapping[str, FloatArray]
    guarantors: tuple[str, ...]
    projection: Projection  # allies' trust, per view of the evidence (v)
    views: npt.NDArray[np.int64]  # (r,): each group's view
    own: npt.NDArray[np.bool_]  # (g, r): the guarantor's own territory (trust 1)
    odds: FloatArray  # (s,): exp(belief.shift), or (0,) where every shift is 0
    depth: FloatArray  # (g, r, y, s)
    capability: FloatArray  # (g, s)
    ally: FloatArray  # (r, 1, 1): 1 for an ally (NATO or EU member), else 0
    targeted: dict[str, FloatArray]  # option -> (r, 1, 1): 1 for a protege it aims at
    supported: int | None  # the supported protege's group
    pair: tuple[int, int] | None
    p_ch: FloatArray  # (r, 1, s), or (r, y, s) under a resolve stress
    rate: FloatArray  # (r, 1, s), crisis opportunities a year
    game: str


def _base(scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]) -> _Base:
    terms, views = _projection(scenario, grid, params)
    own = np.zeros((len(grid.guarantors), len(grid.reps)), dtype=np.bool_)
    depth: FloatArray = np.take(cred.depth_of_sets(grid.patterns, params), grid.pattern, axis=0)
    years = np.asarray(grid.years, dtype=np.float64)[:, None]  # (y, 1)
    for stress in (s for s in scenario.stresses if s.kind == "exit"):
        # From the stress's year on, the guarantor's commitments of the kinds it ends are
        # no longer in force: depth from the same sets without those kinds. A stress after
        # the horizon in every future changes nothing, and costs nothing.
        if not np.any(params[stress.year] <= years[-1, 0]):
            continue
        gi = grid.guarantors.index(stress.guarantor)
        ended = np.isin(cred.COMMITMENT_KINDS, stress.ends)
        after = cred.depth_of_sets(grid.patterns & ~ended, params)
        after_exit = np.take(after, grid.pattern[gi], axis=0)  # (r, y, s)
        over = years >= params[stress.year]  # (y, s)
        depth[gi] = np.where(over, after_exit, depth[gi])
    capability = cred.capability(scenario.world, grid.guarantors, params)
    for gi, g in enumerate(grid.guarantors):
        if g in grid.reps:  # a guarantor defends its own territory: depth 1, trust 1
            depth[gi, grid.reps.index(g)] = 1.0
            own[gi, grid.reps.index(g)] = True
    pair = scenario.coordination
    shift = params["belief.shift"]
    return _Base(
        params=params,
        guarantors=grid.guarantors,
        projection=terms,
        views=views,
        own=own,
        odds=np.exp(shift) if np.any(shift) else _EMPTY1,
        depth=depth,
        capability=capability,
        ally=grid.allies[:, None, None].astype(np.float64),
        targeted={k: v[:, None, None].astype(np.float64) for k, v in grid.targeted.items()},
        supported=grid.supported,
        pair=None
        if pair is None
        else (grid.guarantors.index(pair[0]), grid.guarantors.index(pair[1])),
        p_ch=_resolve(scenario, grid, params, years),
        rate=np.stack([params[k] for k in grid.rate_keys])[:, None, :],
        game=scenario.game,
    )


def _resolve(
    scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray], years: FloatArray
) -> FloatArray:
    """The challenger's resolve toward each group: (r, 1, s), or (r, y, s) where a
    ``resolve`` stress raises it from its year on (by its ``added``, at most to 0.99)."""
    resolve = np.stack([params[k] for k in grid.resolve_keys])[:, None, :]
    stresses = [s for s in scenario.stresses if s.kind == "resolve"]
    acting = [s for s in stresses if np.any(params[s.year] <= years[-1, 0])]
    if not acting:
        return resolve
    resolve = np.repeat(resolve, len(years), axis=1)  # (r, y, s)
    names = [scenario.group_of(r).name for r in grid.reps]
    for stress in acting:
        rows = [i for i, name in enumerate(names) if name in stress.groups]
        raised = params[stress.added] * (years >= params[stress.year])  # (y, s)
        resolve[rows] = np.minimum(resolve[rows] + raised, 0.99)
    return resolve


def _projection(
    scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]
) -> tuple[Projection, npt.NDArray[np.int64]]:
    """Trust's terms once per view of the evidence, and each group's view."""
    distinct = list(dict.fromkeys(grid.views))
    readers = [grid.reps[grid.views.index(v)] for v in distinct]
    state = trust_state(scenario.world, params, scenario.as_of, scenario.guarantors, readers)
    none = np.zeros_like(state.monthly_decay)
    flow = np.stack(
        [
            params[scenario.future_evidence[g]] if g in scenario.future_evidence else none
            for g in scenario.guarantors
        ]
    )
    # A reversal stress changes a guarantor's flow from 1 January of its year.
    switch, after = np.full_like(flow, 1e9), flow.copy()
    for stress in (s for s in scenario.stresses if s.kind == "reversal"):
        gi = scenario.guarantors.index(stress.guarantor)
        months = (params[stress.year] - scenario.as_of.year) * 12 + (1 - scenario.as_of.month)
        switch[gi] = np.maximum(months, 0.0)
        after[gi] = params[stress.flow]
    terms = projection(state, flow, params["trust.negative_multiplier"], grid.years, switch, after)
    views = np.array([distinct.index(v) for v in grid.views], dtype=np.int64)
    return terms, views


def _trust(base: _Base, only: int | None = None) -> FloatArray:
    """Allies' trust (g, r, y, s), as the kernel computes it row by row; guarantor ``only``
    alone (r, y, s)."""
    terms, own = base.projection, base.own
    if only is not None:
        g = slice(only, only + 1)
        terms = replace(
            terms, alpha0=terms.alpha0[g], beta0=terms.beta0[g], gained=terms.gained[g],
            lost=terms.lost[g],
        )  # fmt: skip
        own = own[g]
    trust: FloatArray = np.take(terms.trust(), base.views, axis=1)
    trust[own] = 1.0
    return trust if only is None else trust[0]


def _abandonment(scenario: Scenario, grid: Layout, base: _Base) -> FloatArray:
    """What abandonment adds to the proliferation index (year, sample).

    As the anchoring guarantor's credibility (population-weighted over the proteges) falls
    below its first year's, allied pressure to proliferate rises (Bleek & Lorber 2014):
    ``(1 - status quo) k max(0, 1 - a_y / a_first)``, k = ``proliferation.abandonment``.
    """
    params = base.params
    if scenario.proliferation_anchor is None:
        return np.zeros((len(grid.years), params["proliferation.status_quo"].shape[0]))
    gi = grid.guarantors.index(scenario.proliferation_anchor)
    belief = kernel.belief(_trust(base, gi), base.odds)
    status_quo = belief * base.depth[gi] * base.capability[gi]  # (r, y, s)
    n_r, n_y, n = status_quo.shape
    anchor = matmul(grid.group_weights, status_quo.reshape(n_r, n_y * n)).reshape(n_y, n)
    ratio = anchor / np.maximum(anchor[0], 1e-12)
    drop = np.maximum(1.0 - ratio, 0.0)
    room = 1.0 - params["proliferation.status_quo"]
    pressure: FloatArray = room * params["proliferation.abandonment"] * drop
    return pressure


def _denial(
    support: tuple[FloatArray, FloatArray, FloatArray], params: Mapping[str, FloatArray]
) -> FloatArray | None:
    """What the option's change of support does to the challenger's expected gain from a new
    offensive against the supported protege: the factor ``(1 + dS / S0)^(-e)`` (year,
    sample), with dS the support it adds net of what it diverts, S0 the baseline and e
    ``ukraine.denial_elasticity``; None where it changes no support."""
    net = support[1] - support[2]
    if not net.any():
        return None
    baseline = params["ukraine.baseline_eur_bn"]
    relative = np.maximum(1.0 + net / baseline, 0.1)  # support never falls below a tenth
    # exp(-e log x) rather than x ** -e: the same number to a few units in the last place,
    # in a fraction of the time of a power with an exponent per future.
    factor: FloatArray = np.exp(np.log(relative) * -params["ukraine.denial_elasticity"])
    return factor


_EMPTY1 = np.zeros(0)
_EMPTY4 = np.zeros((0, 0, 0, 0))
_EMPTY5 = np.zeros((0, 0, 0, 0, 0))


def _challenger_side(base: _Base) -> FloatArray:
    """What the game needs of the challenger's resolve alone, (k, r, y', s): for the extended
    game its ``quiet``, ``pooled`` and ``weight`` (:func:`umbrella.games.expected.challenger_side`),
    for the rudimentary game its expected cost of conflict."""
    params = base.params
    if base.game == "rudimentary":
        conflict = expected.rudimentary_conflict(
            base.p_ch, params["game.hard_conflict_share"], params["game.challenger_cost"]
        )
        return np.ascontiguousarray(conflict[None])
    parts = expected.challenger_side(base.p_ch, params["game.defender_stake_ratio"])
    return np.stack([parts["quiet"], parts["pooled"], parts["weight"]])


@dataclass(frozen=True)
class _Plan:
    """One option over time: its ramp, spending and support, and what they change."""

    option: OptionSpec
    share: FloatArray  # (y, s)
    spent: FloatArray  # (y, s)
    npv: FloatArray  # (s,)
    proliferation: FloatArray  # (y, s)
    support: tuple[FloatArray, FloatArray, FloatArray]
    denial: FloatArray | None  # (y, s)
    acts: bool  # pulls a lever that moves credibility
    pulls: dict[str, FloatArray]  # lever -> (y, s): the lever as pulled each year
    on_time: FloatArray  # (s,): 1 where agreed and delivered on its timeline, else 0


def _plans(scenario: Scenario, grid: Layout, base: _Base, *, risk: bool = True) -> list[_Plan]:
    """Every option's plan; with ``risk`` (and the scenario's implementation risk on) an
    option that is not agreed and delivered on time in a future starts late there."""
    params = base.params
    discount = opt.discount_factors(grid.years, scenario.start_year, params["discount_rate"])
    pressure = _abandonment(scenario, grid, base)
    by_id = {o.id: o for o in scenario.options}
    trust = _trust_between(scenario, grid, base) if risk and scenario.agreements else {}

    def planned(option: OptionSpec, given: Mapping[str, FloatArray]) -> _Plan:
        at_risk = scenario.agreements.get(option.id) if risk else None
        changed, on_time = _at_risk(at_risk, given, option.id, trust)
        plan = _plan(option, changed, grid, discount, pressure)
        return replace(plan, on_time=on_time)

    plans = []
    for option in scenario.options:
        if not option.components:
            plans.append(planned(option, params))
            continue
        parts = [
            planned(by_id[part.option], _started(params, part, by_id[part.option]))
            for part in option.components
        ]
        plans.append(_portfolio(option, parts, params, grid))
    return plans


def _trust_between(
    scenario: Scenario, grid: Layout, base: _Base
) -> dict[tuple[str, str], FloatArray]:
    """Each agreement's (state, guarantor) pairs: the state's trust in the guarantor in the
    first year assessed (sample,), as the evidence gives it in each future."""
    pairs = {pair for agreement in scenario.agreements.values() for pair in agreement.pairs}
    if not pairs:
        return {}
    first = _trust(base)[:, :, 0]  # (g, r, s)
    found = {}
    for state, guarantor in sorted(pairs):
        r = int(grid.group[grid.proteges.index(state)])
        found[(state, guarantor)] = first[grid.guarantors.index(guarantor), r]
    return found


def _at_risk(
    agreement: Agreement | None,
    params: Mapping[str, FloatArray],
    option: str,
    trust: Mapping[tuple[str, str], FloatArray],
) -> tuple[Mapping[str, FloatArray], FloatArray]:
    """``params`` as the option runs under implementation risk, and where it is delivered
    on time (1) or stalls (0), per future (:mod:`umbrella.model.implementation`): a stalled
    option starts ``implementation.stall_years`` late. An option that never starts (a
    pathway's step whose signpost did not fire) has nothing to deliver late."""
    n = next(iter(params.values())).shape[0]
    if agreement is None:
        return params, np.ones(n)
    start = params[f"option.{option}.start_year"]
    full = params[f"option.{option}.years_to_full_effect"]
    chance = implementation.probability(agreement, params, trust, start, full)
    on_time = implementation.delivered(params, option, chance) | ~np.isfinite(start)
    if on_time.all():
        return params, np.ones(n)
    changed = dict(params)
    late = np.where(on_time, 0.0, params["implementation.stall_years"])
    changed[f"option.{option}.start_year"] = start + late
    return changed, on_time.astype(np.float64)


def _plan(
    option: OptionSpec,
    params: Mapping[str, FloatArray],
    grid: Layout,
    discount: FloatArray,
    pressure: FloatArray,
) -> _Plan:
    share = opt.ramp(params, option, grid.years)
    spent = opt.spending(params, option, grid.years)
    support = opt.ukraine_support(params, option, share, spent)
    return _Plan(
        option=option,
        share=share,
        spent=spent,
        npv=opt.present_value(spent, discount),
        proliferation=opt.proliferation(params, option, share, pressure, grid.years),
        support=support,
        denial=_denial(support, params) if grid.supported is not None else None,
        acts=any(acts_on_credibility(x) for x in option.levers),
        # The lever times the ramp: the product the kernel's equations take first.
        pulls={name: opt.lever(params, option, name) * share for name in option.levers},
        on_time=np.ones(share.shape[1]),
    )


def _started(
    params: Mapping[str, FloatArray], part: Part, option: OptionSpec
) -> Mapping[str, FloatArray]:
    """``params`` as the part's option runs in it: starting later by its delay, or, for a
    pathway's step, in the year its signpost is read where it has fired and never (an
    infinite year: no effect, no spending) where it has not; at ``scale``, its levers (but
    its proliferation index, which a decision signals whatever its size) and costs scaled."""
    if not part.delay and part.trigger is None and part.scale == 1.0:
        return params
    changed = dict(params)
    if part.delay or part.trigger is not None:
        name = f"option.{part.option}.start_year"
        changed[name] = np.asarray(part_start(part, params.__getitem__), dtype=np.float64)
    if part.scale != 1.0:
        scaled = [x for x in option.levers if x != "proliferation"]
        for field in (*scaled, "capex_eur_bn", "opex_eur_bn_per_year"):
            name = f"option.{part.option}.{field}"
            changed[name] = params[name] * part.scale
    return changed


def _portfolio(
    option: OptionSpec, parts: list[_Plan], params: Mapping[str, FloatArray], grid: Layout
) -> _Plan:
    """A portfolio from its parts' plans, by the rules of docs/options.md ("Portfolios"):
    a lever two parts pull is pulled as far as the further of the two each year, never the
    sum (no double counting); spending, costs and the changes of support to Ukraine add;
    the proliferation risk is the highest of the parts' each year; the share of full effect
    shown is the mean of the parts'."""
    baseline = params["ukraine.baseline_eur_bn"]
    positive = sum_rows(np.stack([p.support[1] for p in parts]))
    negative = sum_rows(np.stack([p.support[2] for p in parts]))
    support = (baseline + positive - negative, positive, negative)
    pulls: dict[str, FloatArray] = {}
    for part in parts:
        for name, pulled in part.pulls.items():
            pulls[name] = pulled if name not in pulls else np.maximum(pulls[name], pulled)
    return _Plan(
        option=option,
        share=sum_rows(np.stack([p.share for p in parts])) / len(parts),
        spent=sum_rows(np.stack([p.spent for p in parts])),
        npv=sum_rows(np.stack([p.npv for p in parts])),
        proliferation=np.maximum.reduce([p.proliferation for p in parts]),
        support=support,
        denial=_denial(support, params) if grid.supported is not None else None,
        acts=any(p.acts for p in parts),
        pulls=pulls,
        # On time only where every part that starts is.
        on_time=np.minimum.reduce([p.on_time for p in parts]),
    )


@dataclass(frozen=True)
class _Kept:
    folded: FloatArray  # (k, o, r, s): kernel.FOLDED, or empty
    full: FloatArray  # (o, 4, r, y, s): SQ, DW, fails, combined; or empty
    credibility: FloatArray  # (o, g, r, y, s), or empty


def _kernel(base: _Base, grid: Layout, plans: list[_Plan], *, full: bool, detail: bool) -> _Kept:
    """Every option's deterrence by the fused kernel (:func:`umbrella.model.kernel.deterrence`):
    every year (``full``) or folded over the years; with ``detail`` each guarantor's
    credibility too.

    Depth levers and a European force reach allies (NATO or EU members) unless the option is
    aimed at chosen proteges; an aimed option's every lever reaches those proteges only.
    Outside ``detail``, the first option that moves nothing (the status quo) is the
    reference: before any future sees another option act (a lever times a share of 0 adds
    0), that option's deterrence is the reference's exactly, and is copied, not computed,
    except in the supported protege's row where the option changes its support.
    """
    params = base.params
    n_g, n_r, n_y, n = base.depth.shape
    n_o = len(plans)
    codes = [g.lower() for g in base.guarantors]
    # Each lever as pulled each year: the lever times the option's ramp (the product the
    # kernel's equations take first, so that the values are the same to the bit).
    depth_pull = np.zeros((n_o, n_g, n_y, n))
    capability_pull = np.zeros((n_o, n_g, n_y, n))
    reach, scope = np.zeros((n_o, n_r)), np.zeros((n_o, n_r))
    kappa_pull, force_pull = np.zeros((n_o, n_y, n)), np.zeros((n_o, n_y, n))
    denial = np.ones((n_o, n_y, n))
    coordinated, forced, denied = (np.zeros(n_o, dtype=np.bool_) for _ in range(3))
    first = np.zeros(n_o, dtype=np.int64)
    still = [k for k, p in enumerate(plans) if p.denial is None and not p.acts]
    reference = -1 if detail or not still else still[0]
    for k, plan in enumerate(plans):
        option, pulled = plan.option, plan.pulls
        aim = base.targeted.get(option.id)
        reach[k] = (base.ally if aim is None else aim).reshape(-1)
        scope[k] = 1.0 if aim is None else reach[k]
        for gi, code in enumerate(codes):
            if f"depth_{code}" in pulled:
                depth_pull[k, gi] = pulled[f"depth_{code}"]
            if f"capability_{code}" in pulled:
                capability_pull[k, gi] = pulled[f"capability_{code}"]
        if base.pair is not None and "coordination" in pulled:
            coordinated[k], kappa_pull[k] = True, pulled["coordination"]
        if "european_force" in pulled:
            forced[k], force_pull[k] = True, pulled["european_force"]
        if plan.denial is not None:
            denied[k], denial[k] = True, plan.denial
        if reference >= 0:
            acting = np.flatnonzero(plan.share.any(axis=1)) if plan.acts else np.zeros(0)
            first[k] = int(acting[0]) if len(acting) else n_y
    folded = np.empty((len(kernel.FOLDED), n_o, n_r, n)) if not full else _EMPTY4
    every = np.empty((n_o, 4, n_r, n_y, n)) if full else _EMPTY5
    credibility = np.empty((n_o, n_g, n_r, n_y, n)) if detail else _EMPTY5
    kernel.deterrence(
        base.projection.alpha0,
        base.projection.beta0,
        base.projection.decay,
        base.projection.gained,
        base.projection.lost,
        base.views,
        base.own,
        base.odds,
        base.depth,
        np.ascontiguousarray(base.capability),
        np.ascontiguousarray(params["combine.correlation"]),
        kernel.RUDIMENTARY if base.game == "rudimentary" else kernel.EXTENDED,
        _challenger_side(base),
        np.ascontiguousarray(base.p_ch),
        np.ascontiguousarray(params["game.challenger_gain"]),
        np.ascontiguousarray(params["game.challenger_cost"]),
        np.ascontiguousarray(params["game.hard_conflict_share"]),
        -1 if base.supported is None else base.supported,
        np.array(base.pair if base.pair is not None else (-1, -1), dtype=np.int64),
        np.ascontiguousarray(grid.steps, dtype=np.float64),
        depth_pull,
        capability_pull,
        reach,
        scope,
        coordinated,
        kappa_pull,
        forced,
        force_pull,
        denied,
        denial,
        first,
        reference,
        folded,
        every,
        credibility,
    )
    return _Kept(folded=folded, full=every, credibility=credibility)
