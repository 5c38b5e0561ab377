"""A stored run on Dask: workers write their chunks and send back only partial aggregates,
which add up exactly to the aggregates of the same run in one process."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from umbrella.explore import ensemble
from umbrella.explore.ensemble import Aggregates, TaskResult, run_ensemble
from umbrella.model import load_scenario
from umbrella.model.evaluate import summary_outcomes
from umbrella.model.layout import layout
from umbrella.store import RunStore, StoreError

SAMPLES, CHUNK, SEED = 3000, 250, 8


def _task(**changes: Any) -> Any:
    scenario = load_scenario()
    settings: dict[str, Any] = {
        "text": ensemble.scenario_text(scenario),
        "label": str(scenario.path),
        "seed": SEED,
        "sampler": "lhs",
        "data_dir": None,
        "options": tuple(o.id for o in scenario.options),
        "outcomes": tuple(summary_outcomes(layout(scenario))),
        "keep": False,
        "store": None,
        "run_id": None,
    }
    return ensemble._Task(**(settings | changes))


def test_a_stored_dask_run_equals_the_run_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[tuple[int, TaskResult]] = []
    original = ensemble._result_of

    def spy(future: Any) -> TaskResult:
        result = original(future)
        received.append((len(pickle.dumps(result)), result))
        return result

    monkeypatch.setattr(ensemble, "_result_of", spy)
    # One task per worker thread instead of eight: tasks of several chunks, then shrinking
    # ones, in a run this small.
    monkeypatch.setattr(ensemble, "_TASKS_PER_THREAD", 1)
    scenario = load_scenario()
    runs = RunStore(tmp_path / "runs")
    cluster = run_ensemble(scenario, SAMPLES, SEED, chunk_size=CHUNK, workers=2, store=runs)
    local = run_ensemble(scenario, SAMPLES, SEED, chunk_size=CHUNK, keep=True)

    # Aggregates exactly, not merely close: the partial sums are integers.
    assert cluster.aggregates.equals(local.aggregates)
    for name in local.aggregates.data_vars:
        np.testing.assert_array_equal(
            cluster.aggregates[name].values, local.aggregates[name].values
        )
    assert cluster.aggregates.attrs["n_futures"] == SAMPLES

    # The workers wrote every chunk, as RunStore.write_chunk does: recorded and checksummed.
    assert cluster.run_id is not None
    n_chunks = SAMPLES // CHUNK
    assert runs.completed_chunks(cluster.run_id) == set(range(n_chunks))
    assert runs.run(cluster.run_id).status == "complete"
    assert runs.verify(cluster.run_id) == []
    futures, outcomes = runs.load(cluster.run_id)
    assert local.futures is not None
    assert local.outcomes is not None
    pd.testing.assert_frame_equal(futures, local.futures, check_exact=True)
    pd.testing.assert_frame_equal(
        outcomes, local.outcomes, check_exact=False, rtol=0.0, atol=1e-15, check_dtype=False
    )

    # The client received partial aggregates only: every chunk once, no per-future detail,
    # a few kilobytes per task whatever the number of chunks in it.
    done = sorted(c for _, result in received for c in result.chunks)
    assert done == list(range(n_chunks))
    assert all(result.detail == () for _, result in received)
    sizes = {len(result.chunks): size for size, result in received}
    assert max(sizes) > 1, sizes
    assert max(sizes.values()) < 16_000, sizes
    assert max(sizes.values()) < 1.2 * min(sizes.values()), sizes
    assert sum(result.futures for _, result in received) == SAMPLES


def test_partial_aggregates_merge_exactly() -> None:
    task = _task()
    outcomes = [
        ensemble.evaluate_chunk(task.text, task.label, a, a + 300, SEED, "lhs")[1]
        for a in range(0, 1500, 300)
    ]
    whole = Aggregates(task.options, task.outcomes)
    for frame in outcomes:
        whole.add(frame)
    merged = Aggregates(task.options, task.outcomes)
    for group in ([outcomes[3]], [], outcomes[:3], [outcomes[4]]):  # any grouping, any order
        partial = Aggregates(task.options, task.outcomes)
        for frame in group:
            partial.add(frame)
        merged.merge(partial)
    assert merged.to_xarray().equals(whole.to_xarray())
    assert merged.count == 1500
    other = Aggregates(task.options[:1], task.outcomes)
    with pytest.raises(ValueError, match="same options"):
        merged.merge(other)


def test_a_task_returns_the_detail_only_when_kept() -> None:
    chunks = ((0, 0, 200), (1, 200, 400), (2, 400, 600))
    lean = ensemble._remote_task(_task(), chunks)
    kept = ensemble._remote_task(_task(keep=True), chunks)
    assert lean.detail == ()
    assert [len(f) for f, _ in kept.detail] == [200, 200, 200]
    assert lean.chunks == (0, 1, 2)
    assert lean.futures == 600
    assert lean.aggregates.to_xarray().equals(kept.aggregates.to_xarray())
    assert len(pickle.dumps(lean)) * 20 < len(pickle.dumps(kept))


def test_a_worker_that_cannot_see_the_store_says_so(tmp_path: Path) -> None:
    task = _task(store=str(tmp_path / "elsewhere"), run_id="20260101-000000-abcd")
    with pytest.raises(StoreError, match="shares"):
        ensemble._remote_task(task, ((0, 0, 10),))
