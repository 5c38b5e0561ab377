"""Pareto efficiency: known fronts, properties of the dominance order, and a stored run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from umbrella.errors import UsageError
from umbrella.explore import tradeoffs as module
from umbrella.explore.run import open_run
from umbrella.explore.run import run as start_run
from umbrella.explore.tradeoffs import (
    OBJECTIVES,
    Objective,
    dominance,
    objective_values,
    parallel_coordinates,
    pareto_mask,
    pareto_mask_batched,
    tradeoffs,
    tradeoffs_from_values,
)
from umbrella.model import load_scenario
from umbrella.report.charts import PALETTE
from umbrella.store import RunStore

if TYPE_CHECKING:
    from umbrella.explore.run import Run


def dominates(a: Sequence[float], b: Sequence[float], maximise: Sequence[bool]) -> bool:
    """The definition, one pair at a time: the reference the vectorised code must match."""
    at_least = all((x >= y) if up else (x <= y) for x, y, up in zip(a, b, maximise, strict=True))
    return at_least and any(x != y for x, y in zip(a, b, strict=True))


def reference_mask(values: npt.NDArray[Any], maximise: Sequence[bool]) -> list[bool]:
    rows = values.tolist()
    return [not any(dominates(other, row, maximise) for other in rows) for row in rows]


# --- known answers ---------------------------------------------------------------------


def test_a_known_front_when_both_objectives_are_maximised() -> None:
    points = [[1, 5], [2, 4], [3, 3], [1, 1], [2, 2], [0, 6], [3, 2]]
    assert pareto_mask(points, True).tolist() == [True, True, True, False, False, True, False]


def test_a_known_front_with_one_objective_minimised() -> None:
    # deterrence (more is better) against cost (less is better)
    points = [[0.9, 100.0], [0.8, 50.0], [0.7, 60.0], [0.9, 120.0], [0.5, 0.0]]
    assert pareto_mask(points, [True, False]).tolist() == [True, True, False, False, True]


def test_duplicates_do_not_dominate_each_other() -> None:
    points = [[1.0, 1.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]
    # Equal efficient points are all efficient; equal dominated points are all dominated.
    assert pareto_mask(points, True).tolist() == [True, True, False, False]
    assert not dominance(points, True)[0, 1]
    assert not dominance(points, True)[1, 0]


def test_one_objective_keeps_every_best_point() -> None:
    assert pareto_mask([[3], [1], [3], [2]], True).tolist() == [True, False, True, False]
    assert pareto_mask([[3], [1], [3], [1]], False).tolist() == [False, True, False, True]


def test_all_equal_points_are_all_efficient() -> None:
    assert pareto_mask(np.full((5, 3), 0.25), [True, False, True]).all()


def test_one_point_and_no_points() -> None:
    assert pareto_mask([[1.0, 2.0]], True).tolist() == [True]
    assert pareto_mask(np.empty((0, 2)), True).shape == (0,)


def test_extreme_integers_do_not_overflow() -> None:
    # Negating the smallest int64 to minimise would overflow; comparisons are chosen instead.
    low = np.iinfo(np.int64).min
    assert pareto_mask(np.array([[low], [0]], dtype=np.int64), False).tolist() == [True, False]


def test_infinities_compare_as_numbers() -> None:
    assert pareto_mask([[np.inf, 0.0], [1.0, 0.0]], True).tolist() == [True, False]


def test_nan_and_bad_shapes_are_refused() -> None:
    with pytest.raises(UsageError, match="NaN"):
        pareto_mask([[1.0, np.nan]], True)
    with pytest.raises(UsageError, match="one direction per objective"):
        pareto_mask([[1.0, 2.0]], [True])
    with pytest.raises(UsageError, match="dimensions"):
        pareto_mask([1.0, 2.0], True)
    with pytest.raises(UsageError, match="numbers"):
        pareto_mask([["a", "b"]], True)


def test_blocks_give_the_same_answer_as_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    points = rng.integers(0, 4, size=(40, 3))
    futures = rng.integers(0, 4, size=(30, 5, 3))
    whole = pareto_mask(points, [True, False, True])
    batched = pareto_mask_batched(futures, [True, False, True])
    monkeypatch.setattr(module, "_BLOCK", 1)  # one row, or one future, a block
    assert (pareto_mask(points, [True, False, True]) == whole).all()
    assert (pareto_mask_batched(futures, [True, False, True]) == batched).all()


# --- properties --------------------------------------------------------------------------

# Small integers, so that ties and duplicates are common.
points_strategy = st.tuples(st.integers(1, 12), st.integers(1, 4)).flatmap(
    lambda shape: st.tuples(
        hnp.arrays(np.int64, shape, elements=st.integers(-5, 5)),
        st.lists(st.booleans(), min_size=shape[1], max_size=shape[1]),
    )
)


@settings(max_examples=200, deadline=None)
@given(points_strategy)
def test_the_mask_matches_the_definition(case: tuple[npt.NDArray[np.int64], list[bool]]) -> None:
    values, maximise = case
    mask = pareto_mask(values, maximise)
    assert mask.tolist() == reference_mask(values, maximise)
    assert mask.any()  # a finite set always has an efficient point
    beaten = dominance(values, maximise)
    rows = values.tolist()
    for i in range(len(rows)):
        if mask[i]:
            # no efficient point is dominated by any point
            assert not any(dominates(other, rows[i], maximise) for other in rows)
        else:
            # every dominated point is dominated by an efficient one
            assert (beaten[:, i] & mask).any()


@settings(max_examples=200, deadline=None)
@given(points_strategy, st.randoms(use_true_random=False))
def test_the_mask_does_not_depend_on_the_order_of_rows(
    case: tuple[npt.NDArray[np.int64], list[bool]], random: Any
) -> None:
    values, maximise = case
    order = list(range(len(values)))
    random.shuffle(order)
    assert (pareto_mask(values[order], maximise) == pareto_mask(values, maximise)[order]).all()


@settings(max_examples=200, deadline=None)
@given(points_strategy, st.data())
def test_a_strictly_increasing_transform_of_an_objective_changes_nothing(
    case: tuple[npt.NDArray[np.int64], list[bool]], data: st.DataObject
) -> None:
    values, maximise = case
    column = data.draw(st.integers(0, values.shape[1] - 1))
    # x^3 + x is exact on these integers; exp is strictly increasing in floating point on them.
    cubed = values.copy()
    cubed[:, column] = cubed[:, column] ** 3 + cubed[:, column]
    exponent = values.astype(np.float64)
    exponent[:, column] = np.exp(exponent[:, column])
    expected = pareto_mask(values, maximise)
    assert (pareto_mask(cubed, maximise) == expected).all()
    assert (pareto_mask(exponent, maximise) == expected).all()


@settings(max_examples=100, deadline=None)
@given(
    st.tuples(st.integers(1, 8), st.integers(1, 6), st.integers(1, 3)).flatmap(
        lambda shape: st.tuples(
            hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 0.5, 1.0, 2.5])),
            st.lists(st.booleans(), min_size=shape[2], max_size=shape[2]),
        )
    )
)
def test_the_batched_mask_is_the_mask_of_each_future(
    case: tuple[npt.NDArray[np.float64], list[bool]],
) -> None:
    values, maximise = case
    batched = pareto_mask_batched(values, maximise)
    assert batched.shape == values.shape[:2]
    for future in range(len(values)):
        assert (batched[future] == pareto_mask(values[future], maximise)).all()


# --- the table on hand-made values -------------------------------------------------------

TWO = (OBJECTIVES["deterrence"], OBJECTIVES["cost"])


def labelled(values: npt.ArrayLike, options: Sequence[str]) -> xr.DataArray:
    array = np.asarray(values, dtype=np.float64)
    return xr.DataArray(
        array,
        dims=("future", "option", "objective"),
        coords={
            "future": np.arange(array.shape[0]),
            "option": list(options),
            "objective": [o.name for o in TWO],
        },
        attrs={"objectives": {o.name: o for o in TWO}},
    )


def test_the_table_on_a_hand_made_ensemble() -> None:
    # (deterrence, cost) of options a, b, c in four futures
    values = [
        [[0.9, 10.0], [0.8, 5.0], [0.7, 6.0]],  # c dominated by b
        [[0.9, 10.0], [0.9, 5.0], [0.8, 5.0]],  # a and c dominated by b
        [[0.5, 10.0], [0.6, 5.0], [0.7, 6.0]],  # a dominated by b
        [[0.9, 10.0], [0.7, 5.0], [0.9, 1.0]],  # a and b dominated by c
    ]
    table = tradeoffs_from_values(labelled(values, "abc"))
    assert table.index.tolist() == ["a", "b", "c"]
    assert table["share_efficient"].tolist() == [0.25, 0.75, 0.5]
    # means: a (0.8, 10), b (0.75, 5), c (0.775, 4.5): c dominates b; a is efficient
    assert table["efficient_on_mean"].tolist() == [True, False, True]
    assert table["dominated_on_mean_by"].tolist() == [(), ("c",), ()]
    assert table["deterrence_mean"].tolist() == pytest.approx([0.8, 0.75, 0.775])
    assert table["cost_p90"].tolist() == pytest.approx([10.0, 5.0, 6.0])
    # robust values: deterrence p10 a 0.62, b 0.63, c 0.7; cost p90 a 10, b 5, c 6: b
    # dominates a
    assert table["efficient_on_robust"].tolist() == [False, True, True]
    assert table.attrs["n_futures"] == 4


def test_the_table_needs_a_future_and_known_objectives() -> None:
    with pytest.raises(UsageError, match="no future"):
        tradeoffs_from_values(labelled(np.empty((0, 2, 2)), "ab"))
    strange = labelled(np.zeros((1, 2, 2)), "ab").assign_coords(objective=["x", "y"])
    with pytest.raises(UsageError, match="no definition of objective"):
        tradeoffs_from_values(strange)


def test_objectives_carry_units_directions_and_definitions() -> None:
    assert list(OBJECTIVES) == ["deterrence", "cost", "proliferation", "ukraine", "time"]
    assert [o.maximise for o in OBJECTIVES.values()] == [True, False, False, True, False]
    for objective in OBJECTIVES.values():
        assert objective.unit
        assert objective.definition.endswith(".")
        assert objective.direction in objective.axis_title
        assert objective.unit in objective.axis_title


# --- a stored flagship run ---------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("runs")
    done = start_run(load_scenario(), 1000, 1, store=RunStore(folder))
    assert done.run_id is not None
    return done.run_id, folder


@pytest.fixture(scope="module")
def flagship(stored: tuple[str, Path]) -> Run:
    run_id, folder = stored
    return open_run(run_id, RunStore(folder))


@pytest.fixture(scope="module")
def table(flagship: Run) -> pd.DataFrame:
    return tradeoffs(flagship)


def test_shares_are_shares_and_every_option_is_listed(flagship: Run, table: pd.DataFrame) -> None:
    assert table.index.tolist() == [o.id for o in flagship.scenario.options]
    assert table["share_efficient"].between(0.0, 1.0).all()
    assert table.attrs["n_futures"] == 1000
    assert table.attrs["futures_dropped"] == 0
    assert table["efficient_on_mean"].any()
    for objective in OBJECTIVES:
        assert (table[f"{objective}_p10"] <= table[f"{objective}_p90"]).all()


def test_the_status_quo_is_efficient_wherever_nothing_dominates_it(flagship: Run) -> None:
    values = objective_values(flagship)
    maximise = [OBJECTIVES[str(o)].maximise for o in values["objective"].values]
    data = values.values
    mask = pareto_mask_batched(data, maximise)
    quo = values["option"].values.tolist().index("status-quo")
    beaten = np.array(
        [any(dominates(row[j], row[quo], maximise) for j in range(len(row))) for row in data]
    )
    assert (mask[:, quo] == ~beaten).all()
    # It costs nothing and acts at once, and every other option costs something or takes
    # time (one that stalls past the horizon costs nothing within it): it is efficient in
    # every future.
    assert (values.sel(option="status-quo", objective=["cost", "time"]) == 0).all()
    others = values.drop_sel(option="status-quo")
    assert ((others.sel(objective="cost") > 0) | (others.sel(objective="time") > 0)).all()
    assert mask[:, quo].all()


def test_the_objectives_are_read_from_the_right_columns(flagship: Run) -> None:
    futures, outcomes = flagship.data()
    values = objective_values(flagship)
    mine = outcomes[outcomes["option"] == "european-arsenal"].set_index("future")
    arsenal = values.sel(option="european-arsenal")
    ids = values["future"].values
    assert np.array_equal(arsenal.sel(objective="deterrence"), mine["holds_europe"].loc[ids])
    assert np.array_equal(arsenal.sel(objective="ukraine"), 1.0 - mine["fails_ukraine"].loc[ids])
    sampled = futures.set_index("future")["option.european-arsenal.years_to_first_effect"]
    assert np.array_equal(arsenal.sel(objective="time"), sampled.loc[ids])
    # The status quo's years to first effect are fixed, so they come from the registry.
    assert "option.status-quo.years_to_first_effect" not in futures.columns
    assert (values.sel(option="status-quo", objective="time") == 0.0).all()


def test_the_same_run_read_twice_gives_the_same_table(
    stored: tuple[str, Path], table: pd.DataFrame
) -> None:
    run_id, folder = stored
    again = tradeoffs(open_run(run_id, RunStore(folder)))
    pd.testing.assert_frame_equal(again, table)
    assert again.attrs == table.attrs


def test_a_future_missing_for_one_option_is_dropped_for_all(flagship: Run) -> None:
    futures, outcomes = flagship.data()
    gap = outcomes.copy()
    gap.loc[(gap["future"] == 3) & (gap["option"] == "isr-autonomy"), "npv_eur_bn"] = np.nan
    gap = gap[~((gap["future"] == 5) & (gap["option"] == "status-quo"))]
    stub = SimpleNamespace(
        data=lambda: (futures, gap),
        scenario=flagship.scenario,
        run_id="stub",
    )
    values = objective_values(cast("Run", stub))
    assert values.attrs["futures_dropped"] == 2
    assert 3 not in values["future"].values
    assert 5 not in values["future"].values
    assert tradeoffs(cast("Run", stub)).attrs["n_futures"] == 998


def test_a_subset_of_objectives_and_unknown_ones(flagship: Run) -> None:
    table = tradeoffs(flagship, ["deterrence", OBJECTIVES["cost"]])
    assert list(table.attrs["objectives"]) == ["deterrence", "cost"]
    assert "time_mean" not in table.columns
    with pytest.raises(UsageError, match="unknown objective 'speed'"):
        tradeoffs(flagship, ["speed"])
    with pytest.raises(UsageError, match="at least one"):
        tradeoffs(flagship, [])
    absent = Objective("x", "X", "unit", True, "Nothing.", column="no_such_outcome")
    with pytest.raises(UsageError, match="no outcome no_such_outcome"):
        tradeoffs(flagship, [absent])


def test_the_parallel_coordinates_figure_and_its_text(table: pd.DataFrame) -> None:
    figure, alt = parallel_coordinates(table)
    (trace,) = figure.data
    assert trace.type == "parcoords"
    labels = [d.label for d in trace.dimensions]
    assert labels[0] == "Option"
    assert list(trace.dimensions[0].ticktext) == table.index.tolist()
    for objective, label in zip(OBJECTIVES.values(), labels[1:], strict=True):
        assert objective.unit in label
        assert objective.direction in label
    assert [colour for _, colour in trace.line.colorscale] == list(PALETTE[: len(table)])
    assert list(trace.dimensions[2].values) == pytest.approx(table["cost_mean"].tolist())
    assert alt.startswith("Parallel-coordinates chart of 7 options on 5 objectives")
    for option in table.index:
        assert f"{option}:" in alt
    assert "lower is better" in alt


def test_the_figure_on_fewer_objectives(flagship: Run) -> None:
    table = tradeoffs(flagship, ["cost", "deterrence"])
    figure, alt = parallel_coordinates(table)
    labels = [d.label for d in figure.data[0].dimensions]
    assert [label.split("<br>")[0] for label in labels] == [
        "Option",
        "Cost",
        "Deterrence holds in Europe",
    ]
    figure, _ = parallel_coordinates(table, ["deterrence"])
    assert len(figure.data[0].dimensions) == 2
    assert "on 2 objectives" in alt
    with pytest.raises(UsageError, match="not a tradeoffs"):
        parallel_coordinates(table, ["time"])
