"""Extended deterrence (Family A): worked examples, Gambit agreement, statics, masking."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from umbrella.errors import UsageError
from umbrella.games.extended import EXAMPLES, FAMILY, P1, P2, solve, to_gambit
from umbrella.games.family import Example, check_instance
from umbrella.games.gambit import outcome_distribution, require_pygambit, solve_game
from umbrella.games.solution import OUTCOMES, Solution

Outcome = tuple[Fraction, ...]
Profile = dict[str, Fraction]


def floats(params: Mapping[str, Fraction]) -> dict[str, float]:
    return {k: float(v) for k, v in params.items()}


def outcome_of(mapping: Mapping[str, Any], index: Any = ()) -> tuple[float, ...]:
    return tuple(float(mapping[k][index].item()) for k in OUTCOMES)


# -- an exact transcription of the table in A.5 (generic parameters) ------------------------


def exact_equilibria(q: Mapping[str, Fraction]) -> dict[str, tuple[Profile, Outcome]]:
    """Every PBE of A.5 with exact behaviour (E1 at both ends of its range of ``s``)."""
    gain = q["c_cw"] - q["c_sq"]
    sigma_hard = gain / (q["c_cw"] - q["c_cf_hard"])
    sigma_soft = gain / (q["c_cw"] - q["c_dw"])
    mu_star = (q["d_dw"] - q["d_cw"]) / (q["d_dw"] - q["d_cf_soft"])
    pc, pd = q["p_ch"], q["p_def"]
    s_hard = (sigma_hard - pd) / (1 - pd)
    s_soft = (sigma_soft - pd) / (1 - pd)
    x_star = pc * (1 - mu_star) / ((1 - pc) * mu_star)

    def profile(x_hard: Fraction, x_soft: Fraction, s: Fraction) -> Profile:
        return {
            "x_hard": x_hard,
            "x_soft": x_soft,
            "h": Fraction(1),
            "s": s,
            "z_hard": Fraction(1),
            "z_soft": Fraction(0),
        }

    zero, one = Fraction(0), Fraction(1)
    deterrence = (one, zero, zero, zero)
    found: dict[str, tuple[Profile, Outcome]] = {
        "E1-low": (profile(zero, zero, max(zero, s_hard)), deterrence),
        "E1-high": (profile(zero, zero, one), deterrence),
    }
    if sigma_soft < pd < sigma_hard:
        found["E2"] = (profile(one, zero, zero), (1 - pc, pc * (1 - pd), zero, pc * pd))
    if pd < sigma_soft and pc > mu_star:
        found["E3"] = (profile(one, one, zero), (zero, 1 - pd, (1 - pc) * pd, pc * pd))
    if pd < sigma_soft and pc < mu_star:
        odds = pc / mu_star
        found["E4"] = (
            profile(one, x_star, s_soft),
            (
                1 - odds,
                odds * (1 - sigma_soft),
                pc * sigma_soft * (1 - mu_star) / mu_star,
                pc * sigma_soft,
            ),
        )
    return found


def is_generic(q: Mapping[str, Fraction]) -> bool:
    gain = q["c_cw"] - q["c_sq"]
    sigma_hard = gain / (q["c_cw"] - q["c_cf_hard"])
    sigma_soft = gain / (q["c_cw"] - q["c_dw"])
    mu_star = (q["d_dw"] - q["d_cw"]) / (q["d_dw"] - q["d_cf_soft"])
    return q["p_def"] not in (sigma_hard, sigma_soft) and q["p_ch"] != mu_star


# -- Gambit helpers ---------------------------------------------------------------------------


def gambit_profile(game: Any, behaviour: Profile) -> Any:
    """A closed-form behaviour profile of the full game of A.1, in exact arithmetic."""
    gbt = require_pygambit()
    profile = game.mixed_behavior_profile(rational=True)
    moves = {
        ("Challenger", "Hard entry", "Challenge"): behaviour["x_hard"],
        ("Challenger", "Soft entry", "Challenge"): behaviour["x_soft"],
        ("Defender", "Hard", "Support"): behaviour["h"],
        ("Defender", "Soft", "Support"): behaviour["s"],
        ("Challenger", "Hard last", "Press"): behaviour["z_hard"],
        ("Challenger", "Soft last", "Press"): behaviour["z_soft"],
    }
    for (player, infoset_label, action_label), probability in moves.items():
        infoset = game.players[player].infosets[infoset_label]
        for action in infoset.actions:
            chosen = probability if action.label == action_label else 1 - probability
            profile[action] = gbt.Rational(chosen)
    return profile


def reduced_game(q: Mapping[str, Fraction]) -> Any:
    """The sequentially-rational reduction: a Hard Ch presses, a Soft Ch backs down and a
    Hard Def supports (A.4 steps 1-2), so only the entries and the Soft Def's reply remain."""
    gbt = require_pygambit()
    game = gbt.Game.new_tree(players=["Challenger", "Defender"], title="reduced")
    types = ("Hard", "Soft")
    branches = [f"{t}/{d}" for t in types for d in types]
    game.append_move(game.root, game.players.chance, branches)
    prior = {"Hard": (q["p_ch"], q["p_def"]), "Soft": (1 - q["p_ch"], 1 - q["p_def"])}
    game.set_chance_probs(
        game.root.infoset, [gbt.Rational(prior[t][0] * prior[d][1]) for t in types for d in types]
    )
    node = {b: game.root.children[b] for b in branches}
    for t in types:
        game.append_move([node[f"{t}/{d}"] for d in types], "Challenger", ["Q", "C"])
    game.append_move([node[f"{t}/Soft"].children["C"] for t in types], "Defender", ["A", "S"])
    ends = {"Hard": ("CF", q["c_cf_hard"]), "Soft": ("DW", q["c_dw"])}  # after support
    d_conflict = {"Hard": q["d_cf_hard"], "Soft": q["d_cf_soft"]}
    for branch in branches:
        t, d = branch.split("/")
        end, c_end = ends[t]
        d_end = d_conflict[d] if end == "CF" else q["d_dw"]
        leaves = [("SQ", node[branch].children["Q"], q["c_sq"], q["d_sq"])]
        if d == "Hard":
            leaves.append((end, node[branch].children["C"], c_end, d_end))
        else:
            reply = node[branch].children["C"]
            leaves.append(("CW", reply.children["A"], q["c_cw"], q["d_cw"]))
            leaves.append((end, reply.children["S"], c_end, d_end))
        for label, leaf, c, dp in leaves:
            game.set_outcome(leaf, game.add_outcome(f"{label}:{branch}", [c, dp]))
    return game


