"""``POST /api/figures``: the brief's charts for a what-if, drawn by the brief's own code.

The numbers behind each chart are those of the brief's helpers
(:mod:`umbrella.report.findings`) on the same assessment, and they move with the what-if.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from umbrella.explore.assessment import assess
from umbrella.report.findings import WHAT_IF_FUTURES, _value_for_money, what_if_findings
from umbrella.web import engine
from umbrella.web.figures import CHARTS

BODY: dict[str, Any] = {"scenario": "europe-2026", "samples": 500, "seed": 2026}


def _figures(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/figures", json={**BODY, **changes})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def figures(client: TestClient) -> dict[str, Any]:
    return _figures(client)


def test_every_chart_has_a_title_a_description_and_a_figure(figures: dict[str, Any]) -> None:
    assert list(figures) == list(CHARTS)
    for chart_id, chart in figures.items():
        assert chart["title"], chart_id
        assert len(chart["alt"]) > len(chart["title"]), chart_id
        assert chart["figure"]["data"], chart_id
        assert "layout" in chart["figure"], chart_id
        # The page shows the title as a heading: the figure carries none (web_figure).
        assert not chart["figure"]["layout"].get("title", {}).get("text"), chart_id
        assert chart["config"]["displaylogo"] is False
        assert chart["data"], chart_id
    assert figures["map"]["selector"]["choices"]  # the option shown on the map
    assert figures["trust"]["selector"] is None


def test_the_value_chart_is_the_briefs_value_for_money(figures: dict[str, Any]) -> None:
    assessment = assess(engine.what_if("europe-2026", {}, {}), samples=500, seed=2026)
    found = what_if_findings(assessment)
    outcomes = assessment.ensemble.outcomes
    assert outcomes is not None
    ids = [o.id for o in assessment.scenario.options]
    expected = _value_for_money(outcomes, ids, found.options).set_index("name")
    rows = {row["option"]: row for row in figures["value-per-eur"]["data"]}
    assert set(rows) == set(expected.index)
    for name, row in rows.items():
        assert row["points_per_eur_bn"] == expected.loc[name, "points_per_eur_bn"]
        assert row["change_points"] == expected.loc[name, "change_points"]
        assert row["cost_eur_bn"] == expected.loc[name, "cost_eur_bn"]
        assert row["low"] == expected.loc[name, "points_per_eur_bn_low"]
    # The change is the headline's (the same as POST /api/assess), in points.
    headline = found.headline
    coordination = found.options.set_index("name").loc[next(iter(rows)), "option"]
    assert rows[next(iter(rows))]["change_points"] == pytest.approx(
        100 * headline.loc[coordination, "change_vs_status_quo"], abs=1e-9
    )
    # The series by year come from the first futures of the what-if's own sample.
    assert set(found.by_year["futures"]) == {WHAT_IF_FUTURES}


def test_the_map_follows_an_override(client: TestClient, figures: dict[str, Any]) -> None:
    def status_quo(charts: dict[str, Any]) -> dict[str, float]:
        first = charts["map"]["data"][0]["option"]  # the status quo is listed first
        return {r["iso3"]: r["value"] for r in charts["map"]["data"] if r["option"] == first}

    before = status_quo(figures)
    after = status_quo(_figures(client, overrides={"crisis.rate_nato": 0.3}))
    assert before.keys() == after.keys()
    assert before != after
    # Other charts follow too; the trust record, before the what-if's years, does not.
    again = _figures(client, overrides={"crisis.rate_nato": 0.3})
    assert again["holds-by-year"]["data"] != figures["holds-by-year"]["data"]
    assert again["trust"]["data"] == figures["trust"]["data"]


def test_ukrainian_titles(client: TestClient, figures: dict[str, Any]) -> None:
    ukrainian = _figures(client, lang="uk")
    assert list(ukrainian) == list(figures)
    for chart_id, chart in ukrainian.items():
        assert chart["title"] != figures[chart_id]["title"], chart_id
        assert any("\u0400" <= c <= "\u04ff" for c in chart["title"]), chart_id
    assert ukrainian["map"]["config"]["locale"] == "uk"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lang": "fr"}, "lang"),
        ({"samples": 10}, "samples"),
        ({"samples": 50_000}, "samples"),
        ({"scenario": "nowhere"}, "scenario"),
        ({"overrides": {"no.such": 1.0}}, "overrides.no.such"),
        ({"options": ["no-such-option"]}, "options"),
        ({"stress": {"no-such-stress": 2030}}, "stress"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field(client: TestClient, change: dict[str, Any], field: str) -> None:
    response = client.post("/api/figures", json={**BODY, **change})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == field
    assert "\n" not in body["message"]


def test_a_repeated_what_if_is_served_from_the_cache(client: TestClient) -> None:
    body = {**BODY, "overrides": {"crisis.rate_other": 0.2}}
    started = time.perf_counter()
    first = client.post("/api/figures", json=body)
    took = time.perf_counter() - started
    started = time.perf_counter()
    second = client.post("/api/figures", json=body)
    again = time.perf_counter() - started
    assert first.content == second.content
    assert again < took
