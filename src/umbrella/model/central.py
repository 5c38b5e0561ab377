"""The model labelled per protege: on the central future, or on a few chosen futures.

:func:`central` runs :func:`umbrella.model.evaluate.evaluate` on one future, the registry's
defaults, keeps every intermediate, and labels it: an xarray Dataset with dims (option,
guarantor, protege, year). :func:`labelled` does the same for given futures, with a
``sample`` dim. It shows *why* a figure is what it is (trust, credibility per
guarantor, the game's point thresholds and the margin to each); the figures a reader should
quote come from the ensemble (:func:`umbrella.explore.assessment.assess`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import xarray as xr

from umbrella.assumptions import resolve
from umbrella.model.evaluate import OUTCOMES, evaluate
from umbrella.model.layout import Layout, layout
from umbrella.model.scenario import Scenario

__all__ = ["CLASSES", "central", "labelled"]

CLASSES = ("deterrence", "separating", "pooling-challenge", "bluff")
"""Classes of the extended game's default equilibrium at point payoffs (the reference)."""


def central(scenario: Scenario, grid: Layout | None = None) -> xr.Dataset:
    """Every option of ``scenario`` on its central future, labelled per protege
    (``grid``: its layout, where the caller has it)."""
    dataset = labelled(scenario, grid=grid).isel(sample=0, drop=True)
    dataset.attrs["future"] = "central: every assumption at its default"
    return dataset


def labelled(
    scenario: Scenario,
    values: Mapping[str, npt.ArrayLike] | None = None,
    grid: Layout | None = None,
) -> xr.Dataset:
    """Every option of ``scenario`` on the futures ``values`` (one array per varied
    assumption; the others at their defaults; None: the central future), labelled.
    ``grid`` is the scenario's layout where the caller has it (else it is built).

    Dims (sample, option, guarantor, protege, year), sample first.
    """
    grid = layout(scenario) if grid is None else grid
    params = resolve(scenario.registry.values(), values)
    result = evaluate(scenario, grid, params, detail=True)

    def per_protege(values: np.ndarray, axis: int) -> np.ndarray:
        """Groups back to proteges, and the sample axis moved first."""
        return np.moveaxis(np.take(values, grid.group, axis=axis), -1, 0)

    options = result.options
    per = ("sample", "option", "protege", "year")
    stacked: dict[str, Any] = {
        name: (per, np.stack([per_protege(getattr(o, name), 0) for o in options], axis=1))
        for name in OUTCOMES
    }
    combined = np.stack([per_protege(o.combined, 0) for o in options], axis=1)
    stacked["combined_credibility"] = (per, combined)
    stacked["credibility"] = (
        ("sample", "option", "guarantor", "protege", "year"),
        np.stack(
            [per_protege(o.credibility, 1) for o in options if o.credibility is not None], axis=1
        ),
    )
    stacked["trust"] = (("sample", "guarantor", "protege", "year"), per_protege(result.trust, 1))
    gain, cost, share = (
        params["game.challenger_gain"],
        params["game.challenger_cost"],
        params["game.hard_conflict_share"],
    )
    sigma_hard = (gain / (gain + share * cost))[:, None, None, None]
    sigma_soft = (gain / (gain + cost))[:, None, None, None]
    ratio = params["game.defender_stake_ratio"]
    mu_star = (ratio / (1.0 + ratio))[:, None, None, None]
    resolve_of = np.stack([params[grid.resolve_keys[g]] for g in grid.group], axis=1)
    rate_of = np.stack([params[grid.rate_keys[g]] for g in grid.group], axis=1)
    code = np.where(
        combined >= sigma_hard,
        0,
        np.where(
            combined >= sigma_soft, 1, np.where(resolve_of[:, None, :, None] >= mu_star, 2, 3)
        ),
    )
    stacked["margin_hard"] = (per, combined - sigma_hard)
    stacked["margin_soft"] = (per, combined - sigma_soft)
    stacked["point_class"] = (per, np.array(CLASSES)[code])
    stacked["resolve"] = (("sample", "protege"), resolve_of)
    stacked["crisis_rate"] = (("sample", "protege"), rate_of)
    by_year = ("sample", "option", "year")
    series: dict[str, list[np.ndarray]] = {
        "spending_eur_bn": [o.spending for o in options],
        "proliferation": [o.proliferation for o in options],
        "ukraine_support_eur_bn": [o.support[0] for o in options],
        "ukraine_positive_eur_bn": [o.support[1] for o in options],
        "ukraine_negative_eur_bn": [o.support[2] for o in options],
        "effect_share": [o.share for o in options],
    }
    for name, arrays in series.items():  # each (year, sample)
        stacked[name] = (by_year, np.stack([a.T for a in arrays], axis=1))
    stacked["npv_eur_bn"] = (("sample", "option"), np.stack([o.npv for o in options], axis=1))
    weights = grid.weights
    for name in OUTCOMES:
        stacked[f"{name}_europe"] = (by_year, np.einsum("sopy,p->soy", stacked[name][1], weights))
    dataset = xr.Dataset(
        stacked,
        coords={
            "option": [o.id for o in scenario.options],
            "option_name": ("option", [o.name for o in scenario.options]),
            "guarantor": list(grid.guarantors),
            "protege": list(grid.proteges),
            "year": list(grid.years),
            "population_weight": ("protege", weights),
            "ally": ("protege", np.take(grid.allies, grid.group)),
            "group": ("protege", [scenario.group_of(p).name for p in grid.proteges]),
        },
        attrs={
            "scenario": scenario.name,
            "as_of": scenario.as_of.isoformat(),
            "challenger": scenario.challenger,
            "game": scenario.game,
        },
    )
    _annotate(dataset)
    return dataset


_UNITS = {
    **{name: (meaning, "probability") for name, meaning in OUTCOMES.items()},
    **{
        f"{name}_europe": (f"{meaning}; population-weighted over the proteges", "probability")
        for name, meaning in OUTCOMES.items()
    },
    "trust": ("posterior mean reliability of the guarantor", "probability"),
    "credibility": ("credibility of each guarantor toward the protege", "probability"),
    "combined_credibility": ("probability that at least one guarantor resists", "probability"),
    "margin_hard": (
        "combined credibility minus the game's deterrence threshold at point payoffs",
        "probability",
    ),
    "margin_soft": (
        "combined credibility minus the game's lower (separating) threshold at point payoffs",
        "probability",
    ),
    "point_class": ("class of the default equilibrium at point payoffs", "class"),
    "resolve": ("probability the challenger is Hard toward the protege", "probability"),
    "crisis_rate": ("crisis opportunities a year", "crises per year"),
    "spending_eur_bn": ("spending on the option", "EUR bn per year"),
    "npv_eur_bn": ("net present value of spending", "EUR bn"),
    "proliferation": ("non-proliferation risk index", "index 0-1"),
    "ukraine_support_eur_bn": ("support to Ukraine", "EUR bn per year"),
    "ukraine_positive_eur_bn": ("support the option adds", "EUR bn per year"),
    "ukraine_negative_eur_bn": ("support the option diverts", "EUR bn per year"),
    "effect_share": ("share of full effect reached", "share"),
}


def _annotate(dataset: xr.Dataset) -> None:
    for name, (meaning, unit) in _UNITS.items():
        if name in dataset:
            dataset[name].attrs.update(long_name=meaning, units=unit)
