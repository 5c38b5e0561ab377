"""The charts of the brief, each drawn twice from one table.

Every builder returns a :class:`Chart`: the table behind it (``data``, written as CSV), an
interactive plotly figure for the HTML brief and a static PNG for the Markdown brief. The PNG
is drawn with matplotlib rather than exported from plotly, so writing a brief needs no browser
and no kaleido. Both versions use the Okabe-Ito palette (safe for colour-blind readers) and a
sequential colour scale (cividis) for the map, and nothing in them loads from the network.

>>> import pandas as pd
>>> table = pd.DataFrame({"option": ["A", "B"], "change": [2.0, -1.0], "low": [0.5, -3.0],
...                       "high": [4.0, 0.5]})
>>> chart = options_chart(table)
>>> chart.id, list(chart.data["option"])
('options', ['A', 'B'])
>>> "plot-options" in chart.html()
True
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, PercentFormatter
from matplotlib.transforms import blended_transform_factory
from plotly.subplots import make_subplots

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "TILE_POSITIONS",
    "Chart",
    "forces_chart",
    "map_chart",
    "options_chart",
    "sobol_chart",
    "trust_chart",
    "ukraine_chart",
]

Painter = Callable[[Figure], None]

#: Okabe & Ito (2008), ordered so that the first colours stay distinct in greyscale; yellow
#: comes late because it is hard to see on white.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
POSITIVE, NEGATIVE = PALETTE[0], PALETTE[1]
INK, MUTED, FAINT = "#222222", "#666666", "#BBBBBB"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
COLORSCALE = "Cividis"

PNG_WIDTH_IN = 8.5
PNG_DPI = 150
_RC: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    # Month ticks as "Feb", "Mar" with the year once, not a full date on every tick.
    "date.converter": "concise",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "figure.facecolor": "white",
}

#: (column, row) of each country's square on the tile-grid map: row 0 is the north, column 0
#: the west. Neighbours stay neighbours where a grid allows it; sizes are not to scale.
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "ISL": (0, 0),
    "NOR": (3, 0),
    "SWE": (4, 0),
    "FIN": (5, 0),
    "EST": (5, 1),
    "IRL": (0, 2),
    "GBR": (1, 2),
    "DNK": (3, 2),
    "LVA": (5, 2),
    "RUS": (6, 2),
    "NLD": (2, 3),
    "DEU": (3, 3),
    "POL": (4, 3),
    "LTU": (5, 3),
    "BLR": (6, 3),
    "FRA": (1, 4),
    "BEL": (2, 4),
    "LUX": (3, 4),
    "CZE": (4, 4),
    "SVK": (5, 4),
    "UKR": (6, 4),
    "AND": (1, 5),
    "CHE": (2, 5),
    "LIE": (3, 5),
    "AUT": (4, 5),
    "HUN": (5, 5),
    "ROU": (6, 5),
    "MDA": (7, 5),
    "PRT": (0, 6),
    "ESP": (1, 6),
    "MCO": (2, 6),
    "ITA": (3, 6),
    "SVN": (4, 6),
    "HRV": (5, 6),
    "SRB": (6, 6),
    "BGR": (7, 6),
    "GEO": (9, 6),
    "VAT": (3, 7),
    "SMR": (4, 7),
    "BIH": (5, 7),
    "KOS": (6, 7),
    "TUR": (8, 7),
    "ARM": (9, 7),
    "AZE": (10, 7),
    "MLT": (3, 8),
    "MNE": (5, 8),
    "MKD": (6, 8),
    "ALB": (5, 9),
    "GRC": (6, 9),
    "CYP": (8, 9),
}


@dataclass(frozen=True, eq=False)
class Chart:
    """One chart of the brief: its table, its plotly figure and how to draw it as a PNG.

    ``id`` is the file stem: the Markdown brief shows ``charts/<id>.png`` and
    ``data/<id>.csv`` holds ``data``. ``paint`` draws the static version on an empty
    matplotlib figure; the builders supply it.
    """

    id: str
    title: str
    data: pd.DataFrame
    figure: Any
    paint: Painter | None = field(default=None, repr=False)

    def html(self) -> str:
        """The figure as a ``<div>`` for a page that embeds plotly.js once, elsewhere."""
        html: str = self.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"plot-{self.id}",
            config={"displaylogo": False, "responsive": True},
        )
        return html

    def write_png(self, path: Path) -> None:
        """Draw the static version with matplotlib and write it to ``path``."""
        if self.paint is None:
            raise ValueError(f"chart {self.id!r} has no static version to draw")
        # rc_context rather than a style sheet: the settings must not outlive this chart.
        with matplotlib.rc_context(_RC):
            fig = Figure(figsize=(PNG_WIDTH_IN, 5.0), layout="constrained")
            FigureCanvasAgg(fig)
            self.paint(fig)
            fig.savefig(path, dpi=PNG_DPI, facecolor="white")
            fig.clear()

    def write_csv(self, path: Path) -> None:
        """Write the table behind the chart."""
        self.data.to_csv(path, index=False)


# --- tables -----------------------------------------------------------------------------


def _table(
    frame: pd.DataFrame, columns: Sequence[str], builder: str, *, allow_empty: bool = False
) -> pd.DataFrame:
    """The required columns of ``frame``, without incomplete rows."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{builder}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(columns)}, got {', '.join(map(str, frame.columns))}"
        )
    # Incomplete rows would reach the plotly JSON as NaN, which browsers do not parse.
    table = frame.loc[:, list(columns)].dropna().reset_index(drop=True)
    if table.empty and not allow_empty:
        raise ValueError(f"{builder}: no complete rows to plot")
    return table


