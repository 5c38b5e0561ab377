"""The ensembles' fast path gives the assessment's outcomes."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pytest

from umbrella.assumptions import resolve
from umbrella.explore.sampling import draw, uncertainties
from umbrella.model import assess, load_scenario
from umbrella.model.assess import layout
from umbrella.model.summary import SUMMARY_OUTCOMES, summarise


@pytest.mark.parametrize("game", ["extended", "rudimentary"])
def test_summary_equals_the_assessment(game: Literal["extended", "rudimentary"]) -> None:
    scenario = dataclasses.replace(load_scenario(), game=game)
    varying = uncertainties(scenario.registry.values())
    futures = draw(varying, 0, 300, seed=5)
    values = {a.name: futures[a.name].to_numpy() for a in varying}
    summary = summarise(scenario, layout(scenario), resolve(scenario.registry.values(), values))
    assert set(summary) == set(SUMMARY_OUTCOMES)
    ds = assess(scenario, values).dataset
    n, options = 300, len(scenario.options)
    expected = {
        "deterrence_europe": ds.europe_deterrence.isel(year=-1),
        "deterrence_europe_mean": ds.europe_deterrence.mean("year"),
        "deterrence_ukraine": ds.deterrence.sel(protege="UKR").isel(year=-1),
        "npv_eur_bn": ds.npv_eur_bn,
        "proliferation": ds.proliferation.isel(year=-1),
        "ukraine_support_eur_bn": ds.ukraine_support_eur_bn.mean("year"),
    }
    for name, values_ in expected.items():
        got = summary[name]
        assert got.shape == (n, options), name
        np.testing.assert_allclose(
            got, values_.transpose("sample", "option").values, rtol=0, atol=1e-12, err_msg=name
        )
    # The futures are diverse: the comparison is not between constants.
    assert np.ptp(summary["deterrence_europe"][:, 0]) > 0.05