def distribution(outcome: Mapping[str, Any]) -> Outcome:
    return tuple(Fraction(outcome.get(k, 0)) for k in OUTCOMES)


# -- (a) worked examples ---------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_worked_examples(example: Example) -> None:
    solution = solve(**floats(example.parameters))
    assert solution.valid.item()
    assert solution.equilibrium_class.item() == example.default_class
    for key, value in example.outcome.items():
        assert solution.outcome[key].item() == pytest.approx(float(value), abs=1e-12)
    for key, value in example.behaviour.items():
        assert solution.behaviour[key].item() == pytest.approx(float(value), abs=1e-12)
    default = outcome_of(solution.outcome)
    others = {
        outcome_of(eq.outcome)
        for eq in solution.equilibria
        if eq.exists.item() and not np.allclose(outcome_of(eq.outcome), default, atol=1e-12)
    }
    expected = {tuple(float(o[k]) for k in OUTCOMES) for o in example.other_outcomes}
    assert others == expected


@pytest.mark.parametrize(
    ("name", "s_min"),
    [
        ("A2", Fraction(1, 6)),
        ("A3", Fraction(7, 12)),
        ("A4", Fraction(7, 12)),
        ("A5", Fraction(13, 33)),
        ("A6", Fraction(1, 5)),
    ],
)
def test_deterrence_is_held_by_off_path_support_from_s_hard(name: str, s_min: Fraction) -> None:
    (example,) = (e for e in EXAMPLES if e.name == name)
    solution = solve(**floats(example.parameters))
    deterrence = solution.equilibria[0]
    assert deterrence.behaviour["s_min"].item() == pytest.approx(float(s_min), abs=1e-12)
    assert deterrence.behaviour["s_max"].item() == 1.0
    assert deterrence.behaviour["mu_max"].item() == pytest.approx(
        solution.thresholds["mu_star"].item(), abs=1e-12
    )


