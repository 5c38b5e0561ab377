"""``assess``: a scenario's options on its central future and on the default ensemble.

The figures to quote are the ensemble's (:func:`umbrella.explore.headline.headline`: mean
and 10th-90th percentiles over ``samples`` futures drawn from ``seed``), the same numbers
that ``umbrella run`` and ``umbrella brief`` print for the same scenario, number of futures
and seed. The central future (every assumption at its default) is kept beside them, labelled
per protege (:func:`umbrella.model.central.central`), to show where each figure comes from.

>>> import umbrella
>>> a = umbrella.assess(samples=200)
>>> table = a.headline()
>>> bool(0.0 < table.loc["status-quo", "holds_europe"] < 1.0)
True
>>> a.dataset["fails"].dims
('option', 'protege', 'year')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import xarray as xr

from umbrella.explore.ensemble import RunSummary, run_ensemble
from umbrella.explore.headline import DEFAULT_SAMPLES, DEFAULT_SEED, headline
from umbrella.model.central import central
from umbrella.model.scenario import Scenario, load_scenario
from umbrella.types import PathLike

__all__ = ["Assessment", "assess"]


@dataclass(frozen=True)
class Assessment:
    """A scenario's options: the ensemble's headline and the labelled central future."""

    scenario: Scenario
    dataset: xr.Dataset  # the central future, dims (option, guarantor, protege, year)
    ensemble: RunSummary  # futures and outcomes kept in memory
    samples: int
    seed: int

    def headline(self) -> pd.DataFrame:
        """Per option: each headline outcome's mean and 10th-90th percentiles over the
        ensemble, then the central future's ``holds_europe`` and the years to effect."""
        outcomes = self.ensemble.outcomes
        assert outcomes is not None  # assess keeps them
        options = [str(o) for o in self.dataset.option.values]
        table = headline(outcomes, options)
        last = self.dataset.year.values[-1]
        ds = self.dataset
        table["holds_europe_central"] = ds["holds_europe"].sel(year=last).to_numpy()
        table["npv_eur_bn_central"] = ds["npv_eur_bn"].to_numpy()
        for field in ("years_to_first_effect", "years_to_full_effect"):
            table[field] = [self.scenario.registry[f"option.{o}.{field}"].default for o in options]
        table.insert(0, "name", ds.option_name.to_numpy())
        return table

    def to_dataframe(self) -> pd.DataFrame:
        """The central future's option-year outcomes as a long DataFrame."""
        variables = [
            "holds_europe",
            "no_challenge_europe",
            "rebuffed_europe",
            "fails_europe",
            "spending_eur_bn",
            "proliferation",
            "ukraine_support_eur_bn",
            "effect_share",
        ]
        return self.dataset[variables].to_dataframe().reset_index()


def assess(
    scenario: Scenario | PathLike | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> Assessment:
    """Assess every option of ``scenario`` (the flagship if None).

    Runs the ensemble of ``samples`` futures from ``seed`` in memory (the default ensemble
    of ``umbrella run`` and ``umbrella brief`` too) and the central future.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    ensemble = run_ensemble(scenario, samples, seed, keep=True)
    return Assessment(
        scenario=scenario, dataset=central(scenario), ensemble=ensemble, samples=samples, seed=seed
    )
