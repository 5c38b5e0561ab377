"""Portfolios: options combined by the rules of docs/options.md ("Portfolios"), on the same
futures as their parts. Known answers: costs and support add, a lever two parts pull is
pulled as far as the further, proliferation is the higher, the years come from the parts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import yaml

from umbrella.assumptions import resolve
from umbrella.explore.ensemble import run_ensemble
from umbrella.explore.sampling import draw, uncertainties
from umbrella.model.evaluate import OptionOutcomes, evaluate
from umbrella.model.layout import layout
from umbrella.model.registry import Part
from umbrella.model.scenario import Scenario, flagship_path, parse_scenario

PORTFOLIOS: list[dict[str, Any]] = [
    {
        "id": "coordination-and-isr",
        "name": "UK-French coordination and ISR autonomy",
        "components": ["uk-france-coordination", "isr-autonomy"],
    },
    {
        "id": "coordination-then-umbrella",
        "name": "UK-French coordination now, an expanded umbrella two years later",
        "components": ["uk-france-coordination", {"option": "expanded-umbrella", "delay": 2}],
    },
    {
        "id": "umbrella-and-sharing",
        "name": "An expanded umbrella and shared responsibility",
        "components": ["expanded-umbrella", "shared-responsibility"],
    },
]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The flagship with three portfolios of its options."""
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    raw["options"] = [*raw["options"], *PORTFOLIOS]
    return parse_scenario(yaml.safe_dump(raw, sort_keys=False), str(flagship_path()))


@pytest.fixture(scope="module")
def evaluated(scenario: Scenario) -> dict[str, OptionOutcomes]:
    varying = uncertainties(scenario.registry.values())
    futures = draw(varying, 0, 64, 11, "lhs")
    params = resolve(
        scenario.registry.values(), {a.name: futures[a.name].to_numpy() for a in varying}
    )
    result = evaluate(scenario, layout(scenario), params, detail=True)
    return {o.id: out for o, out in zip(scenario.options, result.options, strict=True)}


def test_a_portfolio_has_no_numbers_of_its_own(scenario: Scenario) -> None:
    ids = [o.id for o in scenario.options]
    assert ids[-3:] == [p["id"] for p in PORTFOLIOS]
    assert not [name for name in scenario.registry if name.startswith("option.coordination-")]
    spec = scenario.options[-2]
    assert spec.components == (Part("uk-france-coordination"), Part("expanded-umbrella", 2.0))
    assert spec.category == "nuclear"


def test_costs_and_support_add_proliferation_is_the_higher(
    evaluated: dict[str, OptionOutcomes],
) -> None:
    both = evaluated["coordination-and-isr"]
    a, b = evaluated["uk-france-coordination"], evaluated["isr-autonomy"]
    np.testing.assert_array_equal(both.npv, a.npv + b.npv)
    np.testing.assert_array_equal(both.spending, a.spending + b.spending)
    baseline = a.support[0] - a.support[1] + a.support[2]
    added = (a.support[1] - a.support[2]) + (b.support[1] - b.support[2])
    np.testing.assert_allclose(both.support[0], baseline + added, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        both.proliferation,
        np.maximum(a.proliferation, b.proliferation),
    )
    np.testing.assert_array_equal(both.share, (a.share + b.share) / 2)


def test_a_part_that_moves_no_credibility_leaves_it_as_the_other_part_has_it(
    evaluated: dict[str, OptionOutcomes],
) -> None:
    """ISR autonomy pulls no lever of credibility: the portfolio's credibility of every
    guarantor is coordination's alone, to the bit."""
    both, a = evaluated["coordination-and-isr"], evaluated["uk-france-coordination"]
    np.testing.assert_array_equal(both.credibility, a.credibility)


def test_a_lever_two_parts_pull_is_pulled_as_far_as_the_further(
    scenario: Scenario, evaluated: dict[str, OptionOutcomes]
) -> None:
    """Both parts pull the same levers (depth of France's and Britain's guarantees,
    coordination): the portfolio's credibility is never below either part's, and is
    neither part's sum."""
    both = evaluated["umbrella-and-sharing"]
    a, b = evaluated["expanded-umbrella"], evaluated["shared-responsibility"]
    shared = set(scenario.options[2].levers) & set(scenario.options[3].levers)
    assert {"depth_fra", "coordination"} <= shared
    assert both.credibility is not None
    assert a.credibility is not None
    assert b.credibility is not None
    top = np.maximum(a.credibility, b.credibility)
    assert (both.credibility >= top - 1e-12).all()


