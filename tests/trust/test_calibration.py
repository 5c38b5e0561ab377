"""Trust fitted to the polls: the observation model, the fit and the command."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app
from umbrella.trust import calibration as cal
from umbrella.trust.assumptions import ASSUMPTIONS

runner = CliRunner()


def test_offsets_per_item_are_removed_exactly() -> None:
    y = np.array([0.1, 0.3, 2.0, 2.5, -1.0])
    logits = np.zeros_like(y)
    items = np.array(["a", "a", "b", "b", "c"])
    residuals = cal._residuals(y, np.ones(5), logits, items)
    np.testing.assert_allclose(residuals, [-0.1, 0.1, -0.25, 0.25, 0.0], atol=1e-12)


def test_the_marginal_likelihood_peaks_where_the_model_reproduces_the_polls() -> None:
    """Polls generated exactly from the model at one set of assumptions, each item shifted by
    its own offset: those assumptions have the least residual, so the most weight."""
    world = umbrella.load_world()
    points = cal.observations(world)
    truth = {a.name: np.array([a.default]) for a in ASSUMPTIONS}
    other = {**truth, "trust.half_life_months": np.array([55.0])}
    exact = cal._model_logits(world, points, truth)[0]
    offsets = {item: 0.3 * k for k, item in enumerate(sorted(set(points["item"])))}
    sign = points["sign"].to_numpy()
    y = sign * exact + points["item"].map(offsets).to_numpy()
    items = points["item"].to_numpy()
    both = np.vstack([exact, cal._model_logits(world, points, other)[0]])
    log_weight = cal._log_marginal(y, sign, both, items)
    assert log_weight[0] > log_weight[1]
    np.testing.assert_allclose(cal._residuals(y, sign, both[:1], items), 0.0, atol=1e-9)
    # Each item's offset, estimated on the points, predicts them exactly.
    shares = cal._predict(y, sign, exact, items, np.ones(len(y), dtype=bool))
    np.testing.assert_allclose(shares, cal._expit(y), atol=1e-12)


def test_observations_keep_comparable_items_with_several_points() -> None:
    points = cal.observations(umbrella.load_world())
    assert not set(points["series"]) & set(cal.EXCLUDED)
    assert (points["item"].value_counts() >= 2).all()
    assert not points["item"].str.contains("necessary partner").any()
    assert {"USA"} <= set(points["guarantor"])
    assert all(c not in ("CAN", "USA") for cs in points["countries"] for c in cs)
    assert set(points["sign"]) == {-1.0, 1.0}


def test_the_fit_is_seeded_and_scores_the_later_points() -> None:
    world = umbrella.load_world()
    first = cal.calibrate(world, samples=64, seed=3)
    again = cal.calibrate(world, samples=64, seed=3)
    assert first.posterior.equals(again.posterior)
    assert first.fitted["points"] + first.held_out["points_loo"] >= first.held_out["points"]
    assert first.held_out["points"] >= 10
    posterior = first.posterior
    assert ((posterior["p05"] >= posterior["low"]) & (posterior["p95"] <= posterior["high"])).all()
    assert (posterior["p05"] <= posterior["median"]).all()
    ranges = first.ranges()
    assert set(ranges) == {a.name for a in ASSUMPTIONS}
    with pytest.raises(umbrella.UsageError, match="both sides"):
        cal.calibrate(world, samples=64, until=dt.date(2010, 1, 1))


def test_calibrate_trust_command(tmp_path: object) -> None:
    result = runner.invoke(app, ["calibrate", "trust", "-n", "64", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["held_out"]["points"] >= 10
    assert {r["name"] for r in payload["posterior"]} == {a.name for a in ASSUMPTIONS}
    text = runner.invoke(app, ["calibrate", "trust", "-n", "64"])
    assert "held out, hand defaults" in text.stdout
    for args in (["--until", "soon"], ["--write", "/no/such/folder/fit.yaml"], ["-n", "4"]):
        bad = runner.invoke(app, ["calibrate", "trust", *args])
        assert bad.exit_code == 2, args
        assert len(bad.stderr.strip().splitlines()) == 1, args


def test_the_shipped_fit_is_what_the_command_writes() -> None:
    from umbrella.trust.assumptions import read_calibration

    shipped = read_calibration()
    assert shipped is not None
    fresh = cal.calibrate(
        umbrella.load_world(),
        samples=shipped["samples"],
        seed=shipped["seed"],
        until=dt.date.fromisoformat(shipped["until"]),
    )
    assert fresh.record() == shipped


def test_scenarios_sample_the_fitted_ranges_unless_they_ask_for_the_hand_ones(
    tmp_path: object,
) -> None:
    from pathlib import Path

    from umbrella.model.scenario import flagship_path, load_scenario
    from umbrella.trust.assumptions import HAND, read_calibration

    fit = read_calibration()
    assert fit is not None
    registry = load_scenario().registry
    for name, values in fit["assumptions"].items():
        assert (registry[name].default, registry[name].low, registry[name].high) == (
            values["default"],
            values["low"],
            values["high"],
        )
    text = flagship_path().read_text(encoding="utf-8")
    path = Path(str(tmp_path)) / "hand.yaml"
    path.write_text(text.replace("game: extended", "game: extended\ntrust_assumptions: hand"))
    hand = load_scenario(path).registry
    for a in HAND:
        assert (hand[a.name].default, hand[a.name].low, hand[a.name].high) == (
            a.default,
            a.low,
            a.high,
        )