def _distinct(values: pd.Series) -> list[Any]:
    """Distinct values in order of first appearance, so colours follow the caller's order."""
    return list(dict.fromkeys(values.tolist()))


def _colours(keys: Sequence[Any]) -> dict[Any, str]:
    return {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(keys)}


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _below(values: pd.Series, low: pd.Series) -> npt.NDArray[np.float64]:
    # Error bars take distances; a bound on the wrong side of the estimate draws nothing.
    return np.maximum(np.asarray(values - low, dtype=np.float64), 0.0)


def _above(values: pd.Series, high: pd.Series) -> npt.NDArray[np.float64]:
    return np.maximum(np.asarray(high - values, dtype=np.float64), 0.0)


# --- plotly -----------------------------------------------------------------------------


def _style(fig: Any, title: str, height: int, *, top: int = 100, bottom: int = 60) -> Any:
    """Shared look: clean template, sans-serif, title top left, legend above the plot."""
    fig.update_layout(
        template="simple_white",
        height=height,
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        title_font={"size": 18, "color": INK},
        font={"family": FONT, "size": 13, "color": INK},
        margin={"l": 10, "r": 20, "t": top, "b": bottom},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        hoverlabel={"font_family": FONT},
    )
    return fig


def _vertical_line(x: Any, colour: str, *, dash: str = "solid", width: float = 1.0) -> Any:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "layer": "below",
        "line": {"color": colour, "width": width, "dash": dash},
    }


def _bar_height(rows: int, per_row: int = 36) -> int:
    return max(320, 150 + per_row * rows)


# --- matplotlib -------------------------------------------------------------------------


def _png_title(fig: Figure, title: str) -> None:
    fig.suptitle(title, x=0.01, ha="left", fontsize=14, fontweight="bold", color=INK)


def _png_height(fig: Figure, rows: int, per_row: float = 0.38) -> None:
    fig.set_size_inches(PNG_WIDTH_IN, max(3.4, 1.6 + per_row * rows))


def _thousands(value: float, _position: float) -> str:
    return f"{value:,.0f}"


def _log_ticks(low: float, high: float) -> list[float]:
    """Ticks at 1, 2 and 5 times the powers of ten between ``low`` and ``high``: readable
    round numbers, where a log axis by default labels only the powers or every digit."""
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks = [m * 10.0**d for d in decades for m in (1, 2, 5)]
    return [t for t in ticks if low <= t <= high]


# --- forces -----------------------------------------------------------------------------

_FORCES = ("state", "stockpile", "low", "high")


