"""The policy search: its driver on a problem with a known front, its seeding, and a tiny
search of the flagship checked against the trade-off code."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from umbrella.errors import UsageError
from umbrella.explore.ensemble import run_ensemble
from umbrella.explore.run import Run
from umbrella.explore.search import (
    MAX_DELAY,
    MIN_GENE,
    MIN_SCALE,
    SearchResult,
    catalogue_options,
    global_random_state,
    optimise,
    search,
    with_parts,
)
from umbrella.explore.tradeoffs import OBJECTIVES, dominance, objective_values, pareto_mask
from umbrella.model.scenario import load_scenario

FloatArray = npt.NDArray[np.float64]

# ZDT1 (Zitzler, Deb & Thiele 2000): f1 = x1, f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 mean(x2..n).
# Its Pareto front is g = 1 (x2..n = 0): f2 = 1 - sqrt(f1), f1 in [0, 1].
ZDT1_VARIABLES = 5
# How far above the true front the found front may lie (f2 at the same f1): a front within
# 0.02 has g within 2% of its optimum. Found with 100 generations of 40: below 0.01.
ZDT1_TOLERANCE = 0.02


def zdt1(x: FloatArray) -> FloatArray:
    f1 = x[:, 0]
    g = 1.0 + 9.0 * x[:, 1:].mean(axis=1)
    return np.column_stack([f1, g * (1.0 - np.sqrt(f1 / g))])


def _zdt1(seed: int, generations: int = 100) -> tuple[FloatArray, FloatArray]:
    found = optimise(
        zdt1,
        np.zeros(ZDT1_VARIABLES),
        np.ones(ZDT1_VARIABLES),
        2,
        population=40,
        generations=generations,
        seed=seed,
    )
    return found.decisions[found.front], found.objectives[found.front]


@pytest.mark.parametrize("seed", [1, 2])
def test_driver_recovers_the_zdt1_front(seed: int) -> None:
    _, front = _zdt1(seed)
    assert len(front) >= 20
    above = front[:, 1] - (1.0 - np.sqrt(front[:, 0]))
    assert above.min() >= -1e-12  # nothing beats the true front
    assert above.max() < ZDT1_TOLERANCE
    # Spread along the whole front, not crowded at one end.
    assert front[:, 0].min() < 0.05
    assert front[:, 0].max() > 0.95
    assert np.histogram(front[:, 0], bins=5, range=(0, 1))[0].min() >= 2


def _states() -> tuple[object, object]:
    return np.random.get_state(), random.getstate()


def _same_state(before: tuple[object, object], after: tuple[object, object]) -> bool:
    numpy_before, python_before = before
    numpy_after, python_after = after
    assert isinstance(numpy_before, tuple)
    assert isinstance(numpy_after, tuple)
    same_numpy = all(
        np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
        for a, b in zip(numpy_before, numpy_after, strict=True)
    )
    return same_numpy and python_before == python_after


def test_driver_is_bit_reproducible_and_leaves_global_state_alone() -> None:
    np.random.seed(123)
    random.seed(456)
    before = _states()
    first = _zdt1(7, generations=10)
    assert _same_state(before, _states())
    again = _zdt1(7, generations=10)
    other = _zdt1(8, generations=10)
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_global_random_state_is_restored_after_an_error() -> None:
    def draw_then_fail() -> None:
        with global_random_state(5):
            np.random.random(3)
            random.random()
            raise RuntimeError("stop")

    before = _states()
    with pytest.raises(RuntimeError):
        draw_then_fail()
    assert _same_state(before, _states())


def test_a_candidate_keeps_at_least_one_part() -> None:
    decisions = np.array(
        [
            [-0.5, 0.01, -0.2, 1.0, 2.0, 3.0],  # none: the largest gene joins at 0.05
            [-1.0, -1.0, -1.0, 0.0, 0.0, 0.0],  # none, all equal: the first, by a stable order
            [0.2, -0.3, 0.04, 1.0, 2.0, 3.0],  # one part already: unchanged
        ]
    )
    repaired = with_parts(decisions)
    assert repaired[0, :3].tolist() == [-0.5, MIN_SCALE, -0.2]
    assert repaired[1, :3].tolist() == [MIN_SCALE, -1.0, -1.0]
    assert np.array_equal(repaired[2], decisions[2])
    assert np.array_equal(repaired[:, 3:], decisions[:, 3:])  # delays untouched
    assert decisions[1, 0] == -1.0  # the input is not changed in place


TINY = {"population": 8, "generations": 2, "futures": 64}


def _tiny(seed: int) -> SearchResult:
    return search(load_scenario(None), seed=seed, population=8, generations=2, futures=64)


@pytest.fixture(scope="module")
def tiny() -> SearchResult:
    return _tiny(3)


def test_tiny_flagship_search_returns_a_front(tiny: SearchResult) -> None:
    scenario = load_scenario(None)
    assert tiny.options == tuple(catalogue_options(scenario))
    assert "status-quo" not in tiny.options
    assert tiny.objective_names == tuple(OBJECTIVES)
    n = len(tiny.front)
    assert n >= 1
    assert tiny.decisions.shape == (n, 2 * len(tiny.options))
    assert tiny.objectives.shape == (n, len(OBJECTIVES))
    maximise = [o.maximise for o in OBJECTIVES.values()]
    assert pareto_mask(tiny.objectives, maximise).all()
    assert (tiny.front["n_parts"] >= 1).all()
    for k, name in enumerate(OBJECTIVES):
        assert np.array_equal(tiny.front[f"{name}_mean"].to_numpy(), tiny.objectives[:, k])
    assert tiny.settings["evaluations"] == TINY["population"] * TINY["generations"]
    assert tiny.summary.startswith(f"The search's front holds {n} polic")


def test_initial_population_is_random_not_the_catalogue(tiny: SearchResult) -> None:
    first = tiny.first
    m = len(tiny.options)
    assert first.shape == (TINY["population"], 2 * m)
    assert ((first[:, :m] >= MIN_GENE) & (first[:, :m] <= 1)).all()
    assert ((first[:, m:] >= 0) & (first[:, m:] <= MAX_DELAY)).all()
    for row in first:
        kept = np.flatnonzero(row[:m] >= MIN_SCALE)
        assert len(kept) >= 1
        # A catalogue option is one part, whole and on time: never drawn as such.
        single = len(kept) == 1 and row[kept[0]] == 1.0 and row[m + kept[0]] == 0.0
        assert not single
    # Genes from -1: a random policy keeps some options and leaves others out.
    counts = (first[:, :m] >= MIN_SCALE).sum(axis=1)
    assert counts.min() < m


def test_catalogue_comparison_agrees_with_tradeoffs(tiny: SearchResult) -> None:
    # The scenario's options, evaluated on their own on the search's futures.
    scenario = load_scenario(None)
    futures, seed = tiny.settings["futures"], tiny.settings["futures_seed"]
    summary = run_ensemble(scenario, futures, seed, keep=True)
    values = objective_values(Run(scenario, seed, futures, None, None, summary=summary))
    catalogue = values.values.mean(axis=0)
    columns = [f"{name}_mean" for name in OBJECTIVES]
    np.testing.assert_allclose(tiny.catalogue[columns].to_numpy(), catalogue, rtol=1e-12)
    maximise = [o.maximise for o in OBJECTIVES.values()]
    beats = dominance(np.vstack([catalogue, tiny.objectives]), maximise)
    ids = list(tiny.front.index)
    listed = list(tiny.catalogue.index)
    for i, option in enumerate(listed):
        expected = tuple(ids[j] for j in np.flatnonzero(beats[len(listed) :, i]))
        assert tiny.catalogue.loc[option, "dominated_by"] == expected
    sign = np.where(maximise, 1.0, -1.0)
    for _, row in tiny.comparison.iterrows():
        policy = tiny.objectives[ids.index(row["candidate"])]
        option = catalogue[listed.index(row["option"])]
        gains = row[[f"{name}_gain" for name in OBJECTIVES]].to_numpy(dtype=float)
        np.testing.assert_allclose(gains, (policy - option) * sign, rtol=1e-9, atol=1e-12)
        assert (gains >= 0).all()


def test_flagship_search_is_bit_reproducible(tiny: SearchResult) -> None:
    before = _states()
    again = _tiny(3)
    assert _same_state(before, _states())
    assert np.array_equal(tiny.decisions, again.decisions)
    assert np.array_equal(tiny.objectives, again.objectives)
    assert np.array_equal(tiny.first, again.first)
    other = _tiny(4)
    assert not np.array_equal(tiny.first, other.first)


@pytest.mark.parametrize(
    ("settings", "flag"),
    [
        ({"generations": 0}, "--generations"),
        ({"population": 4}, "--population"),
        ({"futures": 0}, "--search-futures"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_bad_settings_are_usage_errors(settings: dict[str, int], flag: str) -> None:
    with pytest.raises(UsageError, match=flag):
        search(
            load_scenario(None),
            generations=settings.get("generations", 1),
            population=settings.get("population", 8),
            futures=settings.get("futures", 8),
            seed=settings.get("seed", 0),
        )


def test_cli_defaults_are_the_search_defaults() -> None:
    from umbrella.cli import explore as cli
    from umbrella.explore import search as module

    assert cli.SEARCH_GENERATIONS == module.DEFAULT_GENERATIONS
    assert cli.SEARCH_POPULATION == module.DEFAULT_POPULATION
    assert cli.SEARCH_FUTURES == module.DEFAULT_FUTURES


def test_cli_search(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from umbrella.cli.app import app

    runner = CliRunner()
    store = str(tmp_path / "runs")
    done = runner.invoke(app, ["run", "-n", "64", "--seed", "5", "--store", store, "--json"])
    assert done.exit_code == 0, done.output
    run_id = json.loads(done.stdout)["run_id"]
    tiny = ["--population", "6", "--generations", "2", "--search-futures", "16"]
    shown = runner.invoke(app, ["explore", run_id, "--store", store, "--search", *tiny, "--json"])
    assert shown.exit_code == 0, shown.output
    payload = json.loads(shown.stdout)["search"]
    assert payload["settings"]["seed"] == 5  # the run's seed by default
    assert payload["front"]
    assert len(payload["catalogue"]) == 7
    table = runner.invoke(app, ["explore", run_id, "--store", store, "--search", *tiny])
    assert table.exit_code == 0, table.output
    assert "policies found" in table.stdout
    for bad in (["--search", "--population", "2"], ["--generations", "3"]):
        refused = runner.invoke(app, ["explore", run_id, "--store", store, *bad])
        assert refused.exit_code == 2, bad
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
