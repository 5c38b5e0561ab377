from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from umbrella.report import charts as ch
from umbrella.report.charts import Chart

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


def tiles() -> pd.DataFrame:
    codes = ["DEU", "FRA", "POL", "EST", "UKR", "ATL"]
    panels = ["Status quo, 2026", "Shared responsibility, 2040"]
    rows = [
        (code, f"Country {code}", panel, 0.5 + 0.05 * i + 0.2 * p)
        for p, panel in enumerate(panels)
        for i, code in enumerate(codes)
    ]
    return pd.DataFrame(rows, columns=["iso3", "name", "panel", "value"])


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
    ("map", build_map, ["iso3", "name", "panel", "value"], ["heatmap", "heatmap"]),
    (
        "drivers",
        build_drivers,
        ["uncertainty", "label", "S1", "S1_conf", "ST", "ST_conf"],
        ["bar", "bar"],
    ),
]
IDS = [case[0] for case in CASES]


@pytest.fixture(scope="module")
def built() -> dict[str, Chart]:
    return {name: build() for name, build, _, _ in CASES}


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


@pytest.mark.parametrize("name", IDS)
def test_write_png(built: dict[str, Chart], name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.png"
    built[name].write_png(path)
    content = path.read_bytes()
    assert content[:8] == PNG_SIGNATURE
    assert len(content) > 5_000
    width = int.from_bytes(content[16:20], "big")
    assert 8 * 150 <= width <= 9 * 150


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


@pytest.mark.parametrize(("name", "build", "columns", "traces"), CASES, ids=IDS)
def test_missing_column(
    name: str, build: Callable[[], Chart], columns: list[str], traces: list[str]
) -> None:
    frames: dict[str, Callable[[pd.DataFrame], Chart]] = {
        "forces": ch.forces_chart,
        "trust": lambda f: ch.trust_chart(f, events()),
        "ukraine": ch.ukraine_chart,
        "options": ch.options_chart,
        "map": ch.map_chart,
        "drivers": ch.sobol_chart,
    }
    source: dict[str, Callable[[], pd.DataFrame]] = {
        "forces": forces,
        "trust": trust,
        "ukraine": support,
        "options": options,
        "map": tiles,
        "drivers": indices,
    }
    frame = source[name]().drop(columns=[columns[-1]])
    with pytest.raises(ValueError, match=f"missing column.*{columns[-1]}"):
        frames[name](frame)


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


def test_forces_largest_on_top_and_log_scale() -> None:
    chart = ch.forces_chart(forces())
    assert list(chart.data["state"]) == ["Russia", "United States", "France", "United Kingdom"]
    assert chart.figure.layout.xaxis.type == "log"
    assert "log scale" in chart.figure.layout.xaxis.title.text
    assert list(chart.figure.layout.xaxis.tickvals) == [100, 200, 500, 1000, 2000, 5000]
    # The range is explicit (autorange clips log bars) and holds every bar and whisker.
    low, high = chart.figure.layout.xaxis.range
    assert 10**low <= chart.data["low"].min()
    assert 10**high >= chart.data["high"].max()
    bar = chart.figure.data[0]
    np.testing.assert_allclose(bar.base + np.asarray(bar.x), chart.data["stockpile"])


def test_forces_linear_when_close() -> None:
    frame = forces().iloc[[1, 3]]
    chart = ch.forces_chart(frame)
    assert chart.figure.layout.xaxis.type == "linear"
    assert "log" not in chart.figure.layout.xaxis.title.text


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
    assert fig.layout.yaxis.title.text == "Support to Ukraine, EUR bn per year"
    assert [t.name for t in fig.data if t.mode == "lines+markers"] == [
        "Status quo",
        "European pillar",
    ]


def test_options_sorted_with_zero_line(built: dict[str, Chart]) -> None:
    chart = built["options"]
    assert list(chart.data["change"]) == sorted(chart.data["change"], reverse=True)
    (zero,) = chart.figure.layout.shapes
    assert zero.x0 == zero.x1 == 0
    assert "percentage points" in chart.figure.layout.xaxis.title.text


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


def test_map_panels_and_skipped(built: dict[str, Chart]) -> None:
    chart = built["map"]
    assert "ATL" not in set(chart.data["iso3"])
    assert len(chart.data) == 10
    titles = [a.text for a in chart.figure.layout.annotations]
    assert titles == ["Status quo, 2026", "Shared responsibility, 2040"]
    first = chart.figure.data[0]
    col, row = ch.TILE_POSITIONS["DEU"]
    assert first.z[row][col] == pytest.approx(0.5)
    assert first.text[row][col] == "DEU"
    assert first.z[0][1] is None
    coloraxis = chart.figure.layout.coloraxis
    assert coloraxis.colorbar.title.text == "Probability that deterrence holds"
    assert coloraxis.cmin == pytest.approx(0.5)
    assert coloraxis.cmax == pytest.approx(0.9)


@pytest.mark.parametrize("panels", [1, 3])
def test_map_needs_two_panels(panels: int) -> None:
    frame = tiles()
    frame["panel"] = [f"p{i % panels}" for i in range(len(frame))]
    with pytest.raises(ValueError, match="two panels"):
        ch.map_chart(frame)


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
    assert len(set(chart.figure.data[0].y)) == 3


def test_chart_without_painter(tmp_path: Path) -> None:
    chart = Chart("x", "X", pd.DataFrame({"a": [1]}), figure=None)
    with pytest.raises(ValueError, match="no static version"):
        chart.write_png(tmp_path / "x.png")
