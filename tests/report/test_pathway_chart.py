"""The pathway map: drawn from a hand-made table, and in the brief of the scenario with
pathways, where its fired shares are those of the run's own futures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from umbrella.explore.run import run as run_ensemble
from umbrella.model.scenario import load_scenario
from umbrella.report import charts as ch
from umbrella.report.build import write_brief
from umbrella.report.locale import language
from umbrella.report.watch import PORTFOLIO_SCENARIO
from umbrella.settings import DEFAULT_SEED

FUTURES = 1_000


def _table() -> pd.DataFrame:
    """Two pathways that share a first step: one with a signpost read in 2028 (fired in 25%
    of the futures), one in 2031 (fired in 60%)."""
    return pd.DataFrame(
        {
            "pathway": ["Path A", "Path A", "Path B", "Path B"],
            "part": ["Now", "Later one", "Now", "Later two"],
            "start": [2026, 2029, 2026, 2031],
            "end": [2040] * 4,
            "condition": ["", "trust falls below −1", "", "crises are above 0.08"],
            "read_by": [2026, 2028, 2026, 2031],
            "fired": [1.0, 0.25, 1.0, 0.6],
            "holds": [0.71, 0.71, 0.64, 0.64],
        }
    )


def _texts(figure: object) -> str:
    return " ".join(t.get_text() for t in figure.findobj(Text))  # type: ignore[attr-defined]


def test_the_map_marks_each_decision_point_at_its_year_with_its_share() -> None:
    chart = ch.pathway_chart(_table())
    assert chart.id == "pathways"
    markers = [t for t in chart.figure.data if t.mode == "markers"]
    assert [list(t.x) for t in markers] == [[2028.0], [2031.0]]
    lines = [t for t in chart.figure.data if t.mode == "lines"]
    assert [t.name for t in lines] == ["Path A", "Path B"]
    # A branch from the first step's row (0) to the row of the step the signpost starts.
    assert [v for v in lines[0].y if v is not None][-1] > 0.5
    words = " ".join(a.text for a in chart.figure.layout.annotations).replace("<br>", " ")
    assert "By 2028, fired in 25% of the futures" in words
    assert "By 2031, fired in 60% of the futures" in words
    assert "holds 71%" in words
    assert "holds 64%" in words
    # The labels fit a 360 px screen: no line of a label longer than the width allowed.
    for a in chart.figure.layout.annotations:
        for line in str(a.text).replace("<b>", "").replace("</b>", "").split("<br>"):
            assert len(line) <= ch.ROW_LABEL_WIDTH, line
    assert "in 25% of the futures" in chart.alt
    assert "in 60% of the futures" in chart.alt
    assert "holds 71%" in chart.alt
    png = chart.draw_png()
    drawn = _texts(png)
    assert "fired in 25% of the futures" in drawn.replace("\n", " ")
    assert "holds 64%" in drawn
    # Every label of the map inside the PNG.
    box = png.bbox
    renderer = png.canvas.get_renderer()  # type: ignore[attr-defined]
    for text in png.axes[0].texts:
        if text.get_text():
            extent = text.get_window_extent(renderer)
            assert extent.x0 >= -1, text.get_text()
            assert extent.x1 <= box.x1 + 1, text.get_text()


def test_the_map_speaks_the_brief_s_language() -> None:
    uk = language("uk")
    chart = ch.pathway_chart(_table(), lang=uk)
    words = " ".join(a.text for a in chart.figure.layout.annotations)
    assert "fired in" not in words
    assert "holds" not in words
    assert "25" in words
    assert "60" in words
    assert "Pathway map" not in chart.alt


def test_the_brief_of_the_scenario_with_pathways_draws_them(tmp_path: Path) -> None:
    scenario = load_scenario(PORTFOLIO_SCENARIO)
    run = run_ensemble(scenario, FUTURES, DEFAULT_SEED, store=None)
    brief = write_brief(
        scenario, samples=FUTURES, out=tmp_path / "brief", store=None, sobol_base=16
    )
    table = pd.read_csv(brief.folder / "data" / "pathways.csv", keep_default_na=False)
    names = {o.id: o.name for o in scenario.options}
    pathways = [o for o in scenario.options if any(p.trigger for p in o.components)]
    assert len(pathways) == 2
    assert list(dict.fromkeys(table["pathway"])) == [names[o.id] for o in pathways]
    futures, _ = run.data()
    for spec in pathways:
        rows = table[table["pathway"] == names[spec.id]]
        branches = rows[rows["condition"] != ""]
        steps = [p for p in spec.components if p.trigger is not None]
        assert len(branches) == len(steps) == 1  # one branch per pathway
        trigger = steps[0].trigger
        assert trigger is not None
        expected = float(np.mean(trigger.fired(futures[trigger.assumption].to_numpy())))
        assert float(branches["fired"].iloc[0]) == pytest.approx(expected, abs=1e-12)
        assert int(branches["read_by"].iloc[0]) == trigger.read_by
    markdown = brief.files["md"].read_text(encoding="utf-8")
    watch = markdown[markdown.index("## What to do now, what to watch") :]
    watch = watch[: watch.index("\n## ", 1)]
    assert "](charts/pathways.png)" in watch
    assert (brief.folder / "charts" / "pathways.png").stat().st_size > 0
    html = brief.files["html"].read_text(encoding="utf-8")
    assert 'id="plot-pathways"' in html