def forces_chart(forces: pd.DataFrame, *, title: str = "Estimated nuclear warheads") -> Chart:
    """Horizontal bars of warhead stockpiles, largest on top, with the sources' range.

    The axis is logarithmic when the estimates span more than an order of magnitude, as the
    United States or Russia (thousands) against the United Kingdom (hundreds) do, so that
    every state stays readable; the axis label says so.
    """
    data = _table(forces, _FORCES, "forces_chart")
    data = data.sort_values("stockpile", ascending=False, kind="stable").reset_index(drop=True)
    log = bool((data["low"] > 0).all() and data["high"].max() / data["low"].min() > 10)
    label = "Warheads" + (" (log scale)" if log else "")

    fig = go.Figure(
        go.Bar(
            x=data["stockpile"],
            y=data["state"],
            orientation="h",
            marker={"color": POSITIVE},
            error_x={
                "type": "data",
                "array": _above(data["stockpile"], data["high"]),
                "arrayminus": _below(data["stockpile"], data["low"]),
                "color": INK,
                "thickness": 1.2,
                "width": 4,
            },
            customdata=data[["low", "high", "stockpile"]].to_numpy(),
            hovertemplate="<b>%{y}</b><br>%{customdata[2]:,.0f} warheads"
            "<br>range %{customdata[0]:,.0f} to %{customdata[1]:,.0f}<extra></extra>",
            name="Estimated warheads",
        )
    )
    _style(fig, title, _bar_height(len(data)), top=70)
    fig.update_layout(showlegend=False)
    # Plotly's autorange clips horizontal bars on a log axis: give the range (in log10).
    left = 10 ** np.floor(np.log10(float(data["low"].min()))) if log else 0.0
    right = float(data["high"].max()) * 1.6
    fig.update_xaxes(
        title_text=label,
        type="log" if log else "linear",
        tickvals=_log_ticks(left, right) if log else None,
        range=[np.log10(left), np.log10(right)] if log else None,
        tickformat=",",
        showgrid=True,
    )
    if log:
        fig.update_traces(base=left, x=data["stockpile"] - left)
    fig.update_yaxes(autorange="reversed", title_text=None)

    def paint(png: Figure) -> None:
        _png_height(png, len(data))
        ax = png.add_subplot()
        rows = np.arange(len(data))
        low, high = data["low"].to_numpy(float), data["high"].to_numpy(float)
        # Bars on a log axis need an explicit left end: zero does not exist there.
        left = 10 ** np.floor(np.log10(low.min())) if log else 0.0
        ax.barh(
            rows,
            data["stockpile"] - left,
            left=left,
            height=0.6,
            color=POSITIVE,
            xerr=[_below(data["stockpile"], data["low"]), _above(data["stockpile"], data["high"])],
            error_kw={"ecolor": INK, "elinewidth": 1.0, "capsize": 3},
        )
        # No hover in a PNG, so the estimate is written next to its bar.
        for row, (value, top) in enumerate(zip(data["stockpile"], high, strict=True)):
            x = top * 1.12 if log else top + 0.015 * high.max()
            ax.text(x, row, f"{value:,.0f}", va="center", fontsize=9, color=INK)
        if log:
            ax.set_xscale("log")
            ax.set_xlim(left, high.max() * 3)
            ax.set_xticks(_log_ticks(left, high.max() * 3))
            ax.xaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_xlim(0, high.max() * 1.15)
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_yticks(rows, data["state"])
        ax.invert_yaxis()
        ax.set_xlabel(label)
        ax.grid(axis="x")
        _png_title(png, title)

    return Chart("forces", title, data, fig, paint)


# --- trust ------------------------------------------------------------------------------

_TRUST = ("month", "guarantor", "view", "mean", "low", "high")
_EVENTS = ("date", "label", "major")
_BANDED_VIEW = "Europe"


def _view_text(view: str) -> str:
    return f"seen from {view}"


