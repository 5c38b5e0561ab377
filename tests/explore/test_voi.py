"""Value of information: EVPI and EVPPI recover closed forms on synthetic decisions.

Most cases are two options, ``NB_0 = 0`` and ``NB_1 = h(theta) + noise``, where
``EVPPI(theta) = E[max(0, E[NB_1 | theta])] - max(0, E[NB_1])``. For ``X ~ N(m, s^2)``,
``E[max(0, X)] = m Phi(m/s) + s phi(m/s)``. The Monte Carlo error of a mean over 5 x 10^4
futures is about 0.003 here, so closed forms are checked to 0.01 (TOLERANCE) and estimates
that should agree with the same sample's EVPI to 0.002.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from umbrella.errors import UsageError
from umbrella.explore.sampling import uncertainties
from umbrella.explore.voi import (
    GROUPS,
    OTHER,
    assumption_group,
    assumption_groups,
    evpi,
    evppi,
    net_benefit,
    value_of_information,
)
from umbrella.model import load_scenario

N = 50_000
TOLERANCE = 0.01
SAME_SAMPLE = 0.002
M1, M2, S1, S2 = 0.3, -0.5, 1.0, 0.7


def expected_positive(m: float, s: float) -> float:
    """``E[max(0, X)]`` for ``X ~ N(m, s^2)``."""
    return m * norm.cdf(m / s) + s * norm.pdf(m / s)


def normal_problem(seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``NB_1 = theta1 + theta2``, and ``theta3`` on which nothing depends."""
    rng = np.random.default_rng(seed)
    theta1, theta2 = rng.normal(M1, S1, N), rng.normal(M2, S2, N)
    theta3 = rng.normal(size=N)
    nb = np.column_stack([np.zeros(N), theta1 + theta2])
    return nb, theta1, theta2, theta3


def linear_evppi(nb: np.ndarray, phi: np.ndarray) -> float:
    """The EVPPI a straight-line regression would give (two options): what splines beat."""
    slope, intercept = np.polyfit(phi, nb[:, 1] - nb[:, 0], 1)
    fitted = intercept + slope * phi
    return float(np.maximum(fitted, 0.0).mean() - max(fitted.mean(), 0.0))


def test_evpi_matches_the_closed_form() -> None:
    nb, *_ = normal_problem()
    m, s = M1 + M2, math.hypot(S1, S2)
    assert evpi(nb) == pytest.approx(expected_positive(m, s) - max(m, 0.0), abs=TOLERANCE)


def test_evppi_of_each_parameter_matches_the_closed_form() -> None:
    nb, theta1, theta2, _ = normal_problem()
    m = M1 + M2
    # Knowing theta1 leaves NB_1 = theta1 + E[theta2] ~ N(m, S1^2); likewise theta2.
    one = evppi(nb, theta1, draws=50, seed=3)
    two = evppi(nb, theta2, draws=0)
    assert one.value == pytest.approx(expected_positive(m, S1) - max(m, 0.0), abs=TOLERANCE)
    assert two.value == pytest.approx(expected_positive(m, S2) - max(m, 0.0), abs=TOLERANCE)
    # The regression's interval is narrow and around the estimate at this sample size.
    assert 0.0 < one.se < 0.005
    assert one.low - 0.005 <= one.value <= one.high + 0.005
    assert math.isnan(two.se)
    assert math.isnan(two.low)


@pytest.mark.parametrize("columns", [(0, 1), (0, 1, 2)], ids=["tensor pair", "additive three"])
def test_a_group_of_every_parameter_gives_evpi(columns: tuple[int, ...]) -> None:
    nb, theta1, theta2, theta3 = normal_problem()
    phi = np.column_stack([theta1, theta2, theta3])[:, list(columns)]
    both = evppi(nb, phi, draws=0)
    assert both.value == pytest.approx(evpi(nb), abs=SAME_SAMPLE)
    assert both.value <= both.evpi


