"""The one model: known answers by hand, smoothness at the flagship, monotonicity, roles."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from umbrella.assumptions import resolve
from umbrella.games import expected
from umbrella.games.extended import P1
from umbrella.model import Layout, central, evaluate, layout, load_scenario
from umbrella.model.scenario import Scenario

SELF_DEFENCE = """
name: self-defence
title: France alone, defending itself
as_of: 2026-11-01
start_year: 2026
horizon: 2030
challenger: RUS
guarantors: [FRA]
proteges: [FRA]
game: {game}
protege_groups:
  - {{name: nato, alliance: NATO, resolve: challenger.resolve_nato,
     crisis_rate: crisis.rate_nato}}
options: [status-quo]
"""


def _scenario(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Scenario:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


@pytest.mark.parametrize("game", ["extended", "rudimentary"])
def test_france_defending_itself_by_hand(tmp_path: Path, game: str) -> None:
    """From forces to the chance deterrence holds, every step worked out by hand.

    France defends itself: trust 1 and depth 1, so its credibility is its capability, a sea
    leg of four SSBNs and an air leg: 1 - (1 - 0.7)(1 - 0.3) = 0.79. It is a NATO member:
    resolve 0.2 and 0.05 crisis opportunities a year. The payoff means are P1's gaps
    (gain 2, cost 2, hard share 1/2, stake ratio 1).
    """
    scenario = _scenario(tmp_path, SELF_DEFENCE.format(game=game))
    grid = layout(scenario)
    params = resolve(scenario.registry.values(), None)
    result = evaluate(scenario, grid, params, detail=True).options[0]
    x, pc, rate = 0.79, 0.2, 0.05
    np.testing.assert_allclose(result.combined[0, :, 0], x, atol=1e-12)
    if game == "extended":
        deter = x / (x + 2 * (1 - x))  # P(sigma_hard <= x), c_hard = 2
        above, low = x, 1 - x  # sigma_soft uniform
        odds = pc * math.log(1 / pc)  # E[(p_ch / mu*) 1{mu* > p_ch}], mu* uniform
        moment = (1 - x * x) / 2  # E[sigma_soft 1{sigma_soft > x}]
        sq = deter + (above - deter) * (1 - pc) + low * ((1 - pc) - odds)
        dw = low * pc * (1 - pc) * x + (odds - pc * (1 - pc)) * moment
    else:
        c = 2.0 / ((pc * 0.5 + 2 * (1 - pc)) * 2.0)
        sq, dw = x / (x + c * (1 - x)), 0.0
    fails = 1 - sq - dw
    assert float(result.no_challenge[0, 0, 0]) == pytest.approx(sq, abs=1e-12)
    assert float(result.rebuffed[0, 0, 0]) == pytest.approx(dw, abs=1e-12)
    assert float(result.fails[0, 0, 0]) == pytest.approx(fails, abs=1e-12)
    held = [math.exp(-rate * fails * k) for k in range(1, 6)]
    assert result.holds is not None  # kept with detail
    np.testing.assert_allclose(result.holds[0, :, 0], held, rtol=1e-12)


def test_the_payoff_means_are_those_of_p1() -> None:
    registry = load_scenario().registry
    assert registry["game.challenger_gain"].default == P1["c_cw"] - P1["c_sq"]  # 2
    assert registry["game.challenger_cost"].default == P1["c_sq"] - P1["c_dw"]  # 2
    share = (P1["c_sq"] - P1["c_cf_hard"]) / (P1["c_sq"] - P1["c_dw"])  # 1/2
    assert registry["game.hard_conflict_share"].default == share
    ratio = (P1["d_dw"] - P1["d_cw"]) / (P1["d_cw"] - P1["d_cf_soft"])  # 1
    assert registry["game.defender_stake_ratio"].default == ratio


def test_crisis_rates_and_resolve_follow_the_groups() -> None:
    ds = central(load_scenario())
    assert float(ds.resolve.sel(protege="UKR")) == 0.7
    assert float(ds.resolve.sel(protege="POL")) == 0.2
    assert float(ds.resolve.sel(protege="CHE")) == 0.4
    assert float(ds.crisis_rate.sel(protege="UKR")) == 1.0
    assert float(ds.crisis_rate.sel(protege="EST")) == 0.05
    assert ds.group.sel(protege="AUT").item() == "other"


@lru_cache(maxsize=1)
def _flagship() -> xr.Dataset:
    return central(load_scenario())


def test_central_future_is_labelled_per_protege() -> None:
    ds = _flagship()
    for name in ("no_challenge", "rebuffed", "fails", "holds"):
        assert ds[name].dims == ("option", "protege", "year")
        values = ds[name].values
        assert np.all((values >= 0) & (values <= 1)), name
    total = ds["no_challenge"] + ds["rebuffed"] + ds["fails"]
    np.testing.assert_allclose(total.values, 1.0, atol=1e-12)
    assert ds.sizes["protege"] == 38
    assert "margin_hard" in ds
    assert "point_class" in ds


@pytest.mark.parametrize("outcome", ["no_challenge", "fails"])
def test_no_protege_pinned_or_pooled_at_the_flagship(outcome: str) -> None:
    """Fewer than 3 proteges at exactly 0 or 1 or sharing a value (6 decimals) with 3 or
    more others of different credibility, in the first year of the central future."""
    ds = _flagship().sel(option="status-quo").isel(year=0)
    values = np.round(ds[outcome].values, 6)
    credibility = np.round(ds["combined_credibility"].values, 9)
    flagged = 0
    for i, value in enumerate(values):
        others = {credibility[j] for j in np.flatnonzero(values == value) if j != i}
        others.discard(credibility[i])
        if value in (0.0, 1.0) or len(others) >= 3:
            flagged += 1
    assert flagged < 3


def test_every_guaranteed_protege_responds_to_credibility() -> None:
    """dP/dcredibility is non-zero, and a 1% change moves P(fails) by at least 1e-4, for at
    least 30 of the 38 proteges (the central future, every year)."""
    scenario = load_scenario()
    ds = _flagship().sel(option="status-quo")
    registry = {a.name: a.default for a in scenario.registry.values()}
    payoffs = {
        "gain": registry["game.challenger_gain"],
        "cost": registry["game.challenger_cost"],
        "hard_share": registry["game.hard_conflict_share"],
        "stake_ratio": registry["game.defender_stake_ratio"],
    }
    x = ds["combined_credibility"].values  # (protege, year)
    p_ch = ds["resolve"].values[:, None]
    base = expected.extended(p_def=x, p_ch=p_ch, **payoffs)["fails"]
    moved = expected.extended(p_def=np.minimum(x * 1.01, 1.0), p_ch=p_ch, **payoffs)["fails"]
    np.testing.assert_allclose(base, ds["fails"].values, atol=1e-12)  # the model's own value
    responsive = np.all(np.abs(moved - base) >= 1e-4, axis=1)
    assert responsive.sum() >= 30
    # Those that do not respond have no guarantor at all (credibility 0): a floor that is a
    # finding (no commitment from any guarantor), not an artefact.
    assert np.all(x[~responsive] == 0.0)


MONOTONE = {
    "trust.prior_mean_usa": (0.4, 0.95),
    "trust.prior_mean_fra": (0.4, 0.9),
    "trust.future_evidence_usa": (-4.0, 2.0),
    "trust.future_evidence_europe": (-1.0, 2.0),
    "depth.collective_defence": (0.3, 0.7),
    "depth.extended_nuclear_deterrence": (0.1, 0.5),
    "depth.eu_mutual_assistance": (0.05, 0.4),
    "capability.sea": (0.5, 0.9),
    "capability.air": (0.1, 0.5),
    "option.uk-france-coordination.coordination": (0.2, 0.8),
    "option.shared-responsibility.depth_fra": (0.2, 0.6),
}


@lru_cache(maxsize=1)
def _prepared() -> tuple[Scenario, Layout]:
    scenario = load_scenario()
    return scenario, layout(scenario)


@settings(max_examples=10, deadline=None)
@given(st.floats(0, 0.8), st.floats(0, 0.8))
def test_failures_never_fall_as_guarantees_become_correlated(a: float, b: float) -> None:
    scenario, grid = _prepared()
    values = np.array(sorted((a, b)))
    params = resolve(scenario.registry.values(), {"combine.correlation": values})
    for option in evaluate(scenario, grid, params).options:
        assert np.all(option.fails[..., 1] >= option.fails[..., 0] - 1e-12)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(sorted(MONOTONE)), st.floats(0, 1), st.floats(0, 1))
def test_failures_never_rise_with_trust_depth_capability_or_coordination(
    name: str, a: float, b: float
) -> None:
    scenario, grid = _prepared()
    low, high = MONOTONE[name]
    values = np.array(sorted((low + a * (high - low), low + b * (high - low))))
    params = resolve(scenario.registry.values(), {name: values})
    result = evaluate(scenario, grid, params)
    for option in result.options:
        assert np.all(option.fails[..., 1] <= option.fails[..., 0] + 1e-12), name
        assert np.all(option.combined[..., 1] >= option.combined[..., 0] - 1e-12), name


INVENTED = """
name: invented-pair
title: An invented pair of guarantors
as_of: 2026-11-01
start_year: 2026
horizon: 2032
challenger: RUS
guarantors: [FRA, USA]
proteges: [POL, EST, AUT]
coordination: [USA, FRA]
future_evidence: {USA: trust.future_evidence_europe}
protege_groups:
  - {name: nato, alliance: NATO, resolve: challenger.resolve_nato, crisis_rate: crisis.rate_nato}
  - {name: rest, resolve: challenger.resolve_other, crisis_rate: crisis.rate_other}