def _short(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _spaced(dates: pd.Series, span: pd.Timedelta, share: float = 0.025) -> list[int]:
    """Positions of the dates to label, at least ``share`` of the axis apart, so that
    labels of events close in time do not print over each other."""
    kept: list[int] = []
    last: pd.Timestamp | None = None
    for i, date in enumerate(dates):
        if last is None or date - last >= span * share:
            kept.append(i)
            last = date
    return kept


def _trust_legend(
    guarantors: Sequence[Any], views: Sequence[Any], colour: dict[Any, str]
) -> tuple[list[Any], int]:
    """Legend handles in two rows, guarantors' colours above the views' line styles.

    The legend fills column by column, so the two rows are interleaved and the shorter one
    padded with invisible entries.
    """
    colours: list[Any] = [Line2D([], [], color=colour[g], lw=2.5, label=g) for g in guarantors]
    styles: list[Any] = [
        Line2D(
            [], [], color=INK, lw=1.6, ls="-" if v == _BANDED_VIEW else "--", label=_view_text(v)
        )
        for v in views
    ]
    if _BANDED_VIEW in views:
        styles.append(Patch(color=MUTED, alpha=0.3, label=f"range, {_view_text(_BANDED_VIEW)}"))
    columns = max(len(colours), len(styles))
    blank = Line2D([], [], alpha=0, label=" ")
    colours += [blank] * (columns - len(colours))
    styles += [blank] * (columns - len(styles))
    return [h for pair in zip(colours, styles, strict=True) for h in pair], columns


def trust_chart(
    trust: pd.DataFrame,
    events: pd.DataFrame,
    *,
    title: str = "How reliable do the guarantors look?",
) -> Chart:
    """Perceived reliability of each guarantor by month, seen from Europe and from Ukraine.

    Colour is the guarantor, a solid line the view from Europe (with its credible band), a
    dashed line the view from Ukraine. Events are thin vertical lines; the PNG names only the
    major ones, the HTML names every one on hover.
    """
    data = _table(trust, _TRUST, "trust_chart")
    data["month"] = pd.to_datetime(data["month"])
    guarantors = _distinct(data["guarantor"])
    views = sorted(_distinct(data["view"]), key=lambda v: (v != _BANDED_VIEW, str(v)))
    data = data.sort_values(["guarantor", "view", "month"], kind="stable").reset_index(drop=True)
    colour = _colours(guarantors)

    timeline = _table(events, _EVENTS, "trust_chart (events)", allow_empty=True)
    timeline["date"] = pd.to_datetime(timeline["date"])
    first, last = data["month"].min(), data["month"].max() + pd.offsets.MonthEnd(0)
    timeline = timeline[(timeline["date"] >= first) & (timeline["date"] <= last)]
    timeline = timeline.sort_values("date", kind="stable").reset_index(drop=True)
    timeline["major"] = timeline["major"].astype(bool)

    def lines() -> list[tuple[str, str, pd.DataFrame]]:
        return [
            (g, v, part)
            for g in guarantors
            for v in views
            if not (part := data[(data["guarantor"] == g) & (data["view"] == v)]).empty
        ]

    fig = go.Figure()
    for g, v, part in lines():
        if v == _BANDED_VIEW:
            months = part["month"].to_numpy()
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([months, months[::-1]]),
                    y=np.concatenate([part["high"].to_numpy(), part["low"].to_numpy()[::-1]]),
                    mode="lines",
                    fill="toself",
                    fillcolor=_rgba(colour[g], 0.15),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=str(g),
                    name=f"{g}, range",
                )
            )
    for g, v, part in lines():
        fig.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["mean"],
                mode="lines",
                name=f"{g}, {_view_text(v)}",
                legendgroup=str(g),
                line={
                    "color": colour[g],
                    "width": 2.5 if v == _BANDED_VIEW else 2,
                    "dash": "solid" if v == _BANDED_VIEW else "dash",
                },
                customdata=part[["low", "high"]].to_numpy(),
                hovertemplate=f"<b>{g}</b>, {_view_text(v)}<br>%{{x|%b %Y}}: %{{y:.2f}} (0-1)"
                "<br>range %{customdata[0]:.2f} to %{customdata[1]:.2f}<extra></extra>",
            )
        )
    if not timeline.empty:
        # Shapes take no hover, so a row of small markers along the top carries the names.
        fig.add_trace(
            go.Scatter(
                x=timeline["date"],
                y=np.full(len(timeline), 1.04),
                mode="markers",
                marker={"symbol": "triangle-down", "size": 8, "color": MUTED},
                text=timeline["label"],
                hovertemplate="%{x|%d %b %Y}<br>%{text}<extra></extra>",
                name="Event",
                showlegend=False,
            )
        )
    fig.update_layout(
        shapes=[
            _vertical_line(
                date.isoformat(), MUTED if major else FAINT, dash="solid" if major else "dot"
            )
            for date, major in zip(timeline["date"], timeline["major"], strict=True)
        ]
    )
    _style(fig, title, 540, top=120)
    fig.update_yaxes(title_text="Perceived reliability (0-1)", range=[0, 1.08], tickformat=".1f")
    fig.update_xaxes(title_text="Month")

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, 5.6)
        ax = png.add_subplot()
        for date, major in zip(timeline["date"], timeline["major"], strict=True):
            ax.axvline(
                date,
                color=MUTED if major else FAINT,
                lw=0.8,
                ls="-" if major else ":",
                zorder=0,
            )
        for g, v, part in lines():
            months = part["month"].to_numpy()
            if v == _BANDED_VIEW:
                ax.fill_between(
                    months, part["low"], part["high"], color=colour[g], alpha=0.15, lw=0
                )
            ax.plot(
                months,
                part["mean"],
                color=colour[g],
                lw=2.0 if v == _BANDED_VIEW else 1.6,
                ls="-" if v == _BANDED_VIEW else "--",
            )
        major = timeline[timeline["major"]].reset_index(drop=True)
        top = blended_transform_factory(ax.transData, ax.transAxes)
        for i in _spaced(major["date"], last - first):
            ax.text(
                major["date"][i],
                0.98,
                _short(str(major["label"][i])),
                transform=top,
                rotation=90,
                path_effects=[withStroke(linewidth=3, foreground="white")],
                ha="right",
                va="top",
                fontsize=8,
                color=MUTED,
            )
        ax.set_ylim(0, 1)
        ax.set_xlim(first, max(data["month"].max(), *timeline["date"]))
        ax.set_ylabel("Perceived reliability (0-1)")
        ax.grid(axis="y")
        handles, columns = _trust_legend(guarantors, views, colour)
        png.legend(handles=handles, loc="outside lower center", ncol=columns)
        _png_title(png, title)

    return Chart("trust", title, data, fig, paint)


