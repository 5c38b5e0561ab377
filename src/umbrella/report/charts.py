"""The charts of the brief, each drawn twice from one table.

Every builder returns a :class:`Chart`: the table behind it (``data``, written as CSV), an
interactive plotly figure for the HTML brief, a static PNG for the Markdown brief and a text
alternative (``alt``) for readers who see neither. The PNG is drawn with matplotlib rather
than exported from plotly, so writing a brief needs no browser and no kaleido. Every chart
takes its colours from one palette that colour-blind readers can tell apart: Okabe-Ito for
categories (:data:`PALETTE`), cividis for a level (:data:`SEQUENTIAL`) and a red-blue scale
centred on zero for a change (:data:`DIVERGING`). Bars start at zero on a linear axis, so
that their lengths compare as the values do, and nothing in a chart loads from the network.

Every builder takes the brief's :class:`~umbrella.report.locale.Language`: titles, axes,
legends, hover labels and the text alternative come from its catalogue, and numbers are
written as it writes them (:mod:`umbrella.report.numbers`). The table behind a chart stays as
the findings hold it, the same in every language.

>>> import pandas as pd
>>> table = pd.DataFrame({"option": ["A", "B"], "change": [2.0, -1.0], "low": [0.5, -3.0],
...                       "high": [4.0, 0.5]})
>>> chart = options_chart(table)
>>> chart.id, list(chart.data["option"])
('options', ['A', 'B'])
>>> "plot-options" in chart.html()
True
>>> chart.alt.startswith("Bar chart")
True
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_skeleton
from babel.numbers import get_decimal_symbol, get_group_symbol
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, LinearSegmentedColormap, Normalize
from matplotlib.dates import num2date
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator, ScalarFormatter
from matplotlib.transforms import blended_transform_factory
from plotly.subplots import make_subplots

from umbrella.report.locale import ENGLISH, N_, Language
from umbrella.report.numbers import money, number, percent, points, quantity

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from umbrella.explore.tradeoffs import Objective

__all__ = [
    "DIVERGING",
    "PALETTE",
    "SEQUENTIAL",
    "TILE_POSITIONS",
    "Chart",
    "Selector",
    "colormap",
    "colorscale",
    "forces_chart",
    "holds_chart",
    "map_chart",
    "objective_words",
    "options_chart",
    "pathway_chart",
    "sobol_chart",
    "tradeoffs_chart",
    "trust_chart",
    "ukraine_chart",
    "value_chart",
]

Painter = Callable[[Figure], None]

# --- palette ----------------------------------------------------------------------------
# The one definition of colour for every chart, in both renderings.

#: Okabe & Ito (2008), for categories, ordered so that the first colours stay distinct in
#: greyscale; yellow comes late because it is hard to see on white.
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
#: cividis (Nuñez, Anderton and Renslow 2018), for a level: light rises evenly from dark
#: blue to yellow, the same for the common colour-vision deficiencies and in greyscale.
SEQUENTIAL = (
    "#00224E",
    "#123570",
    "#3B496C",
    "#575D6D",
    "#707173",
    "#8A8678",
    "#A59C74",
    "#C3B369",
    "#E1CC55",
    "#FEE838",
)
#: ColorBrewer RdBu, for a change centred on zero: red below, blue above, near white at zero.
#: Red and blue stay apart for the common colour-vision deficiencies; a gain is blue and a
#: loss red, as in the bar charts.
DIVERGING = (
    "#67001F",
    "#B2182B",
    "#D6604D",
    "#F4A582",
    "#FDDBC7",
    "#F7F7F7",
    "#D1E5F0",
    "#92C5DE",
    "#4393C3",
    "#2166AC",
    "#053061",
)
POSITIVE, NEGATIVE = PALETTE[0], PALETTE[1]
INK, MUTED, FAINT = "#222222", "#666666", "#BBBBBB"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def colorscale(colours: Sequence[str]) -> list[list[float | str]]:
    """A plotly colour scale through ``colours``, evenly spaced.

    >>> colorscale(("#000000", "#FFFFFF"))
    [[0.0, '#000000'], [1.0, '#FFFFFF']]
    """
    last = len(colours) - 1
    return [[i / last, colour] for i, colour in enumerate(colours)]


def colormap(colours: Sequence[str]) -> Colormap:
    """The matplotlib colour map through the same ``colours``, so the PNG matches the page."""
    return LinearSegmentedColormap.from_list("umbrella", list(colours))


PNG_WIDTH_IN = 8.5
PNG_DPI = 150
#: Pixels above an interactive figure for its title. The page shows the title as a heading
#: instead, which wraps on a narrow screen where a title drawn in a figure is cut off.
TITLE_SPACE = 50
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
    "axes.prop_cycle": cycler(color=list(PALETTE)),
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


@dataclass(frozen=True)
class Selector:
    """A drop-down list above an HTML chart that switches what some of its traces show.

    Choosing ``choices[i]`` applies ``updates[i]``: trace properties (each a list with one
    value per trace in ``traces``) and layout properties, as ``Plotly.update`` takes them.
    The figure is built showing ``choices[selected]``.
    """

    label: str
    choices: tuple[str, ...]
    selected: int
    traces: tuple[int, ...]
    updates: tuple[tuple[dict[str, Any], dict[str, Any]], ...]

    def html(self, chart_id: str) -> str:
        """A labelled ``<select>``: a native control, which keyboards and screen readers
        work and which fits a narrow screen, unlike a menu drawn inside the figure."""
        options = "".join(
            f'<option value="{i}"{" selected" if i == self.selected else ""}>'
            f"{escape(choice)}</option>"
            for i, choice in enumerate(self.choices)
        )
        return (
            f'<p class="chart-control"><label for="select-{chart_id}">{escape(self.label)}'
            f'</label> <select id="select-{chart_id}" autocomplete="off">{options}</select></p>'
        )

    def script(self, chart_id: str) -> str:
        updates = json.dumps([list(update) for update in self.updates], allow_nan=False)
        # "</" would end the script early if a name held it.
        updates = updates.replace("</", "<\\/")
        return (
            "<script>(function () {\n"
            f'  var select = document.getElementById("select-{chart_id}");\n'
            f"  var updates = {updates};\n"
            '  select.addEventListener("change", function () {\n'
            "    var update = updates[select.selectedIndex];\n"
            f'    Plotly.update("plot-{chart_id}", update[0], update[1], '
            f"{json.dumps(list(self.traces))});\n"
            "  });\n"
            "})();</script>"
        )


@dataclass(frozen=True, eq=False)
class Chart:
    """One chart of the brief: its table, its plotly figure, how to draw it as a PNG, and
    what it shows in words.

    ``id`` is the file stem: the Markdown brief shows ``charts/<id>.png`` and
    ``data/<id>.csv`` holds ``data``. ``paint`` draws the static version on an empty
    matplotlib figure; the builders supply it, and ``alt``, the text alternative that
    describes the chart to a reader who cannot see it. ``selector``, where there is one,
    switches what the interactive figure shows; ``max_width`` caps its width on the page (px)
    where a wider figure would only add empty space. ``lang`` is the language its words are
    in, which also writes the numbers and months of the figure's axes and hover labels.
    """

    id: str
    title: str
    data: pd.DataFrame
    figure: Any
    paint: Painter | None = field(default=None, repr=False)
    alt: str = ""
    selector: Selector | None = None
    max_width: int | None = None
    lang: Language = field(default=ENGLISH, repr=False)

    def web_figure(self) -> Any:
        """The plotly figure as the page shows it: without its title, which the page
        shows as a heading above it."""
        figure = go.Figure(self.figure)
        top = int(figure.layout.margin.t or TITLE_SPACE)
        saved = top - max(top - TITLE_SPACE, 10)
        # The plot keeps its height: the figure is shorter by the title's room.
        height = int(figure.layout.height) - saved if figure.layout.height else None
        figure.update_layout(title_text="", margin_t=top - saved, height=height)
        return figure

    def web_json(self) -> dict[str, Any]:
        """:meth:`web_figure` as plotly's JSON (the same once written), changed as plain
        data: no second figure is built and validated (a fifth of a second per what-if in
        the web app)."""
        figure: dict[str, Any] = self.figure.to_plotly_json()
        layout = figure.setdefault("layout", {})
        margin = layout.setdefault("margin", {})
        top = int(margin.get("t") or TITLE_SPACE)
        saved = top - max(top - TITLE_SPACE, 10)
        # The plot keeps its height: the figure is shorter by the title's room.
        height = layout.get("height")
        layout["height"] = int(height) - saved if height else None
        title = layout.get("title")
        layout["title"] = {**(title if isinstance(title, dict) else {}), "text": ""}
        margin["t"] = top - saved
        return figure

    def config(self) -> dict[str, Any]:
        """plotly.js's settings for the figure on a page (the brief's and the web app's)."""
        # No "share" button: it would upload the chart to a server.
        config: dict[str, Any] = {
            "displaylogo": False,
            "responsive": True,
            "showSendToCloud": False,
        }
        if self.lang is not ENGLISH:
            # The locale travels with the figure, not registered on the page: plotly writes
            # the axes' and hover labels' numbers and months with it.
            code = self.lang.code
            config |= {"locale": code, "locales": {code: {"format": _plotly_format(self.lang)}}}
        return config

    def html(self) -> str:
        """The chart for a page that embeds plotly.js once, elsewhere: its title as a
        heading, its selector if any, ``alt`` as a description that screen readers read
        (visually hidden) and the figure.

        The description sits next to the figure rather than on it as ``role="img"``: the
        figure holds the buttons of plotly's toolbar, and an image may hold no control.
        """
        plot: str = self.web_figure().to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"plot-{self.id}",
            config=self.config(),
        )
        parts = [f'<h3 class="chart-title" id="title-{self.id}">{escape(self.title)}</h3>']
        if self.selector is not None:
            parts.append(self.selector.html(self.id))
        parts.append(
            f'<p class="visually-hidden" id="alt-{self.id}">{escape(self.alt or self.title)}</p>'
        )
        style = f' style="max-width: {self.max_width}px"' if self.max_width else ""
        parts.append(f'<div class="plot" aria-describedby="alt-{self.id}"{style}>{plot}</div>')
        if self.selector is not None:
            parts.append(self.selector.script(self.id))
        return "\n".join(parts)

    def draw_png(self) -> Figure:
        """The static version, drawn and laid out on a new matplotlib figure."""
        with matplotlib.rc_context(_RC):
            fig = self._painted()
            fig.canvas.draw()
        return fig

    def write_png(self, path: Path) -> None:
        """Draw the static version with matplotlib and write it to ``path``."""
        # rc_context rather than a style sheet: the settings must not outlive this chart.
        with matplotlib.rc_context(_RC):
            fig = self._painted()
            fig.savefig(path, dpi=PNG_DPI, facecolor="white")
            fig.clear()

    def write_csv(self, path: Path) -> None:
        """Write the table behind the chart."""
        self.data.to_csv(path, index=False)

    def _painted(self) -> Figure:
        if self.paint is None:
            raise ValueError(f"chart {self.id!r} has no static version to draw")
        fig = Figure(figsize=(PNG_WIDTH_IN, 5.0), dpi=PNG_DPI, layout="constrained")
        FigureCanvasAgg(fig)
        self.paint(fig)
        _localise_ticks(fig, self.lang)
        return fig


