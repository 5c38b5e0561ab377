"""The trade-off chart: parallel coordinates of each option's mean on every objective,
drawn with ordinary lines. Known answers from a hand-made table (each line through its
normalised means, best at the top of every axis, worst at the bottom), and, in the brief of
a small run, the table the trade-offs of that run give when computed again from it, with
the paragraph that words them in English and in Ukrainian."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from umbrella.explore.run import open_run
from umbrella.explore.tradeoffs import OBJECTIVES, tradeoffs
from umbrella.model.scenario import flagship_path, load_scenario
from umbrella.report import Brief
from umbrella.report import charts as ch
from umbrella.report.locale import language
from umbrella.report.numbers import money, percent

FUTURES = 1_000
SECTION = "What is realistically possible"
NAMES = ["Status quo", "Costly shield", "Cheap gesture"]


def _table() -> pd.DataFrame:
    """Three options on the five objectives: the shield best on deterrence and for Ukraine
    but dearest, riskiest and slowest; the gesture cheap but worst for deterrence; all
    three equal on nothing but proliferation risk for two of them."""
    return pd.DataFrame(
        {
            "option": NAMES,
            "share_efficient": [1.0, 0.6, 0.25],
            "deterrence_mean": [0.70, 0.80, 0.65],
            "cost_mean": [0.0, 40.0, 5.0],
            "proliferation_mean": [0.3, 0.7, 0.3],
            "ukraine_mean": [0.25, 0.40, 0.30],
            "time_mean": [0.0, 8.0, 2.0],
        }
    )


def _expected(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each objective's means placed on its axis, worked out here: 0 the worst, 1 the best."""
    placed = {}
    for name, objective in OBJECTIVES.items():
        values = table[f"{name}_mean"].to_numpy(dtype=float)
        best = values.max() if objective.maximise else values.min()
        worst = values.min() if objective.maximise else values.max()
        placed[name] = (values - worst) / (best - worst)
    return placed


def _chart(lang: str = "en") -> ch.Chart:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return ch.tradeoffs_chart(_table(), lang=language(lang))


def test_each_line_passes_through_its_normalised_means() -> None:
    chart = _chart()
    assert chart.id == "tradeoffs"
    # Ordinary line traces: no parcoords, which needs WebGL and what the pages' CSP forbids.
    assert {t.type for t in chart.figure.data} == {"scatter"}
    lines = {str(t.name).replace("<br>", " "): t for t in chart.figure.data}
    assert len(lines) == len(NAMES)
    expected = _expected(_table())
    axes = list(OBJECTIVES)
    for row, name in enumerate(NAMES):
        (trace,) = [t for label, t in lines.items() if label.startswith(name)]
        assert list(trace.x) == list(range(len(axes)))
        want = [expected[objective][row] for objective in axes]
        assert list(trace.y) == pytest.approx(want, abs=1e-12)
        for objective, value in zip(axes, want, strict=True):
            assert chart.data.loc[row, f"{objective}_scaled"] == pytest.approx(value, abs=1e-12)
            mean = f"{objective}_mean"
            assert float(chart.data[mean].iloc[row]) == float(_table()[mean].iloc[row])
    # The best on an objective sits at the top of its axis, the worst at the bottom: the
    # shield tops deterrence and Ukraine, the status quo tops cost and time, and the shield
    # is at the bottom of cost, proliferation and time (lower is better there).
    by_name = chart.data.set_index("option")
    assert by_name.loc["Costly shield", "deterrence_scaled"] == 1.0
    assert by_name.loc["Cheap gesture", "deterrence_scaled"] == 0.0
    assert by_name.loc["Status quo", "cost_scaled"] == 1.0
    assert by_name.loc["Costly shield", "cost_scaled"] == 0.0
    assert by_name.loc["Costly shield", "proliferation_scaled"] == 0.0
    assert by_name.loc["Status quo", "proliferation_scaled"] == 1.0
    assert by_name.loc["Cheap gesture", "proliferation_scaled"] == 1.0  # tied best
    assert by_name.loc["Status quo", "ukraine_scaled"] == 0.0
    assert by_name.loc["Status quo", "time_scaled"] == 1.0
    assert by_name.loc["Costly shield", "time_scaled"] == 0.0
    assert not np.signbit(chart.data.filter(like="_scaled").to_numpy()).any()  # no -0.0