# --- Ukraine ----------------------------------------------------------------------------

_UKRAINE = ("year", "option", "total", "low", "high")
_UKRAINE_AXIS = "Support to Ukraine, EUR bn per year"


def ukraine_chart(support: pd.DataFrame, *, title: str = "Support to Ukraine by option") -> Chart:
    """One line per option of yearly support to Ukraine, with a light band for its range."""
    data = _table(support, _UKRAINE, "ukraine_chart")
    options = _distinct(data["option"])
    data = data.sort_values(["option", "year"], kind="stable").reset_index(drop=True)
    colour = _colours(options)
    parts = [(o, data[data["option"] == o]) for o in options]

    fig = go.Figure()
    for option, part in parts:
        years = part["year"].to_numpy()
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([years, years[::-1]]),
                y=np.concatenate([part["high"].to_numpy(), part["low"].to_numpy()[::-1]]),
                mode="lines",
                fill="toself",
                fillcolor=_rgba(colour[option], 0.12),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=str(option),
                name=f"{option}, range",
            )
        )
    for option, part in parts:
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["total"],
                mode="lines+markers",
                name=str(option),
                legendgroup=str(option),
                line={"color": colour[option], "width": 2.5},
                marker={"size": 6},
                customdata=part[["low", "high"]].to_numpy(),
                hovertemplate=f"<b>{option}</b><br>%{{x}}: EUR %{{y:,.1f}} bn"
                "<br>range EUR %{customdata[0]:,.1f} to %{customdata[1]:,.1f} bn<extra></extra>",
            )
        )
    _style(fig, title, 480)
    fig.update_xaxes(
        title_text="Year", tickformat="d", dtick=1 if data["year"].nunique() <= 12 else None
    )
    fig.update_yaxes(title_text=_UKRAINE_AXIS, rangemode="tozero", showgrid=True)

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, 5.0)
        ax = png.add_subplot()
        for option, part in parts:
            ax.fill_between(
                part["year"], part["low"], part["high"], color=colour[option], alpha=0.12, lw=0
            )
            ax.plot(
                part["year"],
                part["total"],
                color=colour[option],
                lw=2,
                marker="o",
                ms=4,
                label=option,
            )
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Year")
        ax.set_ylabel(_UKRAINE_AXIS)
        ax.grid(axis="y")
        png.legend(loc="outside lower center", ncol=min(len(options), 3))
        _png_title(png, title)

    return Chart("ukraine", title, data, fig, paint)


