"""Tying hands and sinking costs (Family B of the games specification).

The closed forms are checked against the worked examples B1-B7, against an independent exact
(fraction) transcription of the PBE tables B.5/B.6, against the PBE conditions themselves
(vectorised), and against pygambit on the exported trees: ``lcp_solve`` must land on a PBE
outcome, and ``enummixed_solve`` on the sequentially-rational reduction must find exactly the
closed-form set of PBE outcomes. Instances exactly on a threshold (``p_def = rho``,
``a = a_bar``, ``m = g_soft``, ``m = g_hard``, ``g_soft = g_hard``) get the same checks, with
the closed existence conditions.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umbrella.games.family import Example, Family
from umbrella.games.gambit import exact, outcome_distribution, require_pygambit, solve_game
from umbrella.games.signalling import (
    SINKING_COSTS,
    TIE_RTOL,
    TYING_HANDS,
    sinking_costs_to_gambit,
    solve_sinking_costs,
    solve_tying_hands,
    tying_hands_to_gambit,
)
from umbrella.games.solution import Equilibrium, Solution

Outcome = tuple[Fraction, Fraction, Fraction]
FloatArray = npt.NDArray[np.float64]
FAMILIES = (TYING_HANDS, SINKING_COSTS)
COST = {TYING_HANDS.name: "a", SINKING_COSTS.name: "m"}
BEHAVIOUR = ("tau_hard", "tau_soft", "y_none", "y_signal")
TIE_ONLY = {"t3_mixed_pool"}  # exists only on a threshold: random floats never meet it
TOLERANCE = 1e-12
GAMBIT = settings(max_examples=25, deadline=None)


def solve(family: Family, params: Mapping[str, Any]) -> Solution:
    return family.solve(
        **{
            k: np.asarray(v, dtype=np.float64) if not isinstance(v, Fraction) else float(v)
            for k, v in params.items()
        }
    )


def triple(outcome: Mapping[str, Any]) -> Outcome:
    """(P(SQ), P(CW), P(CF)) as exact fractions (Gambit omits classes it never reaches)."""
    return (
        Fraction(outcome.get("SQ", 0)),
        Fraction(outcome.get("CW", 0)),
        Fraction(outcome.get("CF", 0)),
    )


def closed_form_outcomes(solution: Solution) -> list[tuple[float, float, float]]:
    """Outcomes (SQ, CW, CF) of every listed PBE that exists (scalar solution)."""
    return [
        (e.outcome["SQ"].item(), e.outcome["CW"].item(), e.outcome["CF"].item())
        for e in solution.equilibria
        if e.exists.item()
    ]


def same_set(floats: list[tuple[float, float, float]], exact: set[Outcome]) -> bool:
    def near(x: tuple[float, float, float], y: Outcome) -> bool:
        return all(abs(a - float(b)) <= TOLERANCE for a, b in zip(x, y, strict=True))

    return all(any(near(x, y) for y in exact) for x in floats) and all(
        any(near(x, y) for x in floats) for y in exact
    )


def thresholds(p: Mapping[str, Fraction]) -> dict[str, Fraction]:
    rho = (p["c_cw"] - p["c_sq"]) / (p["c_cw"] - p["c_cf"])
    return {
        "rho": rho,
        "g_hard": p["d_sq_hard"] - p["d_cf_hard"],
        "g_soft": p["d_sq_soft"] - p["d_cw_soft"],
        "a_bar": p["d_cw_soft"] - p["d_cf_soft"],
        "q": p["p_def"] * (1 - rho) / ((1 - p["p_def"]) * rho),
    }


def generic(family: Family, p: Mapping[str, Fraction]) -> bool:
    t = thresholds(p)
    if p["p_def"] == t["rho"]:
        return False
    if family is TYING_HANDS:
        return p["a"] != t["a_bar"]
    return p["m"] not in (t["g_hard"], t["g_soft"]) and t["g_hard"] != t["g_soft"]


def exact_pbe_outcomes(family: Family, p: Mapping[str, Fraction]) -> set[Outcome]:
    """The outcomes of the listed PBE, transcribed from tables B.5 and B.6 (closed on ties).

    For a generic instance this is the whole PBE outcome set.
    """
    t = thresholds(p)
    p_def, rho, g_hard, g_soft = p["p_def"], t["rho"], t["g_hard"], t["g_soft"]
    one, zero = Fraction(1), Fraction(0)
    found: set[Outcome] = set()
    if family is TYING_HANDS:
        a = p["a"]
        if a >= t["a_bar"] or p_def >= rho:
            found.add((one, zero, zero))  # pool_none, pool_tie
        if a <= t["a_bar"] and p_def <= rho:
            y = g_soft / (g_soft + a)
            sq, cf = p_def / rho * (1 - y), p_def * y
            found |= {(zero, 1 - p_def, p_def), (sq, 1 - sq - cf, cf)}  # T1, T2
            if a == t["a_bar"]:
                found.add((1 - y, (1 - rho) * y, rho * y))  # T3
        return found
    m = p["m"]
    if p_def >= rho:
        found.add((one, zero, zero))  # K0 (and K1)
        if m <= g_hard and g_soft <= g_hard:  # K2
            cw = (1 - p_def) * m / g_hard
            cf = rho * (1 - p_def) / (1 - rho) * m / g_hard
            found.add((1 - cw - cf, cw, cf))
    if g_soft <= m <= g_hard:  # K3
        found.add((p_def, 1 - p_def, zero))
    if p_def <= rho:
        found.add((zero, 1 - p_def, p_def))  # K4
        if m <= g_soft <= g_hard:  # K5
            sq, cf = p_def / rho * m / g_soft, p_def * (1 - m / g_soft)
            found.add((sq, 1 - sq - cf, cf))
    return found


@st.composite
def instances(draw: st.DrawFn, family: Family) -> dict[str, Fraction]:
    """A valid instance with small integer payoffs and small-denominator p_def and cost."""

    def ordered() -> list[Fraction]:
        values = draw(st.sets(st.integers(-6, 6), min_size=3, max_size=3))
        return [Fraction(v) for v in sorted(values)]

    c_cf, c_sq, c_cw = ordered()
    d_cw_hard, d_cf_hard, d_sq_hard = ordered()
    d_cf_soft, d_cw_soft, d_sq_soft = ordered()
    denominator = draw(st.integers(2, 12))
    p_def = Fraction(draw(st.integers(1, denominator - 1)), denominator)
    cost = Fraction(draw(st.integers(1, 30)), draw(st.integers(1, 4)))
    return {
        "c_cw": c_cw, "c_sq": c_sq, "c_cf": c_cf,
        "d_sq_hard": d_sq_hard, "d_cf_hard": d_cf_hard, "d_cw_hard": d_cw_hard,
        "d_sq_soft": d_sq_soft, "d_cw_soft": d_cw_soft, "d_cf_soft": d_cf_soft,
        "p_def": p_def, COST[family.name]: cost,
    }  # fmt: skip


def generic_instances(family: Family) -> st.SearchStrategy[dict[str, Fraction]]:
    return instances(family).filter(lambda p: generic(family, p))


@st.composite
def tie_instances(draw: st.DrawFn, family: Family) -> dict[str, Fraction]:
    """A valid instance put exactly on one or more thresholds (exact fractions)."""
    p = draw(instances(family))
    t = thresholds(p)
    if family is TYING_HANDS:
        ties = draw(st.sets(st.sampled_from(["p_def", "a"]), min_size=1))
        if "a" in ties:
            p["a"] = t["a_bar"]
    else:
        ties = draw(st.sets(st.sampled_from(["p_def", "g_soft", "m"]), min_size=1))
        if "g_soft" in ties:  # g_soft = g_hard, keeping d_cw_soft < d_sq_soft
            p["d_sq_soft"] = p["d_cw_soft"] + t["g_hard"]
            t = thresholds(p)
        if "m" in ties:
            p["m"] = draw(st.sampled_from([t["g_soft"], t["g_hard"]]))
    if "p_def" in ties:
        p["p_def"] = t["rho"]
    return p


def on_threshold(family: Family, p: Mapping[str, Fraction]) -> tuple[str, ...]:
    """The thresholds an instance lies on."""
    t = thresholds(p)
    ties = {"p_def = rho": p["p_def"] == t["rho"]}
    if family is TYING_HANDS:
        ties["a = a_bar"] = p["a"] == t["a_bar"]
    else:
        ties["m = g_soft"] = p["m"] == t["g_soft"]
        ties["m = g_hard"] = p["m"] == t["g_hard"]
        ties["g_soft = g_hard"] = t["g_soft"] == t["g_hard"]
    return tuple(name for name, tied in ties.items() if tied)


def in_hull(point: Outcome, vertices: set[Outcome]) -> bool:
    """Whether an outcome is a mixture of ``vertices`` (exact; outcomes lie in a plane)."""

    def cross(o: Outcome, a: Outcome, b: Outcome) -> Fraction:
        return (a[0] - o[0]) * (b[2] - o[2]) - (a[2] - o[2]) * (b[0] - o[0])

    def between(a: Outcome, b: Outcome) -> bool:
        return cross(a, b, point) == 0 and all(
            min(a[i], b[i]) <= point[i] <= max(a[i], b[i]) for i in (0, 2)
        )

    def inside(a: Outcome, b: Outcome, c: Outcome) -> bool:
        sides = (cross(a, b, point), cross(b, c, point), cross(c, a, point))
        return cross(a, b, c) != 0 and (min(sides) >= 0 or max(sides) <= 0)

    points = sorted(vertices)
    return (
        point in vertices
        or any(between(a, b) for a, b in itertools.combinations(points, 2))
        or any(inside(a, b, c) for a, b, c in itertools.combinations(points, 3))
    )


def reduced_game(family: Family, p: Mapping[str, Fraction]) -> Any:
    """The exported tree with every move that is optimal whatever the beliefs fixed.

    Stage 3: Hard resists; Soft abandons, except after a committing tie (a > a_bar), where it
    resists and the challenger's "Status quo" after a tie is fixed too (B.4 steps 1-2). On
    a = a_bar a tied Soft defender is indifferent, so its move stays in the game.
    """
    game = family.to_gambit(**p)
    a_bar = thresholds(p)["a_bar"]
    committing = family is TYING_HANDS and p["a"] > a_bar
    indifferent = family is TYING_HANDS and p["a"] == a_bar

    def fix(node: Any, action: str) -> None:
        label = node.children[action].outcome.label
        game.delete_tree(node)
        game.set_outcome(node, game.outcomes[label])

    for node in [n for n in game.nodes if not n.is_terminal]:
        if node.infoset.label.endswith("challenged"):
            kind, sent = node.infoset.label.split(":")[0].split(", ")
            if kind == "Soft" and sent == "Tie" and indifferent:
                continue
            resists = kind == "Hard" or (sent == "Tie" and committing)
            fix(node, "Resist" if resists else "Abandon")
    if committing:
        for node in [n for n in game.nodes if not n.is_terminal]:
            if node.infoset.label == "after Tie":
                fix(node, "Status quo")
    return game


def as_profile(family: Family, game: Any, behaviour: Mapping[str, Fraction]) -> Any:
    """A closed-form equilibrium as an exact behaviour profile of the full exported tree."""
    gbt = require_pygambit()
    signal = "Tie" if family is TYING_HANDS else "Sink"
    second = {  # probability of each information set's second action
        "Hard: signal": behaviour["tau_hard"],
        "Soft: signal": behaviour["tau_soft"],
        "after None": behaviour["y_none"],
        f"after {signal}": behaviour["y_signal"],
        "Hard, None: challenged": Fraction(1),
        f"Hard, {signal}: challenged": Fraction(1),
        "Soft, None: challenged": Fraction(0),
        f"Soft, {signal}: challenged": behaviour.get("resist_soft_signal", Fraction(0)),
    }
    profile = game.mixed_behavior_profile(rational=True)
    for player in game.players:
        for infoset in player.infosets:
            first_action, second_action = infoset.actions
            profile[first_action] = gbt.Rational(1 - second[infoset.label])
            profile[second_action] = gbt.Rational(second[infoset.label])
    return profile


def rational(value: float) -> Fraction:
    return Fraction(value).limit_denominator(10**6)


def pbe_violation(
    family: Family,
    solution: Solution,
    behaviour: Mapping[str, FloatArray],
    outcome: Mapping[str, FloatArray],
    exists: npt.NDArray[np.bool_],
) -> FloatArray:
    """How far a profile is from a PBE (0 where it is one), on every instance where it exists.

    Checks a tied Soft defender's reply, each type's signal against its alternative, the
    challenger's reply after each on-path signal against Bayes' rule and after an unsent one
    against some belief, and the outcome against the one the profile implies.
    """
    p, t = solution.parameters, solution.thresholds
    p_def, rho, g_hard, g_soft = p["p_def"], t["rho"], t["g_hard"], t["g_soft"]
    tau_h, tau_s = behaviour["tau_hard"], behaviour["tau_soft"]
    y_n, y_x = behaviour["y_none"], behaviour["y_signal"]
    tie = family is TYING_HANDS
    gaps = []
    # Payoffs relative to the status quo (B.4 step 3).
    hard_none, hard_signal = -y_n * g_hard, -y_x * g_hard - (0.0 if tie else p["m"])
    soft_none = -y_n * g_soft
    if tie:
        # A tied Soft defender gains a - a_bar by resisting rather than abandoning.
        resist_soft = behaviour["resist_soft_signal"]
        gain = p["a"] - t["a_bar"]
        gaps += [np.where(resist_soft > 0, -gain, 0.0), np.where(resist_soft < 1, gain, 0.0)]
        soft_signal = -y_x * (g_soft + p["a"] - resist_soft * gain)
    else:
        resist_soft = np.zeros_like(p_def)
        soft_signal = -y_x * g_soft - p["m"]
    gaps += [
        np.where(tau_h > 0, hard_none - hard_signal, 0.0),
        np.where(tau_h < 1, hard_signal - hard_none, 0.0),
        np.where(tau_s > 0, soft_none - soft_signal, 0.0),
        np.where(tau_s < 1, soft_signal - soft_none, 0.0),
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        for hard, soft, y, r_soft in (
            (1 - tau_h, 1 - tau_s, y_n, 0.0),  # after no signal
            (tau_h, tau_s, y_x, resist_soft),  # after the signal
        ):
            mass = p_def * hard + (1 - p_def) * soft
            mu = p_def * hard / mass
            resist = mu + (1 - mu) * r_soft
            on_path = mass > 0
            gaps.append(np.where(on_path & (y > 0), resist - rho, 0.0))
            gaps.append(np.where(on_path & (y < 1), rho - resist, 0.0))
            # Off the path the belief Soft gives the least resistance a challenge can meet.
            gaps.append(np.where(~on_path & (y > 0), r_soft - rho, 0.0))
    sq = p_def * ((1 - tau_h) * (1 - y_n) + tau_h * (1 - y_x))
    sq += (1 - p_def) * ((1 - tau_s) * (1 - y_n) + tau_s * (1 - y_x))
    cf = p_def * ((1 - tau_h) * y_n + tau_h * y_x) + (1 - p_def) * tau_s * y_x * resist_soft
    gaps += [
        np.abs(sq - outcome["SQ"]),
        np.abs(cf - outcome["CF"]),
        np.abs(1 - sq - cf - outcome["CW"]),
        np.abs(outcome["DW"]),
    ]
    worst = np.max(gaps, axis=0)
    return np.where(exists, np.maximum(worst, 0.0), 0.0)


def random_instances(family: Family, n: int, seed: int) -> dict[str, FloatArray]:
    rng = np.random.default_rng(seed)

    def ordered() -> FloatArray:
        return np.sort(rng.uniform(-5, 5, (3, n)), axis=0)

    c, h, s = ordered(), ordered(), ordered()
    return {
        "c_cf": c[0], "c_sq": c[1], "c_cw": c[2],
        "d_cw_hard": h[0], "d_cf_hard": h[1], "d_sq_hard": h[2],
        "d_cf_soft": s[0], "d_cw_soft": s[1], "d_sq_soft": s[2],
        "p_def": rng.uniform(0.01, 0.99, n), COST[family.name]: rng.uniform(0.01, 8, n),
    }  # fmt: skip


# (a) Worked examples B1-B7 ------------------------------------------------------------------

EXAMPLES = [(f, e) for f in FAMILIES for e in f.examples]
EXAMPLE_IDS = [e.name for _, e in EXAMPLES]


@pytest.mark.parametrize(("family", "example"), EXAMPLES, ids=EXAMPLE_IDS)
def test_worked_example(family: Family, example: Example) -> None:
    solution = solve(family, example.parameters)
    assert solution.equilibrium_class.item() == example.default_class
    for key, value in example.outcome.items():
        assert solution.outcome[key].item() == pytest.approx(float(value), abs=TOLERANCE)
    for key, value in example.behaviour.items():
        assert solution.behaviour[key].item() == pytest.approx(float(value), abs=TOLERANCE)
    expected = {triple(example.outcome), *(triple(o) for o in example.other_outcomes)}
    assert same_set(closed_form_outcomes(solution), expected)
    assert exact_pbe_outcomes(family, example.parameters) == expected


@pytest.mark.parametrize(("family", "example"), EXAMPLES, ids=EXAMPLE_IDS)
def test_worked_example_against_gambit(family: Family, example: Example) -> None:
    expected = {triple(example.outcome), *(triple(o) for o in example.other_outcomes)}
    (found,) = solve_game(family.to_gambit(**example.parameters), "lcp")
    assert triple(found.outcome) in expected
    reduced = solve_game(reduced_game(family, example.parameters), "enummixed")
    assert {triple(e.outcome) for e in reduced} == expected


def test_examples_cover_every_class() -> None:
    for family in FAMILIES:
        assert {e.default_class for e in family.examples} == set(family.classes)


@pytest.mark.parametrize(
    ("family", "name", "default"),
    [(TYING_HANDS, "B2", True), (SINKING_COSTS, "B4", False), (SINKING_COSTS, "B6", True)],
)
def test_agent_logit_ends_in_a_pbe(family: Family, name: str, default: bool) -> None:
    """The agent-form logit limit is sequential, hence a PBE outcome (often the default)."""
    example = next(e for e in family.examples if e.name == name)
    expected = {triple(example.outcome), *(triple(o) for o in example.other_outcomes)}
    (found,) = solve_game(family.to_gambit(**example.parameters), "logit")
    outcome = tuple(float(x) for x in triple(found.outcome))
    assert any(
        max(abs(x - float(y)) for x, y in zip(outcome, e, strict=True)) < 1e-6 for e in expected
    )
    if default:
        assert outcome == pytest.approx([float(x) for x in triple(example.outcome)], abs=1e-6)


# (b) Agreement with pygambit on random generic instances -------------------------------------


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_closed_form_matches_exact_tables(family: Family, data: st.DataObject) -> None:
    p = data.draw(generic_instances(family))
    solution = solve(family, p)
    assert solution.valid.item()
    assert same_set(closed_form_outcomes(solution), exact_pbe_outcomes(family, p))
    for key, value in thresholds(p).items():
        assert solution.thresholds[key].item() == pytest.approx(float(value), rel=1e-12)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@GAMBIT
@given(data=st.data())
def test_lcp_outcome_is_a_pbe_outcome(family: Family, data: st.DataObject) -> None:
    p = data.draw(generic_instances(family))
    (found,) = solve_game(family.to_gambit(**p), "lcp", rational=True)
    assert found.max_regret == 0
    assert triple(found.outcome) in exact_pbe_outcomes(family, p)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_reduced_game_outcomes_equal_pbe_outcomes(family: Family, data: st.DataObject) -> None:
    """Completeness: every Nash equilibrium of the reduction is a PBE and vice versa."""
    p = data.draw(generic_instances(family))
    found = solve_game(reduced_game(family, p), "enummixed", rational=True)
    assert {triple(e.outcome) for e in found} == exact_pbe_outcomes(family, p)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_closed_form_equilibria_are_nash_in_gambit(family: Family, data: st.DataObject) -> None:
    """Forward check: each listed PBE, played in the full tree, has zero regret (exact)."""
    p = data.draw(generic_instances(family))
    game = family.to_gambit(**p)
    expected = exact_pbe_outcomes(family, p)
    for equilibrium in solve(family, p).equilibria:
        if not equilibrium.exists.item():
            continue
        behaviour = {k: rational(v.item()) for k, v in equilibrium.behaviour.items()}
        profile = as_profile(family, game, behaviour)
        assert profile.max_regret() == 0, equilibrium.name
        outcome = triple(outcome_distribution(game, profile))
        assert outcome in expected, equilibrium.name
        assert outcome == triple({k: rational(v.item()) for k, v in equilibrium.outcome.items()})


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_listed_equilibrium_is_a_pbe(family: Family) -> None:
    p = random_instances(family, 20_000, seed=7)
    solution = family.solve(**p)
    for equilibrium in solution.equilibria:
        gap = pbe_violation(
            family, solution, equilibrium.behaviour, equilibrium.outcome, equilibrium.exists
        )
        assert float(gap.max()) < 1e-9, equilibrium.name
        assert equilibrium.exists.any() or equilibrium.name in TIE_ONLY, equilibrium.name
    gap = pbe_violation(family, solution, solution.behaviour, solution.outcome, solution.valid)
    assert float(gap.max()) < 1e-9


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_default_is_a_listed_equilibrium(family: Family) -> None:
    solution = family.solve(**random_instances(family, 20_000, seed=8))
    matched = np.zeros(solution.shape, dtype=bool)
    for equilibrium in solution.equilibria:
        same = equilibrium.exists.copy()
        for key in (*BEHAVIOUR, "SQ", "CW", "CF"):
            ours = solution.behaviour.get(key, solution.outcome.get(key))
            theirs = equilibrium.behaviour.get(key, equilibrium.outcome.get(key))
            assert ours is not None
            assert theirs is not None
            same &= np.abs(ours - theirs) <= TOLERANCE
        matched |= same
    assert matched.all()


# (c) Comparative statics ---------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_challenge_probability_non_increasing_in_p_def(family: Family, data: st.DataObject) -> None:
    p: dict[str, Any] = {k: float(v) for k, v in data.draw(instances(family)).items()}
    p["p_def"] = np.linspace(0.001, 0.999, 999)
    challenge = solve(family, p).challenge_probability
    assert np.all(np.diff(challenge) <= TOLERANCE)


@settings(max_examples=50, deadline=None)
@given(p=instances(TYING_HANDS), extra=st.floats(1e-6, 10))
def test_committing_audience_cost_means_no_bluff(p: dict[str, Fraction], extra: float) -> None:
    """Above a_bar every PBE keeps the status quo. On a = a_bar a tied Soft defender is
    indifferent and T1-T3 remain (section (g)), but the default still commits."""
    params: dict[str, Any] = {k: float(v) for k, v in p.items()}
    params["a"] = float(thresholds(p)["a_bar"]) + extra
    params["p_def"] = np.linspace(0.001, 0.999, 999)
    solution = solve(TYING_HANDS, params)
    assert np.all(solution.outcome["SQ"] == 1)
    assert np.all(solution.behaviour["resist_soft_signal"] == 1)
    assert set(solution.equilibrium_class.tolist()) <= {"deterrence", "commitment"}
    for equilibrium in solution.equilibria:
        sq = equilibrium.outcome["SQ"][equilibrium.exists]
        assert np.all(sq == 1), equilibrium.name
    bluff = next(e for e in solution.equilibria if e.name == "t2_bluff")
    assert not bluff.exists.any()
    params["a"] = float(thresholds(p)["a_bar"])
    tied = solve(TYING_HANDS, params)
    assert np.all(tied.outcome["SQ"] == 1)
    assert np.all(tied.behaviour["resist_soft_signal"] == 1)


def test_cheap_audience_cost_bluffs_below_the_threshold() -> None:
    (example,) = [e for e in TYING_HANDS.examples if e.name == "B2"]
    params: dict[str, Any] = {k: float(v) for k, v in example.parameters.items()}
    params["a"] = np.array([0.5, 1.0, 1.999, 2.0, 3.0])
    solution = solve(TYING_HANDS, params)
    assert solution.equilibrium_class.tolist() == ["bluff"] * 3 + ["commitment"] * 2
    # More audience cost, less bluffing is needed to deter: P(SQ) rises with a below a_bar.
    assert np.all(np.diff(solution.outcome["SQ"][:3]) > 0)


def test_sunk_costs_cannot_separate_without_single_crossing() -> None:
    p = random_instances(SINKING_COSTS, 20_000, seed=9)
    solution = solve_sinking_costs(**p)
    no_crossing = solution.thresholds["g_hard"] < solution.thresholds["g_soft"]
    assert no_crossing.any()
    classes = solution.equilibrium_class[no_crossing]
    assert set(classes.tolist()) <= {"deterrence", "challenge"}
    for equilibrium in solution.equilibria:
        if equilibrium.name in ("k2_hybrid", "k3_separating", "k5_bluff"):
            assert not (equilibrium.exists & no_crossing).any()


# (d) Invalid parameters ----------------------------------------------------------------------

BREAKS = [
    {"c_sq": 2.0},
    {"c_cf": 0.5},
    {"d_cf_hard": -1.0},
    {"d_sq_hard": 0.5},
    {"d_cw_soft": -3.0},
    {"d_sq_soft": -0.5},
    {"p_def": 0.0},
    {"p_def": 1.0},
    {"p_def": 1.5},
    {"p_def": np.nan},
    {"c_cw": np.inf},
]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@pytest.mark.parametrize("change", [*BREAKS, {"cost": 0.0}, {"cost": -1.0}])
def test_invalid_parameters(family: Family, change: dict[str, float]) -> None:
    base: dict[str, Any] = {k: float(v) for k, v in family.examples[0].parameters.items()}
    cost = COST[family.name]
    key, value = next(iter(change.items()))
    key = cost if key == "cost" else key
    base[key] = np.array([float(family.examples[0].parameters[key]), value])
    solution = solve(family, base)
    assert solution.valid.tolist() == [True, False]
    assert solution.class_code[1] == -1
    assert solution.equilibrium_class[1] == ""
    for group in (solution.outcome, solution.behaviour, solution.thresholds):
        for name, array in group.items():
            assert np.isnan(array[1]), name
            assert not np.isnan(array[0]), name
    for equilibrium in solution.equilibria:
        assert not equilibrium.exists[1]
        for array in (*equilibrium.behaviour.values(), *equilibrium.outcome.values()):
            assert np.isnan(array[1])
    assert solution.n_equilibria()[1] == 0


# (e) Outcome distributions -------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_outcomes_are_distributions(family: Family) -> None:
    solution = family.solve(**random_instances(family, 20_000, seed=10))
    assert solution.valid.all()
    rows: list[tuple[Mapping[str, FloatArray], npt.NDArray[np.bool_]]] = [
        (solution.outcome, solution.valid),
        *((e.outcome, e.exists) for e in solution.equilibria),
    ]
    for outcome, exists in rows:
        values = np.stack([outcome[k][exists] for k in ("SQ", "CW", "DW", "CF")])
        assert np.all(values >= -TOLERANCE)
        assert np.all(values <= 1 + TOLERANCE)
        assert np.allclose(values.sum(axis=0), 1.0, rtol=0, atol=TOLERANCE)
        assert np.all(values[2] == 0)  # nobody backs down in Family B
    profiles: list[tuple[Mapping[str, FloatArray], npt.NDArray[np.bool_]]] = [
        (solution.behaviour, solution.valid),
        *((e.behaviour, e.exists) for e in solution.equilibria),
    ]
    for behaviour, mask in profiles:
        for key in BEHAVIOUR:
            assert np.all((behaviour[key][mask] >= 0) & (behaviour[key][mask] <= 1)), key
    assert (solution.n_equilibria() >= 1).all()


# (f) Broadcasting ----------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_broadcasting(family: Family) -> None:
    base: dict[str, Any] = {k: float(v) for k, v in family.examples[0].parameters.items()}
    cost = COST[family.name]
    grid = dict(
        base,
        p_def=np.linspace(0.1, 0.9, 5)[:, None],
        **{cost: np.array([0.25, 0.75, 1.5, 4.0])[None, :]},
    )
    solution = solve(family, grid)
    assert solution.shape == (5, 4)
    arrays: list[Any] = [
        solution.class_code,
        *solution.outcome.values(),
        *solution.behaviour.values(),
        *solution.thresholds.values(),
    ]
    for equilibrium in solution.equilibria:
        arrays += [
            equilibrium.exists,
            *equilibrium.behaviour.values(),
            *equilibrium.outcome.values(),
        ]
    assert all(array.shape == (5, 4) for array in arrays)
    for i, j in np.ndindex(5, 4):
        one = solve(family, dict(base, p_def=grid["p_def"][i, 0], **{cost: grid[cost][0, j]}))
        assert one.valid.size == 1
        assert one.class_code.item() == solution.class_code[i, j]
        for key, value in one.outcome.items():
            assert value.item() == solution.outcome[key][i, j]
    dataset = solution.to_xarray(dims=("p_def", cost))
    assert dataset["outcome_SQ"].shape == (5, 4)


def test_scalar_instance_as_plain_values() -> None:
    example = TYING_HANDS.examples[1]
    one = solve(TYING_HANDS, example.parameters).instance()
    assert one["default"]["class"] == "bluff"
    assert {e["name"] for e in one["equilibria"]} == {"t1_challenge", "t2_bluff"}


# (g) Exactly on a threshold ------------------------------------------------------------------

_F = Fraction
Q1 = {
    "c_cw": _F(1), "c_sq": _F(0), "c_cf": _F(-1),
    "d_sq_hard": _F(3), "d_cf_hard": _F(1), "d_cw_hard": _F(0),
    "d_sq_soft": _F(1), "d_cw_soft": _F(0), "d_cf_soft": _F(-2),
}  # fmt: skip
SQ_ONLY = (_F(1), _F(0), _F(0))
# Payoff set Q1 (rho = 1/2, g_hard = 2, g_soft = 1, a_bar = 2) exactly on a threshold: the
# listed PBE that exist, with their outcomes (SQ, CW, CF), and limiting behaviour to check.
TIE_CASES: dict[str, tuple[Family, dict[str, Fraction], str, dict[str, Outcome]]] = {
    "tying-a=a_bar-p_def<rho": (
        TYING_HANDS,
        {**Q1, "p_def": _F(1, 5), "a": _F(2)},
        "commitment",
        {
            "pool_tie": SQ_ONLY,
            "t1_challenge": (_F(0), _F(4, 5), _F(1, 5)),
            "t2_bluff": (_F(4, 15), _F(2, 3), _F(1, 15)),
            "t3_mixed_pool": (_F(2, 3), _F(1, 6), _F(1, 6)),
        },
    ),
    "tying-a=a_bar-p_def=rho": (
        TYING_HANDS,
        {**Q1, "p_def": _F(1, 2), "a": _F(2)},
        "deterrence",
        {
            "pool_none": SQ_ONLY,
            "pool_tie": SQ_ONLY,
            "t1_challenge": (_F(0), _F(1, 2), _F(1, 2)),
            "t2_bluff": (_F(2, 3), _F(1, 6), _F(1, 6)),
            "t3_mixed_pool": (_F(2, 3), _F(1, 6), _F(1, 6)),
        },
    ),
    "sinking-m=g_soft-p_def<rho": (
        SINKING_COSTS,
        {**Q1, "p_def": _F(1, 5), "m": _F(1)},
        "separating",
        {
            "k3_separating": (_F(1, 5), _F(4, 5), _F(0)),
            "k4_challenge": (_F(0), _F(4, 5), _F(1, 5)),
            "k5_bluff": (_F(2, 5), _F(3, 5), _F(0)),
        },
    ),
    "sinking-m=g_hard-p_def>rho": (
        SINKING_COSTS,
        {**Q1, "p_def": _F(3, 5), "m": _F(2)},
        "deterrence",
        {
            "k0_deterrence": SQ_ONLY,
            "k2_hybrid": (_F(1, 5), _F(2, 5), _F(2, 5)),
            "k3_separating": (_F(3, 5), _F(2, 5), _F(0)),
        },
    ),
    "sinking-p_def=rho": (
        SINKING_COSTS,
        {**Q1, "p_def": _F(1, 2), "m": _F(1, 2)},
        "deterrence",
        {
            "k0_deterrence": SQ_ONLY,
            "k1_pooling": SQ_ONLY,
            "k2_hybrid": (_F(3, 4), _F(1, 8), _F(1, 8)),
            "k4_challenge": (_F(0), _F(1, 2), _F(1, 2)),
            "k5_bluff": (_F(1, 2), _F(1, 4), _F(1, 4)),
        },
    ),
}


def play(
    tau_hard: int | Fraction,
    tau_soft: int | Fraction,
    y_none: int | Fraction,
    y_signal: int | Fraction,
    **extra: int | Fraction,
) -> dict[str, Fraction]:
    named = {"tau_hard": tau_hard, "tau_soft": tau_soft, "y_none": y_none, "y_signal": y_signal}
    return {k: Fraction(v) for k, v in (named | extra).items()}


LIMITS = {  # (case, equilibrium): behaviour of a PBE at the limit of its region
    ("tying-a=a_bar-p_def<rho", "t2_bluff"): play(1, _F(1, 4), 1, _F(1, 3), resist_soft_signal=0),
    ("tying-a=a_bar-p_def<rho", "t3_mixed_pool"): play(
        1, 1, 1, _F(1, 3), resist_soft_signal=_F(3, 8)
    ),
    ("tying-a=a_bar-p_def=rho", "t2_bluff"): play(1, 1, 1, _F(1, 3), resist_soft_signal=0),
    ("sinking-m=g_soft-p_def<rho", "k5_bluff"): play(1, _F(1, 4), 1, 0),
    ("sinking-m=g_hard-p_def>rho", "k2_hybrid"): play(_F(1, 3), 0, 1, 0),
    ("sinking-p_def=rho", "k2_hybrid"): play(0, 0, _F(1, 4), 0),
    ("sinking-p_def=rho", "k5_bluff"): play(1, 1, 1, _F(1, 2)),
}


def check_against_gambit(family: Family, p: Mapping[str, Fraction], solution: Solution) -> None:
    """Gambit finds the listed PBE of an instance, and no PBE outcome beyond their mixtures.

    Forward: each listed PBE, played in the full tree, has zero regret (exact) and the
    outcome the closed form gives. Backward: the Nash equilibria of the reduced game have
    exactly the PBE outcomes, and each is a mixture of extreme ones, which enummixed lists.
    Their outcomes include every listed outcome and are mixtures of listed outcomes; they are
    exactly the listed ones unless p_def = rho, a = a_bar or g_soft = g_hard, where an
    indifferent challenger (or two types indifferent alike) makes segments of PBE between
    listed ones, whose strategic-form vertices enummixed reports too.
    """
    game = family.to_gambit(**p)
    listed = set()
    for equilibrium in solution.equilibria:
        if not equilibrium.exists.item():
            continue
        behaviour = {k: rational(v.item()) for k, v in equilibrium.behaviour.items()}
        profile = as_profile(family, game, behaviour)
        assert profile.max_regret() == 0, equilibrium.name
        outcome = triple(outcome_distribution(game, profile))
        assert outcome == triple({k: rational(v.item()) for k, v in equilibrium.outcome.items()})
        listed.add(outcome)
    exact_p = {k: exact(v) for k, v in p.items()}
    assert listed == exact_pbe_outcomes(family, exact_p)
    found = {triple(e.outcome) for e in solve_game(reduced_game(family, exact_p), "enummixed")}
    assert listed <= found
    assert all(in_hull(outcome, listed) for outcome in found), found - listed
    if not {"p_def = rho", "a = a_bar", "g_soft = g_hard"} & set(on_threshold(family, exact_p)):
        assert found == listed


@pytest.mark.parametrize("case", TIE_CASES)
def test_every_equilibrium_on_a_threshold(case: str) -> None:
    family, p, default, expected = TIE_CASES[case]
    solution = solve(family, p)
    assert solution.equilibrium_class.item() == default
    existing = {e.name: e for e in solution.equilibria if e.exists.item()}
    assert set(existing) == set(expected)
    for name, outcome in expected.items():
        found = existing[name].outcome
        for key, value in zip(("SQ", "CW", "CF"), outcome, strict=True):
            assert found[key].item() == pytest.approx(float(value), abs=TOLERANCE), (name, key)
    for (where, name), behaviour in LIMITS.items():
        if where == case:
            for key, value in behaviour.items():
                got = existing[name].behaviour[key].item()
                assert got == pytest.approx(float(value), abs=TOLERANCE), (name, key)
    assert exact_pbe_outcomes(family, p) == set(expected.values())


@pytest.mark.parametrize("case", TIE_CASES)
def test_every_equilibrium_on_a_threshold_against_gambit(case: str) -> None:
    family, p, _, _ = TIE_CASES[case]
    check_against_gambit(family, p, solve(family, p))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_closed_form_matches_exact_tables_on_thresholds(
    family: Family, data: st.DataObject
) -> None:
    p = data.draw(tie_instances(family))
    assert on_threshold(family, p)
    assert same_set(closed_form_outcomes(solve(family, p)), exact_pbe_outcomes(family, p))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_equilibria_on_thresholds_against_gambit(family: Family, data: st.DataObject) -> None:
    p = data.draw(tie_instances(family))
    check_against_gambit(family, p, solve(family, p))


THRESHOLDS = {
    TYING_HANDS.name: ("p_def = rho", "a = a_bar"),
    SINKING_COSTS.name: ("p_def = rho", "m = g_soft", "m = g_hard", "g_soft = g_hard"),
}


def moved(p: Mapping[str, FloatArray], tie: str, step: float) -> dict[str, FloatArray]:
    """``p`` put on a threshold (``step`` 0, in the solvers' own float arithmetic) or moved
    off it by a relative ``step``."""
    q = dict(p)
    g_hard = q["d_sq_hard"] - q["d_cf_hard"]
    if tie == "p_def = rho":
        q["p_def"] = (q["c_cw"] - q["c_sq"]) / (q["c_cw"] - q["c_cf"]) * (1 + step)
    elif tie == "a = a_bar":
        q["a"] = (q["d_cw_soft"] - q["d_cf_soft"]) * (1 + step)
    elif tie == "m = g_soft":
        q["m"] = (q["d_sq_soft"] - q["d_cw_soft"]) * (1 + step)
    elif tie == "m = g_hard":
        q["m"] = g_hard * (1 + step)
    else:  # g_soft = g_hard
        q["d_sq_soft"] = q["d_cw_soft"] + g_hard * (1 + step)
    return q


@pytest.mark.parametrize(
    ("family", "tie"),
    [(f, tie) for f in FAMILIES for tie in THRESHOLDS[f.name]],
    ids=lambda x: x.name if isinstance(x, Family) else x.replace(" ", ""),
)
def test_existence_is_closed_on_thresholds(family: Family, tie: str) -> None:
    """Every listed PBE that exists next to a threshold exists on it, as its limit."""
    p = random_instances(family, 5_000, seed=11)
    on = family.solve(**moved(p, tie, 0.0))
    assert on.valid.all()
    for equilibrium in on.equilibria:
        gap = pbe_violation(
            family, on, equilibrium.behaviour, equilibrium.outcome, equilibrium.exists
        )
        assert float(gap.max()) < 1e-9, equilibrium.name
    # A step well beyond TIE_RTOL; the limits follow within a tolerance that allows for q,
    # whose slope in p_def is 1 / (1 - p_def) at p_def = rho.
    for step in (-1e-7, 1e-7):
        near = family.solve(**moved(p, tie, step))
        for here, there in zip(on.equilibria, near.equilibria, strict=True):
            assert np.all(here.exists | ~there.exists), (here.name, step)
            for group in ("behaviour", "outcome"):
                for key in (*BEHAVIOUR, "SQ", "CW", "CF"):
                    if key in getattr(here, group):
                        a = getattr(here, group)[key][there.exists]
                        b = getattr(there, group)[key][there.exists]
                        assert np.allclose(a, b, rtol=0, atol=1e-3), (here.name, key, step)


# Decimal inputs whose float threshold misses the tie by an ulp; Gambit reads them exactly.
DECIMAL_TIES = {
    "a=a_bar": (
        TYING_HANDS,
        {**Q1, "d_cw_soft": _F("0.1"), "d_cf_soft": _F("-0.2"), "p_def": _F("0.2"),
         "a": _F("0.3")},
        ("a", "a_bar"),
        ("pool_tie", "t1_challenge", "t2_bluff", "t3_mixed_pool"),
    ),
    "m=g_soft": (
        SINKING_COSTS,
        {**Q1, "d_sq_soft": _F("0.3"), "d_cw_soft": _F("0.1"), "p_def": _F("0.2"),
         "m": _F("0.2")},
        ("m", "g_soft"),
        ("k3_separating", "k4_challenge", "k5_bluff"),
    ),
    "p_def=rho": (
        TYING_HANDS,
        {**Q1, "c_cw": _F("0.3"), "c_sq": _F("0.1"), "c_cf": _F("-0.1"), "p_def": _F("0.5"),
         "a": _F(1)},
        ("p_def", "rho"),
        ("pool_none", "pool_tie", "t1_challenge", "t2_bluff"),
    ),
}  # fmt: skip


@pytest.mark.parametrize(("family", "p", "tie", "names"), DECIMAL_TIES.values(), ids=DECIMAL_TIES)
def test_ties_within_rounding_count_as_ties(
    family: Family, p: dict[str, Fraction], tie: tuple[str, str], names: tuple[str, ...]
) -> None:
    key, threshold = tie
    assert p[key] == thresholds(p)[threshold]
    solution = solve(family, p)
    value, computed = float(p[key]), solution.thresholds[threshold].item()
    assert value != computed
    assert abs(value - computed) <= TIE_RTOL * value
    assert tuple(e.name for e in solution.equilibria if e.exists.item()) == names
    check_against_gambit(family, p, solution)
    # Beyond the tolerance the instance is off the threshold, with one side's PBE only.
    off = solve(family, {**p, key: p[key] * _F(1_000_001, 1_000_000)})
    assert {e.name for e in off.equilibria if e.exists.item()} < set(names)


# The exported trees ---------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_family_metadata(family: Family) -> None:
    names = list(family.parameter_names)
    assert list(inspect.signature(family.solve).parameters) == names
    assert list(inspect.signature(family.to_gambit).parameters) == names
    for example in family.examples:
        assert list(example.parameters) == names
    assert "Fearon" in family.citation


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_gambit_tree_follows_b1(family: Family) -> None:
    p = family.examples[0].parameters
    game = family.to_gambit(**p)
    chance = [Fraction(str(action.prob)) for action in game.root.infoset.actions]
    assert chance == [p["p_def"], 1 - p["p_def"]]
    challenger, defender = game.players["Challenger"], game.players["Defender"]
    assert [len(i.members) for i in challenger.infosets] == [2, 2]
    assert len(defender.infosets) == 6
    assert all(len(i.members) == 1 for i in defender.infosets)
    labels = [o.label for o in game.outcomes]
    assert len(labels) == len(set(labels)) == 12
    signal = "Tie" if family is TYING_HANDS else "Sink"
    cost = p[COST[family.name]]
    for kind in ("Hard", "Soft"):
        for label, base in (("SQ", "sq"), ("CW", "cw"), ("CF", "cf")):
            plain = game.outcomes[f"{label}:{kind},None"]
            signalled = game.outcomes[f"{label}:{kind},{signal}"]
            own = p[f"d_{base}_{kind.lower()}"]
            paid = cost if family is SINKING_COSTS or label == "CW" else 0
            assert Fraction(str(plain[defender])) == own
            assert Fraction(str(signalled[defender])) == own - paid
            assert Fraction(str(plain[challenger])) == p[f"c_{base}"]


def test_gambit_accepts_floats_exactly() -> None:
    game = tying_hands_to_gambit(
        c_cw=1.0,
        c_sq=0.0,
        c_cf=-1.0,
        d_sq_hard=3.0,
        d_cf_hard=1.0,
        d_cw_hard=0.0,
        d_sq_soft=1.0,
        d_cw_soft=0.0,
        d_cf_soft=-2.0,
        p_def=0.1,
        a=0.3,
    )
    hard = next(iter(game.root.infoset.actions))
    assert Fraction(str(hard.prob)) == Fraction(1, 10)
    game = sinking_costs_to_gambit(
        c_cw=1.0,
        c_sq=0.0,
        c_cf=-1.0,
        d_sq_hard=3.0,
        d_cf_hard=1.0,
        d_cw_hard=0.0,
        d_sq_soft=1.0,
        d_cw_soft=0.0,
        d_cf_soft=-2.0,
        p_def=0.1,
        m=0.3,
    )
    sunk = game.outcomes["SQ:Soft,Sink"][game.players["Defender"]]
    assert Fraction(str(sunk)) == Fraction(7, 10)


def test_solvers_agree_with_family_objects() -> None:
    assert TYING_HANDS.solve is solve_tying_hands
    assert SINKING_COSTS.solve is solve_sinking_costs
    for family in FAMILIES:
        assert all(
            isinstance(e, Equilibrium)
            for e in solve(family, family.examples[0].parameters).equilibria
        )
