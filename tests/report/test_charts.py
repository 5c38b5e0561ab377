"""The charts of the brief: shape, offline HTML, PNG, CSV, and known answers for what a
reader sees: bars proportional to values, years without separators, one palette, a text
alternative for every chart, a map that compares options in the same year, and every word
of a chart in the brief's language."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from plotly.io.json import to_json_plotly

from umbrella.report import charts as ch
from umbrella.report.charts import Chart
from umbrella.report.locale import Language, language

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

LISTED = [
    "ISL",
    "NOR",
    "SWE",
    "FIN",
    "EST",
    "LVA",
    "LTU",
    "DNK",
    "IRL",
    "GBR",
    "NLD",
    "BEL",
    "LUX",
    "DEU",
    "POL",
    "CZE",
    "SVK",
    "AUT",
    "CHE",
    "FRA",
    "LIE",
    "HUN",
    "ROU",
    "MDA",
    "UKR",
    "BLR",
    "PRT",
    "ESP",
    "AND",
    "MCO",
    "ITA",
    "SMR",
    "VAT",
    "MLT",
    "SVN",
    "HRV",
    "BIH",
    "SRB",
    "MNE",
    "KOS",
    "ALB",
    "MKD",
    "GRC",
    "BGR",
    "TUR",
    "CYP",
    "GEO",
    "ARM",
    "AZE",
    "RUS",
]


def forces() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "state": ["United Kingdom", "United States", "France", "Russia"],
            "stockpile": [225.0, 5044.0, 290.0, 5580.0],
            "low": [200.0, 3700.0, 280.0, 4300.0],
            "high": [260.0, 5500.0, 300.0, 5900.0],
        }
    )


def trust() -> pd.DataFrame:
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    rows = []
    for g, base in (("United States", 0.8), ("France", 0.6)):
        for view, shift in (("Europe", 0.0), ("Ukraine", -0.1)):
            for i, month in enumerate(months):
                mean = base + shift - 0.01 * i
                rows.append((month, g, view, mean, mean - 0.1, mean + 0.1))
    return pd.DataFrame(rows, columns=["month", "guarantor", "view", "mean", "low", "high"])


def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-02-10", "2024-02-12", "2024-06-01", "2030-01-01"]),
            "label": ["Summit", "Very long label of a statement by a minister", "Vote", "Later"],
            "major": [True, True, False, True],
        }
    )


def support() -> pd.DataFrame:
    rows = [
        (year, option, total, total - 5.0, total + 5.0)
        for option, start in (("Status quo", 40.0), ("European pillar", 55.0))
        for year, total in zip(range(2026, 2031), np.linspace(start, start + 10, 5), strict=True)
    ]
    return pd.DataFrame(rows, columns=["year", "option", "total", "low", "high"])


def options() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "option": ["European pillar", "Nuclear sharing", "Withdrawal"],
            "change": [1.5, 4.2, -6.0],
            "low": [0.2, 1.0, -9.5],
            "high": [3.0, 7.5, -2.0],
        }
    )


def tiles(year: int = 2040) -> pd.DataFrame:
    """Three options in one year; ATL has no place on the grid."""
    codes = ["DEU", "FRA", "POL", "EST", "UKR", "ATL"]
    options = ["Status quo", "Shared responsibility", "European pillar"]
    rows = [
        (code, f"Country {code}", option, year, 0.5 + 0.05 * i + 0.1 * o)
        for o, option in enumerate(options)
        for i, code in enumerate(codes)
    ]
    return pd.DataFrame(rows, columns=["iso3", "name", "option", "year", "value"])


def indices(n: int = 15) -> pd.DataFrame:
    st = np.linspace(0.05, 0.6, n)
    return pd.DataFrame(
        {
            "uncertainty": [f"u{i}" for i in range(n)],
            "label": [f"Uncertainty {i}" for i in range(n)],
            "S1": st * 0.7,
            "S1_conf": np.full(n, 0.02),
            "ST": st,
            "ST_conf": np.full(n, 0.03),
        }
    )


def value() -> pd.DataFrame:
    """Points per EUR bn of three options, listed worst first."""
    return pd.DataFrame(
        {
            "option": ["European pillar", "Nuclear sharing", "Coordination"],
            "change_points": [1.5, 4.2, 2.4],
            "cost_eur_bn": [30.0, 21.0, 4.8],
            "points_per_eur_bn": [0.05, 0.2, 0.5],
            "low": [0.01, 0.05, 0.1],
            "high": [0.12, 0.45, 1.3],
        }
    )


def by_year() -> pd.DataFrame:
    """Three options from 2026 to 2040, the status quo first; the others gain 0.2 and 0.4
    points a year on it."""
    rows = []
    for o, option in enumerate(("Status quo", "European pillar", "Nuclear sharing")):
        for year in range(2026, 2041):
            mean = 0.95 - 0.015 * (year - 2026) + 0.002 * o * (year - 2026)
            rows.append((year, option, mean, mean - 0.05, mean + 0.05))
    return pd.DataFrame(rows, columns=["year", "option", "holds_mean", "holds_low", "holds_high"])


def build_forces() -> Chart:
    return ch.forces_chart(forces())


def build_trust() -> Chart:
    return ch.trust_chart(trust(), events())


def build_ukraine() -> Chart:
    return ch.ukraine_chart(support())


def build_options() -> Chart:
    return ch.options_chart(options())


def build_map() -> Chart:
    return ch.map_chart(tiles())


def build_drivers() -> Chart:
    return ch.sobol_chart(indices())


def build_value() -> Chart:
    return ch.value_chart(value())


def build_holds() -> Chart:
    return ch.holds_chart(by_year(), near=(2026, 2030))


# id, builder, columns of data, trace types in order
CASES: list[tuple[str, Callable[[], Chart], list[str], list[str]]] = [
    ("forces", build_forces, ["state", "stockpile", "low", "high"], ["bar"]),
    (
        "trust",
        build_trust,
        ["month", "guarantor", "view", "mean", "low", "high"],
        ["scatter"] * 7,  # 2 Europe bands, 4 lines, 1 row of event markers
    ),
    ("ukraine", build_ukraine, ["year", "option", "total", "low", "high"], ["scatter"] * 4),
    ("options", build_options, ["option", "change", "low", "high"], ["bar"]),
    ("map", build_map, ["iso3", "name", "option", "year", "value", "change"], ["heatmap"] * 2),
    (
        "drivers",
        build_drivers,
        ["uncertainty", "label", "S1", "S1_conf", "ST", "ST_conf"],
        ["bar", "bar"],
    ),
    (
        "value-per-eur",
        build_value,
        ["option", "change_points", "cost_eur_bn", "points_per_eur_bn", "low", "high"],
        ["bar", "scatter"],  # the bars, then every whisker in one trace
    ),
    (
        "holds-by-year",
        build_holds,
        ["year", "option", "holds_mean", "holds_low", "holds_high"],
        ["scatter"] * 3,
    ),
]
IDS = [case[0] for case in CASES]


@pytest.fixture(scope="module")
def built() -> dict[str, Chart]:
    return {name: build() for name, build, _, _ in CASES}


#: The last input column of each builder, dropped to check the error message.
INPUTS: dict[str, tuple[Callable[[pd.DataFrame], Chart], Callable[[], pd.DataFrame], str]] = {
    "forces": (ch.forces_chart, forces, "high"),
    "trust": (lambda f: ch.trust_chart(f, events()), trust, "high"),
    "ukraine": (ch.ukraine_chart, support, "high"),
    "options": (ch.options_chart, options, "high"),
    "map": (ch.map_chart, tiles, "value"),
    "drivers": (ch.sobol_chart, indices, "ST_conf"),
    "value-per-eur": (ch.value_chart, value, "high"),
    "holds-by-year": (ch.holds_chart, by_year, "holds_high"),
}
NEUTRAL = {ch.INK, ch.MUTED, ch.FAINT}
#: A year printed with a thousands separator, as "2,026".
SEPARATED_YEAR = re.compile(r"\b2,0\d\d\b")


def _colours(node: Any, key: str = "") -> list[str]:
    """Every colour named in a plotly figure's dict, outside its template."""
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "template":
                found += _colours(v, k)
    elif isinstance(node, list | tuple):
        for v in node:
            found += _colours(v, key)
    elif isinstance(node, str) and key.endswith("color"):
        found.append(node)
    return found