# --- options ----------------------------------------------------------------------------

_OPTIONS = ("option", "change", "low", "high")
_OPTIONS_AXIS = "Change vs status quo, percentage points"


def options_chart(
    options: pd.DataFrame,
    *,
    title: str = "How much each option changes the chance that deterrence holds",
) -> Chart:
    """Bars of each option's change against the status quo, best on top, with the 10th-90th
    percentile range; blue where deterrence gains, vermillion where it loses."""
    data = _table(options, _OPTIONS, "options_chart")
    data = data.sort_values("change", ascending=False, kind="stable").reset_index(drop=True)
    colours = [POSITIVE if c >= 0 else NEGATIVE for c in data["change"]]
    below, above = _below(data["change"], data["low"]), _above(data["change"], data["high"])

    fig = go.Figure(
        go.Bar(
            x=data["change"],
            y=data["option"],
            orientation="h",
            marker={"color": colours},
            error_x={
                "type": "data",
                "array": above,
                "arrayminus": below,
                "color": INK,
                "thickness": 1.2,
                "width": 4,
            },
            customdata=data[["low", "high"]].to_numpy(),
            hovertemplate="<b>%{y}</b><br>%{x:+.1f} pp"
            "<br>10th-90th percentile %{customdata[0]:+.1f} to %{customdata[1]:+.1f} pp"
            "<extra></extra>",
            name="Change",
        )
    )
    _style(fig, title, _bar_height(len(data)), top=70)
    fig.update_layout(showlegend=False, shapes=[_vertical_line(0, INK, width=1.2)])
    fig.update_xaxes(title_text=_OPTIONS_AXIS, showgrid=True, zeroline=False)
    fig.update_yaxes(autorange="reversed", title_text=None)

    def paint(png: Figure) -> None:
        _png_height(png, len(data))
        ax = png.add_subplot()
        rows = np.arange(len(data))
        ax.barh(
            rows,
            data["change"],
            height=0.6,
            color=colours,
            xerr=[below, above],
            error_kw={"ecolor": INK, "elinewidth": 1.0, "capsize": 3},
        )
        ax.axvline(0, color=INK, lw=1)
        pad = 0.02 * float(data["high"].max() - data["low"].min() or 1.0)
        for row, (change, low, high) in enumerate(
            zip(data["change"], data["low"], data["high"], strict=True)
        ):
            x, ha = (
                (max(high, change) + pad, "left")
                if change >= 0
                else (min(low, change) - pad, "right")
            )
            ax.text(x, row, f"{change:+.1f}", va="center", ha=ha, fontsize=9, color=INK)
        ax.margins(x=0.12)
        ax.set_yticks(rows, data["option"])
        ax.invert_yaxis()
        ax.set_xlabel(_OPTIONS_AXIS)
        ax.grid(axis="x")
        _png_title(png, title)

    return Chart("options", title, data, fig, paint)


# --- map --------------------------------------------------------------------------------

_MAP = ("iso3", "name", "panel", "value")
_MAP_SCALE = "Probability that deterrence holds"


def _grid_size() -> tuple[int, int]:
    columns = max(c for c, _ in TILE_POSITIONS.values()) + 1
    rows = max(r for _, r in TILE_POSITIONS.values()) + 1
    return columns, rows