options:
  - status-quo
  - id: transatlantic-pact
    name: A Franco-American pact
    category: nuclear
    start_year: 2026
    years_to_first_effect: 0
    years_to_full_effect: 2
    capex_eur_bn: 1
    opex_eur_bn_per_year: 0.1
    levers: {coordination: 0.8, depth_usa: 0.3}
"""


def test_a_scenario_with_an_invented_pair_runs(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, INVENTED)
    assert scenario.coordination == ("USA", "FRA")
    ds = central(scenario)
    gain = ds["combined_credibility"].sel(option="transatlantic-pact") - ds[
        "combined_credibility"
    ].sel(option="status-quo")
    assert float(gain.sel(protege="POL").isel(year=-1)) > 0.01
    assert float(gain.min()) >= -1e-12
    # The pact's depth lever reaches allies only (AUT is an EU member, so it is reached).
    assert float(ds["fails"].sel(option="transatlantic-pact", protege="POL").isel(year=-1)) < (
        float(ds["fails"].sel(option="status-quo", protege="POL").isel(year=-1))
    )


def test_a_coordination_pair_must_be_guarantors(tmp_path: Path) -> None:
    from umbrella.errors import ScenarioError

    bad = INVENTED.replace("coordination: [USA, FRA]", "coordination: [USA, GBR]")
    with pytest.raises(ScenarioError, match="coordination"):
        _scenario(tmp_path, bad)


def test_the_model_names_no_country_in_code() -> None:
    """Which guarantors coordinate, which protege is supported, whose evidence flows where:
    all declared in the scenario, none in the model's code."""
    source = Path(__file__).parents[2] / "src" / "umbrella" / "model"
    for module in ("evaluate.py", "layout.py", "central.py", "credibility.py", "options.py"):
        text = (source / module).read_text(encoding="utf-8")
        for code in ('"USA"', '"GBR"', '"FRA"', '"UKR"'):
            assert code not in text, (module, code)