def test_a_delayed_part_starts_later(
    scenario: Scenario, evaluated: dict[str, OptionOutcomes]
) -> None:
    later = evaluated["coordination-then-umbrella"]
    umbrella, coordination = evaluated["expanded-umbrella"], evaluated["uk-france-coordination"]
    # Its spending: coordination's, and the umbrella's two years later.
    shifted = np.zeros_like(umbrella.spending)
    shifted[2:] = umbrella.spending[:-2]
    years = np.asarray(scenario.years)
    assert (np.diff(years) == 1).all()  # yearly steps: a shift by rows is by years
    np.testing.assert_allclose(
        later.spending,
        coordination.spending + shifted,
        rtol=0,
        atol=1e-12,
    )
    # The years of the whole: the first effect of its earliest part, the full effect of
    # its latest, counted from the portfolio's start.
    first = scenario.option_field("coordination-then-umbrella", "years_to_first_effect")
    full = scenario.option_field("coordination-then-umbrella", "years_to_full_effect")
    assert first == scenario.option_field("uk-france-coordination", "years_to_first_effect")
    assert full == 2 + scenario.option_field("expanded-umbrella", "years_to_full_effect")
    capex = scenario.option_field("coordination-then-umbrella", "capex_eur_bn")
    assert capex == scenario.option_field(
        "uk-france-coordination", "capex_eur_bn"
    ) + scenario.option_field("expanded-umbrella", "capex_eur_bn")


def test_a_portfolio_is_judged_on_its_parts_futures(scenario: Scenario) -> None:
    """The portfolio samples nothing of its own: in every future of an ensemble its cost is
    its parts' in that same future."""
    outcomes = run_ensemble(scenario, 300, 3, keep=True).outcomes
    assert outcomes is not None
    wide = outcomes.pivot(index="future", columns="option", values="npv_eur_bn")
    np.testing.assert_array_equal(
        wide["coordination-and-isr"], wide["uk-france-coordination"] + wide["isr-autonomy"]
    )


def test_the_shipped_portfolio_scenario_is_the_flagship_and_portfolios() -> None:
    """europe-2026-portfolios repeats the flagship; it must not drift from it: every key but
    the name, title and description is the flagship's, and its options are the flagship's
    followed by portfolios of them."""
    from umbrella.model.scenario import load_scenario, shipped_scenarios

    shipped = shipped_scenarios()
    assert {"europe-2026", "europe-2026-portfolios"} <= set(shipped)
    flagship = yaml.safe_load(shipped["europe-2026"].read_text(encoding="utf-8"))
    variant = yaml.safe_load(shipped["europe-2026-portfolios"].read_text(encoding="utf-8"))
    own = {"name", "title", "description", "options"}
    assert {k: v for k, v in variant.items() if k not in own} == {
        k: v for k, v in flagship.items() if k not in own
    }
    n = len(flagship["options"])
    assert variant["options"][:n] == flagship["options"]
    portfolios = variant["options"][n:]
    assert len(portfolios) >= 3
    assert all("components" in p for p in portfolios)
    # By its name, as the command line takes it.
    loaded = load_scenario("europe-2026-portfolios")
    assert [o.id for o in loaded.options][-len(portfolios) :] == [p["id"] for p in portfolios]


def _pathways(*parts: dict[str, Any], risk: bool = False) -> Scenario:
    """The flagship with a pathway per part (coordination, then the part); without
    implementation risk unless ``risk``, so that a step starts exactly when its rule says."""
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    raw["implementation_risk"] = risk
    raw["options"] = [
        *raw["options"],
        *(
            {
                "id": f"pathway-{k}",
                "name": f"Pathway {k}",
                "components": ["uk-france-coordination", p],
            }
            for k, p in enumerate(parts)
        ),
    ]
    return parse_scenario(yaml.safe_dump(raw, sort_keys=False), str(flagship_path()))


def _evaluated(scenario: Scenario, n: int = 64) -> tuple[dict[str, OptionOutcomes], Any]:
    varying = uncertainties(scenario.registry.values())
    futures = draw(varying, 0, n, 13, "lhs")
    params = resolve(
        scenario.registry.values(), {a.name: futures[a.name].to_numpy() for a in varying}
    )
    result = evaluate(scenario, layout(scenario), params, detail=True)
    outcomes = {o.id: out for o, out in zip(scenario.options, result.options, strict=True)}
    return outcomes, params


