"""``umbrella signposts``: triggers read from a stored flagship run against the evidence."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app
from umbrella.explore.run import Run
from umbrella.explore.signposts import signposts
from umbrella.model import load_scenario
from umbrella.store import RunStore

runner = CliRunner()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    """A small flagship run in a store of its own."""
    store = tmp_path_factory.mktemp("runs")
    run = umbrella.explore.run.run(load_scenario(None), 2000, 1, store=RunStore(store))
    return run, store


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["signposts", *args], env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


def test_prints_fired_and_near_triggers_first(stored: tuple[Run, Path]) -> None:
    run, store = stored
    assert run.run_id is not None
    code, out, err = _invoke(run.run_id, "--store", str(store))
    assert code == 0, err
    report = signposts(run)
    urgent = report.table[report.table["status"].isin(["fired", "near"])]
    # The flagship fails where Russia has many crisis opportunities against NATO members:
    # a trigger the crises table observes (a lower bound, near but not fired).
    assert not urgent.empty
    assert "crisis.rate_nato" in set(urgent["assumption"])
    status_lines = [
        line.split()[0]
        for line in out.splitlines()
        if line.strip().startswith(("fired ", "near ", "not "))
    ]
    assert status_lines[: len(urgent)] == urgent["status"].tolist()
    assert "challenges per state-year" in out
    assert "Box restrictions without an observable" in out
    assert "challenger.resolve_nato" in out


def test_default_run_is_the_newest_complete_flagship_run(stored: tuple[Run, Path]) -> None:
    run, store = stored
    code, out, err = _invoke("--store", str(store), "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["run_id"] == run.run_id
    assert payload["fail_below"] == 0.8
    for row in payload["signposts"]:
        assert row["status"] in ("fired", "near", "not")
        assert row["read_by"] >= 2026
    assert "crisis.rate_nato" in payload["observables"]


def test_csv_has_one_row_per_signpost(stored: tuple[Run, Path]) -> None:
    run, store = stored
    assert run.run_id is not None
    code, out, err = _invoke(run.run_id, "--store", str(store), "--format", "csv")
    assert code == 0, err
    header, *rows = out.strip().splitlines()
    assert header.startswith("option,assumption,direction,low,high,trigger")
    assert len(rows) == len(signposts(run).table)


def _trust_trigger(run: Run) -> tuple[float, dict[str, Any]]:
    """A trigger on a trust flow that the shipped evidence has not fired, from the box of
    some option at some threshold: the flagship's default boxes restrict only crisis rates
    and resolve, so the test looks for the threshold at which a trust flow enters a box."""
    for fail_below in (0.8, 0.7, 0.65, 0.6, 0.55, 0.5):
        table = signposts(run, fail_below=fail_below).table
        trust = table[
            table["assumption"].str.startswith("trust.future_evidence_")
            & (table["status"] != "fired")
            & (table["direction"] != "between")
        ]
        if not trust.empty:
            return fail_below, {str(k): v for k, v in trust.iloc[0].to_dict().items()}
    pytest.fail("no box of the small flagship run restricts a trust flow")


def _events_yaml(guarantors: list[str], sign: int, count: int, end: dt.date) -> str:
    """``count`` major events about every one of ``guarantors``, in the window before
    ``end``, in the dataset's format (docs/data.md)."""
    records = []
    for k in range(count):
        day = end - dt.timedelta(days=30 + k)
        effects = "\n".join(
            f"    - {{guarantor: {g}, sign: {sign}, strength: major}}" for g in guarantors
        )
        records.append(
            f"""- id: {day.isoformat()}-test-signpost-{k}
  date: {day.isoformat()}
  actors: [{", ".join(guarantors)}]
  kind: {"withholding" if sign < 0 else "reassurance"}
  summary: "A test event that moves the evidence about {" and ".join(guarantors)}."
  effects:
{effects}
  coding: "test: a major act about every guarantor the flow carries."
  sources: [test-source]
"""
        )
    return "\n".join(records)