def _plotly_format(lang: Language) -> dict[str, Any]:
    """Plotly's locale format for ``lang``, from Babel's CLDR data: the numbers' decimal and
    group symbols, and the names of months and days (d3 counts days from Sunday)."""
    months, days = lang.locale.months["stand-alone"], lang.locale.days["stand-alone"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    return {
        "decimal": get_decimal_symbol(lang.locale),
        "thousands": get_group_symbol(lang.locale),
        "months": [months["wide"][m] for m in range(1, 13)],
        "shortMonths": [months["abbreviated"][m] for m in range(1, 13)],
        "days": [days["wide"][d] for d in sunday_first],
        "shortDays": [days["abbreviated"][d] for d in sunday_first],
    }


class _LocalTicks(Formatter):
    """The tick labels of ``inner`` (written the English way) with the decimal and group
    symbols of a language."""

    def __init__(self, inner: Formatter, lang: Language) -> None:
        self.inner = inner
        symbols = {".": get_decimal_symbol(lang.locale), ",": get_group_symbol(lang.locale)}
        self.symbols = str.maketrans(symbols)

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        self.inner.set_locs(locs)

    def format_ticks(self, values: Any) -> list[str]:
        return [str(t).translate(self.symbols) for t in self.inner.format_ticks(values)]

    def __call__(self, x: float, pos: int | None = None) -> str:
        return str(self.inner(x, pos)).translate(self.symbols)

    def get_offset(self) -> str:
        return str(self.inner.get_offset()).translate(self.symbols)


def _localise_ticks(fig: Figure, lang: Language) -> None:
    """Tick labels in ``lang``'s way of writing numbers. The builders give their own axes
    formatters that know the language; this reaches the axes left to matplotlib's default."""
    if lang is ENGLISH:
        return
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, ScalarFormatter):
                axis.set_major_formatter(_LocalTicks(formatter, lang))


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


def _whiskers(below: Any, above: Any, width: int = 4) -> dict[str, Any]:
    """Plotly error bars, one style for every chart: distances below and above each bar."""
    return {
        "type": "data",
        "array": above,
        "arrayminus": below,
        "color": INK,
        "thickness": 1.2,
        "width": width,
    }


# --- words ------------------------------------------------------------------------------


def _count(value: float, lang: Language = ENGLISH) -> str:
    return number(value, 0, lang)


def _signed(value: float, digits: int = 1, lang: Language = ENGLISH) -> str:
    """A change with its sign and a true minus: ``-1.25 -> '−1.2'``, never ``'-0.0'``."""
    shown = f"{value:+.{digits}f}"
    if float(shown) == 0.0:
        return number(0.0, digits, lang)
    # The digits are rounded as the sign is: the same figure, in the language's symbols.
    return ("+" if shown.startswith("+") else "−") + number(abs(value), digits, lang)


def _plain(value: float, digits: int = 2, lang: Language = ENGLISH) -> str:
    return _signed(value, digits, lang).removeprefix("+")


def _year(value: Any) -> str:
    """A year as written, ``'2026'``: never with a thousands separator."""
    return str(int(value))


def _listing(items: Sequence[str], lang: Language = ENGLISH) -> str:
    if len(items) == 1:
        return items[0]
    return lang.gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _span(low: str, high: str, lang: Language = ENGLISH) -> str:
    """A range between two numbers that may carry a sign: ``'−0.5 to +4.1'``."""
    return lang.gettext("{low} to {high}").format(low=low, high=high)


def _namer(lang: Language, names: Mapping[str, str] | None = None) -> Callable[[Any], str]:
    """How a name in a chart's table is printed: as ``names`` words it in the brief's language
    (a state's name), else as the language's catalogue has it (an option's), else as given."""
    given = dict(names or {})
    return lambda name: given.get(str(name)) or lang.text(str(name))


# --- plotly -----------------------------------------------------------------------------


def _style(fig: Any, title: str, height: int, *, top: int = 10, bottom: int = 60) -> Any:
    """Shared look: clean template, sans-serif, the palette, title top left, legend below.

    ``top`` is the room above the plot besides the title's. The legend sits at the foot of
    the figure, where plotly makes room for it as it wraps on a narrow screen; above the
    plot, a legend that wraps grows into the title.
    """
    fig.update_layout(
        template="simple_white",
        autosize=True,
        height=height,
        colorway=list(PALETTE),
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        title_font={"size": 18, "color": INK},
        font={"family": FONT, "size": 13, "color": INK},
        margin={"l": 10, "r": 20, "t": TITLE_SPACE + top, "b": bottom},
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            # All of it, however tall it wraps: a legend that scrolls hides entries.
            "maxheight": 1,
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
        },
        hoverlabel={"font_family": FONT},
    )
    # Axis titles a little smaller than the text, so that they fit a 320 px wide plot.
    fig.update_xaxes(title_font={"size": 12})
    fig.update_yaxes(title_font={"size": 12})
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


#: Labels above rows of bars: their font size (px), the pixels a line takes, how many lines
#: a label may take and how many characters a line holds, which fit a 320 px wide chart.
ROW_LABEL_SIZE = 12
ROW_LABEL_LINE = 15
ROW_LABEL_LINES = 2
ROW_LABEL_WIDTH = 46
#: Pixels per row of one bar: its label above it, the bar in the lower part of the row.
ROW_PITCH = 64


def _fit(text: str, width: int) -> int:
    """How many characters of ``text`` a line holds where it holds ``width`` of Latin:
    Cyrillic and the other scripts set wider, so fewer of theirs fit."""
    return width if text.isascii() else width * 4 // 5


def _row_label(text: str) -> str:
    """A row's label wrapped for the page, in at most :data:`ROW_LABEL_LINES` lines."""
    width = _fit(text, ROW_LABEL_WIDTH)
    wrapped = textwrap.fill(text, width, max_lines=ROW_LABEL_LINES, placeholder=" …")
    return escape(wrapped, quote=False).replace("\n", "<br>")


def _lines(text: str, width: int = 32) -> str:
    """Text for the figure (a legend entry, a panel's title) in lines of at most ``width``
    characters: one line wider than a narrow screen is cut off at its edge."""
    return escape(textwrap.fill(text, width), quote=False).replace("\n", "<br>")


def _labels_above(fig: Any, labels: Sequence[str]) -> None:
    """Each row's label above its bars, across the whole width of the chart.

    Rows are at y = 0, 1, ... from the top; a row's bars belong in its lower part, below
    ``-0.5 + ROW_LABEL_LINES * ROW_LABEL_LINE / pitch``. Labels beside the bars, as tick
    labels, would leave the bars no room on a narrow screen, and cut long labels off.
    """
    fig.update_layout(
        annotations=[
            *fig.layout.annotations,
            *(
                {
                    "x": 0,
                    "xref": "paper",
                    "xanchor": "left",
                    "y": row - 0.47,
                    "yref": "y",
                    "yanchor": "top",
                    "text": _row_label(label),
                    "align": "left",
                    "showarrow": False,
                    "font": {"size": ROW_LABEL_SIZE, "color": INK},
                }
                for row, label in enumerate(labels)
            ),
        ]
    )
    fig.update_yaxes(
        range=[len(labels) - 0.5, -0.5],
        showticklabels=False,
        ticks="",
        showline=False,
        title_text=None,
    )


# --- matplotlib -------------------------------------------------------------------------


def _png_title(fig: Figure, title: str) -> None:
    fig.suptitle(title, x=0.01, ha="left", fontsize=14, fontweight="bold", color=INK)


def _png_height(fig: Figure, rows: int, per_row: float = 0.38) -> None:
    fig.set_size_inches(PNG_WIDTH_IN, max(3.4, 1.6 + per_row * rows))


def _png_legend(fig: Figure, most: int, **options: Any) -> Legend:
    """A legend below the plot in as many columns, up to ``most``, as fit the width of the
    figure: a wider one is cut off at the edges of the PNG."""
    for columns in range(max(most, 1), 1, -1):
        legend = fig.legend(loc="outside lower center", ncol=columns, **options)
        if legend.get_window_extent().width <= 0.98 * fig.bbox.width:
            return legend
        legend.remove()
    return fig.legend(loc="outside lower center", ncol=1, **options)


def _year_tick(value: float, _position: float) -> str:
    return f"{value:.0f}"


def _percent_tick(lang: Language) -> FuncFormatter:
    """Ticks of a probability as percentages, ``0.5 -> '50%'``, as ``lang`` writes them."""
    return FuncFormatter(lambda value, _position: percent(value, 0, lang))


# --- forces -----------------------------------------------------------------------------

_FORCES = ("state", "stockpile", "low", "high")
_FORCES_AXIS = N_("Warheads")


def forces_chart(
    forces: pd.DataFrame,
    *,
    title: str | None = None,
    lang: Language = ENGLISH,
    names: Mapping[str, str] | None = None,
) -> Chart:
    """Horizontal bars of warhead stockpiles, largest on top, with the sources' range.

    The axis is linear and starts at zero, so that bars compare as the stockpiles do: a
    stockpile 19 times another has a bar 19 times as long (on a logarithmic axis it would
    look a few times as long). Each bar carries its number, so that short ones stay legible.
    ``names`` gives the states' names in ``lang``, by the names in ``forces``.
    """
    _ = lang.gettext
    title = title or _("Estimated nuclear warheads")
    name = _namer(lang, names)
    data = _table(forces, _FORCES, "forces_chart")
    data = data.sort_values("stockpile", ascending=False, kind="stable").reset_index(drop=True)
    right = float(data[["high", "stockpile"]].to_numpy().max())
    labels = [_count(v, lang) for v in data["stockpile"]]
    states = [name(state) for state in data["state"]]

    rows = np.arange(len(data))
    fig = go.Figure(
        go.Bar(
            x=data["stockpile"],
            y=rows + 0.22,
            width=0.36,
            orientation="h",
            marker={"color": POSITIVE},
            error_x=_whiskers(
                _below(data["stockpile"], data["low"]), _above(data["stockpile"], data["high"])
            ),
            customdata=data.assign(state=states)[["low", "high", "stockpile", "state"]].to_numpy(),
            hovertemplate="<b>%{customdata[3]}</b><br>"
            # Translators: {count} is a number of nuclear warheads.
            + _("{count} warheads").format(count="%{customdata[2]:,.0f}")
            + "<br>"
            + _("range {low} to {high}").format(
                low="%{customdata[0]:,.0f}", high="%{customdata[1]:,.0f}"
            )
            + "<extra></extra>",
            name=_("Estimated warheads"),
        )
    )
    _style(fig, title, 60 + ROW_PITCH * len(data) + 60)
    # Numbers beyond the whiskers, not on the bars: a short bar has no room for one.
    fig.update_layout(
        showlegend=False,
        annotations=[
            {
                "x": max(top, value),
                "y": row + 0.22,
                "xref": "x",
                "yref": "y",
                "text": label,
                "showarrow": False,
                "xanchor": "left",
                "xshift": 6,
                "font": {"size": 12, "color": INK},
            }
            for row, value, top, label in zip(
                rows, data["stockpile"], data["high"], labels, strict=True
            )
        ],
    )
    _labels_above(fig, states)
    fig.update_xaxes(
        title_text=_(_FORCES_AXIS),
        type="linear",
        range=[0, right * 1.15],
        tickformat=",",
        showgrid=True,
        zeroline=False,
    )

    def paint(png: Figure) -> None:
        _png_height(png, len(data))
        ax = png.add_subplot()
        ax.barh(
            rows,
            data["stockpile"],
            height=0.6,
            color=POSITIVE,
            xerr=[_below(data["stockpile"], data["low"]), _above(data["stockpile"], data["high"])],
            error_kw={"ecolor": INK, "elinewidth": 1.0, "capsize": 3},
        )
        # No hover in a PNG, so the estimate is written next to its bar.
        for row, (value, top, label) in enumerate(
            zip(data["stockpile"], data["high"], labels, strict=True)
        ):
            x = max(top, value) + 0.015 * right
            ax.text(x, row, label, va="center", fontsize=9, color=INK)
        ax.set_xscale("linear")
        ax.set_xlim(0, right * 1.15)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: _count(value, lang)))
        ax.set_yticks(rows, states)
        ax.invert_yaxis()
        ax.set_xlabel(_(_FORCES_AXIS))
        ax.grid(axis="x")
        _png_title(png, title)

    ranges = [
        _("{state} {count} (sources range {low} to {high})").format(
            state=state, count=_count(v, lang), low=_count(low, lang), high=_count(high, lang)
        )
        if high > low
        else f"{state} {_count(v, lang)}"
        for state, v, low, high in zip(
            states, data["stockpile"], data["low"], data["high"], strict=True
        )
    ]
    # Translators: {chart} is the chart's title in lower case.
    alt = _("Bar chart on a linear scale from zero: {chart} by state, largest first: {values}.")
    alt = alt.format(chart=title.lower(), values="; ".join(ranges))
    return Chart("forces", title, data, fig, paint, alt, lang=lang)


