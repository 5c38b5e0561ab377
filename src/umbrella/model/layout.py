"""What the model needs of a scenario that does not depend on the sampled futures.

Proteges with identical inputs (the same commitments from every guarantor in every year, the
same alliance status, trust view and protege group) are evaluated once, as a group: the
flagship's 38 proteges make a handful of groups, and every array of the model runs over
groups, not proteges. Labels per protege are restored at the edge (:mod:`umbrella.model.central`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from umbrella.data.schema import Event
from umbrella.model import credibility as cred
from umbrella.model.scenario import Scenario
from umbrella.trust.evidence import protege_views, view_of

__all__ = ["Layout", "layout"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Layout:
    """The sample-independent structure of a scenario's model.

    ``group[p]`` is the group of protege p and ``reps`` a member of each group; per group,
    ``allies`` (NATO or EU member: the levers' reach), ``resolve_keys`` and ``rate_keys``
    (the assumptions of the challenger's resolve and crisis rate) and ``views`` (the view of
    the evidence it reads). ``patterns`` are the distinct sets of commitments in force and
    ``pattern`` the set of each (guarantor, group, year). ``steps`` is the length in years
    of the period each assessed year closes (1 for the first). ``targeted`` holds, for each
    option aimed at chosen proteges, which groups it reaches.
    """

    years: tuple[int, ...]
    guarantors: tuple[str, ...]
    proteges: tuple[str, ...]
    reps: tuple[str, ...]
    group: npt.NDArray[np.int64]
    allies: npt.NDArray[np.bool_]
    resolve_keys: tuple[str, ...]
    rate_keys: tuple[str, ...]
    weights: FloatArray  # (protege,) population shares (or equal), summing to 1
    group_weights: FloatArray  # (group,)
    views: tuple[str, ...]
    patterns: npt.NDArray[np.bool_]  # (pattern, kind)
    pattern: npt.NDArray[np.int64]  # (guarantor, group, year)
    steps: FloatArray  # (year,)
    supported: int | None  # the group of the scenario's supported protege
    targeted: dict[str, npt.NDArray[np.bool_]]  # option -> (group,): the proteges it aims at
    weighted: dict[str, FloatArray]  # (group,) weights of each report: europe, europe_equal,
    # and per exposure group <name> and <name>_equal, each summing to 1


def layout(scenario: Scenario) -> Layout:
    """The sample-independent structure of ``scenario``'s model."""
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
            scenario.group_of(protege),
            view_of(protege, views),
            protege if protege in guarantors else "",
            protege == scenario.supported,
            tuple(protege in (o.targets or ()) for o in scenario.options),
            scenario.exposure_of(protege),
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
    steps = np.diff(np.asarray([years[0] - 1, *years], dtype=np.float64))
    return Layout(
        years=tuple(years),
        guarantors=tuple(guarantors),
        proteges=tuple(proteges),
        reps=tuple(reps),
        group=group,
        allies=np.array([_is_ally(world, r, scenario.as_of) for r in reps]),
        resolve_keys=tuple(scenario.group_of(r).resolve for r in reps),
        rate_keys=tuple(scenario.group_of(r).crisis_rate for r in reps),
        weights=weights,
        group_weights=np.bincount(group, weights=weights).astype(np.float64),
        views=tuple(view_of(r, views) for r in reps),
        patterns=patterns,
        pattern=pattern.reshape(in_force.shape[1:]).astype(np.int64),
        steps=steps,
        supported=None if scenario.supported is None else reps.index(scenario.supported),
        targeted={
            o.id: np.array([r in o.targets for r in reps])
            for o in scenario.options
            if o.targets is not None
        },
        weighted=_weighted(scenario, proteges, group, raw, len(reps)),
    )


def _weighted(
    scenario: Scenario,
    proteges: list[str],
    group: npt.NDArray[np.int64],
    population: FloatArray,
    n_groups: int,
) -> dict[str, FloatArray]:
    """Per report, the weight of each group: Europe and each exposure group, by population
    (or by the scenario's default weighting) and equally."""
    equal = np.ones(len(proteges))
    reports: dict[str, FloatArray] = {}
    members = {"europe": np.ones(len(proteges), dtype=bool)}
    for exposure in scenario.exposure_groups:
        name = exposure.name.replace("-", "_")
        members[name] = np.array([scenario.exposure_of(p) == exposure.name for p in proteges])
    for name, inside in members.items():
        if not inside.any():
            continue
        for suffix, raw in (("", population), ("_equal", equal)):
            chosen = np.where(inside, raw, 0.0)
            total = chosen.sum()
            if total <= 0.0:
                continue
            reports[name + suffix] = np.bincount(
                group, weights=chosen / total, minlength=n_groups
            ).astype(np.float64)
    return reports


def _is_ally(world: Any, protege: str, as_of: dt.date) -> bool:
    actor = world.actor(protege)
    return bool(actor.member_of("NATO", as_of) or actor.member_of("EU", as_of))


def _population(world: Any, proteges: list[str]) -> FloatArray:
    values = []
    for p in proteges:
        estimate = world.actor(p).population_m
        values.append(0.0 if estimate is None else estimate.value)
    return np.asarray(values, dtype=np.float64)