def test_thresholds_of_the_payoff_sets() -> None:
    for payoffs, expected in ((P1, (2 / 3, 1 / 2, 1 / 2)), (P2, (4 / 5, 2 / 3, 1 / 2))):
        solution = solve(**floats(payoffs), p_ch=0.3, p_def=0.3)
        found = tuple(
            solution.thresholds[k].item() for k in ("sigma_hard", "sigma_soft", "mu_star")
        )
        assert found == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_worked_examples_against_gambit(example: Example) -> None:
    game = to_gambit(**example.parameters)
    exact = exact_equilibria(example.parameters)
    default = tuple(example.outcome[k] for k in OUTCOMES)
    assert default in {outcome for _, outcome in exact.values()}
    for behaviour, outcome in exact.values():
        profile = gambit_profile(game, behaviour)
        assert profile.max_regret() == 0
        assert distribution(outcome_distribution(game, profile)) == outcome
    (lcp,) = solve_game(game, "lcp")
    assert distribution(lcp.outcome) in {outcome for _, outcome in exact.values()}


# -- (b), (c) random generic instances against Gambit -----------------------------------------


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Fraction]:
    """Valid instances with small-denominator rational parameters."""

    def ordered(n: int) -> list[Fraction]:
        values = draw(st.lists(st.integers(-24, 24), min_size=n, max_size=n, unique=True))
        return [Fraction(v, 4) for v in sorted(values)]

    c_cf_soft, c_dw, c_cf_hard, c_sq, c_cw = ordered(5)
    d_cf_soft, d_cw, d_dw = ordered(3)
    d_sq = d_dw + Fraction(draw(st.integers(0, 8)), 4)
    d_cf_hard = d_cw + Fraction(draw(st.integers(1, 16)), 4)
    p_ch, p_def = (Fraction(draw(st.integers(1, 39)), 40) for _ in range(2))
    return {
        "c_cw": c_cw,
        "c_sq": c_sq,
        "c_dw": c_dw,
        "c_cf_hard": c_cf_hard,
        "c_cf_soft": c_cf_soft,
        "d_sq": d_sq,
        "d_dw": d_dw,
        "d_cw": d_cw,
        "d_cf_hard": d_cf_hard,
        "d_cf_soft": d_cf_soft,
        "p_ch": p_ch,
        "p_def": p_def,
    }


@settings(max_examples=30, deadline=None)
@given(instances())
def test_agrees_with_gambit(params: dict[str, Fraction]) -> None:
    assume(is_generic(params))
    exact = exact_equilibria(params)
    outcomes = {outcome for _, outcome in exact.values()}
    solution = solve(**floats(params))
    assert solution.valid.item()

    # The vectorised set of PBE outcomes is the exact one.
    listed = [outcome_of(eq.outcome) for eq in solution.equilibria if eq.exists.item()]
    assert len(listed) == len(exact) - 1  # E1 is listed once, with its range of s
    for found in listed:
        assert any(np.allclose(found, [float(v) for v in o], atol=1e-12) for o in outcomes)

    # Forward: each closed-form PBE is a Nash equilibrium of the full game, outcomes exact.
    game = to_gambit(**params)
    for behaviour, outcome in exact.values():
        profile = gambit_profile(game, behaviour)
        assert profile.max_regret() == 0
        assert distribution(outcome_distribution(game, profile)) == outcome

    # Reverse: Gambit's Nash equilibrium has a PBE outcome, in exact arithmetic (A.7).
    (lcp,) = solve_game(game, "lcp")
    assert distribution(lcp.outcome) in outcomes

    # Completeness: in the sequentially-rational reduction every extreme Nash equilibrium is a
    # PBE, and together they reach exactly the closed-form set of outcomes.
    reduced = {distribution(eq.outcome) for eq in solve_game(reduced_game(params), "enummixed")}
    assert reduced == outcomes

    # The agent logit QRE ends at the D1 default.
    (logit,) = solve_game(game, "logit")
    assert [float(logit.outcome.get(k, 0)) for k in OUTCOMES] == pytest.approx(
        list(outcome_of(solution.outcome)), abs=1e-6
    )


# -- boundaries: the listed end points stay PBE and the default follows the tie-breaks -------