# --- trust ------------------------------------------------------------------------------

_TRUST = ("month", "guarantor", "view", "mean", "low", "high")
_EVENTS = ("date", "label", "major")
_BANDED_VIEW = "Europe"


#: The views the findings hold, each worded whole: a language may decline the place's name.
_VIEWS = {"Europe": N_("seen from Europe"), "Ukraine": N_("seen from Ukraine")}


def _view_text(view: str, lang: Language = ENGLISH) -> str:
    known = _VIEWS.get(str(view))
    if known is not None:
        return lang.gettext(known)
    return lang.gettext("seen from {view}").format(view=view)


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
    guarantors: Sequence[Any],
    views: Sequence[Any],
    colour: dict[Any, str],
    name: Callable[[Any], str],
    lang: Language = ENGLISH,
) -> tuple[list[Any], int]:
    """Legend handles in two rows, guarantors' colours above the views' line styles.

    The legend fills column by column, so the two rows are interleaved and the shorter one
    padded with invisible entries.
    """
    colours: list[Any] = [
        Line2D([], [], color=colour[g], lw=2.5, label=name(g)) for g in guarantors
    ]
    styles: list[Any] = [
        Line2D(
            [],
            [],
            color=INK,
            lw=1.6,
            ls="-" if v == _BANDED_VIEW else "--",
            label=_view_text(v, lang),
        )
        for v in views
    ]
    if _BANDED_VIEW in views:
        # Translators: {view} is where a guarantor is seen from, e.g. "seen from Europe".
        band = lang.gettext("range, {view}").format(view=_view_text(_BANDED_VIEW, lang))
        styles.append(Patch(color=MUTED, alpha=0.3, label=band))
    columns = max(len(colours), len(styles))
    blank = Line2D([], [], alpha=0, label=" ")
    colours += [blank] * (columns - len(colours))
    styles += [blank] * (columns - len(styles))
    return [h for pair in zip(colours, styles, strict=True) for h in pair], columns


def trust_chart(
    trust: pd.DataFrame,
    events: pd.DataFrame,
    *,
    title: str | None = None,
    lang: Language = ENGLISH,
    names: Mapping[str, str] | None = None,
) -> Chart:
    """Perceived reliability of each guarantor by month, seen from Europe and from Ukraine.

    Colour is the guarantor, a solid line the view from Europe (with its credible band), a
    dashed line the view from Ukraine. Events are thin vertical lines; the PNG names only the
    major ones, the HTML names every one on hover. ``names`` gives the guarantors' names in
    ``lang``; the events' labels are the dataset's, as written.
    """
    _ = lang.gettext
    title = title or _("How reliable do the guarantors look?")
    name = _namer(lang, names)
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
                    # Translators: the band of a line's range, e.g. "France, range".
                    name=_("{name}, range").format(name=name(g)),
                )
            )
    for g, v, part in lines():
        fig.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["mean"],
                mode="lines",
                name=_lines(f"{name(g)}, {_view_text(v, lang)}"),
                legendgroup=str(g),
                line={
                    "color": colour[g],
                    "width": 2.5 if v == _BANDED_VIEW else 2,
                    "dash": "solid" if v == _BANDED_VIEW else "dash",
                },
                customdata=part[["low", "high"]].to_numpy(),
                hovertemplate=f"<b>{name(g)}</b>, {_view_text(v, lang)}<br>%{{x|%b %Y}}: "
                "%{y:.2f} (0-1)<br>"
                + _("range {low} to {high}").format(
                    low="%{customdata[0]:.2f}", high="%{customdata[1]:.2f}"
                )
                + "<extra></extra>",
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
                name=_("Event"),
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
    _style(fig, title, 560)
    reliability = _("Perceived reliability (0-1)")
    fig.update_yaxes(title_text=reliability, range=[0, 1.08], tickformat=".1f")
    fig.update_xaxes(title_text=_("Month"))

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
        if lang is not ENGLISH:
            ax.xaxis.set_major_formatter(FuncFormatter(_month_tick(lang)))
        ax.set_ylabel(reliability)
        ax.grid(axis="y")
        handles, columns = _trust_legend(guarantors, views, colour, name, lang)
        png.legend(handles=handles, loc="outside lower center", ncol=columns)
        _png_title(png, title)

    latest = []
    for g in guarantors:
        ends = [
            f"{_plain(float(part['mean'].iloc[-1]), lang=lang)} {_view_text(v, lang)}"
            for h, v, part in lines()
            if h == g
        ]
        latest.append(f"{name(g)} {_listing(ends, lang)}")
    others = [_view_text(v, lang) for v in views if v != _BANDED_VIEW]
    # Translators: {view} is where the guarantors are seen from, e.g. "seen from Europe".
    styles = _("solid lines {view}, with a band for the range").format(
        view=_view_text(_BANDED_VIEW, lang)
    )
    if others:
        styles += ", " + _("dashed lines {views}").format(views=_listing(others, lang))
    marked = lang.ngettext(
        "{n} event of the timeline marked as a vertical line",
        "{n} events of the timeline marked as vertical lines",
        len(timeline),
    ).format(n=_count(len(timeline), lang))
    alt = _(
        "Line chart, 0 to 1: perceived reliability of {guarantors} month by month from "
        "{first} to {last}; {styles}; {events}. In the last month: {latest}."
    ).format(
        guarantors=_listing([name(g) for g in guarantors], lang),
        first=lang.month(first.date()),
        last=lang.month(data["month"].max().date()),
        styles=styles,
        events=marked,
        latest="; ".join(latest),
    )
    return Chart("trust", title, data, fig, paint, alt, lang=lang)


def _month_tick(lang: Language) -> Callable[[float, Any], str]:
    """A date tick in ``lang``: the year alone at the turn of a year, else month and year
    (matplotlib names months in English only)."""

    def tick(value: float, _position: Any) -> str:
        day = num2date(value)  # type: ignore[no-untyped-call]  # untyped in matplotlib
        if (day.month, day.day) == (1, 1):
            return str(day.year)
        return format_skeleton("yMMM", day, locale=lang.locale)

    return tick


# --- Ukraine ----------------------------------------------------------------------------

_UKRAINE = ("year", "option", "total", "low", "high")
_UKRAINE_AXIS = N_("EUR bn per year")


def ukraine_chart(
    support: pd.DataFrame, *, title: str | None = None, lang: Language = ENGLISH
) -> Chart:
    """One line per option of yearly support to Ukraine, with a light band for its range.

    Years print as years ("2026", never "2,026"), on the axis and on hover.
    """
    _ = lang.gettext
    title = title or _("Support to Ukraine by option")
    name = _namer(lang)
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
                name=_("{name}, range").format(name=name(option)),
            )
        )
    for option, part in parts:
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["total"],
                mode="lines+markers",
                name=_lines(name(option)),
                legendgroup=str(option),
                line={"color": colour[option], "width": 2.5},
                marker={"size": 6},
                customdata=part[["low", "high"]].to_numpy(),
                hovertemplate=f"<b>{escape(name(option))}</b><br>%{{x:d}}: "
                + _("EUR {amount} bn").format(amount="%{y:,.1f}")
                + "<br>"
                # Translators: a range of amounts in billions of euros.
                + _("range EUR {low} to {high} bn").format(
                    low="%{customdata[0]:,.1f}", high="%{customdata[1]:,.1f}"
                )
                + "<extra></extra>",
            )
        )
    _style(fig, title, 600)
    fig.update_xaxes(
        title_text=_("Year"),
        tickformat="d",
        hoverformat="d",
        dtick=1 if data["year"].nunique() <= 12 else None,
    )
    fig.update_yaxes(title_text=_(_UKRAINE_AXIS), rangemode="tozero", showgrid=True)

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, 5.4)
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
                label=name(option),
            )
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(_year_tick))
        ax.set_xlabel(_("Year"))
        # Translators: an axis title; {unit} is "EUR bn per year".
        ax.set_ylabel(_("Support to Ukraine, {unit}").format(unit=_(_UKRAINE_AXIS)))
        ax.grid(axis="y")
        _png_legend(png, min(len(options), 3))
        _png_title(png, title)

    first, last = data["year"].min(), data["year"].max()
    final = data[data["year"] == last].sort_values("total", ascending=False, kind="stable")
    levels = [
        _("{option} {value} (range {low} to {high})").format(
            option=name(option),
            value=_plain(total, 1, lang),
            low=_plain(low, 1, lang),
            high=_plain(high, 1, lang),
        )
        for option, total, low, high in zip(
            final["option"], final["total"], final["low"], final["high"], strict=True
        )
    ]
    alt = lang.ngettext(
        "Line chart: support to Ukraine under each of {n} option, EUR bn a year, {first} to "
        "{last}, with the 10th to 90th percentile range as a band.",
        "Line chart: support to Ukraine under each of {n} options, EUR bn a year, {first} to "
        "{last}, with the 10th to 90th percentile range as a band.",
        len(options),
    ).format(n=_count(len(options), lang), first=_year(first), last=_year(last))
    alt += " " + _("In {year}, highest first: {levels}.").format(
        year=_year(last), levels="; ".join(levels)
    )
    return Chart("ukraine", title, data, fig, paint, alt, lang=lang)


# --- options ----------------------------------------------------------------------------

_OPTIONS = ("option", "change", "low", "high")
_OPTIONS_AXIS = N_("Change vs status quo, percentage points")