def _palette_colour(colour: str) -> bool:
    """A colour of the palette, a neutral, or a palette colour made transparent."""
    if colour.upper() in {c.upper() for c in (*ch.PALETTE, *NEUTRAL)}:
        return True
    match = re.fullmatch(r"rgba\((\d+),(\d+),(\d+),[\d.]+\)", colour)
    if match is None:
        return False
    hex_colour = "#{:02X}{:02X}{:02X}".format(*(int(g) for g in match.groups()))
    return hex_colour in {c.upper() for c in ch.PALETTE}


@pytest.mark.parametrize(("name", "build", "columns", "traces"), CASES, ids=IDS)
def test_chart_shape(
    built: dict[str, Chart],
    name: str,
    build: Callable[[], Chart],
    columns: list[str],
    traces: list[str],
) -> None:
    chart = built[name]
    assert chart.id == name
    assert chart.title
    assert list(chart.data.columns) == columns
    assert [t.type for t in chart.figure.data] == traces
    layout = chart.figure.layout
    assert layout.title.text == chart.title
    assert layout.height
    assert layout.autosize is True
    assert "sans-serif" in layout.font.family
    assert "NaN" not in chart.figure.to_json()


@pytest.mark.parametrize("name", IDS)
def test_html_is_offline(built: dict[str, Chart], name: str) -> None:
    html = built[name].html()
    assert f'id="plot-{name}"' in html
    assert "cdn" not in html.lower()
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert "https://" not in html
    assert '"displaylogo": false' in html
    assert '"responsive": true' in html
    # The toolbar's "share" button uploads the chart to a server.
    assert '"showSendToCloud": false' in html


@pytest.mark.parametrize("name", IDS)
def test_title_is_a_heading_and_legend_below(built: dict[str, Chart], name: str) -> None:
    """On the page the title is a heading above the figure, which wraps on a narrow screen,
    and a legend sits at the foot of the figure, where it cannot cover the title."""
    chart = built[name]
    html = chart.html()
    heading = f'<h3 class="chart-title" id="title-{name}">'
    assert heading in html
    assert html.index(heading) < html.index(f'id="plot-{name}"')
    web = chart.web_figure()
    assert not web.layout.title.text
    # The web app's copy (built without a second figure) is the same figure once written.
    assert json.loads(to_json_plotly(chart.web_json(), engine="json")) == json.loads(
        to_json_plotly(web.to_plotly_json(), engine="json")
    )
    # The plot keeps its height: only the title's room goes.
    plot = chart.figure.layout.height - chart.figure.layout.margin.t
    assert web.layout.height - web.layout.margin.t == plot
    legend = chart.figure.layout.legend
    assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")
    assert legend.orientation == "h"
    assert legend.maxheight == 1  # never a legend that scrolls and hides entries
    for trace in chart.figure.data:
        if trace.showlegend is not False and trace.name:
            assert all(len(line) <= 32 for line in trace.name.split("<br>")), trace.name


