"""The assessment: every option, year and protege, from evidence to deterrence.

For each option o, year y and protege p (and each sample of the assumptions):

1. trust in each guarantor g at mid-year y, from the evidence up to the scenario's date,
   forgotten at the trust half-life, plus the assumed yearly flow of new evidence;
2. credibility of g toward p (:mod:`umbrella.model.credibility`), with the option's
   levers scaled by its ramp, combined over guarantors;
3. the credibility game of the scenario, with the combined credibility as the probability
   that the defender is Hard and the challenger's resolve toward p as the probability that
   it is Hard: the probability that deterrence holds is ``1 - P(CW) - P(CF)`` (the
   challenger neither wins nor fights);
4. the option's spending, net present value, proliferation index and Ukraine support
   (:mod:`umbrella.model.options`).

The result is an xarray Dataset with dims (sample, option, guarantor, protege, year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from umbrella.assumptions import resolve
from umbrella.data.schema import Event
from umbrella.games.extended import P1
from umbrella.games.extended import solve as solve_extended
from umbrella.games.rudimentary import solve as solve_rudimentary
from umbrella.model import credibility as cred
from umbrella.model import options as opt
from umbrella.model.registry import OptionSpec
from umbrella.model.scenario import Scenario, load_scenario
from umbrella.trust import trust_state
from umbrella.trust.evidence import protege_views, view_of
from umbrella.types import PathLike

__all__ = ["Assessment", "Layout", "assess", "layout"]

FloatArray = npt.NDArray[np.float64]
# Which assumption carries the yearly flow of new evidence about each guarantor.
FUTURE_EVIDENCE = {
    "USA": "trust.future_evidence_usa",
    "GBR": "trust.future_evidence_europe",
    "FRA": "trust.future_evidence_europe",
}
EPSILON = 1e-9
# Payoff set P1 of docs/games/extended.md; the challenger's gain is an assumption.
_PAYOFFS: dict[str, Any] = {k: float(v) for k, v in P1.items()}
# The payoffs the default equilibrium's outcome depends on (extended.default_deterrence).
FAST_PAYOFFS = {
    k: v
    for k, v in _PAYOFFS.items()
    if k in ("c_cw", "c_sq", "c_dw", "c_cf_hard", "d_dw", "d_cw", "d_cf_soft")
}


def assess(
    scenario: Scenario | PathLike | None = None,
    assumptions: Mapping[str, npt.ArrayLike] | None = None,
) -> Assessment:
    """Assess every option of ``scenario`` (the flagship if None).

    Parameters
    ----------
    scenario
        A loaded :class:`Scenario`, the path of a scenario file, or None for the flagship.
    assumptions
        Values for registry entries, scalars or arrays of samples (leading axis); the
        others take their defaults.

    Returns
    -------
    Assessment
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    params = resolve(scenario.registry.values(), assumptions)
    grid = layout(scenario)
    per_option = evaluate(scenario, grid, params)
    years, guarantors, proteges = list(grid.years), list(grid.guarantors), list(grid.proteges)
    trust = np.take(per_option.pop("trust")[0], grid.group, axis=2)
    weights = grid.weights
    for name in (
        "credibility",
        "combined_credibility",
        "deterrence",
        "conflict",
        "challenge",
        "equilibrium_class",
    ):
        axis = 2 if name == "credibility" else 1
        per_option[name] = [np.take(a, grid.group, axis=axis) for a in per_option[name]]
    allies = np.take(grid.allies, grid.group)

    dims = {
        "credibility": ("sample", "guarantor", "protege", "year"),
        "combined_credibility": ("sample", "protege", "year"),
        "deterrence": ("sample", "protege", "year"),
        "conflict": ("sample", "protege", "year"),
        "challenge": ("sample", "protege", "year"),
        "equilibrium_class": ("sample", "protege", "year"),
        "spending_eur_bn": ("sample", "year"),
        "npv_eur_bn": ("sample",),
        "proliferation": ("sample", "year"),
        "ukraine_support_eur_bn": ("sample", "year"),
        "ukraine_positive_eur_bn": ("sample", "year"),
        "ukraine_negative_eur_bn": ("sample", "year"),
        "effect_share": ("sample", "year"),
        "years_to_first_effect": ("sample",),
        "years_to_full_effect": ("sample",),
    }
    data: dict[str, Any] = {}
    for name, arrays in per_option.items():
        stacked = np.stack(arrays, axis=1)  # option after sample
        data[name] = ((dims[name][0], "option", *dims[name][1:]), stacked)
    data["trust"] = (("sample", "guarantor", "protege", "year"), trust)
    weight = weights
    europe = np.einsum("sopy,p->soy", np.stack(per_option["deterrence"], axis=1), weight)
    data["europe_deterrence"] = (("sample", "option", "year"), europe)
    dataset = xr.Dataset(
        data,
        coords={
            "option": [o.id for o in scenario.options],
            "option_name": ("option", [o.name for o in scenario.options]),
            "guarantor": guarantors,
            "protege": proteges,
            "year": years,
            "population_weight": ("protege", weight),
            "ally": ("protege", allies),
        },
        attrs={
            "scenario": scenario.name,
            "as_of": scenario.as_of.isoformat(),
            "challenger": scenario.challenger,
            "game": scenario.game,
            "n_samples": int(next(iter(params.values())).shape[0]),
        },
    )
    _annotate(dataset)
    return Assessment(dataset=dataset, scenario=scenario)


