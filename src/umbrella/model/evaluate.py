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
from typing import Any

import numpy as np
import numpy.typing as npt

from umbrella.assumptions import Assumption
from umbrella.errors import ModelError
from umbrella.games import expected
from umbrella.model import credibility as cred
from umbrella.model import options as opt
from umbrella.model.layout import Layout
from umbrella.model.levers import acts_on_credibility
from umbrella.model.registry import OptionSpec
from umbrella.model.scenario import Scenario
from umbrella.trust import trust_state
from umbrella.trust.projection import project

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
    discount = opt.discount_factors(grid.years, scenario.start_year, params["discount_rate"])
    pressure = _abandonment(scenario, grid, base)
    results: list[OptionOutcomes] = []
    still: dict[str, FloatArray] | None = None  # deterrence when no credibility lever moves
    for option in scenario.options:
        share = opt.ramp(params, option, grid.years)
        spent = opt.spending(params, option, grid.years)
        support = opt.ukraine_support(params, option, share, spent)
        denial = _denial(support, params) if grid.supported is not None else None
        moving = denial is not None or any(acts_on_credibility(x) for x in option.levers)
        credibility: list[FloatArray] | None = None
        if detail or still is None:
            credibility = _credibility(option, share, base)
            deterrence = _outcome(option, share, credibility, base, denial)
            if not moving:
                still = deterrence
        else:
            deterrence = still
            if any(acts_on_credibility(x) for x in option.levers):
                # Before any future sees the option act (a lever times a share of 0 adds 0),
                # deterrence is the status quo's, exactly: only the later years are
                # evaluated.
                acting = np.flatnonzero(share.any(axis=1))
                first = int(acting[0]) if len(acting) else len(grid.years)
                later = _from_year(base, first)
                tail = _outcome(
                    option, share[first:], _credibility(option, share[first:], later), later, None
                )
                deterrence = {
                    name: np.concatenate([values[:, :first], tail[name]], axis=1)
                    for name, values in still.items()
                }
            if denial is not None:
                # Support moves only the supported protege's game: its row is evaluated
                # again, with the same credibility.
                deterrence = _supported_row(deterrence, base, denial, deterrence is not still)
        results.append(
            OptionOutcomes(
                no_challenge=deterrence["SQ"],
                rebuffed=deterrence["DW"],
                fails=deterrence["fails"],
                holds=held(deterrence["fails"], base.rate, grid.steps) if detail else None,
                combined=deterrence["combined"],
                credibility=np.stack(credibility) if detail and credibility else None,
                share=share,
                spending=spent,
                npv=opt.present_value(spent, discount),
                proliferation=opt.proliferation(params, option, share, pressure, grid.years),
                support=support,
            )
        )
    return Evaluation(trust=base.trust, options=tuple(results), rate=base.rate, steps=grid.steps)


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
    evaluation = evaluate(scenario, grid, params)
    columns: dict[str, list[FloatArray]] = {name: [] for name in SUMMARY_OUTCOMES}
    weights = grid.group_weights
    supported = grid.supported
    n = next(iter(params.values())).shape[0]
    missing = np.full(n, np.nan)
    rate, steps = evaluation.rate, evaluation.steps
    reports = [k for k in grid.weighted if k != "europe"]
    matrix = np.stack([grid.weighted[k] for k in reports]) if reports else None  # (report, r)
    for report in [*reports, "europe_exposure"]:
        for name in OUTCOMES:
            columns[f"{name}_in_{report}"] = []
    for result in evaluation.options:
        through = held(result.fails, rate, steps, -1)
        if matrix is not None:
            for name, values in (
                ("holds", through),
                ("no_challenge", result.no_challenge[:, -1]),
                ("rebuffed", result.rebuffed[:, -1]),
                ("fails", result.fails[:, -1]),
            ):
                for report, row in zip(reports, matrix @ values, strict=True):
                    columns[f"{name}_in_{report}"].append(row)
        # Exposure: population times crisis rate, per future (the rates are uncertain).
        exposed = weights[:, None] * rate[:, 0]  # (r, s)
        exposed /= exposed.sum(axis=0)
        for name, values in (
            ("holds", through),
            ("no_challenge", result.no_challenge[:, -1]),
            ("rebuffed", result.rebuffed[:, -1]),
            ("fails", result.fails[:, -1]),
        ):
            columns[f"{name}_in_europe_exposure"].append(np.einsum("rs,rs->s", exposed, values))
        columns["holds_europe"].append(weights @ through)
        columns["holds_europe_first"].append(weights @ held(result.fails, rate, steps, 0))
        for name, values in (
            ("no_challenge", result.no_challenge),
            ("rebuffed", result.rebuffed),
            ("fails", result.fails),
        ):
            columns[f"{name}_europe"].append(weights @ values[:, -1])
            columns[f"{name}_europe_first"].append(weights @ values[:, 0])
        columns["holds_ukraine"].append(missing if supported is None else through[supported])
        columns["fails_ukraine"].append(
            missing if supported is None else result.fails[supported, -1]
        )
        columns["npv_eur_bn"].append(result.npv)
        columns["proliferation"].append(result.proliferation[-1])
        columns["ukraine_support_eur_bn"].append(result.support[0].mean(axis=0))
    summary = {name: np.stack(values, axis=1) for name, values in columns.items()}
    check_finite(summary, params, scenario.registry, missing_allowed=supported is None)
    return summary


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
        if missing_allowed and name in ("holds_ukraine", "fails_ukraine"):
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
    trust: FloatArray  # (g, r, y, s), allies' trust
    belief: FloatArray  # (g, r, y, s), the challenger's belief that g would fight
    depth: FloatArray  # (g, r, y, s)
    capability: FloatArray  # (g, s)
    credibility: FloatArray  # (g, r, y, s), the status quo's
    ally: FloatArray  # (r, 1, 1): 1 for an ally (NATO or EU member), else 0
    targeted: dict[str, FloatArray]  # option -> (r, 1, 1): 1 for a protege it aims at
    supported: int | None  # the supported protege's group
    pair: tuple[int, int] | None
    p_ch: FloatArray  # (r, 1, s), or (r, y, s) under a resolve stress
    rate: FloatArray  # (r, 1, s), crisis opportunities a year
    game: str


