"""``--format table|csv|json`` on every command that prints data: the same values each way."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.games import FAMILIES

runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, list[dict[str, str]]]:
    """A store with one run of 1,000 futures: its folder, its id and its CSV."""
    store = str(tmp_path_factory.mktemp("formats") / "runs")
    rows = _csv(_ok("run", "-n", "1000", "--store", store, "--format", "csv", "--quiet"))
    listed = json.loads(_ok("runs", "list", "--store", store, "--format", "json"))
    return store, listed[0]["run_id"], rows


def test_run_and_explore_print_the_same_robustness(
    stored: tuple[str, str, list[dict[str, str]]],
) -> None:
    store, run_id, rows = stored
    assert len(rows) == 7
    assert {"option", "mean", "p10", "p90", "max_regret", "rank_minimax_regret"} <= set(rows[0])
    explored = _csv(_ok("explore", run_id, "--store", store, "--format", "csv"))
    assert explored == rows
    payload = json.loads(_ok("explore", run_id, "--store", store, "--format", "json"))
    assert [r["option"] for r in payload["robustness"]] == [r["option"] for r in rows]
    for record, row in zip(payload["robustness"], rows, strict=True):
        assert record["mean"] == pytest.approx(float(row["mean"]), rel=1e-15)
    table = _ok("explore", run_id, "--store", store)
    for row in rows:
        line = next(line for line in table.splitlines() if line.startswith(f" {row['option']} "))
        assert f"{float(row['mean']):.3f}" in line


def test_explore_csv_of_prim_and_sobol(stored: tuple[str, str, list[dict[str, str]]]) -> None:
    store, run_id, _ = stored
    box = _csv(_ok("explore", run_id, "--store", store, "--prim", "status-quo", "--format", "csv"))
    assert box
    assert set(box[0]) == {"uncertainty", "low", "high"}
    sobol = _csv(
        _ok("explore", run_id, "--store", store, "--sobol", "--sobol-base", "16", "--format", "csv")
    )
    assert {"uncertainty", "outcome", "option", "S1", "ST"} <= set(sobol[0])
    assert len({r["option"] for r in sobol}) == 7
    both = runner.invoke(
        app,
        ["explore", run_id, "--store", store, "--prim", "status-quo", "--sobol", "--format", "csv"],
    )
    assert both.exit_code == 2
    assert len(both.stderr.strip().splitlines()) == 1


def test_runs_list_show_and_diff(stored: tuple[str, str, list[dict[str, str]]]) -> None:
    store, run_id, _ = stored
    listed = _csv(_ok("runs", "list", "--store", store, "--format", "csv"))
    assert [r["run_id"] for r in listed] == [run_id]
    assert listed[0]["status"] == "complete"
    assert run_id in _ok("runs", "list", "--store", store)
    (shown,) = _csv(_ok("runs", "show", run_id, "--store", store, "--format", "csv"))
    record = json.loads(_ok("runs", "show", run_id, "--store", store, "--json"))
    assert shown["n_samples"] == str(record["n_samples"]) == "1000"
    assert shown["options"].split(";") == record["options"]
    diff = _csv(_ok("runs", "diff", run_id, run_id, "--store", store, "--format", "csv"))
    assert diff
    assert all(float(r["difference"]) == 0 for r in diff)


def test_assess_csv_is_the_headline_of_the_json() -> None:
    rows = _csv(_ok("assess", "-n", "200", "--format", "csv"))
    payload = json.loads(_ok("assess", "-n", "200", "--format", "json"))
    assert [r["option"] for r in rows] == [o["option"] for o in payload["options"]]
    for row, option in zip(rows, payload["options"], strict=True):
        assert float(row["holds_europe"]) == pytest.approx(option["holds_europe"], rel=1e-15)
    refused = runner.invoke(app, ["assess", "-n", "200", "--stress-tests", "--format", "csv"])
    assert refused.exit_code == 2


def test_trust_csv_and_json_agree() -> None:
    args = ["trust", "-g", "USA", "--from", "2025-01", "--to", "2025-03"]
    rows = _csv(_ok(*args, "--format", "csv"))
    records = json.loads(_ok(*args, "--format", "json"))
    assert [(r["view"], r["month"]) for r in rows] == [(r["view"], r["month"]) for r in records]
    assert [float(r["mean"]) for r in rows] == pytest.approx([r["mean"] for r in records])
    refused = runner.invoke(app, [*args, "--format", "csv", "--plot", "x.png"])
    assert refused.exit_code == 2
    assert "give --format csv or --plot, not both" in refused.stderr


def test_game_list_formats() -> None:
    records = json.loads(_ok("game", "list", "--format", "json"))
    rows = _csv(_ok("game", "list", "--format", "csv"))
    assert [r["family"] for r in rows] == [r["family"] for r in records]
    assert rows[0]["classes"].split(";") == records[0]["classes"]
    family = FAMILIES["rudimentary"]
    sets = [f"--set={k}={v}" for k, v in family.examples[0].parameters.items()]
    solved = json.loads(_ok("game", "solve", "rudimentary", *sets, "--format", "json"))
    assert solved == json.loads(_ok("game", "solve", "rudimentary", *sets, "--json"))
    refused = runner.invoke(app, ["game", "solve", "rudimentary", *sets, "--format", "csv"])
    assert refused.exit_code == 2


def test_backtest_csv_is_the_scores_of_the_json() -> None:
    rows = _csv(_ok("backtest", "-n", "16", "--format", "csv"))
    payload = json.loads(_ok("backtest", "-n", "16", "--format", "json"))
    assert len(rows) == len(payload["scores"])
    for row, score in zip(rows, payload["scores"], strict=True):
        assert (row["date"], row["predictor"]) == (str(score["date"]), score["predictor"])
        assert float(row["brier"]) == pytest.approx(score["brier"], rel=1e-15)


def test_calibrate_csv_is_the_posterior() -> None:
    rows = _csv(_ok("calibrate", "trust", "-n", "64", "--format", "csv"))
    assert rows[0]["name"].startswith("trust.")
    assert {"default", "low", "high", "median", "p05", "p95"} <= set(rows[0])
