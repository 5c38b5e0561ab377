"""A server killed in the middle of a background run leaves the store consistent: the run
reads as interrupted, its stored chunks are intact, and ``umbrella run --resume`` finishes it
with the results of a run that was never interrupted."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd

from umbrella.explore.run import open_run
from umbrella.store import RunStore

# Fifteen chunks of the default 2,048 futures: a few seconds of work, so the kill lands with
# some chunks stored and most still to do.
SAMPLES = 30_000
SEED = 11
CHUNK = 2_048


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _call(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _umbrella(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "UMBRELLA_TOKEN"}
    return subprocess.Popen(
        [sys.executable, "-m", "umbrella", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finished(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def test_a_run_killed_with_its_server_resumes_to_the_same_results(tmp_path: Path) -> None:
    store = tmp_path / "runs"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/"
    server = _umbrella("serve", "--port", str(port), "--store", str(store))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _call(url + "scenarios")
                break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        run_id = _call(url + "runs", {"samples": SAMPLES, "seed": SEED})["run_id"]
        deadline = time.monotonic() + 60
        while True:
            progress = _call(f"{url}runs/{run_id}/progress")
            assert progress["status"] == "running", progress
            if progress["futures_done"] >= CHUNK:
                break
            assert time.monotonic() < deadline, progress
            time.sleep(0.05)
    finally:
        # SIGKILL: no shutdown hook, no handler, no flush; the process is simply gone.
        server.send_signal(signal.SIGKILL)
        server.communicate(timeout=20)

    runs = RunStore(store)
    record = runs.run(run_id)
    assert record.status == "interrupted", record
    assert 0 < record.futures_done < SAMPLES
    assert runs.verify(run_id) == []  # every chunk recorded is whole: a write is all or nothing

    # The resumed run and an uninterrupted one of the same futures, side by side.
    resumed = _umbrella("run", "--resume", run_id, "--store", str(store), "--quiet", "--json")
    fresh = _umbrella(
        "run", "-n", str(SAMPLES), "--seed", str(SEED), "--store", str(tmp_path / "fresh"),
        "--quiet", "--json",
    )  # fmt: skip
    finished, whole = _finished(resumed), _finished(fresh)

    assert finished["run_id"] == run_id
    assert runs.run(run_id).status == "complete"
    assert runs.run(run_id).futures_done == SAMPLES
    assert finished["robustness"] == whole["robustness"]
    assert finished["headline"] == whole["headline"]
    # Future by future, not only the aggregates.
    for ours, theirs in zip(
        open_run(run_id, runs).data(),
        open_run(whole["run_id"], tmp_path / "fresh").data(),
        strict=True,
    ):
        pd.testing.assert_frame_equal(_in_order(ours), _in_order(theirs))


def _in_order(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("future", "option") if c in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True)