TWO_GUARANTORS = """
name: two-guarantors
title: France defended by itself and the United Kingdom
as_of: 2026-11-01
start_year: 2026
horizon: 2028
challenger: RUS
guarantors: [FRA, GBR]
proteges: [FRA]
coordination: [FRA, GBR]
trust_assumptions: hand
protege_groups:
  - {name: all, resolve: challenger.resolve_nato, crisis_rate: crisis.rate_nato}
options:
  - status-quo
  - id: full-coordination
    name: Coordination at once
    category: nuclear
    start_year: 2026
    years_to_first_effect: 0
    years_to_full_effect: 0
    capex_eur_bn: 0
    opex_eur_bn_per_year: 0
    levers: {coordination: 0.5}
assumptions:
  trust.prior_strength: {default: 1000000000, low: 1, high: 1000000000}
"""


def test_two_guarantors_combined_and_coordinated_by_hand(tmp_path: Path) -> None:
    """A prior of 10^9 observations pins trust at its mean, 0.75, to 1e-8.

    The UK toward France: NATO Article 5 (0.5), extended nuclear deterrence (0.3, counted
    once), the Northwood coordination (0.1): depth 1 - 0.5 x 0.7 x 0.9 = 0.685; a sea leg
    of four SSBNs: capability 0.7. So 0.75 x 0.685 x 0.7 = 0.359625. France itself: 0.79.
    """
    scenario = _scenario(tmp_path, TWO_GUARANTORS)
    grid = layout(scenario)
    result = evaluate(scenario, grid, resolve(scenario.registry.values(), None))
    own, ally, rho = 0.79, 0.75 * 0.685 * 0.7, 0.25  # rho: combine.correlation
    alone = (1 - rho) * (1 - (1 - own) * (1 - ally)) + rho * own
    np.testing.assert_allclose(result.options[0].combined[0, :, 0], alone, atol=1e-7)
    kappa = 0.5
    raised_own = own + kappa * (1 - own) * ally
    raised_ally = ally + kappa * (1 - ally) * own
    independent = 1 - (1 - raised_own) * (1 - raised_ally)
    together = (1 - rho) * independent + rho * max(raised_own, raised_ally)
    np.testing.assert_allclose(result.options[1].combined[0, :, 0], together, atol=1e-7)