@dataclass(frozen=True)
class Layout:
    """What the assessment needs that does not depend on the samples.

    Proteges with identical inputs (the same commitments from every guarantor in every
    year, the same alliance status, trust view and challenger resolve class) are evaluated
    once, as a group; ``group[p]`` is the group of protege p and ``reps`` a member of each.
    """

    years: tuple[int, ...]
    guarantors: tuple[str, ...]
    proteges: tuple[str, ...]
    reps: tuple[str, ...]
    group: npt.NDArray[np.int64]
    active: npt.NDArray[np.bool_]  # (kind, guarantor, group, year)
    allies: npt.NDArray[np.bool_]  # (group,)
    resolve_keys: tuple[str, ...]  # per group
    weights: FloatArray  # (protege,) population shares, summing to 1
    group_weights: FloatArray  # (group,)
    views: tuple[str, ...]  # the view of the evidence each group reads
    patterns: npt.NDArray[np.bool_]  # (pattern, kind): the distinct sets of commitments
    pattern: npt.NDArray[np.int64]  # (guarantor, group, year): the set in force


def layout(scenario: Scenario) -> Layout:
    """The sample-independent structure of ``scenario``'s assessment."""
    world, years = scenario.world, list(scenario.years)
    guarantors, proteges = list(scenario.guarantors), list(scenario.proteges)
    active = cred.commitments_in_force(world, guarantors, proteges, years)
    views = protege_views(e for e in world.records["events"].values() if isinstance(e, Event))
    keys: dict[tuple[object, ...], int] = {}
    group = np.empty(len(proteges), dtype=np.int64)
    reps: list[str] = []
    for index, protege in enumerate(proteges):
        key = (
            active[:, :, index, :].tobytes(),
            _is_ally(world, protege, scenario.as_of),
            _resolve_key(scenario, protege),
            view_of(protege, views),
            protege if protege in guarantors else "",
        )
        if key not in keys:
            keys[key] = len(reps)
            reps.append(protege)
        group[index] = keys[key]
    first = [proteges.index(r) for r in reps]
    raw = _population(world, proteges) if scenario.population_weights else np.ones(len(proteges))
    weights = raw / raw.sum()
    in_force = active[:, :, first, :]
    patterns, pattern = np.unique(
        in_force.reshape(in_force.shape[0], -1).T, axis=0, return_inverse=True
    )
    return Layout(
        years=tuple(years),
        guarantors=tuple(guarantors),
        proteges=tuple(proteges),
        reps=tuple(reps),
        group=group,
        active=in_force,
        allies=np.array([_is_ally(world, r, scenario.as_of) for r in reps]),
        resolve_keys=tuple(_resolve_key(scenario, r) for r in reps),
        weights=weights,
        group_weights=np.bincount(group, weights=weights).astype(np.float64),
        views=tuple(view_of(r, views) for r in reps),
        patterns=patterns,
        pattern=pattern.reshape(in_force.shape[1:]).astype(np.int64),
    )