def _base(scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]) -> _Base:
    trust = _trust(scenario, grid, params)
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
    pair = scenario.coordination
    belief = _belief(trust, params["belief.shift"])
    return _Base(
        params=params,
        guarantors=grid.guarantors,
        trust=trust,
        belief=belief,
        depth=depth,
        capability=capability,
        credibility=belief * depth * capability[:, None, None, :],
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


def _belief(trust: FloatArray, shift: FloatArray) -> FloatArray:
    """The challenger's belief that a guarantor would fight: allies' trust with its odds
    multiplied by ``exp(belief.shift)`` (a shift on the logit scale, written without a
    logarithm so that a trust of 0 or 1 stays where it is). At a shift of 0, the trust
    itself."""
    if not np.any(shift):
        return trust
    factor = np.exp(shift)  # (s,)
    moved = trust * factor
    belief: FloatArray = moved / (1.0 - trust + moved)
    return belief


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


def _trust(scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]) -> FloatArray:
    """Trust (g, r, y, s); computed once per view of the evidence, then per group."""
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
    per_view = project(state, flow, params["trust.negative_multiplier"], grid.years, switch, after)
    trust: FloatArray = np.take(per_view, [distinct.index(v) for v in grid.views], axis=1)
    for gi, g in enumerate(grid.guarantors):
        if g in grid.reps:
            trust[gi, grid.reps.index(g)] = 1.0
    return trust


def _credibility(option: OptionSpec, share: FloatArray, base: _Base) -> list[FloatArray]:
    """Each guarantor's credibility (r, y, s) under ``option``: its levers, ramped.

    Depth levers reach allies (NATO or EU members) unless the option is aimed at chosen
    proteges; an aimed option's every lever reaches those proteges only.
    """
    params, pulled = base.params, set(option.levers)
    aim = base.targeted.get(option.id)
    reach = base.ally if aim is None else aim
    scope: Any = 1.0 if aim is None else aim
    result = []
    for gi, g in enumerate(base.guarantors):
        code = g.lower()
        deeper, stronger = f"depth_{code}" in pulled, f"capability_{code}" in pulled
        if not deeper and not stronger:
            result.append(base.credibility[gi])
            continue
        depth = base.depth[gi]
        if deeper:  # the lever reaches allies only; the depth still missing is what it adds
            added = opt.lever(params, option, f"depth_{code}") * share * reach
            depth = depth + added * (1.0 - depth)
        capability: Any = base.capability[gi]
        if stronger:
            extra = opt.lever(params, option, f"capability_{code}") * share * scope
            capability = capability + extra * (1.0 - capability)
        result.append(base.belief[gi] * depth * capability)
    if base.pair is not None and "coordination" in pulled:
        kappa = opt.lever(params, option, "coordination") * share * scope
        i, j = base.pair
        result[i], result[j] = cred.coordinate(result[i], result[j], kappa)
    return result


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
    anchor = np.tensordot(grid.group_weights, base.credibility[gi], axes=(0, 0))  # (y, s)
    ratio = anchor / np.maximum(anchor[0], 1e-12)
    drop = np.maximum(1.0 - ratio, 0.0)
    room = 1.0 - params["proliferation.status_quo"]
    pressure: FloatArray = room * params["proliferation.abandonment"] * drop
    return pressure


