"""Notebook summaries: Assessment and Run as short, escaped HTML."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import pytest

import umbrella
from umbrella.explore.assessment import Assessment


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return umbrella.assess(samples=200, seed=5)


def test_assessment_summary(assessment: Assessment) -> None:
    text = assessment._repr_html_()
    assert text.startswith('<div class="umbrella-assessment">')
    assert "europe-2026" in text
    assert "200</td>" in text
    assert "5</td>" in text
    assert "<table" in text
    for option in assessment.headline().index:
        assert f"<th>{option}</th>" in text
    assert "holds (Europe)" in text
    assert "-0.000" not in text


def test_assessment_summary_is_escaped(assessment: Assessment) -> None:
    title = '<script>alert("x")</script> & co'
    scenario = dataclasses.replace(assessment.scenario, title=title)
    text = dataclasses.replace(assessment, scenario=scenario)._repr_html_()
    assert "<script>" not in text
    assert html.escape(title) in text


def test_run_summary(tmp_path: Path) -> None:
    in_memory = umbrella.run(samples=200, seed=1, store=None)
    text = in_memory._repr_html_()
    assert text.startswith('<div class="umbrella-run">')
    assert "in memory" in text
    assert "lhs" in text
    assert "holds (Europe)" in text
    stored = umbrella.run(samples=200, seed=1, store=tmp_path / "runs")
    reopened = umbrella.open_run(str(stored.run_id), store=tmp_path / "runs")
    text = reopened._repr_html_()
    assert html.escape(str(stored.run_id)) in text
    assert "holds (Europe)" in text


def test_run_without_detail_says_so() -> None:
    ran = umbrella.run(samples=200, seed=1, store=None)
    bare = dataclasses.replace(ran, summary=None)
    text = bare._repr_html_()
    assert "kept no detail" in text
    assert "<table" in text