def _scale(values: pd.Series) -> tuple[float, float]:
    """One colour range for both panels, so that a colour means the same in each."""
    low, high = float(values.min()), float(values.max())
    if high - low < 0.02:
        low, high = max(0.0, low - 0.05), min(1.0, high + 0.05)
    return low, high


def _ink_on(rgba: tuple[float, float, float, float]) -> str:
    """Black or white text, whichever reads better on a tile of this colour."""
    r, g, b, _ = rgba
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def map_chart(
    tiles: pd.DataFrame, *, title: str = "Probability that deterrence holds, by country"
) -> Chart:
    """Two tile-grid maps of Europe side by side, one square per country on one colour scale.

    A tile grid rather than a geographic map: it needs no shapes or map tiles from the
    network, and small states (Luxembourg, Malta, the Baltics) are as visible as large ones.
    Countries without a place in :data:`TILE_POSITIONS` are left out of the chart and its data.
    """
    data = _table(tiles, _MAP, "map_chart")
    panels = _distinct(data["panel"])
    if len(panels) != 2:
        raise ValueError(f"map_chart: expected exactly two panels, got {len(panels)}: {panels}")
    data = data[data["iso3"].isin(TILE_POSITIONS)]
    data = data.drop_duplicates(["panel", "iso3"]).reset_index(drop=True)
    if data.empty:
        raise ValueError("map_chart: no country with a tile position")
    columns, rows = _grid_size()
    low, high = _scale(data["value"])
    parts = [(p, data[data["panel"] == p]) for p in panels]

    fig = make_subplots(
        rows=1, cols=2, subplot_titles=[str(p) for p in panels], horizontal_spacing=0.03
    )
    for i, (panel, part) in enumerate(parts, start=1):
        # A heatmap on the grid keeps the squares square and aligned at any page width,
        # which markers sized in pixels would not; empty cells stay blank (None, not NaN).
        z: list[list[float | None]] = [[None] * columns for _ in range(rows)]
        text = [[""] * columns for _ in range(rows)]
        names = [[""] * columns for _ in range(rows)]
        for iso3, name, value in zip(part["iso3"], part["name"], part["value"], strict=True):
            col, row = TILE_POSITIONS[iso3]
            z[row][col], text[row][col], names[row][col] = float(value), iso3, str(name)
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=list(range(columns)),
                y=list(range(rows)),
                text=text,
                customdata=names,
                texttemplate="%{text}",
                textfont={"size": 11},
                coloraxis="coloraxis",
                xgap=3,
                ygap=3,
                hoverongaps=False,
                hovertemplate="<b>%{customdata}</b><br>" + _MAP_SCALE + ": %{z:.0%}<extra></extra>",
                name=str(panel),
            ),
            row=1,
            col=i,
        )
        fig.update_xaxes(
            visible=False, range=[-0.5, columns - 0.5], constrain="domain", row=1, col=i
        )
        fig.update_yaxes(
            visible=False,
            range=[rows - 0.5, -0.5],
            scaleanchor="x" if i == 1 else "x2",
            constrain="domain",
            row=1,
            col=i,
        )
    _style(fig, title, 560, top=90, bottom=90)
    fig.update_layout(
        coloraxis={
            "colorscale": COLORSCALE,
            "cmin": low,
            "cmax": high,
            "colorbar": {
                "title": {"text": _MAP_SCALE, "side": "top"},
                "tickformat": ".0%",
                "orientation": "h",
                "x": 0.5,
                "xanchor": "center",
                "y": -0.04,
                "yanchor": "top",
                "len": 0.6,
                "thickness": 14,
            },
        }
    )

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, 5.4)
        cmap = matplotlib.colormaps["cividis"]
        norm = Normalize(low, high)
        axes = png.subplots(1, 2)
        for ax, (panel, part) in zip(axes, parts, strict=True):
            for iso3, value in zip(part["iso3"], part["value"], strict=True):
                col, row = TILE_POSITIONS[iso3]
                fill = cmap(norm(value))
                ax.add_patch(Rectangle((col - 0.45, row - 0.45), 0.9, 0.9, facecolor=fill, lw=0))
                ax.text(col, row, iso3, ha="center", va="center", fontsize=6.5, color=_ink_on(fill))
            ax.set_xlim(-0.5, columns - 0.5)
            ax.set_ylim(rows - 0.5, -0.5)
            ax.set_aspect("equal")
            ax.set_axis_off()
            ax.set_title(str(panel), fontsize=11, color=INK)
        bar = png.colorbar(
            ScalarMappable(norm=norm, cmap=cmap),
            ax=axes,
            orientation="horizontal",
            shrink=0.6,
            aspect=40,
            format=PercentFormatter(1.0, decimals=0),
        )
        bar.set_label(_MAP_SCALE)
        bar.outline.set_visible(False)
        _png_title(png, title)

    return Chart("map", title, data, fig, paint)