def test_an_aimed_option_acts_on_its_targets_only() -> None:
    path = Path(__file__).parents[2] / "scenarios" / "french-umbrella-frontline.yaml"
    scenario = load_scenario(path)
    ds = central(scenario)
    aimed = ds.sel(option="french-umbrella-frontline")
    status_quo = ds.sel(option="status-quo")
    change = abs(aimed["fails"] - status_quo["fails"]).max("year")
    targets = ["POL", "LTU", "LVA", "EST"]
    assert float(change.sel(protege=targets).min()) > 1e-3
    # Its levers reach no other state. Ukraine's outcome moves through the support channel
    # alone: a nuclear option's spending diverts some support from Ukraine.
    others = [p for p in ds.protege.values if p not in [*targets, "UKR"]]
    assert float(change.sel(protege=others).max()) == 0.0
    assert float(aimed["fails"].sel(protege="UKR", year=2040)) > float(
        status_quo["fails"].sel(protege="UKR", year=2040)
    )
    # The catalogue's expanded umbrella keeps its reach: every ally.
    broad = abs(ds["fails"].sel(option="expanded-umbrella") - status_quo["fails"]).max("year")
    assert int((broad > 1e-6).sum()) > 20


def test_a_us_exit_lowers_the_status_quo_and_raises_an_option_margin() -> None:
    import umbrella
    from umbrella.model.scenario import with_stresses

    flagship = load_scenario()
    exit_2030 = with_stresses(flagship, {"us-exit": 2030})
    assert exit_2030.registry["stress.us-exit.year"].default == 2030
    plain = central(flagship)
    stressed = central(exit_2030)
    # Before 2030 nothing changes; from 2030 the US commitments of the three kinds are gone.
    before = plain["combined_credibility"].sel(year=2029)
    np.testing.assert_array_equal(stressed["combined_credibility"].sel(year=2029), before)
    drop = plain["combined_credibility"] - stressed["combined_credibility"]
    assert float(drop.sel(option="status-quo", protege="POL", year=2030)) > 0.01
    assert float(drop.min()) >= -1e-12
    headline = umbrella.assess(flagship, samples=1000).headline()
    under = umbrella.assess(exit_2030, samples=1000).headline()
    # The status quo is the first row.
    assert under["holds_europe"].to_numpy()[0] < headline["holds_europe"].to_numpy()[0]
    margin = under["change_vs_status_quo"] - headline["change_vs_status_quo"]
    assert float(margin.max()) > 0.0


def test_a_stress_year_with_a_range_is_sampled(tmp_path: Path) -> None:
    from umbrella.explore.sampling import uncertainties

    text = load_scenario().text
    assert text is not None
    ranged = text.replace("    year: 2041\n", "    year: {default: 2041, low: 2028, high: 2041}\n")
    scenario = _scenario(tmp_path, ranged)
    assert "stress.us-exit.year" in {a.name for a in uncertainties(scenario.registry.values())}


def test_an_unknown_kind_of_commitment_is_refused(tmp_path: Path) -> None:
    from umbrella.errors import ScenarioError

    text = load_scenario().text
    assert text is not None
    bad = text.replace("ends: [collective_defence,", "ends: [article_five,")
    with pytest.raises(ScenarioError, match="unknown kind of commitment 'article_five'"):
        _scenario(tmp_path, bad)


