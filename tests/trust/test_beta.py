"""The Beta reputation arithmetic against closed forms and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from umbrella.errors import UsageError
from umbrella.trust.beta import (
    decay_weights,
    forgetting_factor,
    posterior_mean,
    posterior_quantiles,
    prior_parameters,
    step,
)

half_lives = st.floats(1.0, 120.0)


@given(half_lives)
def test_evidence_halves_after_one_half_life(half_life: float) -> None:
    lam = forgetting_factor(np.array([half_life]))
    assert lam[0] ** half_life == pytest.approx(0.5, rel=1e-12)


def test_stepping_forgets_before_adding() -> None:
    lam = forgetting_factor(np.array([12.0]))
    r, s = np.array([0.0]), np.array([6.0])
    for _ in range(12):
        r, s = step(r, s, np.zeros(1), np.zeros(1), lam)
    assert s[0] == pytest.approx(3.0, rel=1e-12)
    r, s = step(r, s, np.array([2.0]), np.array([1.0]), lam)  # old decays, then new adds
    assert r[0] == 2.0
    assert s[0] == pytest.approx(3.0 * lam[0] + 1.0, rel=1e-12)


@settings(max_examples=50)
@given(
    half_lives,
    hnp.arrays(np.float64, 6, elements=st.floats(0.0, 10.0)),
    st.lists(st.integers(0, 40), min_size=6, max_size=6),
)
def test_closed_form_equals_repeated_steps(
    half_life: float, amounts: np.ndarray, months: list[int]
) -> None:
    lam = forgetting_factor(np.array([half_life]))
    horizon = max(months)
    r = np.zeros(1)
    for month in range(horizon + 1):
        new = sum(a for a, m in zip(amounts, months, strict=True) if m == month)
        r, _ = step(r, np.zeros(1), np.array([new]), np.zeros(1), lam)
    ages = horizon - np.array(months)
    closed = (amounts[None, :] * decay_weights(ages, lam)).sum(axis=1)
    assert closed[0] == pytest.approx(r[0], rel=1e-12, abs=1e-12)


def test_prior_parameters_sum_to_the_strength() -> None:
    alpha0, beta0 = prior_parameters(np.array([0.85, 0.7]), np.array([10.0, 4.0]))
    assert alpha0.tolist() == [8.5, pytest.approx(2.8, rel=1e-15)]
    assert (alpha0 + beta0).tolist() == [10.0, 4.0]
    assert posterior_mean(alpha0, beta0) == pytest.approx([0.85, 0.7], rel=1e-15)


def test_josang_ismail_expectation_with_a_uniform_prior() -> None:
    # Beta(r + 1, s + 1): E = (r + 1) / (r + s + 2); r = 8, s = 2 gives 0.75 (paper, sec. 3)
    assert posterior_mean(8.0 + 1.0, 2.0 + 1.0) == 0.75


def test_quantiles_against_closed_forms() -> None:
    # Beta(2, 1) has CDF x**2 and Beta(1, 2) has CDF 1 - (1 - x)**2
    low, high = posterior_quantiles(np.array([2.0, 1.0]), np.array([1.0, 2.0]), level=0.9)
    assert low == pytest.approx([np.sqrt(0.05), 1.0 - np.sqrt(0.95)], abs=1e-12)
    assert high == pytest.approx([np.sqrt(0.95), 1.0 - np.sqrt(0.05)], abs=1e-12)
    low, high = posterior_quantiles(1.0, 1.0, level=0.5)
    assert (float(low), float(high)) == pytest.approx((0.25, 0.75), abs=1e-12)


@given(
    hnp.arrays(np.float64, 5, elements=st.floats(1.0, 100.0)),
    hnp.arrays(np.float64, 5, elements=st.floats(1.0, 100.0)),
    st.floats(0.5, 0.99),
)
def test_interval_holds_its_probability_and_the_mean(
    alpha: np.ndarray, beta: np.ndarray, level: float
) -> None:
    low, high = posterior_quantiles(alpha, beta, level)
    covered = stats.beta.cdf(high, alpha, beta) - stats.beta.cdf(low, alpha, beta)
    assert covered == pytest.approx(np.full(5, level), abs=1e-9)
    mean = posterior_mean(alpha, beta)
    assert np.all((low < mean) & (mean < high))


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1])
def test_level_outside_the_unit_interval_is_refused(level: float) -> None:
    with pytest.raises(UsageError, match="level"):
        posterior_quantiles(1.0, 1.0, level)