def evaluate(
    scenario: Scenario, grid: Layout, params: Mapping[str, FloatArray]
) -> dict[str, list[npt.NDArray[Any]]]:
    """Every option's outcomes on the protege groups; one list entry per option."""
    years, guarantors, reps = list(grid.years), list(grid.guarantors), list(grid.reps)
    trust = _trust_by_year(scenario, params, years, reps)  # (s, g, r, y)
    depth = cred.commitment_depth(grid.active, params, guarantors, reps)
    capability = cred.capability(scenario.world, guarantors, params)  # (s, g)
    resolve_ch = np.stack([params[k] for k in grid.resolve_keys], axis=1)  # (s, r)
    per_option: dict[str, list[npt.NDArray[Any]]] = {"trust": [trust]}
    unchanged: dict[str, npt.NDArray[Any]] | None = None
    for option in scenario.options:
        share = opt.ramp(params, option, years)  # (s, y)
        # Options that pull no lever of credibility leave deterrence as it is: compute once.
        neutral = not set(option.levers) & CREDIBILITY_LEVERS
        if neutral and unchanged is not None:
            result = dict(unchanged)
        else:
            result = _option_outcomes(
                option,
                params,
                share,
                trust,
                depth,
                capability,
                grid.allies,
                guarantors,
                resolve_ch,
                scenario.game,
            )
            if neutral:
                unchanged = dict(result)
        spent = opt.spending(params, option, years)
        support, positive, negative = opt.ukraine_support(params, option, share, spent)
        result |= {
            "spending_eur_bn": spent,
            "npv_eur_bn": opt.npv(spent, years, scenario.start_year, params["discount_rate"]),
            "proliferation": opt.proliferation(params, option, share),
            "ukraine_support_eur_bn": support,
            "ukraine_positive_eur_bn": positive,
            "ukraine_negative_eur_bn": negative,
            "effect_share": share,
            "years_to_first_effect": params[f"option.{option.id}.years_to_first_effect"],
            "years_to_full_effect": params[f"option.{option.id}.years_to_full_effect"],
        }
        for name, value in result.items():
            per_option.setdefault(name, []).append(value)
    return per_option


CREDIBILITY_LEVERS = {
    "coordination",
    "depth_gbr",
    "depth_fra",
    "capability_gbr",
    "capability_fra",
    "european_force",
}


def _trust_by_year(
    scenario: Scenario, params: Mapping[str, FloatArray], years: list[int], reps: list[str]
) -> FloatArray:
    state = trust_state(scenario.world, params, scenario.as_of, scenario.guarantors, reps)
    lam = state.monthly_decay[:, None, None]
    as_of = scenario.as_of
    months = mid_year_months(as_of, years)
    decay = lam[..., None] ** months  # (s, 1, 1, y)
    accumulated = (1.0 - decay) / (1.0 - lam[..., None])
    flow = (
        np.stack(
            [
                params.get(FUTURE_EVIDENCE.get(g, ""), np.zeros_like(state.monthly_decay))
                for g in scenario.guarantors
            ],
            axis=1,
        )[:, :, None, None]
        / 12.0
    )  # (s, g, 1, 1) per month
    multiplier = params["trust.negative_multiplier"][:, None, None, None]
    positive = state.positive[..., None] * decay + np.maximum(flow, 0.0) * accumulated
    negative = state.negative[..., None] * decay + np.maximum(-flow, 0.0) * multiplier * accumulated
    alpha = state.prior_alpha[:, :, None, None] + positive
    beta = state.prior_beta[:, :, None, None] + negative
    trust = alpha / (alpha + beta)
    for gi, g in enumerate(scenario.guarantors):
        if g in reps:
            trust[:, gi, reps.index(g), :] = 1.0
    return trust