def test_a_pathway_adds_its_part_only_where_its_signpost_fires() -> None:
    """Coordination now; the expanded umbrella from 2028 where US reliability has kept
    falling (trust.future_evidence_usa below -1). Never: coordination alone; always: the
    umbrella from 2028 in every future; sometimes: exactly in the futures that fired."""
    when = {"assumption": "trust.future_evidence_usa", "read_by": 2028}
    scenario = _pathways(
        {"option": "expanded-umbrella", "when": {**when, "below": -100}},
        {"option": "expanded-umbrella", "when": {**when, "below": 100}},
        {"option": "expanded-umbrella", "when": {**when, "below": -1}},
    )
    out, params = _evaluated(scenario)
    alone = out["uk-france-coordination"]
    never, always, sometimes = out["pathway-0"], out["pathway-1"], out["pathway-2"]
    np.testing.assert_array_equal(never.npv, alone.npv)
    np.testing.assert_array_equal(never.credibility, alone.credibility)
    np.testing.assert_array_equal(never.fails, alone.fails)
    # Always: the umbrella's own spending as if started in 2028 in every future.
    started = {**params, "option.expanded-umbrella.start_year": np.full(64, 2028.0)}
    from umbrella.model import options as opt

    umbrella = next(o for o in scenario.options if o.id == "expanded-umbrella")
    spent = opt.spending(started, umbrella, scenario.years)
    np.testing.assert_array_equal(always.spending, alone.spending + spent)
    fired = params["trust.future_evidence_usa"] < -1
    assert 0 < fired.sum() < 64
    np.testing.assert_array_equal(sometimes.spending, alone.spending + np.where(fired, spent, 0.0))
    np.testing.assert_array_equal(sometimes.npv[~fired], alone.npv[~fired])
    np.testing.assert_array_equal(sometimes.npv[fired], always.npv[fired])
    # Its years: the umbrella counts only where it starts.
    first = scenario.option_field("pathway-2", "years_to_full_effect")
    assert first == scenario.option_field("uk-france-coordination", "years_to_full_effect")


def test_a_pathway_step_that_stalls_starts_late() -> None:
    """With implementation risk, a step whose signpost fired in 2028 starts then where it is
    delivered on time and implementation.stall_years later where it stalls."""
    when = {"assumption": "trust.future_evidence_usa", "read_by": 2028, "below": 100}
    scenario = _pathways({"option": "expanded-umbrella", "when": when}, risk=True)
    out, params = _evaluated(scenario, 256)
    alone, pathway = out["uk-france-coordination"], out["pathway-0"]
    from umbrella.model import options as opt

    umbrella = next(o for o in scenario.options if o.id == "expanded-umbrella")
    # Where coordination is on time, the pathway's flag is its step's.
    step = alone.on_time == 1
    late = params["implementation.stall_years"] * (1.0 - pathway.on_time)
    started = {**params, "option.expanded-umbrella.start_year": 2028.0 + late}
    spent = opt.spending(started, umbrella, scenario.years)
    np.testing.assert_array_equal(pathway.on_time, np.minimum(alone.on_time, pathway.on_time))
    stalled = step & (pathway.on_time == 0)
    assert 0 < stalled.sum() < step.sum()
    np.testing.assert_allclose(
        pathway.spending[:, step], (alone.spending + spent)[:, step], rtol=0, atol=1e-12
    )
    # Where the step stalled, it spends nothing in 2028 (it starts two years later at least).
    year = scenario.years.index(2028)
    np.testing.assert_array_equal(pathway.spending[year, stalled], alone.spending[year, stalled])


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"assumption": "trust.future_evidence_usa", "read_by": 2028}, "give one of `below`"),
        (
            {"assumption": "trust.future_evidence_usa", "below": 0, "above": 1, "read_by": 2028},
            "give one of `below`",
        ),
        ({"assumption": "trust.future_evidence_us", "below": 0, "read_by": 2028}, "did you mean"),
        ({"assumption": "trust.future_evidence_usa", "below": 0, "read_by": 2050}, "2026 to 2040"),
    ],
)
def test_a_bad_signpost_is_one_line(when: dict[str, Any], message: str) -> None:
    from umbrella.errors import ScenarioError

    with pytest.raises(ScenarioError, match=message) as caught:
        _pathways({"option": "expanded-umbrella", "when": when})
    assert "\n" not in str(caught.value)
    assert "components" in str(caught.value)


def test_a_part_at_half_scale_costs_half_and_pulls_half() -> None:
    """Coordination at half scale beside ISR autonomy: half of coordination's costs (its
    proliferation index unscaled), and credibility between the status quo's and full
    coordination's in every future."""
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    raw["options"] = [
        *raw["options"],
        {
            "id": "half",
            "name": "Half coordination and ISR autonomy",
            "components": [
                {"option": "uk-france-coordination", "scale": 0.5},
                "isr-autonomy",
            ],
        },
    ]
    scenario = parse_scenario(yaml.safe_dump(raw, sort_keys=False), str(flagship_path()))
    out, _ = _evaluated(scenario)
    half, full, isr = out["half"], out["uk-france-coordination"], out["isr-autonomy"]
    np.testing.assert_allclose(half.npv, 0.5 * full.npv + isr.npv, rtol=1e-12)
    quo = out["status-quo"]
    # Combined credibility (support to Ukraine, which ISR autonomy and diversion move,
    # acts on the game, not on credibility): between none and full coordination.
    assert (half.combined >= quo.combined - 1e-12).all()
    assert (half.combined <= full.combined + 1e-12).all()
    assert (half.combined < full.combined).any()
    capex = scenario.option_field("half", "capex_eur_bn")
    assert capex == pytest.approx(
        0.5 * scenario.option_field("uk-france-coordination", "capex_eur_bn")
        + scenario.option_field("isr-autonomy", "capex_eur_bn")
    )
