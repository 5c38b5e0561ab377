"""Ensembles: the same futures and outcomes whatever the chunking or the workers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from umbrella.assumptions import Assumption
from umbrella.explore.ensemble import run_ensemble
from umbrella.explore.sampling import BLOCK, Sampler, draw
from umbrella.model import load_scenario

UNCERTAIN = [
    Assumption("a", "a", 0.5, 0.0, 1.0, "x", "test"),
    Assumption("b", "b", 2.0, 1.0, 5.0, "x", "test", distribution="triangular"),
    Assumption("c", "c", 3.0, 1.0, 5.0, "x", "test", distribution="normal"),
    Assumption("d", "d", 2026.0, 2026.0, 2031.0, "year", "test", distribution="discrete"),
]


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_draws_do_not_depend_on_how_futures_are_split(sampler: Sampler) -> None:
    whole = draw(UNCERTAIN, 0, 3000, seed=5, sampler=sampler)
    parts = pd.concat(
        [
            draw(UNCERTAIN, a, b, seed=5, sampler=sampler)
            for a, b in ((0, 700), (700, 1500), (1500, 3000))
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(whole, parts)
    other_seed = draw(UNCERTAIN, 0, 3000, seed=6, sampler=sampler)
    assert not np.array_equal(whole["a"], other_seed["a"])


def test_draws_respect_ranges_and_distributions() -> None:
    futures = draw(UNCERTAIN, 0, 2 * BLOCK, seed=1)
    for a in UNCERTAIN:
        assert futures[a.name].between(a.low, a.high).all()
    assert set(np.unique(futures["d"])) <= {2026.0, 2027.0, 2028.0, 2029.0, 2030.0, 2031.0}
    # a Latin hypercube puts exactly one point in each of BLOCK strata of every input
    first_block = futures["a"].to_numpy()[:BLOCK]
    strata = np.floor(first_block * BLOCK).astype(int)
    assert sorted(strata) == list(range(BLOCK))


def test_runs_are_identical_across_chunk_sizes() -> None:
    # Bit for bit, not merely close: every future's inputs and outcomes, and the aggregates,
    # whatever the chunk size (sizes that split the design's blocks of 1,024 and not; odd
    # sizes, where a matrix product's edges would take other kernels than its body).
    scenario = load_scenario()
    runs = {
        size: run_ensemble(scenario, 5000, seed=9, chunk_size=size, keep=True)
        for size in (1000, 2048, 4096, 5000, 7, 999, 1001)
    }
    first = runs[2048]
    assert first.futures is not None
    assert first.outcomes is not None
    for size, other in runs.items():
        assert other.futures is not None, size
        assert other.outcomes is not None, size
        pd.testing.assert_frame_equal(first.futures, other.futures, check_exact=True)
        pd.testing.assert_frame_equal(first.outcomes, other.outcomes, check_exact=True)
        assert first.aggregates.equals(other.aggregates), size


@pytest.mark.parametrize("path", [None, "scenarios/french-umbrella-frontline.yaml"])
def test_a_future_alone_equals_the_same_future_in_a_chunk(path: str | None) -> None:
    # One future per call is how EMA Workbench evaluates: a sum NumPy takes pairwise over a
    # single column (and in order over many) would round differently there.
    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(None if path is None else root / path)
    together = run_ensemble(scenario, 24, seed=11, keep=True)
    for size in (1, 2, 3):
        alone = run_ensemble(scenario, 24, seed=11, chunk_size=size, keep=True)
        assert together.outcomes is not None
        assert alone.outcomes is not None
        pd.testing.assert_frame_equal(together.outcomes, alone.outcomes, check_exact=True)


def test_runs_are_identical_on_a_local_dask_cluster() -> None:
    scenario = load_scenario()
    local = run_ensemble(scenario, 1200, seed=4, chunk_size=300, keep=True)
    cluster = run_ensemble(scenario, 1200, seed=4, chunk_size=300, keep=True, workers=2)
    assert local.outcomes is not None
    assert cluster.outcomes is not None
    assert local.futures is not None
    assert cluster.futures is not None
    pd.testing.assert_frame_equal(local.futures, cluster.futures, check_exact=True)
    # Outcomes agree to the last unit or two: NumPy's vectorised transcendental functions
    # may round the last bit differently with a worker process's memory layout.
    pd.testing.assert_frame_equal(
        local.outcomes, cluster.outcomes, check_exact=False, rtol=0.0, atol=1e-15
    )
    for name in local.aggregates.data_vars:
        np.testing.assert_allclose(
            local.aggregates[name].values, cluster.aggregates[name].values, rtol=0, atol=1e-12
        )


def test_aggregates_match_the_detail() -> None:
    run = run_ensemble(None, 800, seed=2, chunk_size=300, keep=True)
    assert run.outcomes is not None
    mean = run.outcomes.groupby("option", sort=False)["holds_europe"].mean()
    stored = run.aggregates["mean"].sel(outcome="holds_europe").to_series()
    np.testing.assert_allclose(stored[mean.index].to_numpy(), mean.to_numpy(), atol=1e-6)
    assert run.aggregates.attrs["n_futures"] == 800


def test_bad_requests() -> None:
    from umbrella.errors import UsageError

    with pytest.raises(UsageError):
        run_ensemble(None, 0, seed=1)
    with pytest.raises(UsageError):
        draw(UNCERTAIN, 0, 10, seed=1, sampler="grid")  # type: ignore[arg-type]