def mid_year_months(as_of: dt.date, years: Sequence[int]) -> FloatArray:
    """Months from ``as_of`` to the middle (1 July) of each year, at least 0."""
    return np.array(
        [max(0, (y - as_of.year) * 12 + (7 - as_of.month)) for y in years], dtype=np.float64
    )


def _option_outcomes(
    option: OptionSpec,
    params: Mapping[str, FloatArray],
    share: FloatArray,
    trust: FloatArray,
    depth: FloatArray,
    capability: FloatArray,
    allies: npt.NDArray[np.bool_],
    guarantors: list[str],
    resolve_ch: FloatArray,
    game: str,
) -> dict[str, npt.NDArray[Any]]:
    ramped = share[:, None, :]  # (s, 1, y) against (s, p, y)
    ally = allies[None, :, None]
    depth = depth.copy()
    capability_now = np.broadcast_to(capability[:, :, None], (*capability.shape, share.shape[1]))
    capability_now = capability_now.copy()
    for g, code in (("GBR", "gbr"), ("FRA", "fra")):
        if g not in guarantors:
            continue
        gi = guarantors.index(g)
        added = opt.lever(params, option, f"depth_{code}")[:, :, None] * ramped * ally
        depth[:, gi] = depth[:, gi] + added * (1.0 - depth[:, gi])
        extra = opt.lever(params, option, f"capability_{code}") * share
        capability_now[:, gi] = capability_now[:, gi] + extra * (1.0 - capability_now[:, gi])
    credibility = trust * depth * capability_now[:, :, None, :]  # (s, g, p, y)
    if "GBR" in guarantors and "FRA" in guarantors:
        kappa = (opt.lever(params, option, "coordination") * share)[:, None, :]
        credibility = cred.coordinate(
            credibility, kappa, (guarantors.index("GBR"), guarantors.index("FRA")), axis=1
        )
    combined = cred.combine(credibility, axis=1)  # (s, p, y)
    european = opt.lever(params, option, "european_force")[:, :, None] * ramped * ally
    combined = 1.0 - (1.0 - combined) * (1.0 - european)
    p_def = np.clip(combined, EPSILON, 1.0 - EPSILON)
    p_ch = np.broadcast_to(resolve_ch[:, :, None], p_def.shape)
    gain = params["game.challenger_gain"][:, None, None]
    if game == "rudimentary":
        solution = solve_rudimentary(
            a_cf=-(1.0 - p_ch) * 4.0 - p_ch * 1.0,
            a_sq=0.0,
            a_cw=gain,
            b_cf_soft=-3.0,
            b_cw=-1.0,
            b_cf_hard=0.0,
            b_sq=2.0,
            p_hard=p_def,
        )
    else:
        solution = solve_extended(
            **(_PAYOFFS | {"c_cw": gain}),
            p_ch=np.clip(p_ch, EPSILON, 1.0 - EPSILON),
            p_def=p_def,
        )
    outcome = solution.outcome
    return {
        "credibility": credibility,
        "combined_credibility": combined,
        "deterrence": 1.0 - outcome["CW"] - outcome["CF"],
        "conflict": np.asarray(outcome["CF"]),
        "challenge": 1.0 - outcome["SQ"],
        "equilibrium_class": solution.equilibrium_class,
    }


def _is_ally(world: Any, protege: str, as_of: dt.date) -> bool:
    actor = world.actor(protege)
    return bool(actor.member_of("NATO", as_of) or actor.member_of("EU", as_of))


def _resolve_key(scenario: Scenario, protege: str) -> str:
    if protege == "UKR":
        return "challenger.resolve_ukraine"
    if scenario.world.actor(protege).member_of("NATO", scenario.as_of):
        return "challenger.resolve_nato"
    return "challenger.resolve_other"