def options_chart(
    options: pd.DataFrame, *, title: str | None = None, lang: Language = ENGLISH
) -> Chart:
    """Bars of each option's change against the status quo, best on top, with the 10th-90th
    percentile range; blue where deterrence gains, vermillion where it loses."""
    _ = lang.gettext
    title = title or _("How much each option changes the chance that deterrence holds")
    name = _namer(lang)
    data = _table(options, _OPTIONS, "options_chart")
    data = data.sort_values("change", ascending=False, kind="stable").reset_index(drop=True)
    colours = [POSITIVE if c >= 0 else NEGATIVE for c in data["change"]]
    below, above = _below(data["change"], data["low"]), _above(data["change"], data["high"])
    shown = [name(option) for option in data["option"]]

    fig = go.Figure(
        go.Bar(
            x=data["change"],
            y=np.arange(len(data)) + 0.22,
            width=0.36,
            orientation="h",
            marker={"color": colours},
            error_x=_whiskers(below, above),
            customdata=data.assign(option=shown)[["low", "high", "option"]].to_numpy(),
            hovertemplate="<b>%{customdata[2]}</b><br>"
            # Translators: {value} is a change in percentage points ("pp").
            + _("{value} pp").format(value="%{x:+.1f}")
            + "<br>"
            + _("10th-90th percentile {low} to {high} pp").format(
                low="%{customdata[0]:+.1f}", high="%{customdata[1]:+.1f}"
            )
            + "<extra></extra>",
            name=_("Change"),
        )
    )
    _style(fig, title, 60 + ROW_PITCH * len(data) + 60)
    fig.update_layout(showlegend=False, shapes=[_vertical_line(0, INK, width=1.2)])
    _labels_above(fig, shown)
    fig.update_xaxes(title_text=_(_OPTIONS_AXIS), showgrid=True, zeroline=False)

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
            ax.text(x, row, _bar_label(change, lang), va="center", ha=ha, fontsize=9, color=INK)
        ax.margins(x=0.12)
        ax.set_yticks(rows, shown)
        ax.invert_yaxis()
        ax.set_xlabel(_(_OPTIONS_AXIS))
        ax.grid(axis="x")
        _png_title(png, title)

    changes = [
        f"{option} {_signed(change, lang=lang)} "
        f"({_span(_signed(low, lang=lang), _signed(high, lang=lang), lang)})"
        for option, change, low, high in zip(
            shown, data["change"], data["low"], data["high"], strict=True
        )
    ]
    alt = _(
        "Bar chart: change in the probability that deterrence holds against the status quo, "
        "percentage points, with the 10th to 90th percentile range, best first: {changes}."
    ).format(changes="; ".join(changes))
    return Chart("options", title, data, fig, paint, alt, lang=lang)


def _bar_label(change: float, lang: Language) -> str:
    """A change as the PNG prints it beside its bar: English with its sign as Python writes
    it ("+0.0" where the change rounds to nothing), other languages with their symbols."""
    return f"{change:+.1f}" if lang is ENGLISH else _signed(change, 1, lang)


# --- value for money --------------------------------------------------------------------

_VALUE = ("option", "change_points", "cost_eur_bn", "points_per_eur_bn", "low", "high")
_VALUE_AXIS = N_("Percentage points per EUR bn")


def value_chart(
    value: pd.DataFrame, *, title: str | None = None, lang: Language = ENGLISH
) -> Chart:
    """Bars of what each option buys for its cost, best on top: percentage points of the
    probability that deterrence holds (``change_points``, against the status quo) per EUR bn
    of present-value cost over the status quo (``cost_eur_bn``), as ``points_per_eur_bn``,
    a ratio of means; the whiskers span ``low`` to ``high``, the 10th-90th percentile of the
    same ratio future by future, and each bar carries its value.

    The whiskers are drawn from the bounds themselves, not as distances from the bar: a ratio
    of means can lie outside the percentiles of the ratios, and a distance could not show it.
    The axis is linear and starts at zero, or at the lowest value or bound where one is
    negative, so that bars compare as the values do.
    """
    _ = lang.gettext
    title = title or _("What each option buys per EUR bn")
    name = _namer(lang)
    data = _table(value, _VALUE, "value_chart")
    data = data.sort_values("points_per_eur_bn", ascending=False, kind="stable")
    data = data.reset_index(drop=True)
    ratio = data["points_per_eur_bn"]
    shown = [name(option) for option in data["option"]]
    labels = [number(float(v), lang=lang) for v in ratio]
    colours = [POSITIVE if v >= 0 else NEGATIVE for v in ratio]
    lowest = min(0.0, float(data[["points_per_eur_bn", "low"]].to_numpy().min()))
    highest = max(0.0, float(data[["points_per_eur_bn", "high"]].to_numpy().max()))
    # Room for the numbers beside the bars, on the side where each bar points.
    pad = 0.15 * ((highest - lowest) or 1.0)
    left = lowest - pad if (ratio < 0).any() else lowest
    right = highest + pad if (ratio >= 0).any() else highest
    # Where each bar's number goes: past the bar and its whisker, on the side it points to.
    ends = [
        (max(high, v), "left") if v >= 0 else (min(low, v), "right")
        for v, low, high in zip(ratio, data["low"], data["high"], strict=True)
    ]

    def hover(row: int) -> str:
        r = data.iloc[row]
        return "<br>".join(
            (
                f"<b>{escape(shown[row])}</b>",
                _("{value} points per EUR bn").format(value=labels[row]),
                _("10th–90th percentile {low} to {high}").format(
                    low=number(float(r["low"]), lang=lang),
                    high=number(float(r["high"]), lang=lang),
                ),
                # Translators: a change in percentage points and what it costs, e.g.
                # "+2.4 points for EUR 4.9 bn".
                _("{change} points for {cost}").format(
                    change=points(float(r["change_points"]) / 100.0, lang=lang),
                    cost=money(float(r["cost_eur_bn"]), lang=lang),
                ),
            )
        )

    rows = np.arange(len(data))
    whiskers_x = [
        x for low, high in zip(data["low"], data["high"], strict=True) for x in (low, high, None)
    ]
    whiskers_y = [y for row in rows for y in (row + 0.22, row + 0.22, None)]
    fig = go.Figure(
        [
            go.Bar(
                x=ratio,
                y=rows + 0.22,
                width=0.36,
                orientation="h",
                marker={"color": colours},
                hovertext=[hover(row) for row in range(len(data))],
                hovertemplate="%{hovertext}<extra></extra>",
                name=_(_VALUE_AXIS),
            ),
            go.Scatter(
                x=whiskers_x,
                y=whiskers_y,
                mode="lines+markers",
                line={"color": INK, "width": 1.2},
                # Caps at the ends of each whisker, as on the other bar charts.
                marker={"symbol": "line-ns", "size": 8, "line": {"color": INK, "width": 1.2}},
                hoverinfo="skip",
                showlegend=False,
                name=_("10th–90th percentile"),
            ),
        ]
    )
    _style(fig, title, 60 + ROW_PITCH * len(data) + 60)
    fig.update_layout(
        showlegend=False,
        shapes=[_vertical_line(0, INK, width=1.2)],
        annotations=[
            {
                "x": x,
                "y": row + 0.22,
                "xref": "x",
                "yref": "y",
                "text": label,
                "showarrow": False,
                "xanchor": side,
                "xshift": 6 if side == "left" else -6,
                "font": {"size": 12, "color": INK},
            }
            for row, ((x, side), label) in enumerate(zip(ends, labels, strict=True))
        ],
    )
    _labels_above(fig, shown)
    fig.update_xaxes(
        title_text=_(_VALUE_AXIS),
        type="linear",
        range=[left, right],
        showgrid=True,
        zeroline=False,
    )

    def paint(png: Figure) -> None:
        _png_height(png, len(data))
        ax = png.add_subplot()
        ax.barh(rows, ratio, height=0.6, color=colours)
        ax.hlines(rows, data["low"], data["high"], color=INK, lw=1.0)
        for bound in ("low", "high"):
            ax.plot(data[bound], rows, ls="none", marker="|", ms=7, mew=1.0, color=INK)
        ax.axvline(0, color=INK, lw=1)
        gap = 0.015 * (right - left)
        for row, ((x, side), label) in enumerate(zip(ends, labels, strict=True)):
            x = x + gap if side == "left" else x - gap
            ax.text(x, row, label, va="center", ha=side, fontsize=9, color=INK)
        ax.set_xscale("linear")
        ax.set_xlim(left, right)
        ax.set_yticks(rows, shown)
        ax.invert_yaxis()
        ax.set_xlabel(_(_VALUE_AXIS))
        ax.grid(axis="x")
        _png_title(png, title)

    values = [
        f"{option} {label} "
        f"({_span(number(float(low), lang=lang), number(float(high), lang=lang), lang)})"
        for option, label, low, high in zip(shown, labels, data["low"], data["high"], strict=True)
    ]
    alt = _(
        "Bar chart on a linear scale: percentage points of the probability that deterrence "
        "holds that each option adds per EUR bn of present-value cost over the status quo (the "
        "ratio of the means), with the 10th to 90th percentile of the ratio future by future, "
        "best first: {values}."
    ).format(values="; ".join(values))
    return Chart("value-per-eur", title, data, fig, paint, alt, lang=lang)


# --- trade-offs -------------------------------------------------------------------------

#: Each objective of :data:`umbrella.explore.tradeoffs.OBJECTIVES` as the trade-off chart
#: names its axis: its label and its unit, words of the catalogue. An objective not listed
#: keeps the label and unit it defines.
_OBJECTIVE_AXES: dict[str, tuple[str, str]] = {
    "deterrence": (N_("Deterrence holds in Europe"), N_("probability")),
    "cost": (N_("Cost"), N_("EUR bn, present value")),
    "proliferation": (N_("Proliferation risk"), N_("index 0–1")),
    "ukraine": (N_("Deterrence for Ukraine"), N_("share of crises")),
    "time": (N_("Time to first effect"), N_("years")),
}
#: Characters per line of an axis's name and unit on the page and in the PNG. On a narrow
#: screen, where five axes are about 55 px apart, the names turn upright: their three lines
#: then take about 45 px.
TRADEOFF_LABEL_WIDTH = 18
TRADEOFF_PNG_WIDTH = 16
#: Room above the best and below the worst value of every axis, for the values' labels, as
#: a share of the axis's length.
_TRADEOFF_ROOM = 0.2


def objective_words(objective: Objective, lang: Language = ENGLISH) -> tuple[str, str]:
    """An objective of the trade-off's label and unit in ``lang``, as its axis names it."""
    label, unit = _OBJECTIVE_AXES.get(objective.name, (objective.label, objective.unit))
    return lang.gettext(label), lang.gettext(unit)


def _objective_value(objective: Objective, value: float, lang: Language) -> str:
    """A value of an objective as the brief writes its unit: a probability or a share as a
    percentage, EUR bn as money, an index to two decimals, years as years."""
    unit = objective.unit
    if unit in ("probability", "share of crises"):
        return percent(value, 1, lang)
    if unit.startswith("EUR bn"):
        return money(value, lang=lang)
    if unit.startswith("index"):
        return number(value, 2, lang)
    if unit in ("years", "months"):
        return quantity(value, unit, lang)
    return number(value, lang=lang)