@pytest.mark.parametrize(
    ("option", "added"), [("ukraine-conventional", 20.0), ("isr-autonomy", 2.5)]
)
def test_support_to_ukraine_reaches_its_deterrence_through_denial(
    option: str, added: float
) -> None:
    """Aid (EUR 20 bn a year at full effect) and intelligence (half of the EUR 5 bn value of
    US intelligence) scale the challenger's expected gain against Ukraine by
    (1 + added / 45)^(-0.5) (ukraine.denial_elasticity): recomputed here from the game."""
    ds = _flagship()
    status_quo = ds.sel(option="status-quo", protege="UKR", year=2040)
    aided = ds.sel(option=option, protege="UKR", year=2040)
    assert float(aided["combined_credibility"]) == float(status_quo["combined_credibility"])
    factor = (1 + added / 45.0) ** -0.5
    expected_fails = expected.extended(
        p_def=float(status_quo["combined_credibility"]),
        p_ch=0.7,
        gain=2.0 * factor,
        cost=2.0,
        hard_share=0.5,
        stake_ratio=1.0,
    )["fails"]
    assert float(aided["fails"]) == pytest.approx(float(expected_fails), abs=1e-12)
    assert float(aided["fails"]) < float(status_quo["fails"])
    # Nothing changes for a state the support does not concern.
    assert float(ds["fails"].sel(option=option, protege="POL", year=2040)) == float(
        ds["fails"].sel(option="status-quo", protege="POL", year=2040)
    )


def test_proliferation_pressure_rises_as_the_anchor_guarantee_fades() -> None:
    scenario, grid = _prepared()
    flows = np.array([-4.0, 2.0])
    params = resolve(scenario.registry.values(), {"trust.future_evidence_usa": flows})
    status_quo = evaluate(scenario, grid, params).options[0].proliferation  # (year, sample)
    falling, rising = status_quo[:, 0], status_quo[:, 1]
    assert falling[0] == pytest.approx(0.2)
    assert np.all(np.diff(falling) >= -1e-12)
    assert falling[-1] > rising[-1] + 0.1
    # The central future by the rule: 0.2 + (1 - 0.2) x 0.5 x (1 - a_2040 / a_2026), with a
    # the US credibility weighted by population over the proteges.
    ds = _flagship()
    usa = ds["credibility"].sel(option="status-quo", guarantor="USA")
    weighted = (usa * ds.population_weight).sum("protege")
    ratio = float(weighted.sel(year=2040) / weighted.sel(year=2026))
    expected_index = 0.2 + 0.8 * 0.5 * (1 - ratio)
    index = ds["proliferation"].sel(option="status-quo", year=2040)
    assert float(index) == pytest.approx(expected_index, abs=1e-12)


def test_an_option_moves_the_index_when_decided() -> None:
    ds = _flagship()
    # The European arsenal delivers nothing before its tenth year, but the decision in 2026
    # already moves the index half way (proliferation.decision_share 0.5): 0.2 + 0.5 x 0.7.
    arsenal = ds["proliferation"].sel(option="european-arsenal", year=2026)
    assert float(arsenal) == pytest.approx(0.2 + 0.5 * (0.9 - 0.2), abs=1e-12)
    assert float(ds["effect_share"].sel(option="european-arsenal", year=2026)) == 0.0


def test_reports_per_exposure_group_and_weighting_aggregate_the_proteges() -> None:
    from umbrella.explore.sampling import draw, uncertainties
    from umbrella.model import summarise
    from umbrella.model.central import labelled
    from umbrella.model.evaluate import summary_outcomes

    scenario, grid = _prepared()
    varying = uncertainties(scenario.registry.values())
    futures = draw(varying, 0, 40, seed=3)
    values = {a.name: futures[a.name].to_numpy() for a in varying}
    summary = summarise(scenario, grid, resolve(scenario.registry.values(), values))
    assert set(summary) == set(summary_outcomes(grid))
    ds = labelled(scenario, values).isel(year=-1)
    frontline = ["NOR", "FIN", "EST", "LVA", "LTU", "POL", "SVK", "HUN", "ROU"]
    weight = ds.population_weight.sel(protege=frontline)
    for name in ("holds", "fails", "no_challenge", "rebuffed"):
        by_hand = (ds[name].sel(protege=frontline) * weight).sum("protege") / weight.sum()
        np.testing.assert_allclose(
            summary[f"{name}_in_frontline"], by_hand.transpose("sample", "option"), atol=1e-12
        )
        equal = ds[name].mean("protege")
        np.testing.assert_allclose(
            summary[f"{name}_in_europe_equal"], equal.transpose("sample", "option"), atol=1e-12
        )
    np.testing.assert_allclose(summary["holds_in_ukraine"], summary["holds_ukraine"], atol=1e-12)
    # Exposure: population times the crisis rate of each state's group, in each future.
    exposure = ds.population_weight * ds.crisis_rate  # (sample, protege)
    exposure = exposure / exposure.sum("protege")
    for name in ("holds", "fails"):
        by_hand = (ds[name] * exposure).sum("protege")
        np.testing.assert_allclose(
            summary[f"{name}_in_europe_exposure"],
            by_hand.transpose("sample", "option"),
            atol=1e-12,
        )


