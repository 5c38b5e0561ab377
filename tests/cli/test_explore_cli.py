"""``umbrella run``, ``umbrella explore`` and resuming a stopped run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.explore.ensemble import run_ensemble
from umbrella.model import load_scenario
from umbrella.store import RunStore

runner = CliRunner()


def test_run_then_explore(tmp_path: Path) -> None:
    store = str(tmp_path / "runs")
    done = runner.invoke(
        app,
        [
            "run",
            "--samples",
            "600",
            "--seed",
            "3",
            "--store",
            store,
            "--chunk-size",
            "250",
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert len(result["robustness"]) == 7
    assert set(result["most_robust"]) >= {"minimax_regret", "best_mean"}

    explored = runner.invoke(
        app,
        [
            "explore",
            result["run_id"],
            "--store",
            store,
            "--prim",
            "status-quo",
            "--sobol",
            "--sobol-base",
            "16",
            "--json",
        ],
    )
    assert explored.exit_code == 0, explored.output
    payload = json.loads(explored.stdout)
    assert 0 <= payload["prim"]["coverage"] <= 1
    assert payload["sobol"]
    listed = runner.invoke(app, ["runs", "list", "--store", store])
    assert result["run_id"] in listed.stdout


def test_bad_requests_get_one_line(tmp_path: Path) -> None:
    store = str(tmp_path / "runs")
    for args in (
        ["run", "--samples", "0", "--store", store],
        ["run", "--sampler", "grid", "--store", store],
        ["explore", "no-such-run", "--store", store],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_stopped_run_resumes_to_the_same_result(tmp_path: Path) -> None:
    scenario = load_scenario()
    store = RunStore(tmp_path / "runs")

    def stop_after_two(done: int, total: int) -> None:
        if done >= 400:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_ensemble(scenario, 1000, seed=8, chunk_size=200, store=store, progress=stop_after_two)
    (run_id,) = store.runs()["run_id"].tolist()
    assert store.run(run_id).status == "failed"
    assert store.completed_chunks(run_id) == {0, 1}

    resumed = runner.invoke(app, ["run", "--resume", run_id, "--store", str(store.path), "--quiet"])
    assert resumed.exit_code == 0, resumed.output
    assert store.run(run_id).status == "complete"
    reference = run_ensemble(scenario, 1000, seed=8, chunk_size=200, keep=True)
    _, outcomes = store.load(run_id)
    assert reference.outcomes is not None
    pd.testing.assert_frame_equal(
        outcomes.reset_index(drop=True),
        reference.outcomes.reset_index(drop=True),
        check_dtype=False,
    )