# --- Sobol indices ----------------------------------------------------------------------

_SOBOL = ("uncertainty", "label", "S1", "S1_conf", "ST", "ST_conf")
_SOBOL_AXIS = "Sobol index (share of the variance of the result)"


def sobol_chart(
    indices: pd.DataFrame,
    top: int = 12,
    *,
    title: str = "Which uncertainties drive the result",
) -> Chart:
    """Grouped bars of the first-order (alone) and total (with interactions) Sobol indices of
    the ``top`` uncertainties with the largest total index, largest on top."""
    if top < 1:
        raise ValueError(f"sobol_chart: top must be at least 1, got {top}")
    data = _table(indices, _SOBOL, "sobol_chart")
    data = data.sort_values("ST", ascending=False, kind="stable").head(top).reset_index(drop=True)
    # Bars are placed by label: two uncertainties sharing one would be drawn as one.
    labels = data["label"].astype(str)
    if labels.duplicated().any():
        labels = labels + " (" + data["uncertainty"].astype(str) + ")"
    # Assumption meanings run to a sentence: wrap them, or they squeeze the bars to nothing.
    wrapped = [textwrap.fill(text, 38, max_lines=3, placeholder=" …") for text in labels]
    series = (
        ("S1", "First order (alone)", PALETTE[3]),
        ("ST", "Total (with interactions)", PALETTE[0]),
    )

    fig = go.Figure(
        [
            go.Bar(
                x=data[index],
                y=[text.replace("\n", "<br>") for text in wrapped],
                orientation="h",
                name=name,
                marker={"color": colour},
                error_x={
                    "type": "data",
                    "array": data[f"{index}_conf"].abs(),
                    "color": INK,
                    "thickness": 1.2,
                    "width": 3,
                },
                customdata=data[[f"{index}_conf", "uncertainty"]].to_numpy(),
                hovertemplate=f"<b>%{{y}}</b> (%{{customdata[1]}})<br>{name}: "
                "%{x:.2f} ± %{customdata[0]:.2f} (share of variance)<extra></extra>",
            )
            for index, name, colour in series
        ]
    )
    _style(fig, title, _bar_height(len(data), per_row=44))
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(title_text=_SOBOL_AXIS, showgrid=True)
    fig.update_yaxes(autorange="reversed", title_text=None)

    def paint(png: Figure) -> None:
        _png_height(png, len(data), per_row=0.62)
        ax = png.add_subplot()
        rows = np.arange(len(data))
        for offset, (index, name, colour) in zip((-0.2, 0.2), series, strict=True):
            ax.barh(
                rows + offset,
                data[index],
                height=0.38,
                color=colour,
                label=name,
                xerr=data[f"{index}_conf"].abs(),
                error_kw={"ecolor": INK, "elinewidth": 0.9, "capsize": 2},
            )
        ax.set_yticks(rows, wrapped, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(left=min(0.0, float((data["S1"] - data["S1_conf"].abs()).min())))
        ax.set_xlabel(_SOBOL_AXIS)
        ax.grid(axis="x")
        png.legend(loc="outside lower center", ncol=2)
        _png_title(png, title)

    return Chart("drivers", title, data, fig, paint)
