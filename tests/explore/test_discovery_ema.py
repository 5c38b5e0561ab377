"""umbrella's PRIM peels and pastes as ema_workbench's does: the same trajectory and boxes."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from umbrella.explore.discovery import _trajectory, prim


@pytest.fixture(scope="module")
def ema_prim() -> Any:
    with warnings.catch_warnings():
        # ema_workbench warns at import about optional evaluators it cannot offer.
        warnings.simplefilter("ignore")
        return pytest.importorskip("ema_workbench.analysis.prim")


def _sample(seed: int) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Futures mixing continuous, few-valued (many ties) and rounded uncertainties, and
    failures that depend on them with noise."""
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(60, 2500)), int(rng.integers(1, 7))
    columns: dict[str, np.ndarray] = {}
    for j in range(d):
        kind = j % 3
        if kind == 0:
            columns[f"u{j}"] = rng.uniform(size=n)
        elif kind == 1:
            columns[f"u{j}"] = rng.integers(0, int(rng.integers(2, 6)), size=n).astype(float)
        else:
            columns[f"u{j}"] = np.round(rng.normal(size=n), 1)
    x = pd.DataFrame(columns)
    score = sum(rng.normal() * x[c].to_numpy() for c in x) + rng.normal(size=n)
    failed = score > np.quantile(score, rng.uniform(0.4, 0.95))
    return x, failed, float(rng.choice([0.05, 0.1, 0.2]))


@pytest.mark.parametrize("seed", range(12))
def test_the_trajectory_is_ema_workbenchs(ema_prim: Any, seed: int) -> None:
    x, failed, alpha = _sample(seed)
    if failed.all() or not failed.any():
        pytest.skip("a sample with nothing to separate")
    y = failed.astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = ema_prim.Prim(x, y, threshold=0.5 * float(y.mean()), peel_alpha=alpha)
        box = finder.find_box()
    expected = pd.DataFrame(box.peeling_trajectory).reset_index(drop=True)
    expected = expected[["coverage", "density", "mass", "res_dim", "n", "k"]]
    trajectory, limits = _trajectory(x.to_numpy(), failed, alpha)
    pd.testing.assert_frame_equal(trajectory, expected)
    assert len(limits) == len(box.box_lims)
    for (low, high), theirs in zip(limits, box.box_lims, strict=True):
        np.testing.assert_array_equal(low, theirs.iloc[0].to_numpy(dtype=np.float64))
        np.testing.assert_array_equal(high, theirs.iloc[1].to_numpy(dtype=np.float64))


def test_the_result_does_not_depend_on_the_futures_column() -> None:
    x, failed, _ = _sample(3)
    futures = x.copy()
    futures.insert(0, "future", np.arange(len(x)))
    assert prim(futures, failed).box.equals(prim(x, failed).box)
