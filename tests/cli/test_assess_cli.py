"""``umbrella assess``: the headline with its shares, the same numbers as run and brief."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app
from umbrella.explore.headline import HEADLINE
from umbrella.model import load_scenario

runner = CliRunner()
N, SEED = 1000, 7


@pytest.fixture(scope="module")
def assessed() -> dict[str, object]:
    result = runner.invoke(app, ["assess", "--json", "-n", str(N), "--seed", str(SEED)])
    assert result.exit_code == 0, result.output
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


def test_json_has_headline_and_shares_with_percentiles(assessed: dict[str, object]) -> None:
    assert assessed["samples"] == N
    assert assessed["seed"] == SEED
    assert (assessed["first_year"], assessed["last_year"]) == (2026, 2040)
    options = assessed["options"]
    assert isinstance(options, list)
    assert [o["option"] for o in options][:2] == ["status-quo", "uk-france-coordination"]
    for row in options:
        for name in (
            "holds_europe",
            "holds_europe_first",
            "no_challenge_europe",
            "no_challenge_europe_first",
            "rebuffed_europe",
            "rebuffed_europe_first",
            "fails_europe",
            "fails_europe_first",
        ):
            low, mean, high = row[f"{name}_p10"], row[name], row[f"{name}_p90"]
            assert 0.0 <= low <= mean <= high <= 1.0, (row["option"], name)
        shares = row["no_challenge_europe"] + row["rebuffed_europe"] + row["fails_europe"]
        assert shares == pytest.approx(1.0, abs=1e-9)
    definitions = assessed["definitions"]
    assert isinstance(definitions, dict)
    assert "crisis opportunity" in definitions
    assert "2026 through 2040" in definitions["holds_europe"]


def test_assess_run_and_brief_print_the_same_headline(
    assessed: dict[str, object], tmp_path: Path
) -> None:
    """The same scenario, futures and seed: every figure of the headline table agrees."""
    from umbrella.report import write_brief

    options = assessed["options"]
    assert isinstance(options, list)
    from_assess = pd.DataFrame(options).set_index("option")
    api = umbrella.assess(samples=N, seed=SEED).headline()
    ran = runner.invoke(
        app,
        ["run", "-n", str(N), "--seed", str(SEED), "--store", str(tmp_path / "runs"), "--json"],
    )
    assert ran.exit_code == 0, ran.output
    from_run = pd.DataFrame(json.loads(ran.stdout)["headline"]["options"]).set_index("option")
    brief = write_brief(samples=N, seed=SEED, out=tmp_path / "brief", store=None, sobol_base=64)
    from_brief = pd.read_csv(brief.folder / "data" / "headline.csv").set_index("option")
    columns = [
        c for c in from_run.columns if c.split("_p")[0] in (*HEADLINE, "change_vs_status_quo")
    ]
    assert len(columns) >= 3 * len(HEADLINE)
    for name, table in (("api", api), ("run", from_run), ("brief", from_brief)):
        np.testing.assert_allclose(
            table.loc[from_assess.index, columns].to_numpy(dtype=float),
            from_assess[columns].to_numpy(dtype=float),
            rtol=0,
            atol=1e-12,
            err_msg=name,
        )
    # The brief's own text quotes the same Europe-wide figure, as a percentage.
    markdown = (brief.folder / "brief.md").read_text(encoding="utf-8")
    status_quo = from_assess.loc["status-quo"]
    assert f"{100 * status_quo['holds_europe']:.0f}%" in markdown


def test_out_writes_the_central_future_per_protege(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "-n", "200", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "holds" in result.stdout
    assert "crisis opportunity" in result.stdout
    with xr.open_dataset(tmp_path / "out" / "assessment.nc", engine="scipy") as stored:
        assert stored["fails"].dims == ("option", "protege", "year")
        assert "margin_hard" in stored
    assert (tmp_path / "out" / "headline.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "missing.yaml"),
        (["-n", "10"], "--samples 10"),
        (["--stress", "moon-landing:2030"], "--stress moon-landing: unknown stress"),
        (["--stress", "us-exit"], "write ID:YEAR"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["assess", *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]


def test_assumptions_cli_lists_the_registry() -> None:
    result = runner.invoke(app, ["assumptions", "--json"])
    assert result.exit_code == 0
    names = {a["name"] for a in json.loads(result.stdout)}
    assert {"crisis.rate_nato", "game.challenger_cost", "trust.half_life_months"} <= names


def test_every_assumption_is_documented_with_its_range() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "model.md").read_text(encoding="utf-8")
    for a in load_scenario().registry.values():
        if a.name.startswith(("option.", "stress.")):
            continue
        assert f"| `{a.name}` | {a.meaning} | {a.default:g} | {a.low:g}-{a.high:g} |" in docs, (
            a.name
        )


def test_an_aimed_option_runs_through_assess_run_and_brief(tmp_path: Path) -> None:
    from umbrella.report import write_brief

    scenario = str(Path(__file__).parents[2] / "scenarios" / "french-umbrella-frontline.yaml")
    assessed = runner.invoke(app, ["assess", scenario, "-n", "200", "--json"])
    assert assessed.exit_code == 0, assessed.output
    rows = {r["option"]: r for r in json.loads(assessed.stdout)["options"]}
    assert rows["french-umbrella-frontline"]["change_vs_status_quo"] > 0
    ran = runner.invoke(
        app, ["run", scenario, "-n", "1000", "--store", str(tmp_path / "runs"), "--quiet"]
    )
    assert ran.exit_code == 0, ran.output
    brief = write_brief(scenario, samples=1000, out=tmp_path / "brief", store=None, sobol_base=64)
    headline = pd.read_csv(brief.folder / "data" / "headline.csv")
    assert "french-umbrella-frontline" in set(headline["option"])


def test_stress_on_the_command_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "-n", "200", "--stress", "us-exit:2030", "--json"])
    assert result.exit_code == 0, result.output
    plain = runner.invoke(app, ["assess", "-n", "200", "--json"])
    stressed = {r["option"]: r for r in json.loads(result.stdout)["options"]}
    base = {r["option"]: r for r in json.loads(plain.stdout)["options"]}
    assert stressed["status-quo"]["holds_europe"] < base["status-quo"]["holds_europe"]
    ran = runner.invoke(
        app,
        ["run", "-n", "1000", "--stress", "us-exit:2030", "--store", str(tmp_path), "--quiet"],
    )
    assert ran.exit_code == 0, ran.output


def test_stress_tests_agree_with_assess_under_each_stress(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", "-n", "300", "--stress-tests", "--json", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert "stress_tests.csv" in result.stderr
    rows = {(r["stress"], r["option"]): r for r in payload["stress_tests"]}
    flagship = load_scenario()
    assert list(dict.fromkeys(stress for stress, _ in rows)) == [
        "none",
        *(s.id for s in flagship.stresses),
    ]
    # As assumed: the headline itself; under a stress: assess with --stress at its test year.
    for row in payload["options"]:
        assert rows["none", row["option"]]["holds_europe"] == row["holds_europe"]
    year = next(s.test_year for s in flagship.stresses if s.id == "us-exit")
    alone = runner.invoke(app, ["assess", "-n", "300", "--stress", f"us-exit:{year}", "--json"])
    for row in json.loads(alone.stdout)["options"]:
        got = rows["us-exit", row["option"]]
        assert got["holds_europe"] == pytest.approx(row["holds_europe"], abs=1e-12)
        assert got["holds_in_frontline"] == pytest.approx(row["holds_in_frontline"], abs=1e-12)
    quo_exit, quo = rows["us-exit", "status-quo"], rows["none", "status-quo"]
    assert quo_exit["holds_europe"] < quo["holds_europe"]
    assert quo_exit["label"] == "US exit"
    assert (tmp_path / "stress_tests.csv").exists()
    text = runner.invoke(app, ["assess", "-n", "200", "--stress-tests"])
    assert text.exit_code == 0, text.output
    assert "Stress tests" in text.stdout
    assert "US exit" in text.stdout


def test_json_reports_every_exposure_group_under_each_weighting(
    assessed: dict[str, object],
) -> None:
    options = assessed["options"]
    assert isinstance(options, list)
    row = options[0]
    definitions = assessed["definitions"]
    assert isinstance(definitions, dict)
    for group in (
        "europe_equal",
        "europe_exposure",
        "frontline",
        "frontline_equal",
        "non_aligned",
        "ukraine",
    ):
        for name in ("holds", "no_challenge", "rebuffed", "fails"):
            key = f"{name}_in_{group}"
            assert 0.0 <= row[f"{key}_p10"] <= row[key] <= row[f"{key}_p90"] <= 1.0, key
            assert key in definitions