def test_axes_are_labelled_with_unit_direction_and_range() -> None:
    chart = _chart()
    layout = chart.figure.layout
    ticks = [t.replace("<br>", " ") for t in layout.xaxis.ticktext]
    assert ticks == [
        "Deterrence holds in Europe (probability)",
        "Cost (EUR bn, present value)",
        "Proliferation risk (index 0–1)",
        "Deterrence for Ukraine (share of crises)",
        "Time to first effect (years)",
    ]
    assert "better" in layout.yaxis.title.text
    ends = [a.text for a in layout.annotations]
    # Best value at the top of each axis, then the worst at its foot.
    assert ends == [
        "80.0%",
        "65.0%",
        "EUR 0.0 bn",
        "EUR 40 bn",
        "0.30",
        "0.70",
        "40.0%",
        "25.0%",
        "0.00 years",
        "8.00 years",
    ]
    assert [a.y for a in layout.annotations] == [1.0, 0.0] * 5
    # The share of futures in which each option is efficient: legend, hover and the PNG's.
    names = [str(t.name).replace("<br>", " ") for t in chart.figure.data]
    assert "Status quo (efficient in 100%)" in names
    assert "Cheap gesture (efficient in 25%)" in names
    hover = " ".join(h for t in chart.figure.data for h in t.hovertext)
    assert "efficient in 60% of futures" in hover
    assert "Cost: EUR 40 bn" in hover
    png = chart.draw_png()
    drawn = " ".join(t.get_text() for t in png.findobj(Text)).replace("\n", " ")
    drawn = drawn.replace("\u00a0", " ")
    assert "Costly shield (efficient in 60% of futures)" in drawn
    assert "Worse → better, on every axis" in drawn
    assert "EUR 40 bn" in drawn
    box, tight = png.get_size_inches(), png.get_tightbbox()
    assert tight.x0 >= -0.01
    assert tight.x1 <= box[0] + 0.01
    assert tight.y1 <= box[1] + 0.01


def test_the_text_alternative_lists_every_option_s_values() -> None:
    alt = _chart().alt
    assert alt.startswith("Parallel-coordinates chart of 3 options on 5 objectives")
    assert "Cost (EUR bn, present value; lower is better): from EUR 40 bn to EUR 0.0 bn" in alt
    assert (
        "Costly shield: Deterrence holds in Europe 80.0%, Cost EUR 40 bn, Proliferation risk "
        "0.70, Deterrence for Ukraine 40.0%, Time to first effect 8.00 years; efficient in 60% "
        "of futures."
    ) in alt
    assert "Cheap gesture:" in alt
    chart = _chart()
    assert 'id="plot-tradeoffs"' in chart.html()
    # No parcoords trace (plotly's template only names its defaults).
    assert all(t["type"] == "scatter" for t in chart.figure.to_plotly_json()["data"])


