"""A run on a Dask cluster killed outright (parent, nannies and workers at once) resumes to
the result of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from umbrella.explore.ensemble import run_ensemble
from umbrella.model import load_scenario
from umbrella.store import RunStore

SAMPLES, CHUNK, SEED = 3000, 250, 5


def _records(store: Path) -> list[Path]:
    return sorted(store.rglob("chunk-*.json"))


def test_a_killed_dask_run_resumes_to_the_same_result(tmp_path: Path) -> None:
    store = tmp_path / "runs"
    command = [sys.executable, "-m", "umbrella", "run", "-n", str(SAMPLES), "--seed", str(SEED)]
    command += ["--chunk-size", str(CHUNK), "--workers", "2", "--store", str(store), "--quiet"]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    started = time.perf_counter()
    try:
        # Kill once a few chunks are recorded, and well before the run could finish.
        while len(_records(store)) < 3:
            if process.poll() is not None or time.perf_counter() - started > 120:
                pytest.fail("the run ended, or recorded no chunk, before it could be killed")
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    runs = RunStore(store)
    (run_id,) = runs.runs()["run_id"].tolist()
    done = runs.completed_chunks(run_id)
    assert 3 <= len(done) < SAMPLES // CHUNK
    assert runs.run(run_id).status == "interrupted"

    again = [sys.executable, "-m", "umbrella", "run", "--resume", run_id]
    resumed = subprocess.run(
        [*again, "--store", str(store), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    runs = RunStore(store)
    assert runs.run(run_id).status == "complete"
    assert runs.verify(run_id) == []
    futures, outcomes = runs.load(run_id)
    reference = run_ensemble(load_scenario(), SAMPLES, SEED, chunk_size=CHUNK, keep=True)
    assert reference.futures is not None
    assert reference.outcomes is not None
    # Inputs bit for bit; outcomes computed on Dask workers agree to the last unit or two
    # (docs/explore.md, "Seeding").
    np.testing.assert_array_equal(
        futures.drop(columns="future").to_numpy(),
        reference.futures.drop(columns="future").to_numpy(),
    )
    columns = [c for c in reference.outcomes.columns if c not in ("future", "option")]
    np.testing.assert_allclose(
        outcomes[columns].to_numpy(dtype=np.float64),
        reference.outcomes[columns].to_numpy(dtype=np.float64),
        rtol=0,
        atol=1e-15,
    )