@pytest.mark.parametrize(
    ("p_ch", "p_def", "default_class", "listed"),
    [
        (Fraction(1, 4), Fraction(2, 3), "deterrence", {"E1", "E2"}),  # p_def = sigma_hard
        (Fraction(1, 4), Fraction(1, 2), "separating", {"E1", "E2", "E4"}),  # = sigma_soft
        (Fraction(3, 4), Fraction(1, 2), "separating", {"E1", "E2", "E3"}),  # = sigma_soft
        (Fraction(1, 2), Fraction(1, 5), "pooling-challenge", {"E1", "E3", "E4"}),  # = mu*
    ],
)
def test_boundaries(p_ch: Fraction, p_def: Fraction, default_class: str, listed: set[str]) -> None:
    params = {**P1, "p_ch": p_ch, "p_def": p_def}
    solution = solve(**floats(params))
    assert solution.equilibrium_class.item() == default_class
    assert {eq.name for eq in solution.equilibria if eq.exists.item()} == listed
    game = to_gambit(**params)
    for eq in solution.equilibria:
        if not eq.exists.item():
            continue
        behaviour = {
            k.removesuffix("_min"): Fraction(v.item()).limit_denominator(1000)
            for k, v in eq.behaviour.items()
            if not k.endswith("_max")
        }
        profile = gambit_profile(game, behaviour)
        assert profile.max_regret() == 0, eq.name


# -- (d) comparative statics (A.6) ------------------------------------------------------------

GRID = np.linspace(0.0005, 0.9995, 2000)


@st.composite
def float_payoffs(draw: st.DrawFn) -> dict[str, float]:
    c = sorted(draw(st.lists(st.floats(-10, 10), min_size=5, max_size=5, unique=True)))
    d = sorted(draw(st.lists(st.floats(-10, 10), min_size=3, max_size=3, unique=True)))
    assume(min(np.diff(c)) > 1e-3 and min(np.diff(d)) > 1e-3)
    return {
        "c_cf_soft": c[0],
        "c_dw": c[1],
        "c_cf_hard": c[2],
        "c_sq": c[3],
        "c_cw": c[4],
        "d_cf_soft": d[0],
        "d_cw": d[1],
        "d_dw": d[2],
        "d_sq": d[2] + draw(st.floats(0, 5)),
        "d_cf_hard": d[1] + draw(st.floats(0.01, 5)),
    }


@given(float_payoffs(), st.floats(0.01, 0.99))
def test_challenge_probability_never_rises_with_credibility(
    payoffs: dict[str, float], p_ch: float
) -> None:
    solution = solve(**payoffs, p_ch=p_ch, p_def=GRID)
    assert solution.valid.all()
    assert np.all(np.diff(solution.challenge_probability) <= 1e-12)
    assert np.all(np.diff(solution.behaviour["s"]) <= 1e-12)  # the Soft Def bluffs less
    bluff = solution.equilibrium_class == "bluff"
    assert np.all(np.diff(solution.behaviour["s"][bluff]) < 0)
    assert np.all(solution.challenge_probability[solution.equilibrium_class == "deterrence"] == 0)


@given(float_payoffs(), st.floats(0.01, 0.99))
def test_probe_rate_rises_with_the_share_of_hard_challengers(
    payoffs: dict[str, float], p_def: float
) -> None:
    solution = solve(**payoffs, p_ch=GRID, p_def=p_def)
    bluff = solution.equilibrium_class == "bluff"
    assert np.all(np.diff(solution.behaviour["x_soft"][bluff]) > 0)


def test_credibility_paradox() -> None:
    # A4's payoffs: conflict is likeliest just short of sigma_hard = 2/3, then vanishes.
    solution = solve(**floats(P1), p_ch=0.25, p_def=GRID)
    conflict = solution.outcome["CF"]
    peak = int(np.argmax(conflict))
    assert GRID[peak] < 2 / 3 <= GRID[peak + 1]
    assert conflict[peak] == pytest.approx(0.25 * GRID[peak])
    assert np.all(conflict[GRID >= 2 / 3] == 0)
    bluff = solution.equilibrium_class == "bluff"
    np.testing.assert_allclose(conflict[bluff], 0.25 * 0.5)  # flat: p_ch * sigma_soft


# -- (e) invalid parameters -------------------------------------------------------------------

