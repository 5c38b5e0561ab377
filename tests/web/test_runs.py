"""A run started over HTTP runs in the background, completes and is listed with its results."""

from __future__ import annotations

import io
import time

import pandas as pd
from fastapi.testclient import TestClient


def test_a_background_run_completes(client: TestClient) -> None:
    started = client.post("/api/runs", json={"samples": 300, "seed": 3})
    assert started.status_code == 202, started.text
    body = started.json()
    run_id = body["run_id"]
    assert body["progress_url"] == f"api/runs/{run_id}/progress"
    deadline = time.monotonic() + 60
    while True:
        progress = client.get(f"/api/runs/{run_id}/progress").json()
        if progress["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert progress["status"] == "complete", progress
    assert progress["futures_done"] == 300
    assert progress["fraction"] == 1.0
    listed = client.get("/api/runs").json()
    assert run_id in [row["run_id"] for row in listed]
    record = client.get(f"/api/runs/{run_id}").json()
    assert record["n_samples"] == 300
    assert record["seed"] == 3

    headline = client.get(f"/api/runs/{run_id}/results").json()
    assert headline["rows"][0]["option"] == "status-quo"
    as_csv = client.get(f"/api/runs/{run_id}/results", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert pd.read_csv(io.StringIO(as_csv.text))["option"].iloc[0] == "status-quo"
    outcomes = client.get(
        f"/api/runs/{run_id}/results", params={"format": "parquet", "table": "outcomes"}
    )
    frame = pd.read_parquet(io.BytesIO(outcomes.content))
    assert frame["future"].nunique() == 300
    bad = client.get(f"/api/runs/{run_id}/results", params={"format": "xlsx"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "query.format"


def test_a_bad_run_request(client: TestClient) -> None:
    for body, field in (
        ({"samples": 5}, "samples"),
        ({"samples": 200, "scenario": "nope"}, "scenario"),
        ({"samples": 200, "seed": -2}, "seed"),
        ({"samples": 200, "workers": 4}, "workers"),
    ):
        response = client.post("/api/runs", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
