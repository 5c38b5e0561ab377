"""``GET /api/runs/{id}/pathways``: the payload of ``umbrella explore ID --pathways --json``,
empty steps for a scenario without pathways, every refusal a 4xx; and the runs page's
Pathways section, filled from it in Chromium and hidden where there are none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.web.browser import Watch, assert_accessible, browser, get_json, new_page, serve
from umbrella.cli.app import app as cli
from umbrella.explore.pathways import FIELDS
from umbrella.explore.run import run
from umbrella.model import load_scenario
from umbrella.store import RunStore

UNKNOWN = "20000101-000000-abcd"


def _runs(store: Path) -> tuple[str, str]:
    """A complete run of the scenario with pathways (400 futures) and one of the flagship
    (200), stored in ``store``."""
    staged = run(load_scenario("europe-2026-portfolios"), 400, 21, store=RunStore(store)).run_id
    flagship = run(load_scenario(None), 200, 21, store=RunStore(store)).run_id
    assert staged is not None
    assert flagship is not None
    return staged, flagship


@pytest.fixture(scope="module")
def runs(store: Path) -> tuple[str, str]:
    return _runs(store)


def _cli(*args: str) -> Any:
    done = CliRunner().invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def _refused(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"file", "line", "field", "message"}
    assert "\n" not in body["message"]
    if field is not None:
        assert body["field"] == field


def test_the_api_gives_the_cli_s_payload(
    client: TestClient, store: Path, runs: tuple[str, str]
) -> None:
    staged, _ = runs
    response = client.get(f"/api/runs/{staged}/pathways")
    assert response.status_code == 200, response.text
    body = response.json()
    expected = _cli("explore", staged, "--store", str(store), "--pathways", "--json")["pathways"]
    assert body.pop("run_id") == staged
    assert body == expected
    assert body["n_futures"] == 400
    assert list(body["columns"]) == list(FIELDS)
    assert {s["pathway"] for s in body["steps"]} == {
        "coordination-umbrella-if-us-falls",
        "coordination-sharing-if-crises",
    }
    for step in body["steps"]:
        assert 0.0 <= step["fired"] <= 1.0
        assert 0.0 <= step["mean_regret"] <= step["max_regret"]


def test_a_scenario_without_pathways_has_no_steps(
    client: TestClient, store: Path, runs: tuple[str, str]
) -> None:
    _, flagship = runs
    response = client.get(f"/api/runs/{flagship}/pathways")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["steps"] == []
    assert body["best_single"] is None
    assert body["best_single_regret"] is None
    expected = _cli("explore", flagship, "--store", str(store), "--pathways", "--json")
    assert {k: v for k, v in body.items() if k != "run_id"} == expected["pathways"]


def test_refusals(client: TestClient, store: Path) -> None:
    _refused(client.get(f"/api/runs/{UNKNOWN}/pathways"), 404)
    _refused(client.get("/api/runs/20250101-000000-ABCD/pathways"), 422, "path.run_id")
    running = RunStore(store).create_run(
        scenario_name="europe-2026-portfolios",
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
    _refused(client.get(f"/api/runs/{running}/pathways"), 409, "path.run_id")


def test_the_runs_page_shows_pathways_only_where_there_are(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("pathways-page") / "runs"
    staged, flagship = _runs(folder)
    watch = Watch()
    with browser() as chromium, serve(folder) as served:
        page = new_page(chromium, served.url + "runs", watch, 360)
        page.locator(f'button.run-open[data-run="{flagship}"]').wait_for(timeout=60_000)

        # The flagship: trade-offs, but no Pathways section.
        page.locator(f'button.run-open[data-run="{flagship}"]').click()
        page.locator('#tradeoffs td[data-field="share_efficient"]').first.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle")
        assert page.locator("#pathways-section").is_hidden()

        # The scenario with pathways: each step and pathway with the API's numbers.
        page.locator(f'button.run-open[data-run="{staged}"]').click()
        page.locator("#pathways-section").wait_for(state="visible", timeout=60_000)
        body = get_json(served.url + f"api/runs/{staged}/pathways")
        steps = page.locator("#pathway-steps tbody tr")
        assert steps.count() == len(body["steps"])
        for step in body["steps"]:
            fired = page.locator(
                f'#pathway-steps td[data-pathway="{step["pathway"]}"]'
                f'[data-step="{step["step"]}"][data-field="fired"]'
            )
            assert float(fired.get_attribute("data-value") or "nan") == step["fired"]
            regret = page.locator(
                f'#pathways td[data-pathway="{step["pathway"]}"][data-field="mean_regret"]'
            )
            assert float(regret.get_attribute("data-value") or "nan") == step["mean_regret"]
        pathways = {step["pathway"] for step in body["steps"]}
        assert page.locator("#pathways tbody tr").count() == len(pathways)
        assert_accessible(page, 360)
        page.close()
    watch.assert_clean()