@pytest.mark.parametrize("name", IDS)
def test_alt_text(built: dict[str, Chart], name: str) -> None:
    chart = built[name]
    assert len(chart.alt) > 80
    assert chart.alt != chart.title
    assert chart.alt.endswith(".")
    html = chart.html()
    assert f'<p class="visually-hidden" id="alt-{name}">{escape(chart.alt)}</p>' in html
    assert f'<div class="plot" aria-describedby="alt-{name}"' in html
    assert not SEPARATED_YEAR.search(chart.alt), chart.alt


def test_alt_text_names_the_numbers(built: dict[str, Chart]) -> None:
    alt = {name: chart.alt for name, chart in built.items()}
    assert alt["forces"].startswith("Bar chart on a linear scale from zero")
    assert "Russia 5,580 (sources range 4,300 to 5,900); United States 5,044" in alt["forces"]
    assert "Nuclear sharing +4.2 (+1.0 to +7.5)" in alt["options"]
    assert "Withdrawal −6.0 (−9.5 to −2.0)" in alt["options"]
    assert "2026 to 2030" in alt["ukraine"]
    assert "In 2030, highest first: European pillar 65.0 (range 60.0 to 70.0)" in alt["ukraine"]
    assert "5 European states" in alt["map"]
    assert "in 2040" in alt["map"]
    assert "from 50% (Country DEU) to 70% (Country UKR)" in alt["map"]
    assert "Under Shared responsibility it changes by +10.0 points" in alt["map"]
    assert "below zero are drawn at zero" in alt["drivers"]
    assert "Uncertainty 14 (total 0.60, first order 0.42)" in alt["drivers"]
    assert "United States 0.69 seen from Europe and 0.59 seen from Ukraine" in alt["trust"]


@pytest.mark.parametrize("name", IDS)
def test_write_png(built: dict[str, Chart], name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.png"
    built[name].write_png(path)
    content = path.read_bytes()
    assert content[:8] == PNG_SIGNATURE
    assert len(content) > 5_000
    width = int.from_bytes(content[16:20], "big")
    assert 8 * 150 <= width <= 9 * 150


def _texts(figure: Figure) -> list[Text]:
    return [
        t
        for t in figure.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip()
    ]


@pytest.mark.parametrize("name", IDS)
def test_png_text_inside_the_image(built: dict[str, Chart], name: str) -> None:
    """Nothing drawn (title, labels, legend, colour bar) is cut off at the edge of the PNG."""
    figure = built[name].draw_png()
    drawn = figure.get_tightbbox()
    width, height = figure.get_size_inches()
    tolerance = 1 / ch.PNG_DPI
    assert drawn.x0 >= -tolerance, name
    assert drawn.y0 >= -tolerance, name
    assert drawn.x1 <= width + tolerance, name
    assert drawn.y1 <= height + tolerance, name


def test_png_legend_of_long_names_fits() -> None:
    names = [
        "Status quo: reliance on the US umbrella",
        "Coordination of existing UK and French arsenals",
        "Formal shared-responsibility agreements",
        "European intelligence and ISR autonomy",
        "Accelerated conventional support to Ukraine",
    ]
    frame = pd.DataFrame(
        [(y, n, 40.0 + i, 35.0 + i, 45.0 + i) for i, n in enumerate(names) for y in (2026, 2027)],
        columns=["year", "option", "total", "low", "high"],
    )
    figure = ch.ukraine_chart(frame).draw_png()
    (legend,) = figure.legends
    assert legend.get_window_extent().width <= figure.bbox.width
    assert len(legend.get_texts()) == len(names)


@pytest.mark.parametrize("name", IDS)
def test_write_csv_round_trips(built: dict[str, Chart], name: str, tmp_path: Path) -> None:
    chart = built[name]
    path = tmp_path / f"{name}.csv"
    chart.write_csv(path)
    back = pd.read_csv(path)
    expected = chart.data.copy()
    for column in expected.columns:
        if pd.api.types.is_datetime64_any_dtype(expected[column]):
            back[column] = pd.to_datetime(back[column])
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)


@pytest.mark.parametrize("name", IDS)
def test_missing_column(name: str) -> None:
    build, source, column = INPUTS[name]
    frame = source().drop(columns=[column])
    with pytest.raises(ValueError, match=f"missing column.*{column}"):
        build(frame)


def test_missing_event_column() -> None:
    with pytest.raises(ValueError, match="major"):
        ch.trust_chart(trust(), events().drop(columns=["major"]))


def test_titles_are_set() -> None:
    chart = ch.options_chart(options(), title="Options")
    assert chart.title == "Options"
    assert chart.figure.layout.title.text == "Options"


def test_incomplete_rows_are_dropped() -> None:
    frame = forces()
    frame.loc[0, "high"] = np.nan
    chart = ch.forces_chart(frame)
    assert len(chart.data) == 3
    assert "NaN" not in chart.figure.to_json()


def test_no_complete_rows() -> None:
    with pytest.raises(ValueError, match="no complete rows"):
        ch.options_chart(options().iloc[:0])


