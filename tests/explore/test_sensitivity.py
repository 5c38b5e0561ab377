"""Sobol indices recover known answers: one driving input, and the Ishigami function."""

from __future__ import annotations

import math

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol

from umbrella.errors import UsageError
from umbrella.explore.sensitivity import sobol_design, sobol_indices, sobol_problem

NAMES = ["x1", "x2", "x3", "x4", "x5"]


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami and Homma (1990); S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244)."""
    return np.asarray(
        np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
    )


def test_one_input_drives_the_output() -> None:
    problem = sobol_problem(NAMES, [(0.0, 1.0)] * 5)
    design = sobol_design(problem, 2**10, seed=11)
    table = sobol_indices(problem, design[:, 0] + 0.01 * design[:, 1], seed=12)
    total = table[("y", "ST")]
    assert total["x1"] > 0.95
    assert (total[["x3", "x4", "x5"]] < 0.02).all()
    assert total["x2"] < 0.02
    assert table[("y", "S1")]["x1"] > 0.95


def test_ishigami_first_and_total_order() -> None:
    problem = sobol_problem(["x1", "x2", "x3"], [(-math.pi, math.pi)] * 3)
    design = sobol_design(problem, 2**12, seed=3)
    table = sobol_indices(problem, {"ishigami": ishigami(design)}, seed=4)["ishigami"]
    np.testing.assert_allclose(table["S1"], [0.314, 0.442, 0.0], atol=0.05)
    np.testing.assert_allclose(table["ST"], [0.558, 0.442, 0.244], atol=0.05)
    assert (table["S1_conf"] > 0).all()
    assert (table["ST_conf"] > 0).all()


def test_second_order_design_gives_salibs_first_and_total_order() -> None:
    problem = sobol_problem(["x1", "x2", "x3"], [(-math.pi, math.pi)] * 3)
    design = sobol_design(problem, 2**8, seed=5, second_order=True)
    assert design.shape == (2**8 * 8, 3)
    y = ishigami(design)
    ours = sobol_indices(problem, y, seed=6, second_order=True)["y"]
    theirs = salib_sobol.analyze(dict(problem), y, calc_second_order=True, seed=6)
    # ST is invariant to how SALib centres the outputs; S1 moves by far less than its interval
    np.testing.assert_allclose(ours["ST"], theirs["ST"], rtol=1e-9)
    np.testing.assert_allclose(ours["ST_conf"], theirs["ST_conf"], rtol=1e-9)
    np.testing.assert_allclose(ours["S1"], theirs["S1"], atol=1e-4)
    assert (abs(ours["S1"] - theirs["S1"]) < 0.01 * ours["S1_conf"]).all()


def test_table_layout_and_outcome_independence() -> None:
    problem = sobol_problem(["a", "b"], [(0.0, 1.0), (10.0, 20.0)])
    design = sobol_design(problem, 2**6, seed=1)
    assert design.shape == (2**6 * 4, 2)
    assert design.min(axis=0).tolist() >= [0.0, 10.0]
    assert design.max(axis=0).tolist() <= [1.0, 20.0]
    first = design[:, 0] * design[:, 1]
    second = design[:, 1] ** 2
    both = sobol_indices(problem, {"first": first, "second": second}, seed=9)
    alone = sobol_indices(problem, {"second": second}, seed=9)
    assert both.index.tolist() == ["a", "b"]
    assert both.index.name == "uncertainty"
    assert both.columns.names == ["outcome", "index"]
    assert both.columns.get_level_values("index").tolist() == ["S1", "S1_conf", "ST", "ST_conf"] * 2
    np.testing.assert_array_equal(both["second"].to_numpy(), alone["second"].to_numpy())


def test_seed_zero_leaves_the_global_random_state_alone() -> None:
    problem = sobol_problem(["a", "b"], [(0.0, 1.0)] * 2)
    design = sobol_design(problem, 2**6, seed=0)
    before = np.random.get_state(legacy=False)["state"]
    first = sobol_indices(problem, design.sum(axis=1), seed=0)
    after = np.random.get_state(legacy=False)["state"]
    assert after["pos"] == before["pos"]
    np.testing.assert_array_equal(after["key"], before["key"])
    again = sobol_indices(problem, design.sum(axis=1), seed=0)
    np.testing.assert_array_equal(first.to_numpy(), again.to_numpy())
    np.testing.assert_array_equal(design, sobol_design(problem, 2**6, seed=0))


def test_a_constant_outcome_has_zero_indices() -> None:
    problem = sobol_problem(["a", "b"], [(0.0, 1.0)] * 2)
    table = sobol_indices(problem, np.full(2**4 * 4, 0.9), seed=1)
    assert (table.to_numpy() == 0.0).all()


def test_bad_input_is_refused() -> None:
    problem = sobol_problem(["a", "b"], [(0.0, 1.0)] * 2)
    with pytest.raises(UsageError, match="power of two"):
        sobol_design(problem, 1000, seed=1)
    with pytest.raises(UsageError, match="seed"):
        sobol_design(problem, 8, seed=-1)
    with pytest.raises(UsageError, match="do not fit the design"):
        sobol_indices(problem, np.zeros(33), seed=1)
    with pytest.raises(UsageError, match="NaN"):
        sobol_indices(problem, np.full(32, np.nan), seed=1)
    with pytest.raises(UsageError, match="repeat"):
        sobol_problem(["a", "a"], [(0.0, 1.0)] * 2)
    with pytest.raises(UsageError, match="finite low < high"):
        sobol_problem(["a"], [(1.0, 1.0)])
    with pytest.raises(UsageError, match="2 names but 1 bounds"):
        sobol_problem(["a", "b"], [(0.0, 1.0)])
    with pytest.raises(UsageError, match="not a SALib problem"):
        sobol_indices({"names": ["a"]}, np.zeros(3), seed=1)
