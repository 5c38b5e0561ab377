"""PRIM scenario discovery recovers a known box, and refuses what it cannot analyse."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from umbrella.errors import UsageError
from umbrella.explore.discovery import PrimResult, prim

N_FUTURES = 4000


@pytest.fixture(scope="module")
def known_box() -> tuple[pd.DataFrame, np.ndarray]:
    """Five uniform inputs; failure iff x2 > 0.7, with 2% of the labels flipped."""
    rng = np.random.default_rng(20260101)
    futures = pd.DataFrame(rng.uniform(size=(N_FUTURES, 5)), columns=[f"x{i}" for i in range(1, 6)])
    futures.insert(0, "future", np.arange(N_FUTURES))
    failed = (futures["x2"].to_numpy() > 0.7) ^ (rng.uniform(size=N_FUTURES) < 0.02)
    return futures, failed


@pytest.fixture(scope="module")
def found(known_box: tuple[pd.DataFrame, np.ndarray]) -> PrimResult:
    futures, failed = known_box
    return prim(futures, failed)


def test_prim_recovers_the_known_box(found: PrimResult) -> None:
    assert found.box["uncertainty"].tolist() == ["x2"]
    low, high = found.box[["low", "high"]].to_numpy(dtype=float)[0]
    assert abs(low - 0.7) < 0.05
    assert high == math.inf
    assert found.coverage > 0.8
    assert found.density > 0.8
    assert found.describe() == f"x2 is at least {low:.3g}."


def test_reported_statistics_are_those_of_the_box(
    known_box: tuple[pd.DataFrame, np.ndarray], found: PrimResult
) -> None:
    futures, failed = known_box
    inside = np.ones(N_FUTURES, dtype=bool)
    for name, low, high in found.box.itertuples(index=False):
        inside &= (futures[name] >= low).to_numpy() & (futures[name] <= high).to_numpy()
    assert found.n_futures == N_FUTURES
    assert found.n_failures == int(failed.sum())
    assert found.coverage == pytest.approx((inside & failed).sum() / failed.sum(), abs=1e-12)
    assert found.density == pytest.approx((inside & failed).sum() / inside.sum(), abs=1e-12)
    assert found.mass == pytest.approx(inside.mean(), abs=1e-12)
    assert found.trajectory.loc[found.chosen, "density"] == found.density


def test_the_balanced_box_peaks_coverage_times_density(found: PrimResult) -> None:
    trajectory = found.trajectory
    meets = trajectory[trajectory["density"] >= found.threshold]
    score = meets["coverage"] * meets["density"]
    assert found.coverage * found.density == score.max()


def test_last_chooses_the_most_peeled_box_meeting_the_target(
    known_box: tuple[pd.DataFrame, np.ndarray],
) -> None:
    result = prim(*known_box, choose="last")
    meets = np.flatnonzero(result.trajectory["density"].to_numpy() >= 0.8)
    assert result.chosen == meets[-1]


def test_an_unreachable_target_returns_the_densest_box(
    known_box: tuple[pd.DataFrame, np.ndarray],
) -> None:
    futures, failed = known_box
    result = prim(futures, failed, threshold=1.0)
    assert result.density < 1.0
    assert result.density == result.trajectory["density"].max()


def test_prim_logs_nothing(
    known_box: tuple[pd.DataFrame, np.ndarray], caplog: pytest.LogCaptureFixture
) -> None:
    futures, failed = known_box
    with caplog.at_level(logging.DEBUG):
        prim(futures.iloc[:400], failed[:400])
    assert not caplog.records


def test_named_uncertainties_and_dotted_names() -> None:
    rng = np.random.default_rng(5)
    futures = pd.DataFrame(
        {
            "future": np.arange(300),
            "trust.half_life_months": rng.uniform(6.0, 36.0, 300),
            "trust.spillover": rng.uniform(size=300),
        }
    )
    failed = futures["trust.half_life_months"].to_numpy() < 15.0
    result = prim(futures, failed, uncertainties=["trust.half_life_months"])
    assert result.box["uncertainty"].tolist() == ["trust.half_life_months"]
    low, high = result.box[["low", "high"]].to_numpy(dtype=float)[0]
    assert low == -math.inf
    assert 14.0 < high < 16.5
    assert min(result.coverage, result.density) > 0.95
    assert result.describe() == f"trust.half_life_months is at most {high:.3g}."


def test_describe_a_two_sided_and_an_empty_box() -> None:
    box = pd.DataFrame({"uncertainty": ["cost.overrun"], "low": [0.25], "high": [1500.0]})
    result = PrimResult(box, 0.9, 0.9, 0.2, 100, 20, 0.8, pd.DataFrame(), 0)
    assert result.describe() == "cost.overrun is between 0.25 and 1,500."
    empty = PrimResult(box.iloc[0:0], 1.0, 0.3, 1.0, 100, 30, 0.8, pd.DataFrame(), 0)
    assert empty.describe() == "No uncertainty is restricted: the box is the whole sample."


@pytest.mark.parametrize(
    ("n_futures", "failing", "message"),
    [
        (19, [0, 5], "give at least 20"),
        (100, [], "no future fails"),
        (100, list(range(100)), "every future fails"),
    ],
)
def test_degenerate_samples_are_refused(n_futures: int, failing: list[int], message: str) -> None:
    futures = pd.DataFrame({"future": np.arange(n_futures), "a": np.linspace(0, 1, n_futures)})
    failed = np.zeros(n_futures, dtype=bool)
    failed[failing] = True
    with pytest.raises(UsageError, match=message):
        prim(futures, failed)


def test_bad_arguments_are_refused(known_box: tuple[pd.DataFrame, np.ndarray]) -> None:
    futures, failed = known_box
    with pytest.raises(UsageError, match="one per future"):
        prim(futures, failed[:-1])
    with pytest.raises(UsageError, match="boolean"):
        prim(futures, failed * 2.5)
    with pytest.raises(UsageError, match="no column x9"):
        prim(futures, failed, uncertainties=["x9"])
    with pytest.raises(UsageError, match="threshold"):
        prim(futures, failed, threshold=0.0)
    with pytest.raises(UsageError, match="peel_alpha"):
        prim(futures, failed, peel_alpha=0.5)