# --- one palette ------------------------------------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_one_palette(built: dict[str, Chart], name: str) -> None:
    figure = built[name].figure
    assert list(figure.layout.colorway) == list(ch.PALETTE)
    plain = figure.to_plotly_json()
    colours = _colours(plain["data"]) + _colours(plain["layout"])
    assert colours, name
    strays = [c for c in colours if not _palette_colour(c)]
    assert not strays, strays


def test_palette_is_okabe_ito_and_scales_are_shared(built: dict[str, Chart]) -> None:
    assert ch.PALETTE[:3] == ("#0072B2", "#D55E00", "#009E73")
    assert len(set(ch.PALETTE)) == 8
    assert list(ch._RC["axes.prop_cycle"].by_key()["color"]) == list(ch.PALETTE)
    layout = built["map"].figure.layout
    assert [list(s) for s in layout.coloraxis.colorscale] == ch.colorscale(ch.SEQUENTIAL)
    assert [list(s) for s in layout.coloraxis2.colorscale] == ch.colorscale(ch.DIVERGING)
    # The PNG draws with the same colours: a tile's fill is the scale at its value.
    figure = built["map"].draw_png()
    level = built["map"].data.query("option == 'Status quo'")
    low, high = level["value"].min(), level["value"].max()
    fills = np.array([p.get_facecolor() for p in figure.axes[0].patches], dtype=float)
    expected = [ch.colormap(ch.SEQUENTIAL)((v - low) / (high - low)) for v in level["value"]]
    np.testing.assert_allclose(fills, expected)
    # The diverging scale is white in the middle and turns from red to blue.
    assert ch.DIVERGING[len(ch.DIVERGING) // 2] == "#F7F7F7"
    assert ch.DIVERGING[0].startswith("#67")
    assert ch.DIVERGING[-1].endswith("61")


# --- forces: bars proportional to the values --------------------------------------------


def test_forces_largest_on_top_on_a_linear_axis(built: dict[str, Chart]) -> None:
    chart = built["forces"]
    assert list(chart.data["state"]) == ["Russia", "United States", "France", "United Kingdom"]
    axis = chart.figure.layout.xaxis
    assert axis.type == "linear"
    assert "log" not in axis.title.text
    assert axis.range[0] == 0
    assert axis.range[1] >= chart.data["high"].max()
    bar = chart.figure.data[0]
    assert bar.base is None
    np.testing.assert_allclose(bar.x, chart.data["stockpile"])
    labels = [a.text for a in chart.figure.layout.annotations]
    assert labels[:4] == ["5,580", "5,044", "290", "225"]
    assert labels[4:] == list(chart.data["state"])


def test_forces_bar_lengths_are_proportional() -> None:
    """Russia 4,309 and the United Kingdom 225: the bar is 19 times as long, not 4.6."""
    frame = pd.DataFrame(
        {
            "state": ["Russia", "United Kingdom"],
            "stockpile": [4309.0, 225.0],
            "low": [4000.0, 200.0],
            "high": [4500.0, 260.0],
        }
    )
    chart = ch.forces_chart(frame)
    figure = chart.draw_png()
    ax = figure.axes[0]
    assert ax.get_xscale() == "linear"
    assert ax.get_xlim()[0] == 0
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_x() for b in bars] == [0.0, 0.0]
    widths = [b.get_window_extent().width for b in bars]
    assert widths[0] / widths[1] == pytest.approx(4309 / 225, rel=0.01)
    # The same on the page: a linear axis from zero, bars from zero.
    x = chart.figure.data[0].x
    assert x[0] / x[1] == pytest.approx(4309 / 225)
    assert chart.figure.layout.xaxis.range[0] == 0


# --- years ------------------------------------------------------------------------------


def test_years_print_without_separator(built: dict[str, Chart]) -> None:
    fig = built["ukraine"].figure
    assert fig.layout.xaxis.tickformat == "d"
    assert fig.layout.xaxis.hoverformat == "d"
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert lines
    assert all("%{x:d}" in t.hovertemplate for t in lines)
    figure = built["ukraine"].draw_png()
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels() if t.get_text()]
    assert ticks
    assert all(re.fullmatch(r"\d{4}", t) for t in ticks), ticks


# Not the forces chart: its axis counts warheads in thousands ("2,000").
@pytest.mark.parametrize("name", [name for name in IDS if name != "forces"])
def test_no_year_with_a_separator(built: dict[str, Chart], name: str) -> None:
    chart = built[name]
    png = " ".join(t.get_text() for t in _texts(chart.draw_png()))
    assert not SEPARATED_YEAR.search(chart.html() + chart.alt + png)


# --- trust, Ukraine, options ------------------------------------------------------------


def test_trust_styles_and_events(built: dict[str, Chart]) -> None:
    fig = built["trust"].figure
    lines = [t for t in fig.data if t.mode == "lines" and t.fill != "toself"]
    dashes = {t.name: t.line.dash for t in lines}
    assert dashes["United States, seen from Europe"] == "solid"
    assert dashes["United States, seen from Ukraine"] == "dash"
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 2
    assert all(t.name.endswith(", range") for t in bands)
    # The 2030 event lies outside the data and is left out.
    assert len(fig.layout.shapes) == 3
    assert list(fig.data[-1].text) == ["Summit", events()["label"][1], "Vote"]
    assert fig.layout.yaxis.title.text == "Perceived reliability (0-1)"