def test_a_ceasefire_raises_resolve_toward_its_groups_from_its_year() -> None:
    from umbrella.model.scenario import with_stresses

    flagship = load_scenario()
    calm, ceasefire = (
        central(flagship),
        central(with_stresses(flagship, {"ukraine-ceasefire": 2028})),
    )
    change = ceasefire["fails"] - calm["fails"]
    sq = change.sel(option="status-quo")
    assert float(abs(sq.sel(year=slice(2026, 2027))).max()) == 0.0
    assert float(sq.sel(protege="POL", year=2028)) > 0.0  # NATO: resolve up by 0.1
    assert float(sq.sel(protege="CHE", year=2028)) > 0.0  # other
    assert float(abs(sq.sel(protege="UKR")).max()) == 0.0  # not among its groups
    # By the game: Poland in 2028 with resolve 0.2 + 0.1.
    x = float(calm["combined_credibility"].sel(option="status-quo", protege="POL", year=2028))
    fails = expected.extended(
        p_def=x, p_ch=0.3, gain=2.0, cost=2.0, hard_share=0.5, stake_ratio=1.0
    )["fails"]
    assert float(ceasefire["fails"].sel(option="status-quo", protege="POL", year=2028)) == (
        pytest.approx(float(fails), abs=1e-12)
    )


def test_a_policy_reversal_turns_trust_from_its_year() -> None:
    from umbrella.model.scenario import with_stresses

    flagship = load_scenario()
    calm = central(flagship)
    reversed_ = central(with_stresses(flagship, {"france-reversal": 2028}))
    before = calm["trust"].sel(guarantor="FRA", year=slice(2026, 2027))
    after = reversed_["trust"].sel(guarantor="FRA", year=slice(2026, 2027))
    np.testing.assert_allclose(after, before, atol=1e-12)  # mid-2027 is before the switch
    falling = reversed_["trust"].sel(guarantor="FRA", protege="DEU", year=slice(2028, 2040))
    assert np.all(np.diff(falling.values) < 0)
    assert np.all(reversed_["trust"].sel(guarantor="USA") == calm["trust"].sel(guarantor="USA"))
    british = central(with_stresses(flagship, {"uk-reversal": 2030}))["trust"]
    gbr = british.sel(guarantor="GBR", protege="DEU", year=slice(2030, 2040))
    assert np.all(np.diff(gbr.values) < 0)
    drop = calm["holds_europe"] - reversed_["holds_europe"]
    assert float(drop.sel(option="status-quo", year=2040)) > 0.0


def test_a_stress_after_the_horizon_samples_nothing() -> None:
    from umbrella.explore.sampling import uncertainties
    from umbrella.model.scenario import with_stresses

    flagship = load_scenario()
    names = {a.name for a in uncertainties(flagship.registry.values())}
    assert not {n for n in names if n.startswith("stress.")}
    ceasefire = with_stresses(flagship, {"ukraine-ceasefire": 2028})
    assert "stress.ukraine-ceasefire.added" in {
        a.name for a in uncertainties(ceasefire.registry.values())
    }


def test_the_challenger_belief_moves_trust_on_the_logit_scale() -> None:
    from umbrella.model import kernel

    trust = np.array([[[[0.25, 0.0, 1.0]]]])
    same = kernel.belief(trust, np.zeros(0))
    assert same is trust
    moved = kernel.belief(trust, np.full(3, 3.0))
    # odds 1/3 times 3 = 1: a belief of 0.5; 0 and 1 stay put.
    np.testing.assert_allclose(moved, [[[[0.5, 0.0, 1.0]]]], atol=1e-15)


def test_a_more_credulous_challenger_is_deterred_more() -> None:
    scenario = load_scenario()
    grid = layout(scenario)
    base = resolve(scenario.registry.values(), None)
    low = evaluate(scenario, grid, {**base, "belief.shift": np.array([-1.0])})
    high = evaluate(scenario, grid, {**base, "belief.shift": np.array([1.0])})
    quo_low, quo_high = low.options[0], high.options[0]
    assert (quo_high.fails <= quo_low.fails + 1e-12).all()
    assert float(quo_high.fails.sum()) < float(quo_low.fails.sum())