def _population(world: Any, proteges: list[str]) -> FloatArray:
    values = []
    for p in proteges:
        estimate = world.actor(p).population_m
        values.append(0.0 if estimate is None else estimate.value)
    return np.asarray(values, dtype=np.float64)


def _annotate(dataset: xr.Dataset) -> None:
    units = {
        "trust": ("posterior mean reliability of the guarantor", "probability"),
        "credibility": ("credibility of each guarantor toward the protege", "probability"),
        "combined_credibility": ("probability that at least one guarantor resists", "probability"),
        "deterrence": ("probability that deterrence holds (no win, no conflict)", "probability"),
        "conflict": ("probability of conflict", "probability"),
        "challenge": ("probability of a challenge", "probability"),
        "europe_deterrence": (
            "population-weighted probability that deterrence holds",
            "probability",
        ),
        "spending_eur_bn": ("spending on the option", "EUR bn per year"),
        "npv_eur_bn": ("net present value of spending", "EUR bn"),
        "proliferation": ("non-proliferation risk index", "index 0-1"),
        "ukraine_support_eur_bn": ("support to Ukraine", "EUR bn per year"),
        "ukraine_positive_eur_bn": ("support the option adds", "EUR bn per year"),
        "ukraine_negative_eur_bn": ("support the option diverts", "EUR bn per year"),
        "effect_share": ("share of full effect reached", "share"),
    }
    for name, (meaning, unit) in units.items():
        if name in dataset:
            dataset[name].attrs.update(long_name=meaning, units=unit)


@dataclass(frozen=True)
class Assessment:
    """The assessment of a scenario: a labelled Dataset and the scenario it came from."""

    dataset: xr.Dataset
    scenario: Scenario

    def to_dataframe(self) -> pd.DataFrame:
        """Option-year outcomes as a long DataFrame (mean over samples)."""
        variables = [
            "europe_deterrence",
            "spending_eur_bn",
            "proliferation",
            "ukraine_support_eur_bn",
            "ukraine_positive_eur_bn",
            "ukraine_negative_eur_bn",
            "effect_share",
        ]
        return self.dataset[variables].mean("sample").to_dataframe().reset_index()

    def headline(self) -> pd.DataFrame:
        """Headline metrics per option (means over samples)."""
        ds = self.dataset.mean("sample") if "sample" in self.dataset.dims else self.dataset
        first, last = ds.year.values[0], ds.year.values[-1]
        europe = ds["europe_deterrence"]
        baseline = europe.sel(option=ds.option.values[0], year=last)
        rows = []
        for option in ds.option.values:
            at_end = ds["deterrence"].sel(option=option, year=last)
            weakest = at_end.sortby(at_end).protege.values[:3]
            rows.append(
                {
                    "option": str(option),
                    "name": str(ds.option_name.sel(option=option).item()),
                    f"deterrence_europe_{first}": float(europe.sel(option=option, year=first)),
                    f"deterrence_europe_{last}": float(europe.sel(option=option, year=last)),
                    "change_vs_status_quo": float(europe.sel(option=option, year=last) - baseline),
                    f"deterrence_ukraine_{last}": float(at_end.sel(protege="UKR"))
                    if "UKR" in at_end.protege
                    else float("nan"),
                    "weakest": ", ".join(
                        f"{p} {float(at_end.sel(protege=p)):.2f}" for p in weakest
                    ),
                    "npv_eur_bn": float(ds["npv_eur_bn"].sel(option=option)),
                    "years_to_first_effect": float(ds["years_to_first_effect"].sel(option=option)),
                    "years_to_full_effect": float(ds["years_to_full_effect"].sel(option=option)),
                    f"proliferation_{last}": float(
                        ds["proliferation"].sel(option=option, year=last)
                    ),
                    "ukraine_support_eur_bn": float(
                        ds["ukraine_support_eur_bn"].sel(option=option).mean()
                    ),
                }
            )
        return pd.DataFrame(rows).set_index("option")