def test_trust_without_events() -> None:
    empty = events().iloc[:0]
    chart = ch.trust_chart(trust(), empty)
    assert len(chart.figure.data) == 6
    assert not chart.figure.layout.shapes


def test_event_labels_do_not_crowd() -> None:
    dates = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-03", "2024-06-01", "2024-12-01"]))
    assert ch._spaced(dates, pd.Timedelta(days=365)) == [0, 2, 3]


def test_ukraine_axis(built: dict[str, Chart]) -> None:
    fig = built["ukraine"].figure
    assert fig.layout.yaxis.title.text == "EUR bn per year"
    assert fig.layout.yaxis.rangemode == "tozero"
    assert [t.name for t in fig.data if t.mode == "lines+markers"] == [
        "Status quo",
        "European pillar",
    ]


def test_ukraine_legend_names_wrap() -> None:
    frame = support().replace(
        {"European pillar": "Coordination of existing UK and French arsenals"}
    )
    fig = ch.ukraine_chart(frame).figure
    names = [t.name for t in fig.data if t.mode == "lines+markers"]
    assert names[1] == "Coordination of existing UK and<br>French arsenals"


def test_options_sorted_with_zero_line(built: dict[str, Chart]) -> None:
    chart = built["options"]
    assert list(chart.data["change"]) == sorted(chart.data["change"], reverse=True)
    (zero,) = chart.figure.layout.shapes
    assert zero.x0 == zero.x1 == 0
    assert "percentage points" in chart.figure.layout.xaxis.title.text
    assert [a.text for a in chart.figure.layout.annotations] == list(chart.data["option"])


def _row_layout(chart: Chart) -> tuple[float, list[tuple[float, float]], list[tuple[float, float]]]:
    """Rows of a chart with labels above its bars, as the page draws it: the pixels per row,
    each label's top and bottom and each row's bars' top and bottom, in rows (y units)."""
    web = chart.web_figure()
    rows = len(chart.data)
    plot = web.layout.height - web.layout.margin.t - web.layout.margin.b
    pitch = plot / rows
    labels = [a for a in web.layout.annotations if a.xref == "paper"]
    assert len(labels) == rows
    spans = []
    for a in labels:
        lines = a.text.count("<br>") + 1
        assert lines <= ch.ROW_LABEL_LINES
        spans.append((a.y, a.y + lines * ch.ROW_LABEL_LINE / pitch))
    bars = []
    traces = [t for t in web.data if t.type == "bar"]
    for row in range(rows):
        ends = [(float(t.y[row]) - t.width / 2, float(t.y[row]) + t.width / 2) for t in traces]
        bars.append((min(e[0] for e in ends), max(e[1] for e in ends)))
    return pitch, spans, bars


@pytest.mark.parametrize("name", ["forces", "options", "drivers", "value-per-eur"])
def test_row_labels_stay_clear_of_bars(built: dict[str, Chart], name: str) -> None:
    """Each label sits above its own bars, below the bars of the row above: none overlap."""
    pitch, labels, bars = _row_layout(built[name])
    assert pitch >= ch.ROW_LABEL_LINES * ch.ROW_LABEL_LINE + 20
    for row, ((top, bottom), (bar_top, bar_bottom)) in enumerate(zip(labels, bars, strict=True)):
        assert bottom < bar_top, (name, row)
        if row:
            assert bars[row - 1][1] < top, (name, row)
        assert bar_bottom < row + 0.5


# --- map: like with like ----------------------------------------------------------------


def test_tile_positions() -> None:
    positions = list(ch.TILE_POSITIONS.values())
    assert len(positions) == len(set(positions))
    assert set(LISTED) <= set(ch.TILE_POSITIONS)
    assert all(c >= 0 and r >= 0 for c, r in positions)


def test_tile_positions_resemble_europe() -> None:
    col = {k: c for k, (c, _) in ch.TILE_POSITIONS.items()}
    row = {k: r for k, (_, r) in ch.TILE_POSITIONS.items()}
    assert row["NOR"] < row["DEU"] < row["ITA"] < row["MLT"]
    assert col["PRT"] < col["ESP"] <= col["FRA"] < col["DEU"] < col["POL"] < col["UKR"]


def test_map_panels_in_the_same_year(built: dict[str, Chart]) -> None:
    chart = built["map"]
    assert set(chart.data["year"]) == {2040}
    titles = [a.text.replace("<br>", " ") for a in chart.figure.layout.annotations]
    assert titles == ["Status quo, 2040", "Shared responsibility vs status quo, 2040"]
    assert "2040" in chart.title
    figure = chart.draw_png()
    assert [ax.get_title().replace("\n", " ") for ax in figure.axes[:2]] == titles


def test_map_shows_the_change_on_a_scale_centred_on_zero(built: dict[str, Chart]) -> None:
    chart = built["map"]
    assert "ATL" not in set(chart.data["iso3"])
    assert len(chart.data) == 15
    level, change = chart.figure.data
    col, row = ch.TILE_POSITIONS["DEU"]
    assert level.z[row][col] == pytest.approx(0.5)
    assert level.text[row][col] == "DEU"
    assert level.z[0][1] is None
    # Shared responsibility adds 0.1 to every state: +10 points.
    assert change.z[row][col] == pytest.approx(10.0)
    assert change.customdata[row][col] == [
        "Country DEU",
        pytest.approx(0.6),
        "Shared responsibility",
    ]
    layout = chart.figure.layout
    assert layout.coloraxis.cmin == pytest.approx(0.5)
    assert layout.coloraxis.cmax == pytest.approx(0.7)
    assert level.coloraxis == "coloraxis"
    assert change.coloraxis == "coloraxis2"
    assert layout.coloraxis2.cmid == 0
    # One range for every option, symmetric: a colour means the same change in each.
    assert layout.coloraxis2.cmax == pytest.approx(20.0)
    assert layout.coloraxis2.cmin == -layout.coloraxis2.cmax


