"""Backtests: hindsight-free inputs, the scores' known answers, and the shipped figures."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app
from umbrella.data.schema import Commitment, Crisis, Event, Record
from umbrella.data.world import World
from umbrella.errors import UsageError
from umbrella.explore import backtest as bt

runner = CliRunner()
SHIPPED = Path(__file__).parent / "data" / "backtest-scores.csv"


@pytest.fixture(scope="module")
def flagship() -> umbrella.Scenario:
    return umbrella.load_scenario()


@pytest.fixture(scope="module")
def result(flagship: umbrella.Scenario) -> bt.Backtest:
    return bt.backtest(flagship)


def test_the_scores_match_the_figures_in_the_docs(result: bt.Backtest) -> None:
    # The regression test of docs/backtest.md: the default backtest (1,000 futures, seed
    # 2026) to within a tolerance that lets the last digits move but not a finding.
    expected = pd.read_csv(SHIPPED, dtype={"date": str})
    got = result.scores.drop(columns=["states"])
    assert list(got[["date", "target", "predictor"]].itertuples(index=False)) == list(
        expected[["date", "target", "predictor"]].itertuples(index=False)
    )
    assert (got["events"].to_numpy() == expected["events"].to_numpy()).all()
    for column, tolerance in (("brier", 5e-4), ("log_score", 5e-3), ("auc", 0.02)):
        np.testing.assert_allclose(
            got[column].to_numpy(), expected[column].to_numpy(), atol=tolerance, err_msg=column
        )


def test_what_happened_is_the_cases_the_field_knows(result: bt.Backtest) -> None:
    frame = result.predictions
    challenged = frame.query("outcome_challenge == 1")
    assert sorted(zip(challenged["date"], challenged["state"], strict=True)) == [
        ("2008-07-01", "GEO"),
        ("2014-02-01", "LTU"),  # MID 4634: a fishing vessel seized, 18 September 2014
        ("2014-02-01", "UKR"),
        ("2022-01-15", "UKR"),
    ]
    # Nothing happened to the Baltic states (save that seizure), Poland or Finland.
    quiet = frame[frame["state"].isin(["EST", "LVA", "POL", "FIN", "SWE"])]
    assert not quiet["outcome_challenge"].any()


def test_the_model_tells_georgia_from_finland(result: bt.Backtest) -> None:
    at = result.predictions.query("date == '2008-07-01'").set_index("state")
    chance = {str(k): float(v) for k, v in at["model_challenge"].items()}
    assert chance["GEO"] > 5 * chance["FIN"]
    assert chance["MDA"] > chance["SWE"]
    assert chance["UKR"] < 0.5  # not the certainty of hindsight
    # Same record, different guarantees: NATO members fare better than the non-aligned.
    episodes = {str(k): int(v) for k, v in at["episodes"].items()}
    assert episodes["FIN"] == episodes["LTU"] == 1
    assert chance["FIN"] > chance["LTU"]


def _with(world: World, table: str, record: Record, key: str) -> World:
    return World(records={**world.records, table: {**world.records[table], key: record}})


def test_nothing_after_a_date_reaches_its_prediction(flagship: umbrella.Scenario) -> None:
    day = dt.date(2008, 7, 1)
    before = bt.backtest(flagship, [day], samples=64).predictions
    world = flagship.world
    event = Event(
        id="2008-09-01-a-later-us-act",
        date=dt.date(2008, 9, 1),
        actors=["USA"],
        kind="statement",
        summary="A fictitious later act.",
        effects=[{"guarantor": "USA", "sign": -1, "strength": "major"}],
        coding="Test only.",
        sources=["sipri-yearbook-2025-livemint"],
    )
    commitment = next(c for c in world.records["commitments"].values() if isinstance(c, Commitment))
    later = commitment.model_copy(
        update={"id": "a-later-commitment", "start": dt.date(2008, 12, 1)}
    )
    crisis = next(
        c for c in world.records["crises"].values() if isinstance(c, Crisis) and c.challenge
    )
    late_crisis = crisis.model_copy(
        update={"id": "a-later-crisis", "year": 2008, "start": "2008-10-01", "target": "FIN"}
    )
    changed = _with(world, "events", event, event.id)
    changed = _with(changed, "commitments", later, later.id)
    changed = _with(changed, "crises", late_crisis, late_crisis.id)
    after = bt.backtest(replace(flagship, world=changed), [day], samples=64).predictions
    inputs = ["episodes", "force", "rate", "resolve", "model_challenge", "model_failure"]
    pd.testing.assert_frame_equal(before[inputs], after[inputs])
    # ... while the later crisis is what happened to Finland.
    assert after.set_index("state").loc["FIN", "outcome_challenge"] == 1


@given(
    p=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12),
    seed=st.integers(0, 2**16),
)
def test_scores_behave(p: list[float], seed: int) -> None:
    probabilities = np.asarray(p)
    outcome = np.random.default_rng(seed).integers(0, 2, len(p)).astype(np.float64)
    assert 0.0 <= bt.brier(probabilities, outcome) <= 1.0
    assert bt.log_score(probabilities, outcome) <= 0.0
    perfect = bt.brier(outcome, outcome)
    assert perfect == 0.0
    area = bt.auc(probabilities, outcome)
    if 0 < outcome.sum() < len(outcome):
        assert 0.0 <= area <= 1.0
        assert bt.auc(-probabilities, outcome) == pytest.approx(1.0 - area)
    else:
        assert np.isnan(area)


def test_the_record_is_counted_state_year_by_state_year(flagship: umbrella.Scenario) -> None:
    record = bt.record(flagship.world, ["GEO", "FIN", "UKR"], dt.date(2008, 7, 1))
    by = record.set_index("state")
    # Georgia before July 2008 (MID 5.0 and ICB v14): 1992, 1997, 1999, 2001, 2002, 2003,
    # 2005 and 2007, of which 1992, 1997, 2001, 2002 and 2007 reached the use of force.
    assert by.loc["GEO", "episodes"] == 8
    assert by.loc["GEO", "force"] == 5
    assert by.loc["FIN", "episodes"] == 1
    assert by.loc["FIN", "force"] == 0
    assert by.loc["GEO", "years"] == pytest.approx(
        (dt.date(2008, 7, 1) - bt.RECORD_START).days / 365.25
    )


def test_bad_requests_are_one_line(flagship: umbrella.Scenario) -> None:
    with pytest.raises(UsageError, match="full year"):
        bt.backtest(flagship, [dt.date.today()])
    with pytest.raises(UsageError, match="record starts"):
        bt.backtest(flagship, [dt.date(1991, 1, 1)])
    with pytest.raises(UsageError, match="samples"):
        bt.backtest(flagship, samples=0)
    for args in (
        ["--date", "2008-13-01"],
        ["--date", "2025-11-30"],
        ["-n", "0"],
        ["--out", "/no/such/x.csv"],
    ):
        bad = runner.invoke(app, ["backtest", *args])
        assert bad.exit_code == 2, args
        assert len(bad.stderr.strip().splitlines()) == 1, (args, bad.stderr)


def test_backtest_command(tmp_path: Path) -> None:
    out = tmp_path / "predictions.csv"
    result = runner.invoke(app, ["backtest", "-n", "64", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Brier" in result.stdout
    assert "AUC" in result.stdout
    assert "GEO" in result.stdout
    assert len(pd.read_csv(out)) == 3 * 38
    payload = json.loads(runner.invoke(app, ["backtest", "-n", "64", "--json"]).stdout)
    assert {r["predictor"] for r in payload["scores"]} == set(bt.PREDICTORS)
    assert len(payload["predictions"]) == 3 * 38


def test_every_year_is_one_option() -> None:
    result = runner.invoke(app, ["backtest", "-n", "16", "--years", "2009-2012", "--json"])
    assert result.exit_code == 0, result.output
    dates = {r["date"] for r in json.loads(result.stdout)["predictions"]}
    assert dates == {f"{y}-01-01" for y in range(2009, 2013)}
    text = runner.invoke(app, ["backtest", "-n", "16", "--years", "2000-2012"])
    assert "13 dates" in text.stdout
    bad = runner.invoke(app, ["backtest", "--years", "2012-2009"])
    assert bad.exit_code == 2
