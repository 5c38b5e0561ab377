"""Trust beyond the evidence date follows the assumed flow of evidence, whatever the prior."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import umbrella
from umbrella.trust import ASSUMPTIONS, TrustState, trust_state
from umbrella.trust.projection import mid_year_months, project

YEARS = list(range(2026, 2061))
AS_OF = dt.date(2026, 11, 1)
RANGES = {a.name: (a.low, a.high) for a in ASSUMPTIONS}


@lru_cache(maxsize=1)
def _world() -> umbrella.World:
    return umbrella.load_world()


def _state(values: dict[str, float]) -> TrustState:
    params = {k: np.array([v]) for k, v in values.items()}
    return trust_state(_world(), params, AS_OF, ["USA", "GBR", "FRA"], ["UKR", "EST"])


assumption = st.fixed_dictionaries(
    {name: st.floats(low, high) for name, (low, high) in RANGES.items()}
)


@settings(max_examples=60, deadline=None)
@given(assumption, st.floats(-4.0, 0.0), st.floats(0.0, 2.0))
def test_trust_follows_the_sign_of_the_flow(
    values: dict[str, float], falling: float, rising: float
) -> None:
    state = _state(values)
    multiplier = np.array([values["trust.negative_multiplier"]])
    down = project(state, np.full((3, 1), falling), multiplier, YEARS)[..., 0]
    up = project(state, np.full((3, 1), rising), multiplier, YEARS)[..., 0]
    assert np.all(np.diff(down, axis=-1) <= 1e-12)
    assert np.all(np.diff(up, axis=-1) >= -1e-12)
    start = state.mean()[0][:, :, None]
    assert np.all(down <= start + 1e-12)
    assert np.all(up >= start - 1e-12)


def test_no_flow_holds_trust_where_the_evidence_left_it() -> None:
    state = _state({a.name: a.default for a in ASSUMPTIONS})
    still = project(state, np.zeros((3, 1)), np.array([1.5]), YEARS)[..., 0]
    np.testing.assert_allclose(still, np.repeat(state.mean()[0][:, :, None], len(YEARS), -1))


def test_by_hand_one_year_of_negative_flow() -> None:
    # Half-life 12 months: in 12 months the state halves and 12 monthly flows of 1/12 failure
    # (times the multiplier 2), each forgotten since it came, add
    # 2 * (1/12) * (1 - 1/2) / (1 - 2 ** (-1/12)) to beta.
    values = {a.name: a.default for a in ASSUMPTIONS} | {
        "trust.half_life_months": 12.0,
        "trust.negative_multiplier": 2.0,
    }
    state = _state(values)
    alpha = float(state.prior_alpha[0, 0] + state.positive[0, 0, 1])
    beta = float(state.prior_beta[0, 0] + state.negative[0, 0, 1])
    lam = 2 ** (-1 / 12)
    added = 2.0 * (1 / 12) * (1 - 0.5) / (1 - lam)
    # Mid-2028 is 20 months after November 2026; mid-2027 is 8 months after: 12 apart.
    months = mid_year_months(AS_OF, [2027, 2028])
    assert months.tolist() == [8.0, 20.0]
    state_2027 = project(state, np.array([[-1.0], [0.0], [0.0]]), np.array([2.0]), [2027])
    state_2028 = project(state, np.array([[-1.0], [0.0], [0.0]]), np.array([2.0]), [2028])
    # Between the two mid-years the state at mid-2027 halves and a year of flow is added.
    a27 = lam**8 * alpha
    b27 = lam**8 * beta + 2.0 * (1 / 12) * (1 - lam**8) / (1 - lam)
    assert float(state_2027[0, 1, 0, 0]) == pytest.approx(a27 / (a27 + b27), rel=1e-12)
    a28, b28 = 0.5 * a27, 0.5 * b27 + added
    assert float(state_2028[0, 1, 0, 0]) == pytest.approx(a28 / (a28 + b28), rel=1e-12)