def test_map_selector_switches_option(built: dict[str, Chart]) -> None:
    chart = built["map"]
    selector = chart.selector
    assert selector is not None
    assert selector.choices == ("Shared responsibility", "European pillar")
    assert selector.selected == 0
    assert selector.traces == (1,)
    col, row = ch.TILE_POSITIONS["DEU"]
    restyle, relayout = selector.updates[1]
    assert restyle["z"][0][row][col] == pytest.approx(20.0)
    assert relayout["annotations[1].text"].replace("<br>", " ").endswith("status quo, 2040")
    html = chart.html()
    assert '<label for="select-map">' in html
    assert '<option value="1">European pillar</option>' in html
    script = html[html.index("<script>(function") :]
    assert 'Plotly.update("plot-map"' in script
    updates = json.loads(script[script.index("var updates = ") + 14 : script.index(";\n  select")])
    assert len(updates) == 2


def test_map_focus_and_checks() -> None:
    chart = ch.map_chart(tiles(), focus="European pillar")
    assert chart.selector is not None
    assert chart.selector.selected == 1
    assert chart.figure.data[1].z[3][3] == pytest.approx(20.0)
    assert "European pillar" in chart.alt
    mixed = pd.concat([tiles(2040), tiles(2026).assign(option=lambda f: f["option"] + "!")])
    with pytest.raises(ValueError, match="same year"):
        ch.map_chart(mixed)
    with pytest.raises(ValueError, match="at least one option"):
        ch.map_chart(tiles().query("option == 'Status quo'"))
    with pytest.raises(ValueError, match="focus"):
        ch.map_chart(tiles(), focus="Status quo")


# --- Sobol ------------------------------------------------------------------------------


def test_drivers_top_largest_first(built: dict[str, Chart]) -> None:
    chart = built["drivers"]
    assert len(chart.data) == 12
    assert list(chart.data["ST"]) == sorted(chart.data["ST"], reverse=True)
    assert chart.data["uncertainty"][0] == "u14"
    s1, st = chart.figure.data
    assert list(s1.error_x.array) == pytest.approx([0.02] * 12)
    assert st.name.startswith("Total")
    assert ch.sobol_chart(indices(), top=3).data.shape == (3, 6)


def test_drivers_duplicate_labels_stay_apart() -> None:
    frame = indices(3)
    frame["label"] = "Same"
    chart = ch.sobol_chart(frame)
    labels = [a.text for a in chart.figure.layout.annotations]
    assert len(set(labels)) == 3


def test_negative_sobol_estimates_are_drawn_at_zero() -> None:
    frame = indices(3)
    frame.loc[2, ["S1", "S1_conf"]] = [-0.03, 0.05]
    chart = ch.sobol_chart(frame)
    s1 = chart.figure.data[0]
    row = list(chart.data["uncertainty"]).index("u2")
    assert s1.x[row] == 0.0
    assert s1.error_x.arrayminus[row] == 0.0
    assert s1.error_x.array[row] == pytest.approx(0.02)
    assert "estimate −0.03: sampling noise around 0" in s1.hovertext[row]
    assert "interval 0.00 to 0.02" in s1.hovertext[row]
    assert chart.figure.layout.xaxis.range[0] == 0
    # The table behind the chart keeps the estimate.
    assert chart.data.loc[row, "S1"] == pytest.approx(-0.03)
    ax = chart.draw_png().axes[0]
    assert ax.get_xlim()[0] == 0
    assert min(p.get_width() for p in ax.patches if isinstance(p, Rectangle)) >= 0


def test_sobol_png_labels_do_not_overlap() -> None:
    frame = indices(12)
    frame["label"] = [
        f"probability number {i} that a rather long assumption, worded as a sentence, holds "
        "for every guarantor together"
        for i in range(12)
    ]
    figure = ch.sobol_chart(frame).draw_png()
    boxes = [t.get_window_extent() for t in figure.axes[0].get_yticklabels()]
    assert len(boxes) == 12
    for upper, lower in itertools.pairwise(sorted(boxes, key=lambda b: -b.y1)):
        assert lower.y1 <= upper.y0 + 0.5


# --- value for money --------------------------------------------------------------------


def _whiskers(chart: Chart) -> list[tuple[float, float]]:
    """Each row's whisker on the page, as (from, to), top row first."""
    trace = next(t for t in chart.figure.data if t.type == "scatter")
    x, y = list(trace.x), list(trace.y)
    assert x[2::3] == [None] * len(chart.data)  # one segment a row, apart from the next
    assert y[0::3] == y[1::3]  # level
    return list(zip(x[0::3], x[1::3], strict=True))


