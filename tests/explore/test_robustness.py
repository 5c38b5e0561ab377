"""Regret, satisficing and the robustness table against a hand-computed example."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from umbrella.errors import UsageError
from umbrella.explore.robustness import most_robust, regret, robustness, satisficing

# Four futures x three options; dyadic values, so every regret is exact in binary.
DETERRENCE = {  # larger is better
    "A": [1.0, 0.25, 0.125, 0.875],
    "B": [0.75, 0.625, 0.5, 0.75],
    "C": [0.5, 0.5, 0.875, 0.25],
}
COST = {  # npv_eur_bn, smaller is better
    "A": [100.0, 100.0, 100.0, 100.0],
    "B": [60.0, 80.0, 120.0, 90.0],
    "C": [40.0, 40.0, 40.0, 200.0],
}
THRESHOLDS = {"holds_europe": (">=", 0.5), "npv_eur_bn": ("<=", 100.0)}


@pytest.fixture
def table() -> pd.DataFrame:
    rows = [
        {
            "future": future,
            "option": option,
            "holds_europe": DETERRENCE[option][future],
            "npv_eur_bn": COST[option][future],
        }
        for future in range(4)
        for option in "ABC"
    ]
    return pd.DataFrame(rows)


def test_regret_of_a_larger_is_better_outcome(table: pd.DataFrame) -> None:
    result = regret(table, "holds_europe")
    assert result.index.tolist() == [0, 1, 2, 3]
    assert result.columns.tolist() == ["A", "B", "C"]
    assert result.to_numpy().tolist() == [
        [0.0, 0.25, 0.5],
        [0.375, 0.0, 0.125],
        [0.75, 0.375, 0.0],
        [0.0, 0.125, 0.625],
    ]


def test_regret_of_a_cost(table: pd.DataFrame) -> None:
    result = regret(table, "npv_eur_bn", larger_is_better=False)
    assert result.to_numpy().tolist() == [
        [60.0, 20.0, 0.0],
        [60.0, 40.0, 0.0],
        [60.0, 80.0, 0.0],
        [10.0, 0.0, 110.0],
    ]


def test_regret_does_not_depend_on_row_order(table: pd.DataFrame) -> None:
    shuffled = table.sample(frac=1.0, random_state=3)
    expected = regret(table, "holds_europe")
    pd.testing.assert_frame_equal(regret(shuffled, "holds_europe")[["A", "B", "C"]], expected)


def test_satisficing_counts_futures_meeting_every_threshold(table: pd.DataFrame) -> None:
    share = satisficing(table, THRESHOLDS)
    assert share.name == "satisficing"
    assert share.to_dict() == {"A": 0.5, "B": 0.75, "C": 0.75}


def test_satisficing_comparisons_at_the_boundary(table: pd.DataFrame) -> None:
    strict = satisficing(table, {"holds_europe": (">", 0.5), "npv_eur_bn": ("<", 100.0)})
    assert strict.to_dict() == {"A": 0.0, "B": 0.75, "C": 0.25}


def test_robustness_table(table: pd.DataFrame) -> None:
    scores = robustness(table, "holds_europe", thresholds=THRESHOLDS)
    assert scores.index.tolist() == ["A", "B", "C"]
    assert scores["mean"].tolist() == [0.5625, 0.65625, 0.53125]
    assert scores["mean_regret"].tolist() == [0.28125, 0.1875, 0.3125]
    assert scores["max_regret"].tolist() == [0.75, 0.375, 0.625]
    # linear interpolation between order statistics: position 0.1 * 3 and 0.9 * 3
    assert scores["p10"].tolist() == pytest.approx([0.1625, 0.5375, 0.325], abs=1e-12)
    assert scores["p90"].tolist() == pytest.approx([0.9625, 0.75, 0.7625], abs=1e-12)
    assert scores["p90_regret"].tolist() == pytest.approx([0.6375, 0.3375, 0.5875], abs=1e-12)
    assert scores["satisficing"].tolist() == [0.5, 0.75, 0.75]
    assert scores["rank_mean"].tolist() == [2, 1, 3]
    assert scores["rank_minimax_regret"].tolist() == [3, 1, 2]
    assert scores["rank_satisficing"].tolist() == [3, 1, 1]
    assert scores.attrs["outcome"] == "holds_europe"
    assert most_robust(scores) == {
        "minimax_regret": "B",
        "best_mean": "B",
        "best_satisficing": "B",  # B and C tie; the first listed wins
    }


def test_robustness_of_a_cost_ranks_small_means_first(table: pd.DataFrame) -> None:
    scores = robustness(table, "npv_eur_bn", larger_is_better=False)
    assert scores["mean"].tolist() == [100.0, 87.5, 80.0]
    assert scores["max_regret"].tolist() == [60.0, 80.0, 110.0]
    assert scores["rank_mean"].tolist() == [3, 2, 1]
    assert scores["satisficing"].isna().all()
    assert scores["rank_satisficing"].isna().all()
    assert most_robust(scores) == {"minimax_regret": "A", "best_mean": "C"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop(columns="npv_eur_bn"), "no column npv_eur_bn"),
        (lambda t: t.drop(index=5), "every option must be evaluated in every future"),
        (lambda t: pd.concat([t, t.iloc[[0]]]), "appears twice"),
        (lambda t: t.assign(npv_eur_bn=t["npv_eur_bn"].where(t.index != 2)), "NaN or infinite"),
        (lambda t: t.iloc[0:0], "empty"),
    ],
)
def test_invalid_tables_are_refused(
    table: pd.DataFrame, change: Callable[[pd.DataFrame], pd.DataFrame], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        robustness(change(table), "npv_eur_bn", thresholds={"npv_eur_bn": ("<=", 1.0)})


def test_invalid_thresholds_are_refused(table: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="is not one of"):
        satisficing(table, {"npv_eur_bn": ("=<", 100.0)})
    with pytest.raises(UsageError, match="at least one"):
        satisficing(table, {})
    with pytest.raises(UsageError, match="not a robustness"):
        most_robust(table)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
        elements=st.floats(-1e6, 1e6),
    ),
    st.booleans(),
)
def test_regret_is_never_negative_and_zero_for_the_best(
    values: np.ndarray, larger_is_better: bool
) -> None:
    n_futures, n_options = values.shape
    options = [f"option-{k}" for k in range(n_options)]
    long = pd.DataFrame(
        {
            "future": np.repeat(np.arange(n_futures), n_options),
            "option": options * n_futures,
            "y": values.ravel(),
        }
    )
    held = regret(long, "y", larger_is_better).to_numpy()
    assert (held >= 0.0).all()
    best = values.argmax(axis=1) if larger_is_better else values.argmin(axis=1)
    assert (held[np.arange(n_futures), best] == 0.0).all()
    assert (held.min(axis=1) == 0.0).all()
    # the best value less the regret gives back each option's own value
    top = values.max(axis=1) if larger_is_better else values.min(axis=1)
    back = top[:, None] - held if larger_is_better else top[:, None] + held
    np.testing.assert_allclose(back, values, rtol=1e-12, atol=1e-6)
