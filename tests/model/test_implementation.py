"""Implementation risk (docs/options.md, "Implementation risk"): known answers for the
probability that an option is agreed and delivered on time, the copula that decides where
it is, and a stalled option's later start; on a scenario, an option whose drivers make it
unlikely loses its rank."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit, logit

from umbrella.assumptions import resolve
from umbrella.errors import ScenarioError
from umbrella.explore.sampling import draw, uncertainties
from umbrella.model.evaluate import evaluate, summarise
from umbrella.model.implementation import (
    COMMON_DRAW,
    IMPLEMENTATION_ASSUMPTIONS,
    Agreement,
    delivered,
    draw_name,
    elections_in,
    probability,
)
from umbrella.model.layout import layout
from umbrella.model.scenario import Scenario, flagship_path, parse_scenario

DEFAULTS = {a.name: a.default for a in IMPLEMENTATION_ASSUMPTIONS}


def _params(n: int, **values: float) -> dict[str, np.ndarray]:
    chosen = {**DEFAULTS, **values}
    return {name: np.full(n, value, dtype=np.float64) for name, value in chosen.items()}


@given(
    next_year=st.integers(2020, 2040),
    every=st.integers(1, 7),
    start=st.integers(2015, 2050),
    length=st.floats(0.0, 40.0),
)
def test_elections_in_a_window_are_counted_as_listed(
    next_year: int, every: int, start: int, length: float
) -> None:
    listed = [next_year + k * every for k in range(200)]
    expected = sum(start <= year <= start + length for year in listed)
    counted = elections_in(next_year, every, np.array([float(start)]), np.array([start + length]))
    assert counted[0] == expected


def test_an_option_that_never_starts_meets_no_election() -> None:
    assert elections_in(2027, 5, np.array([np.inf]), np.array([np.inf]))[0] == 0.0


def test_probability_known_answers() -> None:
    one = Agreement(("FRA",), {"FRA": (2050, 5)}, ())
    params = _params(1, **{"implementation.consent": 0.9})
    start, full = np.array([2026.0]), np.array([3.0])
    # One government, no election in the window, no trust pair: the consent itself.
    assert probability(one, params, {}, start, full)[0] == pytest.approx(0.9, abs=1e-15)
    # Each government must agree: the product.
    two = Agreement(("FRA", "GBR"), {"FRA": (2050, 5), "GBR": (2050, 5)}, ())
    assert probability(two, params, {}, start, full)[0] == pytest.approx(0.81, abs=1e-15)
    # An election in the window lowers the log-odds by the penalty; two elections by twice.
    voted = Agreement(("FRA",), {"FRA": (2027, 1)}, ())
    expected = expit(logit(0.9) - 2 * DEFAULTS["implementation.election_penalty"])
    assert probability(voted, params, {}, start, np.array([2.0]))[0] == pytest.approx(expected)
    # Trust between the capitals moves every government's log-odds by weight x (T - 1/2).
    paired = Agreement(
        ("FRA", "GBR"), {"FRA": (2050, 5), "GBR": (2050, 5)}, (("GBR", "FRA"), ("FRA", "GBR"))
    )
    trust = {("GBR", "FRA"): np.array([0.7]), ("FRA", "GBR"): np.array([0.9])}
    each = expit(logit(0.9) + DEFAULTS["implementation.trust_weight"] * (0.8 - 0.5))
    assert probability(paired, params, trust, start, full)[0] == pytest.approx(each**2)
    # Nothing to agree: certain.
    assert probability(Agreement((), {}, ()), params, {}, start, full)[0] == 1.0


def test_an_option_is_delivered_in_the_share_of_futures_its_probability_gives() -> None:
    n = 10_000
    quantiles = (np.arange(n) + 0.5) / n
    for rho in (0.0, 0.5, 0.9):
        params = _params(n, **{"implementation.common_share": rho})
        params[draw_name("a")] = quantiles
        # The common draw shuffled against the option's: their mix is uniform again.
        params[COMMON_DRAW] = np.random.default_rng(3).permutation(quantiles)
        share = delivered(params, "a", np.full(n, 0.3)).mean()
        assert share == pytest.approx(0.3, abs=0.02 if rho else 1 / n)


def test_with_all_will_shared_an_option_stalls_whenever_a_likelier_one_does() -> None:
    n = 1_000
    params = _params(n, **{"implementation.common_share": 1.0})
    params[COMMON_DRAW] = (np.arange(n) + 0.5) / n
    params[draw_name("easy")] = np.random.default_rng(1).random(n)
    params[draw_name("hard")] = np.random.default_rng(2).random(n)
    easy = delivered(params, "easy", np.full(n, 0.8))
    hard = delivered(params, "hard", np.full(n, 0.4))
    assert not (hard & ~easy).any()
    assert easy.mean() == pytest.approx(0.8, abs=1 / n)
    assert hard.mean() == pytest.approx(0.4, abs=1 / n)


def test_draws_at_their_defaults_deliver_every_option() -> None:
    params = _params(3)
    params[draw_name("a")] = np.zeros(3)
    assert delivered(params, "a", np.array([1e-6, 0.5, 1.0])).all()


# On a scenario --------------------------------------------------------------------------

LEVERS = {"coordination": 0.5, "proliferation": 0.25}


def _scenario(risk: bool = True, **changes: Any) -> Scenario:
    """The flagship with two inline options alike but for their governments: 'few' needs
    the UK and France; 'many' pulls its lever a little further but needs nine governments
    with elections in its window."""
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    common = {
        "category": "nuclear",
        "start_year": 2026,
        "years_to_first_effect": 1,
        "years_to_full_effect": 4,
        "capex_eur_bn": 1,
        "opex_eur_bn_per_year": 0.5,
    }
    raw["options"] = [
        "status-quo",
        {"id": "few", "name": "Few", **common, "levers": LEVERS, "governments": ["GBR", "FRA"]},
        {
            "id": "many",
            "name": "Many",
            **common,
            "levers": {**LEVERS, "coordination": 0.55},
            "governments": ["FRA", "GBR", "DEU", "POL", "NLD", "BEL", "GRC", "SWE", "DNK"],
        },
    ]
    raw["implementation_risk"] = risk
    raw.update(changes)
    return parse_scenario(yaml.safe_dump(raw, sort_keys=False), str(flagship_path()))


def _summary(scenario: Scenario, n: int = 400) -> dict[str, np.ndarray]:
    varying = uncertainties(scenario.registry.values())
    futures = draw(varying, 0, n, 5, "lhs")
    params = resolve(
        scenario.registry.values(), {a.name: futures[a.name].to_numpy() for a in varying}
    )
    return summarise(scenario, layout(scenario), params)


def test_an_option_that_needs_many_governments_loses_its_rank() -> None:
    summary = _summary(_scenario())
    ids = ["status-quo", "few", "many"]
    on_time = dict(zip(ids, summary["holds_europe_on_time"].mean(axis=0), strict=True))
    at_risk = dict(zip(ids, summary["holds_europe"].mean(axis=0), strict=True))
    delivered_share = dict(zip(ids, summary["on_time"].mean(axis=0), strict=True))
    # Delivered as planned, the option that pulls further ranks first ...
    assert on_time["many"] > on_time["few"] > on_time["status-quo"]
    # ... but it needs nine governments through their elections, and stalls far more often,
    assert delivered_share["status-quo"] == 1.0
    assert delivered_share["many"] < delivered_share["few"] - 0.2
    # ... so that, counting the futures where it stalls, it falls below the other.
    assert at_risk["few"] > at_risk["many"]
    # A stalled option acts later, never sooner: risk only takes effect away.
    assert (summary["holds_europe"] <= summary["holds_europe_on_time"] + 1e-12).all()


def test_switched_off_no_option_stalls_and_nothing_is_sampled_for_it() -> None:
    scenario = _scenario(risk=False)
    assert not scenario.agreements
    assert not [name for name in scenario.registry if "implementation" in name]
    summary = _summary(scenario, 64)
    assert (summary["on_time"] == 1.0).all()
    np.testing.assert_array_equal(summary["holds_europe_on_time"], summary["holds_europe"])


def test_the_central_future_shows_the_options_as_planned() -> None:
    scenario = _scenario()
    params = resolve(scenario.registry.values(), None)
    result = evaluate(scenario, layout(scenario), params)
    assert all(o.on_time[0] == 1.0 for o in result.options)


def test_a_government_without_elections_is_refused_with_the_fix() -> None:
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    raw["options"] = [
        "status-quo",
        {
            "id": "x",
            "name": "X",
            "category": "nuclear",
            "start_year": 2026,
            "years_to_first_effect": 1,
            "years_to_full_effect": 4,
            "capex_eur_bn": 1,
            "opex_eur_bn_per_year": 0.5,
            "levers": LEVERS,
            "governments": ["ISL"],
        },
    ]
    with pytest.raises(ScenarioError, match=r"governments\[0\]: ISL has no elections"):
        parse_scenario(yaml.safe_dump(raw, sort_keys=False), str(flagship_path()))


def test_a_scenario_can_change_a_catalogue_option_s_governments() -> None:
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    raw["options"] = [
        "status-quo",
        {"id": "uk-france-coordination", "governments": ["GBR", "FRA", "DEU"]},
    ]
    scenario = parse_scenario(yaml.safe_dump(raw, sort_keys=False), str(flagship_path()))
    assert scenario.agreements["uk-france-coordination"].governments == ("GBR", "FRA", "DEU")
    flagship = parse_scenario(flagship_path().read_text(encoding="utf-8"), str(flagship_path()))
    assert flagship.agreements["uk-france-coordination"].governments == ("GBR", "FRA")


def test_an_unknown_government_code_is_refused() -> None:
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    raw["options"] = ["status-quo", {"id": "uk-france-coordination", "governments": ["XXX"]}]
    with pytest.raises(Exception, match="governments"):
        parse_scenario(yaml.safe_dump(raw, sort_keys=False), str(flagship_path()))