def test_a_parameter_nothing_depends_on_is_worth_nothing() -> None:
    nb, _, _, theta3 = normal_problem()
    result = evppi(nb, theta3, draws=20, seed=1)
    assert result.value < SAME_SAMPLE
    assert result.changed < 0.01
    assert result.high < 0.01


def test_splines_recover_a_u_shape_a_straight_line_misses() -> None:
    rng = np.random.default_rng(2)
    theta, noise = rng.normal(size=N), rng.normal(size=N)
    nb = np.column_stack([np.zeros(N), theta**2 - 1 + noise])
    # E[(theta^2 - 1)^+] = 2 phi(1) for a standard normal theta; E[NB_1] = 0.
    assert evppi(nb, theta, draws=0).value == pytest.approx(2 * norm.pdf(1.0), abs=TOLERANCE)
    assert linear_evppi(nb, theta) < 0.02


def test_splines_recover_a_hump_on_a_uniform_parameter() -> None:
    rng = np.random.default_rng(3)
    u, noise = rng.uniform(size=N), rng.normal(size=N)
    c = 0.8
    nb = np.column_stack([np.zeros(N), np.sin(np.pi * u) - c + noise])
    # sin(pi u) > c on (u0, 1 - u0); E[NB_1] = 2/pi - c < 0.
    u0 = math.asin(c) / math.pi
    exact = 2 * math.cos(math.pi * u0) / math.pi - c * (1 - 2 * u0)
    assert evppi(nb, u, draws=0).value == pytest.approx(exact, abs=TOLERANCE)
    assert linear_evppi(nb, u) < 0.01


def test_splines_approach_a_threshold() -> None:
    rng = np.random.default_rng(4)
    theta, noise = rng.normal(size=N), rng.normal(size=N)
    nb = np.column_stack([np.zeros(N), (theta > 0) - 0.3 + noise])
    # E[max(0, 1{theta>0} - 0.3)] = 0.35, E[NB_1] = 0.2: EVPPI 0.15. The same with this
    # sample's mean of NB_1 (the oracle that knows the step) removes the Monte Carlo error.
    oracle = np.maximum((theta > 0) - 0.3, 0.0).mean() - max(nb[:, 1].mean(), 0.0)
    assert oracle == pytest.approx(0.15, abs=TOLERANCE)
    # Smoothing rounds the step off, which loses a little: about 0.007 at the default 12
    # knot intervals, 0.001 at 40.
    coarse = evppi(nb, theta, draws=0).value
    fine = evppi(nb, theta, draws=0, segments=40).value
    assert oracle - TOLERANCE < coarse < fine <= oracle + SAME_SAMPLE
    assert fine == pytest.approx(oracle, abs=SAME_SAMPLE)
    assert linear_evppi(nb, theta) < oracle - 0.05


def test_a_parameter_of_few_values_gets_one_level_each() -> None:
    rng = np.random.default_rng(5)
    level, noise = rng.integers(0, 6, N).astype(float), rng.normal(size=N)
    nb = np.column_stack([np.zeros(N), (level - 2.5) / 2 + noise])
    # Levels 3, 4, 5 gain 0.25, 0.75, 1.25; E[NB_1] = 0: EVPPI = 2.25 / 6.
    assert evppi(nb, level, draws=0).value == pytest.approx(0.375, abs=TOLERANCE)


def test_a_pair_captures_an_interaction_an_additive_group_misses() -> None:
    rng = np.random.default_rng(6)
    a, b, c, noise = (rng.normal(size=N) for _ in range(4))
    nb = np.column_stack([np.zeros(N), a * b + 0.5 * noise])
    # E[max(0, ab)] = E|ab| / 2 = 1/pi; neither alone tells anything.
    assert evppi(nb, np.column_stack([a, b]), draws=0).value == pytest.approx(
        1 / math.pi, abs=TOLERANCE
    )
    assert evppi(nb, a, draws=0).value < SAME_SAMPLE
    # The documented limit: three parameters are additive and miss the interaction.
    assert evppi(nb, np.column_stack([a, b, c]), draws=0).value < SAME_SAMPLE


