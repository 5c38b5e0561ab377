"""The analyses of stored runs over HTTP: diff, robustness, PRIM and trade-offs with the
numbers of the command line, Sobol indices, the value of information and briefs built in the
background, and every refusal a 4xx."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from umbrella.cli.app import app as cli
from umbrella.explore.run import run
from umbrella.model import load_scenario
from umbrella.store import RunStore
from umbrella.web import Limits, create_app
from umbrella.web.state import Context

UNKNOWN = "20000101-000000-abcd"


class Response(Protocol):
    """What the tests read of an answer (the test client's httpx may be httpx or httpx2)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def json(self) -> Any: ...


@pytest.fixture(scope="module")
def runs(store: Path) -> tuple[str, str, str]:
    """Two complete runs of 1,000 futures (seeds 11 and 12) and one still running."""
    scenario = load_scenario(None)
    a = run(scenario, 1_000, 11, store=RunStore(store)).run_id
    b = run(scenario, 1_000, 12, store=RunStore(store)).run_id
    assert a is not None
    assert b is not None
    running = RunStore(store).create_run(
        scenario_name=scenario.name,
        scenario_hash="0" * 16,
        scenario_text="name: unfinished\n",
        data_version="test",
        seed=1,
        n_samples=1_000,
        chunk_size=500,
        sampler="lhs",
        package_version="0",
        options=["status-quo"],
        uncertainties=[],
    )
    return a, b, running


def _cli(*args: str) -> Any:
    done = CliRunner().invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def _refused(response: Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"file", "line", "field", "message"}
    assert "\n" not in body["message"]
    if field is not None:
        assert body["field"] == field, body
    return body


def _until(get: Callable[[], Response], done: Callable[[Response], bool]) -> Response:
    deadline = time.monotonic() + 120
    response = get()
    while not done(response):
        assert time.monotonic() < deadline, response.text
        time.sleep(0.2)
        response = get()
    return response


def test_diff_has_the_numbers_of_the_cli(
    client: TestClient, store: Path, runs: tuple[str, str, str]
) -> None:
    a, b, running = runs
    response = client.get(f"/api/runs/{a}/diff/{b}")
    assert response.status_code == 200, response.text
    assert response.json() == _cli("runs", "diff", a, b, "--store", str(store), "--json")
    assert response.json()["metadata"]["seed"] == {"a": 11, "b": 12}
    _refused(client.get(f"/api/runs/{a}/diff/{running}"), 409, "path.b")
    _refused(client.get(f"/api/runs/{UNKNOWN}/diff/{b}"), 404)
    _refused(client.get(f"/api/runs/{a}/diff/not-a-run"), 422, "path.b")


def test_robustness_has_the_numbers_of_the_cli(
    client: TestClient, store: Path, runs: tuple[str, str, str]
) -> None:
    a, _, running = runs
    for outcome in ("holds_europe", "fails_europe"):
        response = client.get(f"/api/runs/{a}/robustness", params={"outcome": outcome})
        assert response.status_code == 200, response.text
        body = response.json()
        expected = _cli("explore", a, "--store", str(store), "--outcome", outcome, "--json")
        assert body["robustness"] == expected["robustness"]
        assert body["most_robust"] == expected["most_robust"]
        assert body["outcome"] == outcome
    _refused(
        client.get(f"/api/runs/{a}/robustness", params={"outcome": "nope"}), 422, "query.outcome"
    )
    _refused(
        client.get(f"/api/runs/{a}/robustness", params={"outcome": "../x"}), 422, "query.outcome"
    )
    _refused(client.get(f"/api/runs/{UNKNOWN}/robustness"), 404)
    _refused(client.get("/api/runs/20250101-000000-abcd.json/robustness"), 422, "path.run_id")
    assert client.get("/api/runs/..%2Fruns/robustness").status_code == 404  # no such route
    body = _refused(client.get(f"/api/runs/{running}/robustness"), 409, "path.run_id")
    assert "not complete" in body["message"]


def test_prim_has_the_numbers_of_the_cli(
    client: TestClient, store: Path, runs: tuple[str, str, str]
) -> None:
    a, _, running = runs
    response = client.get(f"/api/runs/{a}/prim", params={"option": "status-quo"})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = _cli("explore", a, "--store", str(store), "--prim", "status-quo", "--json")["prim"]
    assert {k: body[k] for k in expected} == expected
    assert body["n_futures"] == 1_000
    url = f"/api/runs/{a}/prim"
    _refused(client.get(url, params={"option": "nope"}), 422, "query.option")
    _refused(client.get(url, params={"option": "Bad Option"}), 422, "query.option")
    _refused(client.get(url), 422, "query.option")  # required
    _refused(client.get(url, params={"option": "status-quo", "outcome": "x"}), 422, "query.outcome")
    for bad in ("nan", "inf", "abc"):
        params = {"option": "status-quo", "fail_below": bad}
        _refused(client.get(url, params=params), 422, "query.fail_below")
    nothing_fails = {"option": "status-quo", "fail_below": "-1"}
    _refused(client.get(url, params=nothing_fails), 422, "query.fail_below")
    _refused(client.get(f"/api/runs/{running}/prim", params={"option": "status-quo"}), 409)


def test_sobol_runs_in_the_background(
    client: TestClient, runs: tuple[str, str, str], store: Path
) -> None:
    a, _, running = runs
    url = f"/api/runs/{a}/sobol"
    params = {"base": "16", "outcome": "holds_europe"}
    _refused(client.get(url, params=params), 404)  # not computed yet
    started = client.post(url, json={"base": 16})
    assert started.status_code == 202, started.text
    progress = started.json()
    assert progress["kind"] == "sobol"
    assert progress["progress_url"] == f"api/runs/{a}/sobol?base=16&outcome=holds_europe"
    done = _until(
        lambda: client.get("/" + progress["progress_url"]), lambda r: r.status_code != 202
    )
    assert done.status_code == 200, done.text
    indices = done.json()["indices"]
    options = {row["option"] for row in indices}
    assert "status-quo" in options
    assert {"uncertainty", "outcome", "option", "S1", "S1_conf", "ST", "ST_conf"} <= set(indices[0])
    again = client.post(url, json={"base": 16, "outcome": "holds_europe"})
    assert again.status_code == 200  # already computed: nothing started
    assert again.json()["status"] == "complete"
    # Another server process over the same store (--workers) answers with the same indices.
    other = create_app(store=store, limits=Limits(run_max_samples=5_000), warm=False)
    with TestClient(other) as elsewhere:
        shared = elsewhere.get(url, params=params)
    assert shared.status_code == 200, shared.text
    assert shared.json()["indices"] == indices

    for body, field in (
        ({"base": 24}, "base"),
        ({"base": 8}, "base"),
        ({"base": 2048}, "base"),
        ({"outcome": "nope"}, "outcome"),
        ({"outcome": "Bad Name"}, "outcome"),
        ({"base": 16, "workers": 2}, "workers"),
    ):
        _refused(client.post(url, json=body), 422, field)
    _refused(client.get(url, params={"base": "17"}), 422, "query.base")
    _refused(client.get(url, params={"base": "16", "outcome": "nope"}), 422, "query.outcome")
    _refused(client.post(f"/api/runs/{running}/sobol", json={"base": 16}), 409, "path.run_id")
    _refused(client.post(f"/api/runs/{UNKNOWN}/sobol", json={"base": 16}), 404)


def test_tradeoffs_have_the_numbers_of_the_cli(
    client: TestClient, store: Path, runs: tuple[str, str, str]
) -> None:
    a, _, running = runs
    response = client.get(f"/api/runs/{a}/tradeoffs")
    assert response.status_code == 200, response.text
    body = response.json()
    expected = _cli("explore", a, "--store", str(store), "--pareto", "--json")["tradeoffs"]
    assert {k: body[k] for k in expected} == expected
    assert body["run_id"] == a
    assert body["n_futures"] <= 1_000
    assert body["options"][0]["option"] == "status-quo"
    assert {"deterrence", "cost", "proliferation", "ukraine", "time"} <= set(body["objectives"])
    (trace,) = body["figure"]["data"]
    assert trace["type"] == "parcoords"
    assert trace["dimensions"][0]["ticktext"] == [row["option"] for row in body["options"]]
    assert body["alt"].startswith("Parallel-coordinates chart of")
    _refused(client.get(f"/api/runs/{running}/tradeoffs"), 409, "path.run_id")
    _refused(client.get(f"/api/runs/{UNKNOWN}/tradeoffs"), 404)
    _refused(client.get("/api/runs/20250101-000000-ABCD/tradeoffs"), 422, "path.run_id")


def test_the_value_of_information_runs_in_the_background(
    client: TestClient, store: Path, runs: tuple[str, str, str]
) -> None:
    a, _, running = runs
    url = f"/api/runs/{a}/voi"
    _refused(client.get(url), 404)  # not computed yet
    started = client.post(url, json={})
    assert started.status_code == 202, started.text
    progress = started.json()
    assert progress["kind"] == "voi"
    assert progress["progress_url"] == f"api/runs/{a}/voi?cost_weight=0.0"
    done = _until(
        lambda: client.get("/" + progress["progress_url"]), lambda r: r.status_code != 202
    )
    assert done.status_code == 200, done.text
    body = done.json()
    expected = _cli("explore", a, "--store", str(store), "--voi", "--json")["voi"]
    assert {k: body[k] for k in expected} == expected
    assert body["run_id"] == a
    assert body["groups"][0]["group"] == "all (EVPI)"
    assert body["groups"][0]["evppi"] == body["evpi"]

    # Kept in the store, whole: 0, 0.0 and 0e0 are the same weight and the same file.
    kept = store / "analyses" / a / "voi-0.0.json"
    assert json.loads(kept.read_text(encoding="utf-8")) == expected
    assert [p.name for p in kept.parent.iterdir() if p.name.startswith(".")] == []
    again = client.post(url, json={"cost_weight": 0})
    assert again.status_code == 200, again.text  # already computed: nothing started
    assert again.json()["status"] == "complete"
    assert client.get(url, params={"cost_weight": "0e0"}).json() == body
    # Another server process over the same store (--workers) answers with the same table,
    # and starts nothing when asked to compute it.
    other = create_app(store=store, limits=Limits(run_max_samples=5_000), warm=False)
    with TestClient(other) as elsewhere:
        shared = elsewhere.get(url, params={"cost_weight": "0"})
        asked = elsewhere.post(url, json={"cost_weight": 0.0})
        refused = elsewhere.get(url, params={"cost_weight": "0.5"})
    assert shared.status_code == 200, shared.text
    assert shared.json() == body
    assert asked.status_code == 200, asked.text
    _refused(refused, 404)  # another weight: not computed

    for payload, field in (
        ({"cost_weight": -0.1}, "cost_weight"),
        ({"cost_weight": "abc"}, "cost_weight"),
        ({"cost_weight": 0, "outcome": "holds_europe"}, "outcome"),
    ):
        _refused(client.post(url, json=payload), 422, field)
    headers = {"Content-Type": "application/json"}
    for text in ('{"cost_weight": NaN}', '{"cost_weight": Infinity}', '{"cost_weight": 1e999}'):
        _refused(client.post(url, content=text, headers=headers), 422, "cost_weight")
    for bad in ("-1", "nan", "inf", "-inf", "abc"):
        _refused(client.get(url, params={"cost_weight": bad}), 422, "query.cost_weight")
    _refused(client.post(f"/api/runs/{running}/voi", json={}), 409, "path.run_id")
    _refused(client.get(f"/api/runs/{running}/voi"), 409, "path.run_id")
    _refused(client.post(f"/api/runs/{UNKNOWN}/voi", json={}), 404)
    _refused(client.get(f"/api/runs/{UNKNOWN}/voi"), 404)
    _refused(client.post("/api/runs/not-a-run/voi", json={}), 422, "path.run_id")
    assert sorted(p.name for p in kept.parent.glob("voi-*")) == ["voi-0.0.json"]


def test_a_busy_server_refuses_more_background_work(
    app: FastAPI, client: TestClient, runs: tuple[str, str, str]
) -> None:
    a = runs[0]
    ctx: Context = app.state.umbrella
    with ctx.lock:
        ctx.runs_active += ctx.limits.run_concurrency  # every slot taken
    try:
        answers = [
            client.post(f"/api/runs/{a}/sobol", json={"base": 32, "outcome": "fails_europe"}),
            client.post(f"/api/runs/{a}/voi", json={"cost_weight": 2.5}),
            client.post(f"/api/runs/{a}/brief", json={"sobol_base": 32}),
            client.get(f"/api/runs/{a}/brief", params={"sobol_base": "32", "lang": "uk"}),
        ]
    finally:
        with ctx.lock:
            ctx.runs_active -= ctx.limits.run_concurrency
    for response in answers:
        body = _refused(response, 503)
        assert int(response.headers["Retry-After"]) >= 1
        assert "busy" in body["message"]


def test_the_brief_is_built_once_and_kept_in_the_store(
    client: TestClient, store: Path, runs: tuple[str, str, str]
) -> None:
    a, _, running = runs
    around = sorted(p.name for p in store.parent.iterdir())
    params = {"sobol_base": "16", "lang": "en"}
    url = f"/api/runs/{a}/brief"
    absent = client.get(f"{url}/progress", params=params)
    assert absent.status_code == 200
    assert absent.json()["status"] == "absent"
    first = client.get(url, params=params | {"format": "md"})  # starts the build
    assert first.status_code == 202, first.text
    progress_url = first.json()["progress_url"]
    assert progress_url == f"api/runs/{a}/brief/progress?lang=en&sobol_base=16"
    # Asked again while it builds: the same build, not a second one.
    assert client.post(url, json={"sobol_base": 16}).status_code == 202
    done = _until(
        lambda: client.get("/" + progress_url), lambda r: r.json()["status"] != "running"
    ).json()
    assert done["status"] == "complete", done
    assert set(done["files"]) == {"html", "md", "zip"}

    html = client.get("/" + done["files"]["html"])
    assert html.status_code == 200
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    policy = html.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'unsafe-inline'" in policy
    assert "http" not in policy  # no other host
    assert "<script>" in html.text
    md = client.get(url, params=params | {"format": "md"})
    assert md.status_code == 200
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.text.startswith("#")
    packed = client.get(url, params=params | {"format": "zip"})
    assert packed.status_code == 200
    assert packed.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(packed.content)).namelist()
    folder = f"brief-{a}-en/"
    assert {folder + "brief.html", folder + "brief.md"} <= set(names)
    assert any(n.startswith(folder + "charts/") and n.endswith(".png") for n in names)
    assert any(n.startswith(folder + "data/") and n.endswith(".csv") for n in names)
    assert client.post(url, json={"sobol_base": 16}).status_code == 200  # built: nothing to do

    # Written inside the store only, where the store does not mind it.
    assert sorted(p.name for p in store.parent.iterdir()) == around
    assert (store / "briefs" / a / "en-16" / "brief.html").is_file()
    assert {a, running} <= set(RunStore(store).runs()["run_id"])
    verified = CliRunner().invoke(cli, ["runs", "verify", a, "--store", str(store)])
    assert verified.exit_code == 0, verified.output

    for query, field in (
        ({"format": "pdf"}, "query.format"),
        ({"lang": "fr"}, "query.lang"),
        ({"sobol_base": "100"}, "query.sobol_base"),
        ({"sobol_base": "8"}, "query.sobol_base"),
    ):
        _refused(client.get(url, params=params | query), 422, field)
    _refused(client.post(url, json={"lang": "de"}), 422, "lang")
    _refused(client.get(f"/api/runs/{running}/brief", params=params), 409, "path.run_id")
    _refused(client.get(f"/api/runs/{UNKNOWN}/brief", params=params), 404)
    _refused(client.get("/api/runs/20250101-000000-ABCD/brief"), 422, "path.run_id")


def test_no_store_no_analysis(tmp_path: Path) -> None:
    from umbrella.web import create_app

    with TestClient(create_app(store=None)) as bare:
        _refused(bare.get(f"/api/runs/{UNKNOWN}/robustness"), 404, "store")
        _refused(bare.post(f"/api/runs/{UNKNOWN}/brief", json={}), 404, "store")


def test_the_runs_page_loads_local_files_only(client: TestClient) -> None:
    page = client.get("/runs")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert policy == client.get("/").headers["Content-Security-Policy"]
    assets = set(re.findall(r'(?:src|href)="([^"#]*)"', page.text))
    assert {"./", "static/runs.js", "static/runs.css", "docs"} <= assets
    for asset in sorted(assets - {""}):
        response = client.get("/" + asset.removeprefix("./"))
        assert response.status_code == 200, asset
        if asset.startswith("static/"):
            assert not re.search(r"https?://", response.text), asset