def _scaled(
    means: npt.NDArray[np.float64], maximise: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each option's mean on each objective (``(options, objectives)``) placed on its axis:
    0 at the worst option's value, 1 at the best's (the highest of an objective to maximise,
    the lowest of one to minimise), 0.5 where every option has the same value. Returns the
    positions, the best and the worst value of each objective."""
    best = np.where(maximise, means.max(axis=0), means.min(axis=0))
    worst = np.where(maximise, means.min(axis=0), means.max(axis=0))
    span = best - worst
    flat = span == 0
    # The division only where the axis has a length: no warning, no NaN.
    scaled = np.where(flat, 0.5, (means - worst) / np.where(flat, 1.0, span))
    return scaled + 0.0, best, worst  # + 0.0: the worst of an objective to minimise at 0, not -0


def tradeoffs_chart(
    table: pd.DataFrame,
    objectives: Sequence[Objective] | None = None,
    *,
    title: str | None = None,
    lang: Language = ENGLISH,
) -> Chart:
    """The options on the objectives of the trade-off, as parallel coordinates: one vertical
    axis per objective, one line per option through its mean on each.

    ``table`` has a row per option: its name (``option``), the share of futures in which it
    is Pareto-efficient (``share_efficient``) and its mean over the futures on each objective
    (``<objective>_mean``), as :func:`umbrella.explore.tradeoffs.tradeoffs` gives them;
    ``objectives`` are the axes, in order (by default every one of
    :data:`~umbrella.explore.tradeoffs.OBJECTIVES`). Each axis runs from the worst option's
    value at the bottom to the best's at the top, so that better is up on every axis (the
    lowest cost, proliferation risk and time at the top), and is labelled with its unit and
    both values. The first option listed is the status quo: dark and dashed, as on the chart
    of deterrence by year. The legend gives each option's share of futures in which it is
    efficient, the hover labels every value.

    The lines are plotly's ordinary line traces, not its ``parcoords`` trace, which draws
    with WebGL and needs what the web pages' content security policy forbids. The chart's
    table adds each mean's place on its axis (``<objective>_scaled``, 0 worst, 1 best).
    """
    from umbrella.explore.tradeoffs import OBJECTIVES

    _ = lang.gettext
    title = title or _("Trade-offs: each option on every objective")
    name = _namer(lang)
    chosen = list(OBJECTIVES.values()) if objectives is None else list(objectives)
    means_of = [f"{o.name}_mean" for o in chosen]
    data = _table(table, ("option", "share_efficient", *means_of), "tradeoffs_chart")
    means = data[means_of].to_numpy(dtype=np.float64)
    maximise = np.array([o.maximise for o in chosen], dtype=bool)
    scaled, best, worst = _scaled(means, maximise)
    for column, objective in enumerate(chosen):
        data[f"{objective.name}_scaled"] = scaled[:, column]
    options = list(data["option"])
    shown = [name(option) for option in options]
    words = [objective_words(o, lang) for o in chosen]
    axes = np.arange(len(chosen))
    flat = best == worst
    baseline = options[0]
    # The palette's black is left to the status quo's dark ink, as on the chart by year.
    others = [c for c in PALETTE if c != "#000000"]
    colour = {o: INK if i == 0 else others[(i - 1) % len(others)] for i, o in enumerate(options)}
    shares = [percent(float(s), 0, lang) for s in data["share_efficient"]]
    # Translators: an option's share of futures in which no other option is at least as
    # good on every objective and better on one, e.g. "efficient in 95% of futures".
    efficient = [_("efficient in {share} of futures").format(share=share) for share in shares]
    # Translators: a legend entry, e.g. "Status quo (efficient in 95% of futures)".
    # The share's words held together (no-break spaces), so that a long entry wraps
    # before them, not within them.
    entries = [
        _("{option} ({efficient})").format(option=option, efficient=said.replace(" ", "\u00a0"))
        for option, said in zip(shown, efficient, strict=True)
    ]
    # On the page, the legend entry says less, so that a phone's legend leaves the plot room
    # (the hover label and the caption say the rest).
    # Translators: a legend entry on the page, e.g. "Status quo (efficient in 95%)".
    short = [
        _("{option} (efficient in {share})").format(option=option, share=share)
        for option, share in zip(shown, shares, strict=True)
    ]
    best_text = [_objective_value(o, float(v), lang) for o, v in zip(chosen, best, strict=True)]
    worst_text = [_objective_value(o, float(v), lang) for o, v in zip(chosen, worst, strict=True)]

    def tick(label: str, unit: str) -> str:
        # Whole words only: a word cut in two would read as two.
        text = textwrap.fill(f"{label} ({unit})", TRADEOFF_LABEL_WIDTH, break_long_words=False)
        return escape(text, quote=False).replace("\n", "<br>")

    def hover(row: int) -> list[str]:
        return [
            f"<b>{escape(shown[row])}</b><br>"
            + escape(f"{label}: {_objective_value(o, float(means[row, k]), lang)}", quote=False)
            + "<br>"
            + escape(efficient[row], quote=False)
            for k, (o, (label, _unit)) in enumerate(zip(chosen, words, strict=True))
        ]

    fig = go.Figure()
    # The status quo last, on top of the options that share its values; legendrank keeps
    # it first in the legend.
    for rank, option in sorted(enumerate(options), key=lambda p: p[1] == baseline):
        fig.add_trace(
            go.Scatter(
                x=axes,
                y=scaled[rank],
                mode="lines+markers",
                name=_lines(short[rank]),
                legendrank=rank + 1,
                line={
                    "color": colour[option],
                    "width": 2.5 if option == baseline else 2.0,
                    "dash": "dash" if option == baseline else "solid",
                },
                marker={"size": 7},
                hovertext=hover(rank),
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    _style(fig, title, 740)
    ends = [
        {
            "x": int(k),
            "xref": "x",
            "y": y,
            "yref": "y",
            "yanchor": anchor,
            "yshift": shift,
            "text": escape(text, quote=False),
            "showarrow": False,
            "font": {"size": 10, "color": INK},
        }
        for k in axes
        for y, anchor, shift, text in (
            (1.0, "bottom", 6, best_text[k]),
            (0.0, "top", -6, "" if flat[k] else worst_text[k]),
        )
        if text
    ]
    fig.update_layout(
        hovermode="closest",
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "y",
                "x0": int(k),
                "x1": int(k),
                "y0": 0,
                "y1": 1,
                "layer": "below",
                "line": {"color": MUTED, "width": 1.5},
            }
            for k in axes
        ],
        annotations=ends,
    )
    fig.update_xaxes(
        tickvals=axes,
        ticktext=[tick(label, unit) for label, unit in words],
        range=[-0.6, len(chosen) - 0.4],
        # Across where they fit, upright where they do not: never slanted, where each name
        # would reach under its neighbour's.
        autotickangles=[0, 90],
        tickfont={"size": 12},
        showline=False,
        ticks="",
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(
        title_text=_("Worse → better, on every axis"),
        range=[-_TRADEOFF_ROOM, 1 + _TRADEOFF_ROOM],
        showticklabels=False,
        ticks="",
        showline=False,
        showgrid=False,
        zeroline=False,
    )

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, 6.6)
        ax = png.add_subplot()
        # Each axis a line from the worst value (0) to the best (1).
        ax.vlines(axes, 0.0, 1.0, color=MUTED, lw=1.2, zorder=1)
        handles = {}
        for rank, option in sorted(enumerate(options), key=lambda p: p[1] == baseline):
            (handles[option],) = ax.plot(
                axes,
                scaled[rank],
                color=colour[option],
                lw=2.0 if option == baseline else 1.6,
                ls="--" if option == baseline else "-",
                marker="o",
                ms=4,
                zorder=3 if option == baseline else 2,
                label=entries[rank],
            )
        for k in range(len(chosen)):
            ax.text(k, 1.03, best_text[k], ha="center", va="bottom", fontsize=9, color=INK)
            if not flat[k]:
                ax.text(k, -0.03, worst_text[k], ha="center", va="top", fontsize=9, color=INK)
        ax.set_xlim(-0.6, len(chosen) - 0.4)
        ax.set_ylim(-0.1, 1.1)
        ax.set_xticks(
            axes,
            [
                textwrap.fill(label, TRADEOFF_PNG_WIDTH, break_long_words=False)
                + "\n"
                + textwrap.fill(f"({unit})", TRADEOFF_PNG_WIDTH, break_long_words=False)
                for label, unit in words
            ],
        )
        ax.tick_params(axis="x", length=0)
        ax.set_yticks([])
        ax.set_ylabel(_("Worse → better, on every axis"))
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        labels = [textwrap.fill(entry, 48) for entry in entries]
        _png_legend(png, 2, handles=[handles[o] for o in options], labels=labels)
        _png_title(png, title)

    directions = [_("higher is better") if o.maximise else _("lower is better") for o in chosen]
    described = [
        _("{objective} ({unit}; {direction}): from {worst} to {best}").format(
            objective=label,
            unit=unit,
            direction=directions[k],
            worst=worst_text[k],
            best=best_text[k],
        )
        if not flat[k]
        else _("{objective} ({unit}): {value} for every option").format(
            objective=label, unit=unit, value=best_text[k]
        )
        for k, (label, unit) in enumerate(words)
    ]
    alt = lang.ngettext(
        "Parallel-coordinates chart of {n} option on {k} objectives, the mean of each over "
        "the futures: a vertical axis per objective, from the worst option's value at the "
        "bottom to the best's at the top, so that better is up on every axis, and a line per "
        "option. Axes: {axes}.",
        "Parallel-coordinates chart of {n} options on {k} objectives, the mean of each over "
        "the futures: a vertical axis per objective, from the worst option's value at the "
        "bottom to the best's at the top, so that better is up on every axis, and a line per "
        "option. Axes: {axes}.",
        len(options),
    ).format(n=_count(len(options), lang), k=_count(len(chosen), lang), axes="; ".join(described))
    for row, option in enumerate(shown):
        values = ", ".join(
            f"{label} {_objective_value(o, float(means[row, k]), lang)}"
            for k, (o, (label, _unit)) in enumerate(zip(chosen, words, strict=True))
        )
        alt += " " + _("{option}: {values}; {efficient}.").format(
            option=option, values=values, efficient=efficient[row]
        )
    return Chart("tradeoffs", title, data, fig, paint, alt, lang=lang)


# --- deterrence by year -----------------------------------------------------------------

_HOLDS = ("year", "option", "holds_mean", "holds_low", "holds_high")
_HOLDS_AXIS = N_("Probability that deterrence holds")


def holds_chart(
    by_year: pd.DataFrame,
    *,
    near: tuple[int, int] | None = None,
    title: str | None = None,
    lang: Language = ENGLISH,
) -> Chart:
    """One line per option of the probability that deterrence holds from the start year
    through each year (``holds_mean``; the range ``holds_low`` to ``holds_high`` on hover).

    The first option listed is the status quo: dark and dashed, drawn over the others so that
    an option that changes nothing shows beneath it, and first in the legend. ``near``, the
    years where decisions taken now can act, is shaded and labelled. Years print as years.
    """
    _ = lang.gettext
    title = title or _("Deterrence holds, year by year")
    name = _namer(lang)
    data = _table(by_year, _HOLDS, "holds_chart")
    options = _distinct(data["option"])
    data = data.sort_values(["option", "year"], kind="stable").reset_index(drop=True)
    baseline = options[0]
    # The palette's black is left to the status quo's dark ink, which it would resemble.
    others = [c for c in PALETTE if c != "#000000"]
    colour = {o: INK if i == 0 else others[(i - 1) % len(others)] for i, o in enumerate(options)}
    parts = [(o, data[data["option"] == o]) for o in options]
    first, last = int(data["year"].min()), int(data["year"].max())
    window = None
    if near is not None and near[0] <= last and near[1] >= first:
        window = (max(near[0], first), min(near[1], last))
    window_label = (
        _("Near window {first}–{last}").format(first=_year(near[0]), last=_year(near[1]))
        if near is not None
        else ""
    )

    def style(option: Any) -> tuple[str, float]:
        return ("dash", 2.5) if option == baseline else ("solid", 2.0)

    fig = go.Figure()
    # The status quo last, on top; legendrank keeps it first in the legend.
    for rank, (option, part) in sorted(enumerate(parts), key=lambda p: p[1][0] == baseline):
        dash, width = style(option)
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["holds_mean"],
                mode="lines",
                name=_lines(name(option)),
                legendrank=rank + 1,
                line={"color": colour[option], "width": width, "dash": dash},
                customdata=part[["holds_low", "holds_high"]].to_numpy(),
                hovertemplate=f"<b>{escape(name(option))}</b><br>%{{x:d}}: %{{y:.0%}}<br>"
                + _("10th–90th percentile {low} to {high}").format(
                    low="%{customdata[0]:.0%}", high="%{customdata[1]:.0%}"
                )
                + "<extra></extra>",
            )
        )
    # Room above the plot for the near window's label, where no line can cross it.
    _style(fig, title, 600, top=30)
    if window is not None:
        fig.update_layout(
            shapes=[
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": window[0],
                    "x1": window[1],
                    "y0": 0,
                    "y1": 1,
                    "layer": "below",
                    "line": {"width": 0},
                    # Grey, not a colour of the palette, which would read as an option's.
                    "fillcolor": FAINT,
                    "opacity": 0.3,
                }
            ],
            annotations=[
                {
                    "x": window[0],
                    "xref": "x",
                    "xanchor": "left",
                    "y": 1,
                    "yref": "paper",
                    "yanchor": "bottom",
                    "text": escape(window_label, quote=False),
                    "showarrow": False,
                    "font": {"size": 12, "color": MUTED},
                }
            ],
        )
    fig.update_xaxes(
        title_text=_("Year"),
        tickformat="d",
        hoverformat="d",
        dtick=1 if data["year"].nunique() <= 12 else None,
    )
    fig.update_yaxes(title_text=_(_HOLDS_AXIS), tickformat=".0%", showgrid=True)

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, 5.4)
        ax = png.add_subplot()
        if window is not None:
            ax.axvspan(*window, color=FAINT, alpha=0.3, lw=0, zorder=0)
            top = blended_transform_factory(ax.transData, ax.transAxes)
            ax.text(
                window[0],
                1.01,
                window_label,
                transform=top,
                ha="left",
                va="bottom",
                fontsize=9,
                color=MUTED,
            )
        handles = {}
        for option, part in parts:
            dash, width = style(option)
            (handles[option],) = ax.plot(
                part["year"],
                part["holds_mean"],
                color=colour[option],
                lw=width * 0.8,
                ls="--" if dash == "dash" else "-",
                zorder=3 if option == baseline else 2,
                label=name(option),
            )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(_year_tick))
        ax.yaxis.set_major_formatter(_percent_tick(lang))
        ax.set_xlabel(_("Year"))
        ax.set_ylabel(_(_HOLDS_AXIS))
        ax.grid(axis="y")
        _png_legend(png, min(len(options), 3), handles=[handles[o] for o in options])
        _png_title(png, title)

    futures = data[data["year"] == last].sort_values("holds_mean", ascending=False, kind="stable")
    levels = [
        f"{name(option)} {percent(float(v), 0, lang)}"
        for option, v in zip(futures["option"], futures["holds_mean"], strict=True)
    ]
    alt = lang.ngettext(
        "Line chart: the probability that deterrence holds from {first} through each year to "
        "{last} under each of {n} option, the status quo dashed.",
        "Line chart: the probability that deterrence holds from {first} through each year to "
        "{last} under each of {n} options, the status quo dashed.",
        len(options),
    ).format(first=_year(first), last=_year(last), n=_count(len(options), lang))
    if window is not None:
        alt += " " + _("The near window, {first}–{last}, is shaded.").format(
            first=_year(window[0]), last=_year(window[1])
        )
    start = data[data["option"] == baseline].iloc[0]
    alt += " " + _(
        "In {first} the status quo stands at {level}; in {last}, highest first: {levels}."
    ).format(
        first=_year(first),
        level=percent(float(start["holds_mean"]), 0, lang),
        last=_year(last),
        levels="; ".join(levels),
    )
    return Chart("holds-by-year", title, data, fig, paint, alt, lang=lang)


# --- map --------------------------------------------------------------------------------

_MAP = ("iso3", "name", "option", "year", "value")
_MAP_LEVEL = N_("Probability that deterrence holds")
_MAP_CHANGE = N_("Change from the status quo, percentage points")


def _grid_size() -> tuple[int, int]:
    columns = max(c for c, _ in TILE_POSITIONS.values()) + 1
    rows = max(r for _, r in TILE_POSITIONS.values()) + 1
    return columns, rows


def _scale(values: pd.Series) -> tuple[float, float]:
    """The colour range of a level: the values' own, at least a few points wide."""
    low, high = float(values.min()), float(values.max())
    if high - low < 0.02:
        low, high = max(0.0, low - 0.05), min(1.0, high + 0.05)
    return low, high