def test_an_event_in_an_overlay_fires_a_trust_trigger(
    stored: tuple[Run, Path], overlay: Path
) -> None:
    run, store = stored
    assert run.run_id is not None
    fail_below, trigger = _trust_trigger(run)
    name, option = str(trigger["assumption"]), str(trigger["option"])
    scenario = run.scenario
    guarantors = [g for g in scenario.guarantors if scenario.future_evidence.get(g) == name]
    start, _, end_text = str(trigger["window"]).partition(" to ")
    end = dt.date.fromisoformat(end_text)
    years = (end - dt.date.fromisoformat(start)).days / 365.25
    # Each event moves the mean over the guarantors by one major weight over the window.
    step = scenario.registry["trust.weight_major"].default / years
    gap = float(trigger["value"]) - float(trigger["high"])  # > 0 for "at most"
    sign = -1 if trigger["direction"] == "at most" else 1
    if sign > 0:
        gap = float(trigger["low"]) - float(trigger["value"])
    count = math.floor(gap / step) + 1
    (overlay / "events.yaml").write_text(
        _events_yaml(guarantors, sign, count, end), encoding="utf-8"
    )
    args = [run.run_id, "--store", str(store), "--option", option, "--fail-below", str(fail_below)]

    code, out, err = _invoke(*args, "--format", "json")
    assert code == 0, err
    before = [
        r for r in json.loads(out)["signposts"] if r["assumption"] == name and r["option"] == option
    ]
    assert before[0]["status"] == trigger["status"] != "fired"

    code, out, err = _invoke(*args, "--data", str(overlay), "--format", "json")
    assert code == 0, err
    after = [
        r for r in json.loads(out)["signposts"] if r["assumption"] == name and r["option"] == option
    ]
    assert after[0]["status"] == "fired"
    ids = [e["id"] for e in after[0]["events"] if e["toward"]]
    assert {
        f"{(end - dt.timedelta(days=30 + k)).isoformat()}-test-signpost-{k}" for k in range(count)
    } <= set(ids)

    code, out, err = _invoke(*args, "--data", str(overlay))
    assert code == 0, err
    assert "fired" in out
    assert "test-signpost-0" in out


def _crises_yaml(count: int) -> str:
    """``count`` Russian challenges to Estonia (a NATO member since 2004) in 2005-2014, in
    the dataset's format."""
    return "\n".join(
        f"""- id: test-mid-{k}-rus-est
  dataset: MID
  version: MID 5.0 (test rows)
  year: {2005 + k % 10}
  challenger: RUS
  target: EST
  challenge: true
  level: MID hostlev RUS=3, opp=1, dispute=3
  start: {2005 + k % 10}-06-01
  hostility: 3
  description: 'Test dispute {k}; Russia on side A; sides 1v1'
  excerpt: 'test'
  sources: [test-source]
"""
        for k in range(count)
    )


def test_a_crisis_in_an_overlay_fires_the_flagship_trigger(
    stored: tuple[Run, Path], overlay: Path
) -> None:
    """The flagship's own box at the default threshold: crisis opportunities against NATO
    members at least some rate; more recorded challenges raise the lower bound past it."""
    run, store = stored
    assert run.run_id is not None
    table = signposts(run, options=["status-quo"]).table
    row = table[table["assumption"] == "crisis.rate_nato"].iloc[0]
    assert row["status"] != "fired"
    counted = row["definition"].split(": ")[1].split()
    challenges, state_years = int(counted[0]), int(counted[3])
    count = math.ceil(row["low"] * state_years) - challenges + 1
    (overlay / "crises.yaml").write_text(_crises_yaml(count), encoding="utf-8")
    code, out, err = _invoke(
        run.run_id, "--store", str(store), "--option", "status-quo", "--data", str(overlay),
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = [r for r in json.loads(out)["signposts"] if r["assumption"] == "crisis.rate_nato"]
    assert rows[0]["status"] == "fired"
    assert rows[0]["value"] == pytest.approx((challenges + count) / state_years)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["20990101-000000-dead"], "20990101-000000-dead"),
        (["RUN", "--option", "nope"], "unknown option nope"),
        (["RUN", "--fail-below", "1.5"], "--fail-below 1.5"),
        (["RUN", "--since", "yesterday"], "--since 'yesterday'"),
        (["RUN", "--format", "csv", "--json"], "not both"),
        (["RUN", "--data", "BAD"], "events.yaml"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    stored: tuple[Run, Path], tmp_path: Path, args: list[str], message: str
) -> None:
    run, store = stored
    assert run.run_id is not None
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "events.yaml").write_text("- id: 2025-01-01-broken\n  date: soon\n", encoding="utf-8")
    filled = [run.run_id if a == "RUN" else str(bad) if a == "BAD" else a for a in args]
    code, out, err = _invoke(*filled, "--store", str(store))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert message in lines[0]


def test_no_run_in_the_store_says_how_to_make_one(tmp_path: Path) -> None:
    empty = tmp_path / "runs"
    RunStore(empty).runs()
    empty.mkdir(exist_ok=True)
    code, out, err = _invoke("--store", str(empty))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "make one with `umbrella run`" in err
    code, _, err = _invoke("--store", str(tmp_path / "missing"))
    assert code == 2
    assert "umbrella run" in err