def _outcome(
    option: OptionSpec,
    share: FloatArray,
    credibility: list[FloatArray],
    base: _Base,
    denial: FloatArray | None,
) -> dict[str, FloatArray]:
    """Combined credibility and the game's expected outcome, (r, y, s) each."""
    combined = _combined(option, share, credibility, base)
    return {**_deterrence(combined, base, denial), "combined": combined}


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
    factor: FloatArray = relative ** -params["ukraine.denial_elasticity"]
    return factor


def _supported_row(
    source: dict[str, FloatArray], base: _Base, denial: FloatArray, fresh: bool
) -> dict[str, FloatArray]:
    """``source`` with the supported protege's row evaluated under ``denial``; ``source``
    is changed in place when ``fresh`` (its own arrays), else copied first."""
    row = base.supported
    assert row is not None  # a denial needs a supported protege
    one = replace(base, p_ch=base.p_ch[row : row + 1], rate=base.rate[row : row + 1], supported=0)
    changed = _deterrence(source["combined"][row : row + 1], one, denial)
    result = dict(source)
    for name, values in changed.items():
        if not fresh:
            result[name] = result[name].copy()
        result[name][row : row + 1] = values
    return result


def _from_year(base: _Base, first: int) -> _Base:
    """``base`` from year index ``first`` on (views, no copies)."""
    if not first:
        return base
    return replace(
        base,
        trust=base.trust[:, :, first:],
        belief=base.belief[:, :, first:],
        depth=base.depth[:, :, first:],
        credibility=base.credibility[:, :, first:],
        p_ch=base.p_ch if base.p_ch.shape[1] == 1 else base.p_ch[:, first:],
    )


def _combined(
    option: OptionSpec, share: FloatArray, credibility: list[FloatArray], base: _Base
) -> FloatArray:
    """Probability that at least one guarantor (or a European force) resists, (r, y, s).

    A common shock (a threat that deters every guarantor at once) decides all of them
    together with probability ``rho`` (``combine.correlation``): then the challenger faces
    the most credible alone. Otherwise they resist independently:
    ``(1 - rho)(1 - prod (1 - c)) + rho max c``, which never rises with ``rho``.
    """
    entries = list(credibility)
    if "european_force" in option.levers:
        aim = base.targeted.get(option.id)
        reach = base.ally if aim is None else aim
        entries.append(opt.lever(base.params, option, "european_force") * share * reach)
    keep = 1.0 - entries[0]
    top = entries[0].copy()
    spare = np.empty_like(keep)
    for value in entries[1:]:
        np.subtract(1.0, value, out=spare)
        keep *= spare
        np.maximum(top, value, out=top)
    # independent: 1 - keep; mixed: (1 - rho)(1 - keep) + rho top = (1 - keep) - rho (1 - keep
    # - top), written in place.
    combined: FloatArray = np.subtract(1.0, keep, out=keep)
    top -= combined
    top *= base.params["combine.correlation"]
    combined += top
    return combined


def _deterrence(
    combined: FloatArray, base: _Base, denial: FloatArray | None
) -> dict[str, FloatArray]:
    """The game's expected outcome per crisis opportunity, (r, y, s).

    ``denial`` (year, sample) scales the challenger's expected gain toward the supported
    protege's group.
    """
    params = base.params
    gain: Any = params["game.challenger_gain"]
    if denial is not None and base.supported is not None:
        gain = np.broadcast_to(gain, combined.shape).copy()
        gain[base.supported] *= denial
    payoffs = {
        "gain": gain,
        "cost": params["game.challenger_cost"],
        "hard_share": params["game.hard_conflict_share"],
    }
    if base.game == "rudimentary":
        outcome = expected.rudimentary(p_def=combined, p_ch=base.p_ch, **payoffs)
    else:
        outcome = expected.extended(
            p_def=combined,
            p_ch=base.p_ch,
            stake_ratio=params["game.defender_stake_ratio"],
            **payoffs,
        )
    return outcome