BROKEN = [
    {"c_cw": -0.5},  # c_cw < c_sq
    {"c_sq": -3.0},  # c_sq < c_dw
    {"c_cf_hard": 1.0},  # c_cf_hard > c_sq
    {"c_cf_hard": -3.0},  # c_cf_hard < c_dw
    {"c_cf_hard": 2.0},  # c_cf_hard == c_cw: zero denominator
    {"c_cf_soft": -1.5},  # c_cf_soft > c_dw
    {"d_sq": 0.5},  # d_sq < d_dw
    {"d_dw": -1.0},  # d_dw == d_cw: 0/0 in mu_star
    {"d_cf_hard": -2.0},  # d_cf_hard < d_cw
    {"d_cf_soft": 0.0},  # d_cf_soft > d_cw
    {"d_cf_soft": 1.0},  # d_cf_soft == d_dw: zero denominator
    {"p_ch": 0.0},
    {"p_def": 1.0},
    {"p_def": float("nan")},
    {"c_cw": float("inf")},
]


def test_invalid_instances_are_nan_never_numbers() -> None:
    base = floats({**P1, "p_ch": Fraction(1, 4), "p_def": Fraction(1, 5)})
    columns = {k: np.array([v] * (len(BROKEN) + 1)) for k, v in base.items()}
    for row, change in enumerate(BROKEN, start=1):
        for key, value in change.items():
            columns[key][row] = value
    solution = solve(**columns)
    assert solution.valid.tolist() == [True] + [False] * len(BROKEN)
    invalid = ~solution.valid
    assert np.all(solution.class_code[invalid] == -1)
    assert np.all(solution.equilibrium_class[invalid] == "")
    for mapping in (solution.outcome, solution.behaviour, solution.thresholds):
        for key, array in mapping.items():
            assert np.all(np.isnan(array[invalid])), key
            assert not np.isnan(array[0]), key
    for eq in solution.equilibria:
        assert not eq.exists[invalid].any()
        for array in (*eq.behaviour.values(), *eq.outcome.values()):
            assert np.all(np.isnan(array[invalid]))
    assert solution.n_equilibria()[invalid].tolist() == [0] * len(BROKEN)


@pytest.mark.parametrize("change", BROKEN[:11], ids=[next(iter(c)) for c in BROKEN[:11]])
def test_check_instance_names_the_broken_ordering(change: dict[str, float]) -> None:
    params = {**floats({**P1, "p_ch": Fraction(1, 4), "p_def": Fraction(1, 5)}), **change}
    with pytest.raises(UsageError, match="the ordering"):
        check_instance(FAMILY, params)


# -- (f) outcome distributions ----------------------------------------------------------------


