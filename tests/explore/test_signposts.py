"""Signposts: known answers on hand-made events, boxes and observations, and a run's."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import umbrella
from umbrella.data import World
from umbrella.data.baserates import challenge_rates
from umbrella.data.schema import Event
from umbrella.errors import UsageError
from umbrella.explore.run import Run
from umbrella.explore.signposts import (
    NEAR_MARGIN,
    Observation,
    crisis_rate,
    evaluate,
    observe,
    pathway_signposts,
    reading_year,
    signposts,
    trigger_status,
    trust_flow,
    unobserved_reason,
)
from umbrella.model import load_scenario
from umbrella.model.scenario import Scenario

WEIGHTS = {"minor": 1.0, "moderate": 2.0, "major": 4.0}
START, END = dt.date(2024, 7, 1), dt.date(2026, 7, 1)
YEARS = (END - START).days / 365.25


def _event(day: str, slug: str, *effects: dict[str, object]) -> Event:
    return Event.model_validate(
        {
            "id": f"{day}-{slug}",
            "date": day,
            "actors": ["USA"],
            "kind": "statement",
            "summary": f"Test event {slug}.",
            "effects": list(effects),
            "coding": "test",
            "sources": ["test-source"],
        }
    )


EVENTS = [
    # Before the window: left out.
    _event("2023-01-01", "old", {"guarantor": "USA", "sign": -1, "strength": "major"}),
    # On the window's first day: left out (the window counts events after its start).
    _event("2024-07-01", "first-day", {"guarantor": "USA", "sign": -1, "strength": "major"}),
    # A general withholding: -4 in full.
    _event("2025-01-10", "withheld", {"guarantor": "USA", "sign": -1, "strength": "major"}),
    # Aid to one protege: +1 times the spillover, as the general view receives it.
    _event(
        "2025-06-01", "aid", {"guarantor": "USA", "sign": 1, "protege": "UKR", "strength": "minor"}
    ),
    # Neutral: counts nothing.
    _event("2025-07-01", "noted", {"guarantor": "USA", "sign": 0, "strength": "major"}),
    # About the United Kingdom and France, not the United States.
    _event(
        "2026-03-01",
        "europe",
        {"guarantor": "GBR", "sign": 1, "strength": "moderate"},
        {"guarantor": "FRA", "sign": -1, "strength": "minor"},
    ),
    # On the window's last day: counted.
    _event("2026-07-01", "last-day", {"guarantor": "USA", "sign": 1, "strength": "moderate"}),
]


def test_trust_flow_counts_as_the_trust_model_does() -> None:
    seen = trust_flow(EVENTS, "trust.future_evidence_usa", ["USA"], WEIGHTS, 0.5, START, END)
    assert seen.value == pytest.approx((-4.0 + 1.0 * 0.5 + 2.0) / YEARS)
    assert seen.reading == "estimate"
    assert seen.unit == "observations per year"
    assert seen.window == "2024-07-01 to 2026-07-01"
    assert seen.evidence["id"].tolist() == [
        "2025-01-10-withheld",
        "2025-06-01-aid",
        "2026-07-01-last-day",
    ]
    assert seen.evidence["amount"].tolist() == pytest.approx([-4 / YEARS, 0.5 / YEARS, 2 / YEARS])
    assert seen.evidence["title"].iloc[0] == "Test event withheld."
    assert seen.evidence["amount"].sum() == pytest.approx(seen.value)


def test_trust_flow_of_several_guarantors_is_their_mean() -> None:
    seen = trust_flow(
        EVENTS, "trust.future_evidence_europe", ["GBR", "FRA"], WEIGHTS, 0.5, START, END
    )
    # One event, +2 about GBR and -1 about FRA: (2 - 1) / 2 guarantors a window.
    assert seen.value == pytest.approx(0.5 / YEARS)
    assert seen.evidence["id"].tolist() == ["2026-03-01-europe"]
    assert "mean over the guarantors" in seen.definition


def test_trust_flow_with_no_event_is_zero_and_bad_windows_are_refused() -> None:
    quiet = trust_flow(
        EVENTS, "trust.future_evidence_usa", ["USA"], WEIGHTS, 0.5, END, dt.date(2026, 8, 1)
    )
    assert quiet.value == 0.0
    assert quiet.evidence.empty
    with pytest.raises(UsageError, match="window"):
        trust_flow(EVENTS, "x", ["USA"], WEIGHTS, 0.5, END, START)
    with pytest.raises(UsageError, match="no guarantor"):
        trust_flow(EVENTS, "x", [], WEIGHTS, 0.5, START, END)


def test_crisis_rate_is_the_base_rate_of_challenges(world: World) -> None:
    rates = challenge_rates(world, start=1992, end=2014)
    nato = crisis_rate(world, "crisis.rate_nato")
    other = crisis_rate(world, "crisis.rate_other")
    assert nato.value == pytest.approx(rates.loc["nato", "rate"])
    assert other.value == pytest.approx(rates.loc["other", "rate"])
    assert nato.reading == "lower bound"
    assert nato.window == "1992-2014"
    assert nato.evidence.empty
    with pytest.raises(UsageError, match="no crisis observable"):
        crisis_rate(world, "crisis.rate_ukraine")


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (0.06, 0.05, math.inf, ("fired", 0.0)),
        (0.05, 0.05, math.inf, ("fired", 0.0)),  # on the bound: inside the box
        (0.04, 0.05, math.inf, ("near", 0.01)),
        (0.0, 0.05, math.inf, ("near", 0.05)),  # exactly the margin: near
        (-0.01, 0.05, math.inf, ("not", 0.06)),
        (-2.0, -math.inf, 1.0, ("fired", 0.0)),
        (1.5, -math.inf, 1.0, ("near", 0.5)),
        (0.5, 1.0, 2.0, ("near", 0.5)),
        (2.2, 1.0, 2.0, ("near", 0.2)),
        (9.0, 1.0, 2.0, ("not", 7.0)),
    ],
)
def test_trigger_status(value: float, low: float, high: float, expected: tuple[str, float]) -> None:
    status, gap = trigger_status(value, low, high, 0.05 if high == math.inf else 0.5)
    assert status == expected[0]
    assert gap == pytest.approx(expected[1])


def _observation(name: str, value: float, reading: str = "estimate") -> Observation:
    evidence = pd.DataFrame(
        {
            "id": ["2025-01-01-down", "2025-02-01-up", "2025-03-01-big-down"],
            "date": [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)],
            "title": ["down", "up", "big down"],
            "amount": [-1.0, 1.5, -2.5],
        }
    )
    return Observation(
        assumption=name,
        observable=f"observable of {name}",
        unit="unit",
        definition="test",
        reading="lower bound" if reading == "lower bound" else "estimate",
        window="test",
        value=value,
        evidence=evidence if reading == "estimate" else evidence.iloc[:0],
    )


def _box(*rows: tuple[str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["uncertainty", "low", "high"])


def _events(table: pd.DataFrame, option: str, assumption: str) -> list[dict[str, Any]]:
    row = table[(table["option"] == option) & (table["assumption"] == assumption)]
    events: list[dict[str, Any]] = row["events"].iloc[0]
    return events


def test_evaluate_known_answers() -> None:
    observations = {
        "trust.future_evidence_usa": _observation("trust.future_evidence_usa", -2.0),
        "crisis.rate_nato": _observation("crisis.rate_nato", 0.037, "lower bound"),
        "crisis.rate_other": _observation("crisis.rate_other", 0.054, "lower bound"),
    }
    ranges = {
        "trust.future_evidence_usa": (-4.0, 2.0),
        "crisis.rate_nato": (0.01, 0.2),
        "crisis.rate_other": (0.01, 0.2),
        "challenger.resolve_nato": (0.05, 0.5),
    }
    boxes = {
        "a": _box(
            ("trust.future_evidence_usa", -math.inf, 1.0),
            ("crisis.rate_nato", 0.05, math.inf),
            ("challenger.resolve_nato", 0.1, math.inf),
        ),
        "b": _box(
            ("trust.future_evidence_usa", -math.inf, -3.0),
            ("crisis.rate_nato", -math.inf, 0.1),
            ("crisis.rate_other", 0.02, 0.1),
        ),
        "c": _box(("trust.future_evidence_usa", 1.5, math.inf)),
    }
    table, missing = evaluate(boxes, observations, ranges, {"a": 2026, "b": 2030, "c": 2026})
    got = [(r.option, r.assumption, r.direction, r.status) for r in table.itertuples()]
    assert got == [
        ("a", "trust.future_evidence_usa", "at most", "fired"),
        ("b", "crisis.rate_other", "at least", "fired"),
        # The margin is a quarter of the range: 0.0475 for the crisis rates, 1.5 for the flow.
        ("a", "crisis.rate_nato", "at least", "near"),
        ("b", "trust.future_evidence_usa", "at most", "near"),
        ("c", "trust.future_evidence_usa", "at least", "not"),
    ]
    by = table.set_index(["option", "assumption"])
    assert by.loc[("a", "crisis.rate_nato"), "gap"] == pytest.approx(0.013)
    assert by.loc[("a", "crisis.rate_nato"), "margin"] == pytest.approx(NEAR_MARGIN * 0.19)
    assert by.loc[("b", "trust.future_evidence_usa"), "gap"] == pytest.approx(1.0)
    assert by.loc[("c", "trust.future_evidence_usa"), "gap"] == pytest.approx(3.5)
    assert by.loc[("a", "trust.future_evidence_usa"), "trigger"] == (
        "trust.future_evidence_usa <= 1"
    )
    assert by.loc[("b", "trust.future_evidence_usa"), "read_by"] == 2030
    # A lower bound keeps only the lower face of a two-sided restriction, and says so.
    assert by.loc[("b", "crisis.rate_other"), "high"] == math.inf
    assert "upper face (0.1) dropped" in str(by.loc[("b", "crisis.rate_other"), "note"])
    # The events that push toward an "at most" trigger come first, largest first.
    events = _events(table, "a", "trust.future_evidence_usa")
    assert [e["id"] for e in events] == [
        "2025-03-01-big-down",
        "2025-01-01-down",
        "2025-02-01-up",
    ]
    assert [e["toward"] for e in events] == [True, True, False]
    up = _events(table, "c", "trust.future_evidence_usa")
    assert up[0]["id"] == "2025-02-01-up"
    assert _events(table, "a", "crisis.rate_nato") == []
    # No observable: resolve (a latent type), and an upper bound on a lower-bound observable.
    assert missing[["option", "assumption"]].values.tolist() == [
        ["a", "challenger.resolve_nato"],
        ["b", "crisis.rate_nato"],
    ]
    assert "private type" in missing["reason"].iloc[0]
    assert "lower bound" in missing["reason"].iloc[1]


def test_evaluate_notes_values_outside_the_sampled_range() -> None:
    observations = {"trust.future_evidence_usa": _observation("trust.future_evidence_usa", -5.6)}
    table, _ = evaluate(
        {"a": _box(("trust.future_evidence_usa", -math.inf, -2.0))},
        observations,
        {"trust.future_evidence_usa": (-4.0, 2.0)},
        {"a": 2026},
    )
    assert table["status"].tolist() == ["fired"]
    assert "outside the range the run sampled (-4 to 2)" in table["note"].iloc[0]


def test_evaluate_with_no_box_and_bad_margin() -> None:
    table, missing = evaluate({}, {}, {}, {})
    assert table.empty
    assert missing.empty
    with pytest.raises(UsageError, match="margin"):
        evaluate({}, {}, {}, {}, margin=2.0)


def test_unobserved_reasons() -> None:
    assert "private type" in unobserved_reason("challenger.resolve_ukraine")
    assert "polls" in unobserved_reason("trust.half_life_months")
    assert "war years" in unobserved_reason("crisis.rate_ukraine")
    assert unobserved_reason("something.new") == "no estimator on the dataset is defined for it"


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    return load_scenario(None)


def test_reading_year(flagship: Scenario) -> None:
    nothing = _box()
    assert reading_year("status-quo", nothing, flagship) == 2026
    # Start 2026, first effect after 10 years.
    assert reading_year("european-arsenal", nothing, flagship) == 2036
    # Half a year to first effect: it acts in 2026, so read in 2026.
    assert reading_year("uk-france-coordination", nothing, flagship) == 2026
    late = _box(("option.european-arsenal.start_year", 2028.5, math.inf))
    assert reading_year("european-arsenal", late, flagship) == 2029
    early = _box(("option.european-arsenal.start_year", -math.inf, 2027.5))
    assert reading_year("european-arsenal", early, flagship) == 2026  # the range's low
    assert reading_year("status-quo", nothing, flagship, first_effect=2050.0) == 2040


def test_observe_the_flagship(flagship: Scenario) -> None:
    seen = observe(flagship)
    assert sorted(seen) == [
        "crisis.rate_nato",
        "crisis.rate_other",
        "trust.future_evidence_europe",
        "trust.future_evidence_usa",
    ]
    usa = seen["trust.future_evidence_usa"]
    end = max(flagship.as_of, max(e.date for e in flagship.world.records["events"].values()))  # type: ignore[attr-defined]
    assert usa.window == f"{end.replace(year=end.year - 2)} to {end}"
    assert usa.evidence["amount"].sum() == pytest.approx(usa.value)
    registry = flagship.registry
    again = trust_flow(
        [e for e in flagship.world.records["events"].values() if isinstance(e, Event)],
        "trust.future_evidence_usa",
        ["USA"],
        {s: registry[f"trust.weight_{s}"].default for s in ("minor", "moderate", "major")},
        registry["trust.spillover"].default,
        end.replace(year=end.year - 2),
        end,
    )
    assert usa.value == again.value
    longer = observe(flagship, since=dt.date(2014, 1, 1))["trust.future_evidence_usa"]
    assert len(longer.evidence) > len(usa.evidence)


@pytest.fixture(scope="module")
def small_run() -> Run:
    return umbrella.run(samples=2000, seed=1, store=None)


def test_signposts_of_a_run(small_run: Run) -> None:
    report = signposts(small_run, options=["status-quo", "european-arsenal"])
    assert set(report.boxes) == {"status-quo", "european-arsenal"}
    assert set(report.table["option"]) <= {"status-quo", "european-arsenal"}
    # Sorted fired, near, not; every box restriction is either a signpost or unobserved.
    ranks = report.table["status"].map({"fired": 0, "near": 1, "not": 2}).tolist()
    assert ranks == sorted(ranks)
    restrictions = sum(int(str(f["restrictions"])) for f in report.boxes.values())
    assert len(report.table) + len(report.unobserved) == restrictions
    again = signposts(small_run, options=["status-quo", "european-arsenal"])
    pd.testing.assert_frame_equal(report.table, again.table)
    assert np.all(report.table["read_by"] >= 2026)


def test_signposts_refuse_bad_input(small_run: Run) -> None:
    with pytest.raises(UsageError, match="unknown option nope"):
        signposts(small_run, options=["nope"])
    with pytest.raises(UsageError, match="fail-below"):
        signposts(small_run, fail_below=1.5)


def test_the_pathways_signposts_fire_as_their_triggers_do() -> None:
    """Each pathway step's signpost is read as the model reads it (Trigger.fired): fired on
    the side of its threshold the step waits for, near or not on the other."""
    scenario = load_scenario("europe-2026-portfolios")
    steps = {
        (spec.id, part.option): part.trigger
        for spec in scenario.options
        for part in spec.components
        if part.trigger is not None
    }
    assert len(steps) == 2
    for (pathway, step), trigger in steps.items():
        width = (
            scenario.registry[trigger.assumption].high - scenario.registry[trigger.assumption].low
        )
        for shift in (-0.5, -0.01, 0.01, 0.5):
            value = trigger.threshold + shift * width
            seen = {trigger.assumption: _observation(trigger.assumption, value)}
            table, missing = pathway_signposts(scenario, seen, options=[pathway])
            assert missing.empty
            rows = table[(table["option"] == pathway) & (table["step"] == step)]
            assert len(rows) == 1
            status, read_by = str(rows["status"].iloc[0]), int(rows["read_by"].iloc[0])
            fired = bool(trigger.fired(value))
            assert (status == "fired") == fired
            assert read_by == trigger.read_by
            assert (status == "near") == (not fired and abs(shift) <= NEAR_MARGIN)


def test_today_s_evidence_has_fired_the_us_reliability_step() -> None:
    """On the shipped record, net US evidence over the two years to the data's date lies
    far below the pathway's -1 a year: the expanded umbrella's step has fired; crises
    against NATO members have not reached the rate the other pathway waits for."""
    scenario = load_scenario("europe-2026-portfolios")
    table, _ = pathway_signposts(scenario, observe(scenario))
    status = dict(zip(table["step"], table["status"], strict=True))
    assert status["expanded-umbrella"] == "fired"
    assert status["shared-responsibility"] != "fired"
    us = table[table["step"] == "expanded-umbrella"].iloc[0]
    first = us["events"][0]
    assert first["toward"]
    assert first["amount"] < 0
