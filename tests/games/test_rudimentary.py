"""Rudimentary asymmetric deterrence: paper examples, Gambit agreement, comparative statics."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umbrella.games.family import Example
from umbrella.games.gambit import solve_game
from umbrella.games.rudimentary import EXAMPLES, solve, to_gambit

PAYOFFS = {
    "a_cf": -2.0,
    "a_sq": 0.0,
    "a_cw": 1.0,
    "b_cf_soft": 1.0,
    "b_cw": 2.0,
    "b_cf_hard": 3.0,
    "b_sq": 4.0,
}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_worked_examples(example: Example) -> None:
    solution = solve(**{k: float(v) for k, v in example.parameters.items()})
    assert solution.equilibrium_class.item() == example.default_class
    for key, value in example.outcome.items():
        assert solution.outcome[key].item() == pytest.approx(float(value), abs=1e-12)
    for key, value in example.behaviour.items():
        assert solution.behaviour[key].item() == pytest.approx(float(value), abs=1e-12)


def test_threshold_of_the_worked_example() -> None:
    solution = solve(**PAYOFFS, p_hard=0.2)
    assert solution.thresholds["credibility"].item() == pytest.approx(1 / 3)


def test_at_the_threshold_both_equilibria_are_listed_and_the_default_deters() -> None:
    solution = solve(**PAYOFFS, p_hard=Fraction(1, 3).__float__())
    assert solution.n_equilibria().item() == 2
    assert solution.equilibrium_class.item() == "deterrence"


def test_invalid_instances_are_masked_never_answered() -> None:
    changed: dict[str, Any] = {**PAYOFFS, "a_sq": [0.0, 5.0]}
    solution = solve(**changed, p_hard=[0.2, 0.2])
    assert solution.valid.tolist() == [True, False]
    assert np.isnan(solution.outcome["SQ"][1])
    assert solution.class_code[1] == -1
    assert solution.equilibrium_class[1] == ""


def test_broadcasting() -> None:
    solution = solve(**PAYOFFS, p_hard=np.linspace(0.01, 0.99, 12).reshape(3, 4))
    assert solution.shape == (3, 4)
    total = sum(solution.outcome[k] for k in ("SQ", "CW", "DW", "CF"))
    np.testing.assert_allclose(total, 1.0)


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Fraction]:
    def ordered(n: int) -> list[Fraction]:
        values = draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n, unique=True))
        return [Fraction(v, 2) for v in sorted(values)]

    a_cf, a_sq, a_cw = ordered(3)
    b_cf_soft, b_cw, b_cf_hard, b_sq = ordered(4)
    p_hard = Fraction(draw(st.integers(1, 19)), 20)
    return {
        "a_cf": a_cf,
        "a_sq": a_sq,
        "a_cw": a_cw,
        "b_cf_soft": b_cf_soft,
        "b_cw": b_cw,
        "b_cf_hard": b_cf_hard,
        "b_sq": b_sq,
        "p_hard": p_hard,
    }


@settings(max_examples=40, deadline=None)
@given(instances())
def test_agrees_with_gambit(params: dict[str, Fraction]) -> None:
    threshold = (params["a_cw"] - params["a_sq"]) / (params["a_cw"] - params["a_cf"])
    solution = solve(**{k: float(v) for k, v in params.items()})
    closed = {
        k: Fraction(solution.outcome[k].item()).limit_denominator(10**6) for k in ("SQ", "CW", "CF")
    }
    game = to_gambit(**params)
    (lcp,) = solve_game(game, "lcp")
    if params["p_hard"] == threshold:  # a continuum of equilibria: Gambit may pick any
        assert lcp.outcome["CF"] <= params["p_hard"]
        return
    assert {k: lcp.outcome[k] for k in closed} == closed  # exact rational agreement
    (logit,) = solve_game(game, "logit")
    for key, value in closed.items():
        assert float(logit.outcome[key]) == pytest.approx(float(value), abs=1e-6)


@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_more_credibility_never_raises_the_challenge_probability(p: float, q: float) -> None:
    low, high = sorted((p, q))
    solution = solve(**PAYOFFS, p_hard=[low, high])
    assert solution.challenge_probability[1] <= solution.challenge_probability[0]