def test_value_best_first_on_a_linear_axis_from_zero(built: dict[str, Chart]) -> None:
    chart = built["value-per-eur"]
    assert list(chart.data["option"]) == ["Coordination", "Nuclear sharing", "European pillar"]
    bar = chart.figure.data[0]
    assert bar.base is None
    np.testing.assert_allclose(bar.x, [0.5, 0.2, 0.05])
    axis = chart.figure.layout.xaxis
    assert axis.type == "linear"
    assert axis.range[0] == 0
    assert axis.range[1] > 1.3  # the longest whisker, and room for its number
    assert "per EUR bn" in axis.title.text
    labels = [a.text for a in chart.figure.layout.annotations]
    assert labels[:3] == ["0.50", "0.20", "0.05"]  # beside each bar
    assert labels[3:] == list(chart.data["option"])  # above each row
    # The whiskers are the range as given, the 10th-90th percentile of the ratio.
    assert _whiskers(chart) == [(0.1, 1.3), (0.05, 0.45), (0.01, 0.12)]
    assert "Coordination 0.50 (0.10 to 1.30)" in chart.alt
    assert "ratio of the means" in chart.alt
    assert "0.50 points per EUR bn" in bar.hovertext[0]
    assert "+2.4 points for EUR 4.8 bn" in bar.hovertext[0]


def test_value_bar_lengths_are_proportional(built: dict[str, Chart]) -> None:
    """0.5 and 0.05 points per EUR bn: the bar is ten times as long, on the PNG too."""
    ax = built["value-per-eur"].draw_png().axes[0]
    assert ax.get_xscale() == "linear"
    assert ax.get_xlim()[0] == 0
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_x() for b in bars] == [0.0, 0.0, 0.0]
    widths = [b.get_window_extent().width for b in bars]
    assert widths[0] / widths[2] == pytest.approx(10.0, rel=0.01)
    assert widths[0] / widths[1] == pytest.approx(2.5, rel=0.01)
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    ends = [tuple(float(x) for x in segment[:, 0]) for segment in whiskers.get_segments()]
    assert ends == [(0.1, 1.3), (0.05, 0.45), (0.01, 0.12)]
    texts = {t.get_text() for t in ax.texts}
    assert {"0.50", "0.20", "0.05"} <= texts


def test_value_range_apart_from_the_ratio_and_below_zero() -> None:
    """A ratio of means outside its future-by-future range keeps the range as given; an
    option that loses deterrence for its money draws below zero, and the axis spans it."""
    frame = value()
    frame.loc[2, ["points_per_eur_bn", "low", "high"]] = [0.5, 0.6, 1.3]
    frame.loc[0, ["change_points", "points_per_eur_bn", "low", "high"]] = [-1.5, -0.05, -0.2, 0.1]
    chart = ch.value_chart(frame)
    assert list(chart.data["option"]) == ["Coordination", "Nuclear sharing", "European pillar"]
    assert _whiskers(chart) == [(0.6, 1.3), (0.05, 0.45), (-0.2, 0.1)]
    bar = chart.figure.data[0]
    assert list(bar.marker.color) == [ch.POSITIVE, ch.POSITIVE, ch.NEGATIVE]
    axis = chart.figure.layout.xaxis
    assert axis.range[0] < -0.2  # the negative bar, its whisker and its number
    (zero,) = chart.figure.layout.shapes
    assert zero.x0 == zero.x1 == 0
    number = chart.figure.layout.annotations[2]
    assert (number.text, number.xanchor, number.x) == ("−0.05", "right", -0.2)
    assert "European pillar −0.05 (−0.20 to 0.10)" in chart.alt
    ax = chart.draw_png().axes[0]
    assert ax.get_xlim()[0] < -0.2
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert bars[2].get_width() == pytest.approx(-0.05)


def test_value_options_without_a_ratio_are_left_out() -> None:
    frame = value()
    frame.loc[1, "points_per_eur_bn"] = np.nan  # costs no more than the status quo
    chart = ch.value_chart(frame)
    assert list(chart.data["option"]) == ["Coordination", "European pillar"]
    assert "NaN" not in chart.figure.to_json()


# --- deterrence by year -----------------------------------------------------------------


def test_holds_years_print_without_separator(built: dict[str, Chart]) -> None:
    chart = built["holds-by-year"]
    fig = chart.figure
    assert fig.layout.xaxis.tickformat == "d"
    assert fig.layout.xaxis.hoverformat == "d"
    assert all("%{x:d}" in t.hovertemplate for t in fig.data)
    assert fig.layout.yaxis.tickformat == ".0%"
    ticks = [t.get_text() for t in chart.draw_png().axes[0].get_xticklabels() if t.get_text()]
    assert ticks
    assert all(re.fullmatch(r"20\d\d", t) for t in ticks), ticks
    assert "from 2026 through each year to 2040" in chart.alt


def test_holds_near_window_is_shaded_and_labelled(built: dict[str, Chart]) -> None:
    chart = built["holds-by-year"]
    (window,) = chart.figure.layout.shapes
    assert window.type == "rect"
    assert (window.x0, window.x1) == (2026, 2030)
    assert (window.yref, window.y0, window.y1) == ("paper", 0, 1)
    assert window.layer == "below"
    (label,) = chart.figure.layout.annotations
    assert label.text == "Near window 2026–2030"
    assert label.x == 2026
    assert "The near window, 2026–2030, is shaded." in chart.alt
    ax = chart.draw_png().axes[0]
    (shade,) = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert (shade.get_x(), shade.get_x() + shade.get_width()) == (2026, 2030)
    assert "Near window 2026–2030" in [t.get_text() for t in ax.texts]


def test_holds_window_outside_the_years_is_cut_or_left_out() -> None:
    late = ch.holds_chart(by_year(), near=(2038, 2045))
    (window,) = late.figure.layout.shapes
    assert (window.x0, window.x1) == (2038, 2040)
    assert not ch.holds_chart(by_year(), near=(2041, 2045)).figure.layout.shapes
    assert not ch.holds_chart(by_year()).figure.layout.shapes


