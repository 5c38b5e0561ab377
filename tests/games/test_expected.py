"""The games under payoff uncertainty: hand-computed values, the exact solver, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umbrella.games import expected
from umbrella.games.extended import solve as solve_extended
from umbrella.games.rudimentary import solve as solve_rudimentary

# gain = cost: sigma_soft is uniform on (0, 1); hard_share 1/2: P(sigma_hard <= x) = x / (2 - x);
# stake ratio 1: mu* is uniform on (0, 1). Everything below is worked out by hand from the
# class-by-class outcomes of docs/games/extended.md.
UNIFORM = {"gain": 2.0, "cost": 2.0, "hard_share": 0.5, "stake_ratio": 1.0}


def test_extended_by_hand_at_half_credibility() -> None:
    # p_def 1/2, p_ch 1/5. Deterrence class: P(sigma_hard <= 1/2) = (1/2) / (3/2) = 1/3.
    # Separating: P(sigma_soft <= 1/2) - 1/3 = 1/6 (SQ 4/5). Low (sigma_soft > 1/2): 1/2,
    # of which pooling when mu* <= 1/5 (probability 1/5: DW (1 - 1/5)(1/2)) and bluff
    # otherwise: E[(p_ch / mu*) 1{mu* > p_ch}] = (1/5) ln 5, E[sigma_soft | low] = 3/4.
    out = expected.extended(p_def=0.5, p_ch=0.2, **UNIFORM)
    log5 = math.log(5.0)
    sq = 1 / 3 + (1 / 6) * (4 / 5) + (1 / 2) * (4 / 5 - log5 / 5)
    dw = (1 / 2) * (1 / 5) * (4 / 5) * (1 / 2) + (1 / 2) * (log5 / 5 - 4 / 25) * (3 / 4)
    assert float(out["SQ"]) == pytest.approx(sq, abs=1e-12)
    assert float(out["SQ"]) == pytest.approx(13 / 15 - log5 / 10, abs=1e-12)
    assert float(out["DW"]) == pytest.approx(dw, abs=1e-12)
    assert float(out["fails"]) == pytest.approx(1 - sq - dw, abs=1e-12)


def test_extended_by_hand_without_credibility() -> None:
    # p_def 0: always below both thresholds. Pooling with probability P(mu* <= 1/2) = 1/2:
    # CW 1. Bluff otherwise: SQ 1/2 - (1/2) ln 2, CW + CF = E[p_ch/mu* (1 - sigma) + p_ch
    # sigma]; E[sigma_soft] = 1/2.
    out = expected.extended(p_def=0.0, p_ch=0.5, **UNIFORM)
    log2 = math.log(2.0)
    odds = 0.5 * log2  # E[(1/2) / mu* 1{mu* > 1/2}] = (1/2) ln 2
    assert float(out["SQ"]) == pytest.approx(0.5 - odds, abs=1e-12)
    assert float(out["DW"]) == pytest.approx((odds - 0.5 * 0.5) * 0.5, abs=1e-12)


def test_extended_by_hand_with_uneven_means() -> None:
    # gain 1, cost 3, hard share 1/3, stake ratio 3, p_def 3/4, p_ch 1/4:
    # c_soft = 1/3, c_hard = 1: P(sigma_hard <= 3/4) = 3/4, P(sigma_soft <= 3/4) =
    # (3/4) / (3/4 + 1/12) = 9/10. Pooling: P(mu* <= 1/4) = (1/4) / (1/4 + 3 (3/4)) = 1/10.
    # E[(1/mu*) 1{mu* > 1/4}]: t = 3, F(t) = 9/10, so 9/10 * 4 - 3 + ln(10) / 3.
    # E[sigma_soft 1{sigma_soft > 3/4}]: y = (2/3)(1/4) = 1/6, phi(y) = (ln(6/5) - 1/6) * 36,
    # times 1/3: (1/16) phi + (3/16) / (5/6).
    out = expected.extended(
        p_def=0.75, p_ch=0.25, gain=1.0, cost=3.0, hard_share=1 / 3, stake_ratio=3.0
    )
    deter, above, low = 3 / 4, 9 / 10, 1 / 10
    pooling, bluffing = 1 / 10, 9 / 10
    inverse = 0.9 * 4 - 3 + math.log(10.0) / 3
    phi = (math.log(6 / 5) - 1 / 6) * 36
    moment = (1 / 3) * ((1 / 16) * phi + (3 / 16) / (5 / 6))
    sq = deter + (above - deter) * 0.75 + low * (bluffing - 0.25 * inverse)
    dw = low * pooling * 0.75 * 0.75 + (0.25 * inverse - 0.25 * bluffing) * moment
    assert float(out["SQ"]) == pytest.approx(sq, abs=1e-12)
    assert float(out["DW"]) == pytest.approx(dw, abs=1e-12)


def test_rudimentary_by_hand() -> None:
    # E[h] = (p_ch hard_share + 2 (1 - p_ch)) cost = (0.1 + 1.6) 2 = 3.4; c = 2 / 3.4;
    # P(sigma <= 0.6) = 0.6 / (0.6 + c 0.4).
    out = expected.rudimentary(p_def=0.6, p_ch=0.2, gain=2.0, cost=2.0, hard_share=0.5)
    c = 2.0 / 3.4
    assert float(out["SQ"]) == pytest.approx(0.6 / (0.6 + c * 0.4), abs=1e-12)
    assert float(out["DW"]) == 0.0
    assert float(out["fails"]) == pytest.approx(1 - 0.6 / (0.6 + c * 0.4), abs=1e-12)


def _payoff_draws(
    n: int, gain: float, cost: float, share: float, ratio: float, seed: int
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = rng.exponential(gain, n)
    m = rng.exponential(cost, n)
    a = rng.exponential(ratio, n)
    b = rng.exponential(1.0, n)
    return {
        "c_cw": g,
        "c_sq": np.zeros(n),
        "c_dw": -m,
        "c_cf_hard": -share * m,
        "c_cf_soft": -m - 1.0,
        "d_sq": a + 1.0,
        "d_dw": a,
        "d_cw": np.zeros(n),
        "d_cf_hard": np.ones(n),
        "d_cf_soft": -b,
    }


@pytest.mark.parametrize(
    ("p_def", "p_ch", "gain", "cost", "share", "ratio"),
    [
        (0.3, 0.2, 2.0, 2.0, 0.5, 1.0),
        (0.75, 0.2, 2.0, 2.0, 0.5, 1.0),
        (0.5, 0.7, 3.0, 1.5, 0.3, 0.6),
        (0.9, 0.4, 1.0, 4.0, 0.8, 2.0),
        (0.05, 0.1, 4.0, 1.0, 0.2, 0.5),
    ],
)
def test_extended_is_the_exact_solver_averaged_over_payoffs(
    p_def: float, p_ch: float, gain: float, cost: float, share: float, ratio: float
) -> None:
    """The closed form equals the mean of the exact default equilibria over payoff draws."""
    n = 400_000
    draws = _payoff_draws(n, gain, cost, share, ratio, seed=7)
    exact = solve_extended(**draws, p_ch=np.full(n, p_ch), p_def=np.full(n, p_def)).outcome
    closed = expected.extended(
        p_def=p_def, p_ch=p_ch, gain=gain, cost=cost, hard_share=share, stake_ratio=ratio
    )
    for key, values in (("SQ", exact["SQ"]), ("DW", exact["DW"])):
        se = float(np.std(values)) / math.sqrt(n)
        assert float(closed[key]) == pytest.approx(float(np.mean(values)), abs=5 * se + 1e-9)
    fails = exact["CW"] + exact["CF"]
    se = float(np.std(fails)) / math.sqrt(n)
    assert float(closed["fails"]) == pytest.approx(float(np.mean(fails)), abs=5 * se + 1e-9)


def test_rudimentary_is_the_exact_solver_averaged_over_payoffs() -> None:
    n, p_def, p_ch, gain, cost, share = 400_000, 0.55, 0.3, 2.5, 1.5, 0.4
    rng = np.random.default_rng(11)
    conflict = (p_ch * share + 2 * (1 - p_ch)) * cost
    exact = solve_rudimentary(
        a_cf=-rng.exponential(conflict, n),
        a_sq=np.zeros(n),
        a_cw=rng.exponential(gain, n),
        b_cf_soft=-3.0,
        b_cw=-1.0,
        b_cf_hard=0.0,
        b_sq=2.0,
        p_hard=np.full(n, p_def),
    ).outcome
    closed = expected.rudimentary(p_def=p_def, p_ch=p_ch, gain=gain, cost=cost, hard_share=share)
    se = float(np.std(exact["SQ"])) / math.sqrt(n)
    assert float(closed["SQ"]) == pytest.approx(float(np.mean(exact["SQ"])), abs=5 * se)


unit = st.floats(0.0, 1.0)
inner = st.floats(0.01, 0.99)
positive = st.floats(0.2, 5.0)


@settings(max_examples=200, deadline=None)
@given(unit, unit, inner, positive, positive, st.floats(0.05, 0.95), positive)
def test_more_credibility_means_fewer_failures_and_fewer_challenges(
    x: float, y: float, p_ch: float, gain: float, cost: float, share: float, ratio: float
) -> None:
    low, high = sorted((x, y))
    kwargs = {"p_ch": p_ch, "gain": gain, "cost": cost, "hard_share": share}
    a = expected.extended(p_def=low, stake_ratio=ratio, **kwargs)
    b = expected.extended(p_def=high, stake_ratio=ratio, **kwargs)
    total = float(b["SQ"] + b["DW"] + b["fails"])
    assert total == pytest.approx(1.0, abs=1e-12)
    for key in ("SQ", "DW", "fails"):
        assert -1e-12 <= float(b[key]) <= 1 + 1e-12
    assert float(b["fails"]) <= float(a["fails"]) + 1e-12
    assert float(b["SQ"]) >= float(a["SQ"]) - 1e-12
    if high - low > 1e-6:
        assert float(b["fails"]) < float(a["fails"])  # strictly: the laws have full support
    r_low = expected.rudimentary(p_def=low, **kwargs)
    r_high = expected.rudimentary(p_def=high, **kwargs)
    assert float(r_high["fails"]) <= float(r_low["fails"]) + 1e-12


@settings(max_examples=100, deadline=None)
@given(unit, inner, inner, positive, positive, st.floats(0.05, 0.95), positive)
def test_more_resolve_means_more_failures(
    p_def: float, a: float, b: float, gain: float, cost: float, share: float, ratio: float
) -> None:
    low, high = sorted((a, b))
    kwargs = {"p_def": p_def, "gain": gain, "cost": cost, "hard_share": share}
    calm = expected.extended(p_ch=low, stake_ratio=ratio, **kwargs)
    bold = expected.extended(p_ch=high, stake_ratio=ratio, **kwargs)
    assert float(bold["fails"]) >= float(calm["fails"]) - 1e-12


def test_the_partial_moment_is_smooth_through_equal_means() -> None:
    # gain = cost makes y = 0: the series branch and the closed form must meet.
    x = np.linspace(0.0, 1.0, 101)
    near = [
        expected.extended(
            p_def=x, p_ch=0.3, gain=2.0 * (1 + e), cost=2.0, hard_share=0.5, stake_ratio=1.0
        )["fails"]
        for e in (-1e-3, -1e-9, 0.0, 1e-9, 1e-3)
    ]
    assert np.max(np.abs(near[1] - near[2])) < 1e-9
    assert np.max(np.abs(near[3] - near[2])) < 1e-9
    assert np.max(np.abs(near[0] - near[2])) < 1e-3


def test_broadcasts_over_a_sample_last_ensemble() -> None:
    rng = np.random.default_rng(1)
    p_def = rng.uniform(0, 1, (5, 15, 100))
    p_ch = rng.uniform(0.05, 0.95, (5, 1, 100))
    gain = rng.uniform(1, 4, 100)
    out = expected.extended(
        p_def=p_def, p_ch=p_ch, gain=gain, cost=2.0, hard_share=0.5, stake_ratio=1.0
    )
    assert out["fails"].shape == (5, 15, 100)
    one = expected.extended(
        p_def=p_def[2, 7, 42],
        p_ch=p_ch[2, 0, 42],
        gain=gain[42],
        cost=2.0,
        hard_share=0.5,
        stake_ratio=1.0,
    )
    assert float(one["fails"]) == pytest.approx(float(out["fails"][2, 7, 42]), abs=1e-15)
