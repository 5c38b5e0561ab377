"""Two processes writing runs into one store at the same time both succeed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from umbrella.store import RunStore

ROOT = Path(__file__).resolve().parents[2]


def test_two_processes_write_runs_into_one_store_at_once(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    command = [sys.executable, "-m", "umbrella", "run", "-n", "3000", "--quiet"]
    children = [
        subprocess.Popen(
            [*command, "--seed", str(seed), "--store", str(store.path)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    errors = [child.communicate(timeout=300)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0], errors
    frame = store.runs()
    assert len(frame) == 2
    assert set(frame["status"]) == {"complete"}
    assert set(frame["seed"]) == {1, 2}
    assert list(frame["futures_done"]) == [3000, 3000]
    for run_id in frame["run_id"]:
        assert store.verify(run_id) == []
    with duckdb.connect(str(store.path / "catalog.duckdb"), read_only=True) as connection:
        rows = connection.execute("SELECT status, count(*) FROM runs GROUP BY 1").fetchall()
    assert rows == [("complete", 2)]