def test_holds_status_quo_first_and_drawn_on_top(built: dict[str, Chart]) -> None:
    chart = built["holds-by-year"]
    traces = list(chart.figure.data)
    legend = sorted(traces, key=lambda t: t.legendrank)
    assert [t.name for t in legend] == ["Status quo", "European pillar", "Nuclear sharing"]
    status_quo = legend[0]
    assert traces[-1] is status_quo  # drawn last, over an option that changes nothing
    assert status_quo.line.color == ch.INK
    assert status_quo.line.dash == "dash"
    assert [t.line.color for t in legend[1:]] == list(ch.PALETTE[:2])
    np.testing.assert_allclose(status_quo.y, by_year()["holds_mean"][:15])
    figure = chart.draw_png()
    (legend_png,) = figure.legends
    assert legend_png.get_texts()[0].get_text() == "Status quo"
    assert "In 2026 the status quo stands at 95%" in chart.alt
    assert "in 2040, highest first: Nuclear sharing 80%; European pillar 77%; Status quo 74%" in (
        chart.alt
    )


# --- language ---------------------------------------------------------------------------


def _in(lang: Language) -> dict[str, Callable[[], Chart]]:
    """The builders of :data:`CASES`, in ``lang``."""
    return {
        "forces": lambda: ch.forces_chart(forces(), lang=lang),
        "trust": lambda: ch.trust_chart(trust(), events(), lang=lang),
        "ukraine": lambda: ch.ukraine_chart(support(), lang=lang),
        "options": lambda: ch.options_chart(options(), lang=lang),
        "map": lambda: ch.map_chart(tiles(), lang=lang),
        "drivers": lambda: ch.sobol_chart(indices(), lang=lang),
        "value-per-eur": lambda: ch.value_chart(value(), lang=lang),
        "holds-by-year": lambda: ch.holds_chart(by_year(), near=(2026, 2030), lang=lang),
    }


def test_english_is_the_default_language(built: dict[str, Chart]) -> None:
    for name, build in _in(language("en")).items():
        chart = build()
        assert (chart.title, chart.alt) == (built[name].title, built[name].alt)
        assert chart.html() == built[name].html()
        assert '"locale"' not in chart.html()


@pytest.mark.parametrize("name", IDS)
def test_charts_speak_the_brief_s_language(built: dict[str, Chart], name: str) -> None:
    """In Ukrainian a chart's title, axes and text alternative are Ukrainian, its numbers
    take a decimal comma, and its table is the English one's."""
    english = built[name]
    uk = language("uk")
    chart = _in(uk)[name]()
    assert chart.lang is uk
    assert chart.title != english.title
    assert re.search("[\u0400-\u04ff]", chart.title)
    assert re.search("[\u0400-\u04ff]", chart.alt)
    assert chart.alt != english.alt
    pd.testing.assert_frame_equal(chart.data, english.data)
    html = chart.html()
    assert '"locale": "uk"' in html
    assert '"decimal": ","' in html
    layout = chart.figure.layout
    for axis in (layout.xaxis, layout.yaxis):
        if axis.title.text:
            assert re.search("[\u0400-\u04ff]", axis.title.text), axis.title.text
    # The English numbers of the PNG's axes ("0.2") take the language's comma ("0,2").
    figure = chart.draw_png()
    ticks = " ".join(t.get_text() for ax in figure.axes for t in ax.get_xticklabels())
    ticks += " ".join(t.get_text() for ax in figure.axes for t in ax.get_yticklabels())
    assert not re.search(r"\d\.\d", ticks), ticks
    assert not re.search(r"\d\.\d", chart.alt), chart.alt


def test_ukrainian_numbers_and_names_in_charts() -> None:
    uk = language("uk")
    chart = ch.options_chart(options(), lang=uk)
    assert "−6,0 (від −9,5 до −2,0)" in chart.alt
    names = {"Russia": "Росія", "United States": "Сполучені Штати"}
    forces_uk = ch.forces_chart(forces(), lang=uk, names=names)
    assert "Росія 5\u00a0580 (за джерелами від 4\u00a0300 до 5\u00a0900)" in forces_uk.alt
    assert [a.text for a in forces_uk.figure.layout.annotations][4] == "Росія"
    assert forces_uk.data["state"].iloc[0] == "Russia"  # the table stays as given
    value_uk = ch.value_chart(value(), lang=uk)
    assert [a.text for a in value_uk.figure.layout.annotations][:3] == ["0,50", "0,20", "0,05"]
    assert "+2,4 в. п. за 4,8 млрд євро" in value_uk.figure.data[0].hovertext[0]
    holds_uk = ch.holds_chart(by_year(), near=(2026, 2030), lang=uk)
    assert holds_uk.figure.layout.annotations[0].text == "Найближче вікно 2026–2030"
    map_uk = ch.map_chart(tiles(), lang=uk)
    assert map_uk.selector is not None
    assert map_uk.selector.label == "Варіант на нижній мапі:"
    # The month the trust chart ends in, as Ukrainian names it.
    assert "грудень 2024" in ch.trust_chart(trust(), events(), lang=uk).alt


def test_chart_without_painter(tmp_path: Path) -> None:
    chart = Chart("x", "X", pd.DataFrame({"a": [1]}), figure=None)
    with pytest.raises(ValueError, match="no static version"):
        chart.write_png(tmp_path / "x.png")