def test_three_options_and_the_decision_changed() -> None:
    rng = np.random.default_rng(7)
    theta, noise = rng.uniform(-1, 1, N), rng.normal(size=(N, 3))
    # Option 0 is best on average (0.1); option 1 wins when theta > 0.5, option 2 when
    # theta < -0.5: perfect information on theta switches in half the futures.
    nb = np.column_stack([np.full(N, 0.1), 2 * (theta - 0.5) + 0.1, 2 * (-theta - 0.5) + 0.1])
    result = evppi(nb + noise, theta, draws=0)
    assert result.best == 0
    assert result.changed == pytest.approx(0.5, abs=0.02)
    np.testing.assert_allclose(result.switches(), [0.0, 0.25, 0.25], atol=0.02)
    # Gain when switching: E[2(|theta| - 0.5); |theta| > 0.5] = 2 * 0.5 * 0.25 = 0.25.
    assert result.value == pytest.approx(0.25, abs=TOLERANCE)


def test_the_same_seed_gives_the_same_interval() -> None:
    nb, theta1, *_ = normal_problem()
    first = evppi(nb[:5000], theta1[:5000], draws=30, seed=9)
    again = evppi(nb[:5000], theta1[:5000], draws=30, seed=9)
    assert (first.se, first.low, first.high) == (again.se, again.low, again.high)


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A random decision of 300 futures, 2-4 options, two parameters it depends on."""
    seed = draw(st.integers(0, 2**32 - 1))
    options = draw(st.integers(2, 4))
    rng = np.random.default_rng(seed)
    phi = rng.uniform(size=(300, 2))
    weights = rng.normal(size=(3, options))
    nb = weights[0] + np.sin(3 * phi[:, [0]]) * weights[1] + phi[:, [1]] * weights[2]
    return nb + rng.normal(scale=0.5, size=nb.shape), phi


@settings(max_examples=25, deadline=None)
@given(problems(), st.floats(-1e3, 1e3), st.integers(0, 1))
def test_evppi_lies_between_zero_and_evpi_and_ignores_shifts(
    problem: tuple[np.ndarray, np.ndarray], shift: float, column: int
) -> None:
    nb, phi = problem
    result = evppi(nb, phi[:, column], draws=0)
    assert 0.0 <= result.value <= result.evpi
    assert result.evpi == pytest.approx(evpi(nb))
    # Adding a constant to every option, or any per-future amount to every option, moves
    # no decision: the values stay (up to rounding).
    moved = evppi(nb + shift, phi[:, column], draws=0)
    assert moved.value == pytest.approx(result.value, abs=1e-9 * (1 + abs(shift)))
    per_future = nb + np.sin(50 * phi[:, [1 - column]])
    assert evpi(per_future) == pytest.approx(evpi(nb), abs=1e-9)
    assert evppi(per_future, phi[:, column], draws=0).value == pytest.approx(result.value, abs=1e-9)
    # The order of the options does not matter either.
    flipped = evppi(nb[:, ::-1], phi[:, column], draws=0)
    assert flipped.value == pytest.approx(result.value, abs=1e-9)


def test_bad_inputs_are_usage_errors() -> None:
    nb = np.zeros((10, 2))
    with pytest.raises(UsageError):
        evppi(nb, np.zeros(9))
    with pytest.raises(UsageError):
        evppi(nb, np.full(10, np.nan))
    with pytest.raises(UsageError):
        evpi(np.full((10, 2), np.inf))
    with pytest.raises(UsageError):
        evppi(nb, np.zeros(10), draws=-1)


# --- net benefit and tables -----------------------------------------------------------------


def long_outcomes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "future": [1, 1, 0, 0],
            "option": ["a", "b", "a", "b"],
            "holds_europe": [0.5, 0.6, 0.7, 0.9],
            "npv_eur_bn": [0.0, 10.0, 0.0, 20.0],
        }
    )


def test_net_benefit_is_in_percentage_points_less_weighted_cost() -> None:
    table, options = net_benefit(long_outcomes())
    assert options == ["a", "b"]
    np.testing.assert_allclose(table, [[70.0, 90.0], [50.0, 60.0]])
    costed, _ = net_benefit(long_outcomes(), cost_weight=0.5, futures=[1, 0])
    np.testing.assert_allclose(costed, [[50.0, 55.0], [70.0, 80.0]])
    with pytest.raises(UsageError):
        net_benefit(long_outcomes().iloc[:3])
    with pytest.raises(UsageError):
        net_benefit(long_outcomes().drop(columns="npv_eur_bn"), cost_weight=1.0)


def test_value_of_information_table() -> None:
    rng = np.random.default_rng(8)
    n = 4000
    futures = pd.DataFrame(
        {
            "future": np.arange(n),
            "trust.prior_mean_usa": rng.uniform(size=n),
            "crisis.rate_nato": rng.uniform(size=n),
            "mystery": rng.uniform(size=n),
        }
    )
    holds_b = 0.5 + 0.2 * (futures["trust.prior_mean_usa"] - 0.45)
    outcomes = pd.DataFrame(
        {
            "future": np.repeat(futures["future"].to_numpy(), 2),
            "option": np.tile(["a", "b"], n),
            "holds_europe": np.column_stack([np.full(n, 0.5), holds_b]).ravel(),
        }
    )
    result = value_of_information(futures, outcomes, draws=10, seed=1)
    assert result.best == "b"
    assert result.other == ["mystery"]
    table = result.table.set_index("group")
    assert result.table["group"].iloc[0] == "US reliability"
    # 100 * 0.2 * E[max(0, 0.45 - U)] = 20 * 0.45^2 / 2 = 2.025 percentage points; on
    # these 4,000 futures (the oracle) 1.93. US trust decides everything: EVPPI = EVPI.
    oracle = np.maximum(20 * (0.45 - futures["trust.prior_mean_usa"]), 0.0).mean()
    assert oracle == pytest.approx(2.025, abs=0.15)
    assert result.evpi == pytest.approx(oracle, abs=1e-9)
    assert table.loc["US reliability", "evppi"] == pytest.approx(oracle, abs=SAME_SAMPLE)
    assert table.loc["US reliability", "changed"] == pytest.approx(0.45, abs=0.03)
    assert table.loc["US reliability", "changed_to"] == "a"
    assert (table["evppi"].loc[["crisis frequency"]] < 0.05).all()
    records = result.records()
    assert records[0]["group"] == "all (EVPI)"
    assert records[0]["evppi"] == result.evpi
    assert {r["group"] for r in records[1:]} == {"US reliability", "crisis frequency", OTHER}


# --- groups ----------------------------------------------------------------------------------


def test_every_flagship_uncertainty_has_a_reader_group() -> None:
    names = [a.name for a in uncertainties(load_scenario(None).registry.values())]
    groups = assumption_groups(names)
    assert OTHER not in groups, groups.get(OTHER)
    assert sorted(n for members in groups.values() for n in members) == sorted(names)
    assert {"US reliability", "Russian resolve", "crisis frequency", "costs"} <= set(groups)


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("trust.prior_mean_usa", "US reliability"),
        ("trust.future_evidence_usa", "US reliability"),
        ("trust.prior_mean_fra", "European reliability"),
        ("trust.future_evidence_europe", "European reliability"),
        ("trust.half_life_months", "evidence model"),
        ("challenger.resolve_nato", "Russian resolve"),
        ("crisis.rate_other", "crisis frequency"),
        ("game.challenger_gain", "game payoffs"),
        ("option.european-arsenal.capex_eur_bn", "costs"),
        ("discount_rate", "costs"),
        ("option.european-arsenal.proliferation", "proliferation"),
        ("option.european-arsenal.years_to_full_effect", "option delivery"),
        ("ukraine.baseline_eur_bn", "Ukraine"),
        ("depth.nuclear_sharing", "commitments and forces"),
        ("something.new", OTHER),
    ],
)
def test_assumption_group(name: str, group: str) -> None:
    assert assumption_group(name) == group
    assert group == OTHER or group in dict(GROUPS)