def _symmetric(values: pd.Series, least: float = 0.5) -> float:
    """The half-width of a change's colour range, centred on zero so that white means no
    change, and the same for every option so that a colour means the same in each."""
    return max(float(values.abs().max()), least)


def _ink_on(rgba: tuple[float, float, float, float]) -> str:
    """Black or white text, whichever reads better on a tile of this colour."""
    r, g, b, _ = rgba
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def _grid(codes: Sequence[str], values: Sequence[Any], columns: int, rows: int) -> list[list[Any]]:
    """``values`` laid out on the tile grid by country code; empty cells are None, not NaN."""
    cells: list[list[Any]] = [[None] * columns for _ in range(rows)]
    for iso3, value in zip(codes, values, strict=True):
        col, row = TILE_POSITIONS[iso3]
        cells[row][col] = value.item() if isinstance(value, np.generic) else value
    return cells


def _change_title(option: str, year: str, lang: Language = ENGLISH) -> str:
    return lang.gettext("{option} vs status quo, {year}").format(option=option, year=year)


def map_chart(
    tiles: pd.DataFrame,
    *,
    focus: str | None = None,
    title: str | None = None,
    lang: Language = ENGLISH,
) -> Chart:
    """Tile-grid maps of Europe in one year: the status quo, and each option's change from it.

    ``tiles`` has one row per country and option, all in the same year (options compare
    like with like); the first option listed is the status quo. The upper map shows the
    status quo's probability that deterrence holds (cividis); the lower one, the change
    under one option in percentage points, on a red-blue scale centred on zero and the same
    for every option. The page's selector switches between options; ``focus`` (by default
    the first after the status quo) is shown first and is the one in the PNG, beside the
    status quo.

    A tile grid rather than a geographic map: it needs no shapes or map tiles from the
    network, and small states (Luxembourg, Malta, the Baltics) are as visible as large ones.
    Countries without a place in :data:`TILE_POSITIONS` are left out of the chart and its data.
    ``focus`` names an option as ``tiles`` does; states and options are printed in ``lang``.
    """
    _ = lang.gettext
    name = _namer(lang)
    data = _table(tiles, _MAP, "map_chart")
    years = _distinct(data["year"])
    if len(years) != 1:
        raise ValueError(
            f"map_chart: compare every option in the same year, got {', '.join(map(_year, years))}"
        )
    year = _year(years[0])
    options = [str(o) for o in _distinct(data["option"])]
    if len(options) < 2:
        raise ValueError(f"map_chart: needs the status quo and at least one option, got {options}")
    baseline, others = options[0], options[1:]
    focus = others[0] if focus is None else focus
    if focus not in others:
        raise ValueError(f"map_chart: focus {focus!r} is not one of the options {others}")
    title = title or _("Probability that deterrence holds, by country, {year}").format(year=year)
    data = data.assign(option=data["option"].astype(str))
    data = data[data["iso3"].isin(TILE_POSITIONS)].drop_duplicates(["option", "iso3"])
    base = data[data["option"] == baseline].set_index("iso3")["value"]
    data = data[data["iso3"].isin(base.index)].reset_index(drop=True)
    if data.empty:
        raise ValueError("map_chart: no country with a tile position")
    data["change"] = 100.0 * (data["value"] - data["iso3"].map(base))
    columns, rows = _grid_size()
    level = data[data["option"] == baseline]
    low, high = _scale(level["value"])
    reach = _symmetric(data.loc[data["option"] != baseline, "change"])
    level_title = _("Status quo, {year}").format(year=year)

    def change_part(option: str) -> pd.DataFrame:
        return data[data["option"] == option]

    def state(code: str, written: Any) -> str:
        return lang.country(str(code), str(written))

    def heading(option: str) -> str:
        """The lower map's title, in lines that fit a 320 px wide map."""
        text = _change_title(name(option), year, lang)
        return _lines(text, _fit(text, 44))

    def change_cells(option: str) -> tuple[list[list[Any]], list[list[Any]]]:
        part = change_part(option)
        codes = list(part["iso3"])
        hover = [
            [state(c, n), float(v), name(option)]
            for c, n, v in zip(codes, part["name"], part["value"], strict=True)
        ]
        return _grid(codes, list(part["change"]), columns, rows), _grid(codes, hover, columns, rows)

    codes = list(level["iso3"])
    text = _grid(codes, codes, columns, rows)
    text = [[cell or "" for cell in row] for row in text]
    # A title of three lines or more takes room from the gap above it, where the upper map's
    # colour bar is: the gap widens by a line for each line beyond two.
    lines = max(heading(option).count("<br>") + 1 for option in others)
    fig = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=[level_title, heading(focus)],
        vertical_spacing=0.15 + 0.03 * max(lines - 2, 0),
    )
    z, hover = change_cells(focus)
    panels = (
        (
            _grid(codes, list(level["value"]), columns, rows),
            _grid(
                codes,
                [state(c, n) for c, n in zip(codes, level["name"], strict=True)],
                columns,
                rows,
            ),
        ),
        (z, hover),
    )
    templates = (
        f"<b>%{{customdata}}</b><br>{level_title}: %{{z:.0%}}<extra></extra>",
        f"<b>%{{customdata[0]}}</b><br>%{{customdata[2]}}, {year}: %{{customdata[1]:.0%}}<br>"
        # Translators: {points} is a change in percentage points, with its sign.
        + _("{points} points from the status quo").format(points="%{z:+.1f}")
        + "<extra></extra>",
    )
    for i, ((cells, custom), template) in enumerate(zip(panels, templates, strict=True), 1):
        # A heatmap on the grid keeps the squares square and aligned at any page width,
        # which markers sized in pixels would not.
        fig.add_trace(
            go.Heatmap(
                z=cells,
                x=list(range(columns)),
                y=list(range(rows)),
                text=text,
                customdata=custom,
                texttemplate="%{text}",
                textfont={"size": 10},
                coloraxis="coloraxis" if i == 1 else "coloraxis2",
                xgap=2,
                ygap=2,
                hoverongaps=False,
                hovertemplate=template,
                name=level_title if i == 1 else _("Change"),
            ),
            row=i,
            col=1,
        )
        fig.update_xaxes(
            visible=False, range=[-0.5, columns - 0.5], constrain="domain", row=i, col=1
        )
        # Where the screen is narrow, the map is shorter than its share of the figure: it
        # keeps to the foot of that share, next to its colour bar, below its title.
        fig.update_yaxes(
            visible=False,
            range=[rows - 0.5, -0.5],
            scaleanchor="x" if i == 1 else "x2",
            constrain="domain",
            constraintoward="bottom",
            row=i,
            col=1,
        )
    _style(fig, title, 880, top=36, bottom=50)

    def colorbar(domain: Sequence[float], **ticks: Any) -> dict[str, Any]:
        # Below its map rather than beside it: beside, it takes width a narrow screen lacks.
        return {
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": domain[0] - 0.01,
            "yanchor": "top",
            "len": 0.7,
            "thickness": 10,
            "outlinewidth": 0,
            "nticks": 6,
            **ticks,
        }

    fig.update_layout(
        coloraxis={
            "colorscale": colorscale(SEQUENTIAL),
            "cmin": low,
            "cmax": high,
            "colorbar": colorbar(fig.layout.yaxis.domain, tickformat=".0%"),
        },
        coloraxis2={
            "colorscale": colorscale(DIVERGING),
            "cmin": -reach,
            "cmid": 0.0,
            "cmax": reach,
            "colorbar": colorbar(
                fig.layout.yaxis2.domain,
                tickformat="+.1f" if reach < 3 else "+.0f",
                # Translators: the unit of a colour bar: percentage points.
                title={"text": _("points"), "side": "right"},
            ),
        },
    )
    updates = []
    for option in others:
        z, hover = change_cells(option)
        updates.append(
            (
                {"z": [z], "customdata": [hover]},
                {"annotations[1].text": heading(option)},
            )
        )
    selector = Selector(
        label=_("Option in the lower map:"),
        choices=tuple(name(option) for option in others),
        selected=others.index(focus),
        traces=(1,),
        updates=tuple(updates),
    )

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, 5.2)
        axes = png.subplots(1, 2)
        scales = (
            (level, "value", colormap(SEQUENTIAL), Normalize(low, high)),
            (change_part(focus), "change", colormap(DIVERGING), Normalize(-reach, reach)),
        )
        headings = (level_title, textwrap.fill(_change_title(name(focus), year, lang), 48))
        for ax, (part, column, cmap, norm), heading in zip(axes, scales, headings, strict=True):
            for iso3, value in zip(part["iso3"], part[column], strict=True):
                col, row = TILE_POSITIONS[iso3]
                fill = cmap(norm(value))
                ax.add_patch(Rectangle((col - 0.45, row - 0.45), 0.9, 0.9, facecolor=fill, lw=0))
                ax.text(col, row, iso3, ha="center", va="center", fontsize=6, color=_ink_on(fill))
            ax.set_xlim(-0.5, columns - 0.5)
            ax.set_ylim(rows - 0.5, -0.5)
            ax.set_aspect("equal")
            ax.set_axis_off()
            ax.set_title(heading, fontsize=10, color=INK)
            bar = png.colorbar(
                ScalarMappable(norm=norm, cmap=cmap),
                ax=ax,
                orientation="horizontal",
                shrink=0.8,
                aspect=30,
                format=_percent_tick(lang)
                if column == "value"
                else FuncFormatter(lambda v, _position: _signed(v, 1 if reach < 3 else 0, lang)),
            )
            bar.set_label(_(_MAP_LEVEL) if column == "value" else _(_MAP_CHANGE), fontsize=9)
            bar.outline.set_visible(False)
        _png_title(png, title)

    def extreme(part: pd.DataFrame, column: str, best: bool) -> pd.Series:
        values = part[column].to_numpy()
        return part.iloc[int(np.argmax(values) if best else np.argmin(values))]

    weak, strong = extreme(level, "value", False), extreme(level, "value", True)
    part = change_part(focus)
    loss, gain = extreme(part, "change", False), extreme(part, "change", True)
    alt = " ".join(
        (
            lang.ngettext(
                "Tile maps of {n} European state, one square each, in {year}.",
                "Tile maps of {n} European states, one square each, in {year}.",
                len(level),
            ).format(n=_count(len(level), lang), year=year),
            _(
                "Under the status quo the probability that deterrence holds ranges from "
                "{low} ({weakest}) to {high} ({strongest})."
            ).format(
                low=percent(float(weak["value"]), 0, lang),
                weakest=state(weak["iso3"], weak["name"]),
                high=percent(float(strong["value"]), 0, lang),
                strongest=state(strong["iso3"], strong["name"]),
            ),
            lang.ngettext(
                "Under {option} it changes by {loss} points ({losing}) to {gain} points "
                "({gaining}); the selector above the chart shows each of the {n} option.",
                "Under {option} it changes by {loss} points ({losing}) to {gain} points "
                "({gaining}); the selector above the chart shows each of the {n} options.",
                len(others),
            ).format(
                option=name(focus),
                loss=_signed(loss["change"], lang=lang),
                losing=state(loss["iso3"], loss["name"]),
                gain=_signed(gain["change"], lang=lang),
                gaining=state(gain["iso3"], gain["name"]),
                n=_count(len(others), lang),
            ),
        )
    )
    # Stacked maps gain nothing from more width than this, only empty space beside them.
    return Chart("map", title, data, fig, paint, alt, selector, max_width=640, lang=lang)