def test_an_axis_where_every_option_is_equal_sits_halfway() -> None:
    table = _table().assign(time_mean=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        chart = ch.tradeoffs_chart(table)
    assert (chart.data["time_scaled"] == 0.5).all()
    assert "NaN" not in chart.figure.to_json()
    assert "Time to first effect (years): 2.00 years for every option" in chart.alt


def test_the_chart_speaks_ukrainian() -> None:
    english, chart = _chart(), _chart("uk")
    uk = language("uk")
    assert chart.title == uk.gettext(english.title) != english.title
    assert re.search("[\u0400-\u04ff]{4}", chart.alt)
    assert not re.search(r"\d\.\d", chart.alt), chart.alt
    assert "efficient" not in chart.alt
    pd.testing.assert_frame_equal(chart.data, english.data)
    assert '"locale": "uk"' in chart.html()
    ticks = " ".join(chart.figure.layout.xaxis.ticktext)
    assert "Deterrence" not in ticks
    assert "40 млрд євро" in [a.text for a in chart.figure.layout.annotations]


def _section(markdown: str, title: str) -> str:
    start = markdown.index(f"## {title}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end > 0 else None]


def test_the_brief_s_chart_is_the_run_s_tradeoff_table(
    briefs: tuple[Path, str, dict[str, Brief]],
) -> None:
    store, run_id, written = briefs
    # The trade-offs computed again, independently, from the stored run.
    table = tradeoffs(open_run(run_id, store))
    names = {o.id: o.name for o in load_scenario(flagship_path()).options}
    drawn = pd.read_csv(written["en"].folder / "data" / "tradeoffs.csv")
    assert list(drawn["option"]) == [names[str(o)] for o in table.index]
    assert drawn["share_efficient"].to_numpy() == pytest.approx(
        table["share_efficient"].to_numpy(), abs=1e-12
    )
    for name, objective in OBJECTIVES.items():
        means = table[f"{name}_mean"].to_numpy(dtype=float)
        assert drawn[f"{name}_mean"].to_numpy() == pytest.approx(means, rel=1e-12, abs=1e-12)
        best = means.max() if objective.maximise else means.min()
        worst = means.min() if objective.maximise else means.max()
        placed = (means - worst) / (best - worst) if best != worst else np.full_like(means, 0.5)
        assert drawn[f"{name}_scaled"].to_numpy() == pytest.approx(placed, abs=1e-9)
        assert drawn[f"{name}_scaled"].max() == pytest.approx(1.0 if best != worst else 0.5)
    # The whole table beside it, as `umbrella explore --pareto` gives it.
    full = pd.read_csv(written["en"].folder / "data" / "tradeoffs-table.csv")
    assert list(full["option"]) == list(table.index)
    assert full["share_efficient"].to_numpy() == pytest.approx(table["share_efficient"].to_numpy())


def test_the_brief_shows_the_chart_and_the_paragraph_in_english(
    briefs: tuple[Path, str, dict[str, Brief]],
) -> None:
    store, run_id, written = briefs
    table = tradeoffs(open_run(run_id, store))
    names = {o.id: o.name for o in load_scenario(flagship_path()).options}
    markdown = written["en"].files["md"].read_text(encoding="utf-8")
    section = _section(markdown, SECTION)
    assert "](charts/tradeoffs.png)" in section
    assert (written["en"].folder / "charts" / "tradeoffs.png").stat().st_size > 10_000
    # The chart and its paragraph come before "What to do now, what to watch".
    assert markdown.index("](charts/tradeoffs.png)") < markdown.index(
        "## What to do now, what to watch"
    )
    (paragraph,) = [p for p in section.split("\n\n") if p.startswith("Trade-offs:")]
    most = table[table["share_efficient"] > 0.5].sort_values(
        "share_efficient", ascending=False, kind="stable"
    )
    if len(most):
        listed = "; ".join(
            f"{names[str(o)]} ({percent(float(s))})" for o, s in most["share_efficient"].items()
        )
        assert f"Efficient in most futures: {listed}." in paragraph
    else:
        assert "No option is efficient in most futures" in paragraph
    best = str(table["deterrence_mean"].idxmax())
    cheapest = str(table["cost_mean"].idxmin())
    assert names[best] in paragraph
    assert names[cheapest] in paragraph
    assert percent(float(table["deterrence_mean"][best]), 1) in paragraph
    assert money(float(table["cost_mean"][best])) in paragraph
    assert paragraph.rstrip().endswith(f"[run {run_id}]")
    html = written["en"].files["html"].read_text(encoding="utf-8")
    options = html[html.index('<section id="options">') : html.index('<section id="stresses">')]
    assert 'id="chart-tradeoffs"' in options
    assert 'id="plot-tradeoffs"' in options
    assert "Trade-offs: an option is Pareto-efficient" in options


def test_the_brief_shows_the_chart_and_the_paragraph_in_ukrainian(
    briefs: tuple[Path, str, dict[str, Brief]],
) -> None:
    _, _, written = briefs
    uk = language("uk")
    markdown = written["uk"].files["md"].read_text(encoding="utf-8")
    section = _section(markdown, uk.gettext(SECTION))
    assert "](charts/tradeoffs.png)" in section
    (paragraph,) = [p for p in section.split("\n\n") if p.startswith("Компроміси:")]
    assert "Парето-ефективним" in paragraph
    assert "Trade-offs" not in section
    assert "efficient" not in section
    assert "в. п." in paragraph
    html = written["uk"].files["html"].read_text(encoding="utf-8")
    options = html[html.index('<section id="options">') : html.index('<section id="stresses">')]
    assert 'id="chart-tradeoffs"' in options
    assert uk.gettext("Trade-offs: each option on every objective") in options
    # The same figures in both languages, written each language's way.
    english = _section(written["en"].files["md"].read_text(encoding="utf-8"), SECTION)
    (english_paragraph,) = [p for p in english.split("\n\n") if p.startswith("Trade-offs:")]
    figures = re.findall(r"\d+(?:\.\d+)?", english_paragraph.replace(",", ""))
    ukrainian = re.findall(r"\d+(?:,\d+)?", re.sub("[\u00a0\u202f]", "", paragraph))
    assert sorted(figures) == sorted(f.replace(",", ".") for f in ukrainian)