def random_instances(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    c = np.sort(rng.uniform(-5, 5, (5, n)), axis=0)
    d = np.sort(rng.uniform(-5, 5, (3, n)), axis=0)
    return {
        "c_cf_soft": c[0],
        "c_dw": c[1],
        "c_cf_hard": c[2],
        "c_sq": c[3],
        "c_cw": c[4],
        "d_cf_soft": d[0],
        "d_cw": d[1],
        "d_dw": d[2],
        "d_sq": d[2] + rng.uniform(0, 2, n),
        "d_cf_hard": d[1] + rng.uniform(0.01, 3, n),
        "p_ch": rng.uniform(0.001, 0.999, n),
        "p_def": rng.uniform(0.001, 0.999, n),
    }


def test_outcome_rows_sum_to_one_and_the_default_is_listed() -> None:
    solution = solve(**random_instances(20_000, seed=1))
    assert solution.valid.all()
    assert set(np.unique(solution.class_code)) == {0, 1, 2, 3}
    np.testing.assert_allclose(sum(solution.outcome[k] for k in OUTCOMES), 1.0, atol=1e-12)
    for mapping in (solution.outcome, *(eq.outcome for eq in solution.equilibria)):
        for key in OUTCOMES:
            values = mapping[key][~np.isnan(mapping[key])]
            assert np.all((values >= -1e-12) & (values <= 1 + 1e-12))
    matched = np.zeros(solution.shape, dtype=bool)
    for eq in solution.equilibria:
        np.testing.assert_allclose(sum(eq.outcome[k][eq.exists] for k in OUTCOMES), 1.0, atol=1e-12)
        same = np.all([eq.outcome[k] == solution.outcome[k] for k in OUTCOMES], axis=0)
        matched |= eq.exists & same
    assert matched.all()  # the default equals, bit for bit, one listed equilibrium
    assert np.all(solution.n_equilibria() == np.where(solution.class_code == 0, 1, 2))


def test_default_is_d1_and_pbe_conditions_hold() -> None:
    solution = solve(**random_instances(20_000, seed=2))
    t, b, pd = solution.thresholds, solution.behaviour, solution.parameters["p_def"]
    sigma = pd * b["h"] + (1 - pd) * b["s"]  # P(support | challenge)
    deter = solution.class_code == 0
    np.testing.assert_array_equal(deter, pd >= t["sigma_hard"])
    # A Hard challenger challenges iff support is unlikely enough, a Soft one likewise.
    assert np.all(b["x_hard"][sigma < t["sigma_hard"] - 1e-12] == 1)
    assert np.all(b["x_hard"][sigma > t["sigma_hard"] + 1e-12] == 0)
    assert np.all(b["x_soft"][sigma > t["sigma_soft"] + 1e-12] == 0)
    # The Soft defender supports only where the challenger is probably Soft.
    assert np.all(b["s"][b["mu"] > t["mu_star"] + 1e-12] == 0)


# -- (g) broadcasting -------------------------------------------------------------------------


def test_broadcasting_shapes() -> None:
    payoffs = floats(P1)
    assert solve(**payoffs, p_ch=0.25, p_def=0.2).valid.size == 1
    assert solve(**payoffs, p_ch=[0.25, 0.75], p_def=0.2).shape == (2,)
    grid = solve(**payoffs, p_ch=np.linspace(0.1, 0.9, 3)[:, None], p_def=np.linspace(0.1, 0.9, 4))
    assert grid.shape == (3, 4)
    arrays: list[npt.NDArray[Any]] = [
        grid.class_code,
        *grid.outcome.values(),
        *grid.behaviour.values(),
        *grid.thresholds.values(),
        *grid.parameters.values(),
    ]
    for eq in grid.equilibria:
        arrays += [eq.exists, *eq.behaviour.values(), *eq.outcome.values()]
    assert {a.shape for a in arrays} == {(3, 4)}
    dataset = grid.to_xarray(("p_ch", "p_def"))
    assert dict(dataset.sizes) == {"p_ch": 3, "p_def": 4}
    assert grid.instance((0, 1))["default"]["class"] == grid.equilibrium_class[0, 1]


def test_results_are_read_only() -> None:
    solution = solve(**floats(P1), p_ch=[0.25, 0.75], p_def=0.2)
    with pytest.raises(ValueError, match="read-only"):
        solution.outcome["SQ"][0] = 0.5


# -- the Gambit tree --------------------------------------------------------------------------


def test_gambit_tree_matches_section_a1() -> None:
    params = {**P2, "p_ch": Fraction(1, 3), "p_def": Fraction(3, 4)}
    game = to_gambit(**params)
    labels = [outcome.label for outcome in game.outcomes]
    assert len(labels) == len(set(labels)) == 16
    assert {label.split(":")[0] for label in labels} == set(OUTCOMES)
    assert [Fraction(str(a.prob)) for a in game.root.infoset.actions] == [
        Fraction(1, 4),
        Fraction(1, 12),
        Fraction(1, 2),
        Fraction(1, 6),
    ]
    challenger, defender = game.players["Challenger"], game.players["Defender"]
    assert sorted(i.label for i in challenger.infosets) == [
        "Hard entry",
        "Hard last",
        "Soft entry",
        "Soft last",
    ]
    assert sorted(i.label for i in defender.infosets) == ["Hard", "Soft"]
    for infoset in (*challenger.infosets, *defender.infosets):
        assert len(infoset.members) == 2
    assert game.is_perfect_recall


def test_family_record() -> None:
    assert FAMILY.name == "extended"
    assert FAMILY.parameter_names == tuple(inspect.signature(solve).parameters)
    assert FAMILY.parameter_names == tuple(inspect.signature(to_gambit).parameters)
    assert FAMILY.classes == ("deterrence", "separating", "pooling-challenge", "bluff")
    for example in FAMILY.examples:
        check_instance(FAMILY, floats(example.parameters))
    assert isinstance(solve(**floats(EXAMPLES[0].parameters)), Solution)