# --- Sobol indices ----------------------------------------------------------------------

_SOBOL = ("uncertainty", "label", "S1", "S1_conf", "ST", "ST_conf")
_SOBOL_AXIS = N_("Sobol index (share of variance)")
#: Pixels per uncertainty on the page: its label above its two bars.
SOBOL_PITCH = 84
#: Where the two bars of a row sit, as a share of the row below its centre, and how thick.
_SOBOL_BARS = (0.1, 0.32)
_SOBOL_BAR = 0.2


def _interval(
    estimate: pd.Series, conf: pd.Series
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The index as drawn and the distances to its confidence bounds, all within 0-1.

    A Sobol index is a share of variance, between 0 and 1; an estimate outside is sampling
    noise around the bound (a first-order index near 0 often comes out below it). It is
    drawn at the bound, and its interval is cut there.
    """
    value = np.asarray(estimate, dtype=np.float64)
    half = np.abs(np.asarray(conf, dtype=np.float64))
    shown = np.clip(value, 0.0, 1.0)
    low, high = np.clip(value - half, 0.0, 1.0), np.clip(value + half, 0.0, 1.0)
    return shown, shown - low, high - shown


def sobol_chart(
    indices: pd.DataFrame,
    top: int = 12,
    *,
    title: str | None = None,
    lang: Language = ENGLISH,
) -> Chart:
    """Bars of the first-order (alone) and total (with interactions) Sobol indices of the
    ``top`` uncertainties with the largest total index, largest on top, with their 95%
    confidence intervals. An estimate below zero is drawn at zero (see :func:`_interval`);
    the table and the hover keep the estimate.

    On the page each uncertainty's label sits above its bars, across the chart's width:
    labels beside the bars would leave the bars no room on a narrow screen. The labels are the
    assumptions' meanings as the dataset words them, in every language.
    """
    _ = lang.gettext
    title = title or _("Which uncertainties drive the result")
    if top < 1:
        raise ValueError(f"sobol_chart: top must be at least 1, got {top}")
    data = _table(indices, _SOBOL, "sobol_chart")
    data = data.sort_values("ST", ascending=False, kind="stable").head(top).reset_index(drop=True)
    # Bars are told apart by label: two uncertainties sharing one would read as one.
    labels = data["label"].astype(str)
    if labels.duplicated().any():
        labels = labels + " (" + data["uncertainty"].astype(str) + ")"
    # Assumption meanings run to a sentence: wrap them, or they squeeze the bars to nothing.
    wrapped = [textwrap.fill(text, 38, max_lines=3, placeholder=" …") for text in labels]
    series = (
        ("S1", _("First order (alone)"), PALETTE[3]),
        ("ST", _("Total (with interactions)"), PALETTE[0]),
    )
    rows = np.arange(len(data))
    # A placeholder, not in the messages: "95% c..." would read to gettext as a C format.
    confidence = percent(0.95, 0, lang)
    drawn = {
        index: _interval(data[index], data[f"{index}_conf"]) for index, _name, _colour in series
    }
    right = max(float(np.max(shown + plus)) for shown, _minus, plus in drawn.values())
    right = min(1.0, max(right, 0.05) * 1.08)

    def hover(index: str, name: str) -> list[str]:
        shown, minus, plus = drawn[index]
        lines = []
        for i, estimate in enumerate(data[index]):
            text = f"<b>{escape(textwrap.fill(labels[i], 60)).replace(chr(10), '<br>')}</b>"
            text += f"<br>{name}: {_plain(shown[i], lang=lang)}"
            if estimate < 0:
                text += " " + _("(estimate {estimate}: sampling noise around 0)").format(
                    estimate=_plain(estimate, lang=lang)
                )
            # Translators: {level} is "95%", the confidence level.
            text += "<br>" + _("{level} confidence interval {low} to {high}").format(
                level=confidence,
                low=_plain(shown[i] - minus[i], lang=lang),
                high=_plain(shown[i] + plus[i], lang=lang),
            )
            lines.append(text)
        return lines

    fig = go.Figure(
        [
            go.Bar(
                x=drawn[index][0],
                y=rows + offset,
                width=_SOBOL_BAR,
                orientation="h",
                name=name,
                marker={"color": colour},
                error_x=_whiskers(drawn[index][1], drawn[index][2], width=3),
                hovertext=hover(index, name),
                hovertemplate="%{hovertext}<extra></extra>",
            )
            for (index, name, colour), offset in zip(series, _SOBOL_BARS, strict=True)
        ]
    )
    # The legend wraps to two lines on a narrow screen: room for it below the axis title.
    _style(fig, title, 60 + SOBOL_PITCH * len(data) + 110, bottom=110)
    fig.update_layout(barmode="overlay")
    _labels_above(fig, list(labels))
    fig.update_xaxes(title_text=_(_SOBOL_AXIS), range=[0, right], showgrid=True, zeroline=False)

    def paint(png: Figure) -> None:
        _png_height(png, len(data), per_row=0.62)
        ax = png.add_subplot()
        for offset, (index, name, colour) in zip((-0.2, 0.2), series, strict=True):
            shown, minus, plus = drawn[index]
            ax.barh(
                rows + offset,
                shown,
                height=0.38,
                color=colour,
                label=name,
                xerr=[minus, plus],
                error_kw={"ecolor": INK, "elinewidth": 0.9, "capsize": 2},
            )
        ax.set_yticks(rows, wrapped, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, right)
        ax.set_xlabel(_(_SOBOL_AXIS))
        ax.grid(axis="x")
        _png_legend(png, 2)
        _png_title(png, title)

    named = [
        _("{label} (total {total}, first order {first})").format(
            label=_short(labels[i], 90),
            total=_plain(drawn["ST"][0][i], lang=lang),
            first=_plain(drawn["S1"][0][i], lang=lang),
        )
        for i in range(min(3, len(data)))
    ]
    # Translators: {level} is "95%", the confidence level.
    alt = lang.ngettext(
        "Bar chart: Sobol indices of the {n} uncertainty with the largest total index, largest "
        "first, each with its first-order index (alone) and total index (with interactions) "
        "and {level} confidence intervals; estimates below zero are drawn at zero.",
        "Bar chart: Sobol indices of the {n} uncertainties with the largest total index, "
        "largest first, each with its first-order index (alone) and total index (with "
        "interactions) and {level} confidence intervals; estimates below zero are drawn at zero.",
        len(data),
    ).format(n=_count(len(data), lang), level=confidence)
    alt += " " + _("The largest: {named}.").format(named="; ".join(named))
    return Chart("drivers", title, data, fig, paint, alt, lang=lang)


# --- pathways ---------------------------------------------------------------------------

_PATHWAYS = ("pathway", "part", "start", "end", "condition", "read_by", "fired", "holds")
#: Pixels per row of the pathway map: the option's label above, the pathways' lines, and
#: the labels of the branches that reach it below them.
PATHWAY_PITCH = 150
#: Characters per line of a branch's label on the page (a 360 px wide screen) and in the PNG.
PATHWAY_LABEL_WIDTH = 30
PATHWAY_PNG_WIDTH = 44


def _pathway_rows(data: pd.DataFrame) -> tuple[list[Any], list[Any], dict[Any, float]]:
    """The options the pathways use (a row each, in order of first use), the pathways, and
    each pathway's vertical offset within a row, so that pathways sharing a row run side by
    side like the lines of a metro map."""
    options = _distinct(data["part"])
    pathways = _distinct(data["pathway"])
    step = min(0.12, 0.3 / max(len(pathways) - 1, 1))
    offset = {p: -0.1 + i * step for i, p in enumerate(pathways)}
    return options, pathways, offset


def pathway_chart(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    lang: Language = ENGLISH,
    names: Mapping[str, str] | None = None,
) -> Chart:
    """The adaptation-pathway map (Haasnoot et al. 2013, "Dynamic adaptive policy
    pathways", Global Environmental Change 23(2):485-498): the years of the assessment
    across, a row per option the pathways use, and each pathway a line of its own colour.

    ``table`` has a row per part of each pathway (``pathway`` and ``part``, names; the
    pathway's first part first): the year it starts (``start``), the end of the assessment
    (``end``), the signpost it waits for (``condition``, its words; empty for a part that
    waits for none), the year the signpost is read (``read_by``) and the share of the run's
    futures in which it fired (``fired``), and the pathway's mean probability that deterrence
    holds through the end (``holds``). A pathway runs along its first part's row from its
    start; at each signpost's read-by year a circle marks the decision point, and a branch
    leads to the part the signpost starts, labelled with the condition and the share of
    futures in which it fired. What the pathway achieves is written at the end of its last
    branch. ``names`` words the pathways, parts and conditions in the brief's language.
    """
    _ = lang.gettext
    title = title or _("Pathways: what starts now, and what a signpost adds")
    name = _namer(lang, names)
    data = _table(table, _PATHWAYS, "pathway_chart")
    data["condition"] = data["condition"].astype(str)
    options, pathways, offset = _pathway_rows(data)
    row = {o: i for i, o in enumerate(options)}
    colour = _colours(pathways)
    first, end = int(data["start"].min()), int(data["end"].max())
    middle = (first + end) / 2

    def held(value: float) -> str:
        return _("holds {level}").format(level=percent(value, 0, lang))

    # Per pathway: its base part, its line's segments, its decision points and its branches.
    layout: list[dict[str, Any]] = []
    for pathway in pathways:
        parts = data[data["pathway"] == pathway].reset_index(drop=True)
        base = parts.iloc[0]
        y0 = row[base["part"]] + offset[pathway]
        xs: list[float | None] = [float(base["start"]), float(base["end"]), None]
        ys: list[float | None] = [y0, y0, None]
        decisions, branches = [], []
        for part in parts.iloc[1:].to_dict("records"):
            y1 = row[part["part"]] + offset[pathway]
            s = float(part["start"])
            xs += [s, s, float(part["end"]), None]
            ys += [y0, y1, y1, None]
            if part["condition"]:
                share = percent(float(part["fired"]), 0, lang)
                condition = name(part["condition"])
                label = _("By {year}, fired in {share} of the futures: if {condition}").format(
                    year=_year(part["read_by"]), share=share, condition=condition
                )
                decisions.append((float(part["read_by"]), y0, label))
                step = _("by {year}, where {condition} (in {share} of the futures), adds {option}")
                step = step.format(
                    year=_year(part["read_by"]),
                    condition=condition,
                    share=share,
                    option=name(part["part"]),
                )
                branches.append((s, y1, label, step))
            else:
                step = _("adds {option} in {year}").format(option=name(part["part"]), year=_year(s))
                branches.append((s, y1, "", step))
        last = parts.iloc[-1]
        layout.append(
            {
                "pathway": pathway,
                "base": name(base["part"]),
                "start": int(base["start"]),
                "x": xs[:-1],
                "y": ys[:-1],
                "decisions": decisions,
                "branches": branches,
                "end": (float(last["end"]), row[last["part"]] + offset[pathway]),
                "holds": float(base["holds"]),
            }
        )

    fig = go.Figure()
    annotations: list[dict[str, Any]] = []
    for item in layout:
        pathway, c = item["pathway"], colour[item["pathway"]]
        fig.add_trace(
            go.Scatter(
                x=item["x"],
                y=item["y"],
                mode="lines",
                name=_lines(name(pathway)),
                legendgroup=str(pathway),
                line={"color": c, "width": 3},
                hoverinfo="skip",
            )
        )
        if item["decisions"]:
            fig.add_trace(
                go.Scatter(
                    x=[d[0] for d in item["decisions"]],
                    y=[d[1] for d in item["decisions"]],
                    mode="markers",
                    name=_("Decision point"),
                    legendgroup=str(pathway),
                    showlegend=False,
                    marker={
                        "symbol": "circle",
                        "size": 13,
                        "color": "white",
                        "line": {"color": c, "width": 3},
                    },
                    hovertext=[
                        f"<b>{escape(name(pathway))}</b><br>{_lines(d[2], 50)}"
                        for d in item["decisions"]
                    ],
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
        for x, y, label, _part in item["branches"]:
            if not label:
                continue
            right = x > middle
            annotations.append(
                {
                    "x": x,
                    "xref": "x",
                    "xanchor": "right" if right else "left",
                    "xshift": -4 if right else 4,
                    "y": y + 0.04,
                    "yref": "y",
                    "yanchor": "top",
                    "text": escape(
                        textwrap.fill(
                            label, _fit(label, PATHWAY_LABEL_WIDTH), max_lines=4, placeholder=" …"
                        ),
                        quote=False,
                    ).replace("\n", "<br>"),
                    "align": "right" if right else "left",
                    "showarrow": False,
                    # White behind the words, so that another pathway's branch crossing
                    # them does not strike them through.
                    "bgcolor": "rgba(255,255,255,0.85)",
                    "font": {"size": 11, "color": c},
                }
            )
        x, y = item["end"]
        annotations.append(
            {
                "x": x,
                "xref": "x",
                "xanchor": "right",
                "y": y - 0.03,
                "yref": "y",
                "yanchor": "bottom",
                "text": f"<b>{escape(held(item['holds']), quote=False)}</b>",
                "showarrow": False,
                "font": {"size": 12, "color": c},
            }
        )
    _style(fig, title, 60 + PATHWAY_PITCH * len(options) + 90)
    fig.update_layout(annotations=annotations)
    _labels_above(fig, [name(o) for o in options])
    fig.update_xaxes(
        title_text=_("Year"),
        tickformat="d",
        hoverformat="d",
        range=[first - 0.3, end + 0.3],
        showgrid=True,
    )

    def paint(png: Figure) -> None:
        png.set_size_inches(PNG_WIDTH_IN, max(3.6, 1.8 + 1.5 * len(options)))
        ax = png.add_subplot()
        handles = []
        for item in layout:
            c = colour[item["pathway"]]
            xs = [np.nan if v is None else v for v in item["x"]]
            ys = [np.nan if v is None else v for v in item["y"]]
            (line,) = ax.plot(xs, ys, color=c, lw=2.4, label=name(item["pathway"]), zorder=2)
            handles.append(line)
            for dx, dy, _label in item["decisions"]:
                ax.plot(dx, dy, "o", ms=9, mfc="white", mec=c, mew=2.2, zorder=3)
            for bx, by, label, _part in item["branches"]:
                if not label:
                    continue
                right = bx > middle
                ax.text(
                    bx + (-0.1 if right else 0.1),
                    by + 0.06,
                    textwrap.fill(label, PATHWAY_PNG_WIDTH, max_lines=3, placeholder=" …"),
                    ha="right" if right else "left",
                    va="top",
                    fontsize=8,
                    color=c,
                    zorder=4,
                    path_effects=[withStroke(linewidth=3, foreground="white")],
                )
            ex, ey = item["end"]
            ax.text(
                ex,
                ey - 0.04,
                held(item["holds"]),
                ha="right",
                va="bottom",
                fontsize=9,
                color=c,
                fontweight="bold",
            )
        for option, i in row.items():
            ax.text(
                first - 0.3,
                i - 0.45,
                textwrap.fill(name(option), 70, max_lines=1, placeholder=" …"),
                ha="left",
                va="top",
                fontsize=9.5,
                color=INK,
                zorder=4,
                path_effects=[withStroke(linewidth=3, foreground="white")],
            )
        ax.set_ylim(len(options) - 0.5, -0.5)
        ax.set_xlim(first - 0.3, end + 0.3)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(_year_tick))
        ax.set_xlabel(_("Year"))
        ax.grid(axis="x")
        wrapped = [textwrap.fill(name(p), 60) for p in pathways]
        _png_legend(png, 1, handles=handles, labels=wrapped)
        _png_title(png, title)

    alt = lang.ngettext(
        "Pathway map: {n} pathway from {first} to {end}, a line across the years through "
        "the options it uses, with a circle where a signpost is read.",
        "Pathway map: {n} pathways from {first} to {end}, each a line across the years "
        "through the options it uses, with a circle where a signpost is read.",
        len(pathways),
    ).format(n=_count(len(pathways), lang), first=_year(first), end=_year(end))
    for item in layout:
        said = [
            _("{pathway}: {option} from {year}").format(
                pathway=name(item["pathway"]), option=item["base"], year=_year(item["start"])
            )
        ]
        said += [words for _x, _y, _label, words in item["branches"]]
        said.append(held(item["holds"]))
        alt += " " + "; ".join(said) + "."
    return Chart("pathways", title, data, fig, paint, alt, lang=lang)
