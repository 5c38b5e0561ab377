"""Tables that fit the terminal.

Rich squeezes a table that is too wide by folding its columns, down to one character each:
a registry of long texts then prints as thousands of lines of single letters. Here every
column gets at least the width its content needs to stay legible (a number or a code its
whole width, prose and names at least :data:`NARROWEST` characters or their longest
word), and columns that do not fit are left out, least important first, with a line that
names them and says that ``--format csv`` gives them all. Prose wraps at spaces, names
(``option.uk-france-coordination.capex_eur_bn``, lists of ids) also after ``.``, ``_``,
``-``, ``/`` and ``,``, and so do column headings.

The width is the console's: the terminal's, or ``COLUMNS``, or 80 when the output is not
a terminal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box as boxes
from rich.box import Box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from umbrella.cli.output import console as stdout
from umbrella.cli.output import paragraph

__all__ = ["NARROWEST", "Column", "break_name", "fit", "print_table"]

NARROWEST = 8
"""No column that holds more than this many characters is made narrower than this."""

_WORD_CAP = 24  # a longer word in prose (a URL) may fold rather than widen its column
_PIECE = re.compile(r"[^._/,-]*[._/,-]+|[^._/,-]+")

Kind = Literal["fixed", "text", "name"]
Cell = str | Text


@dataclass(frozen=True)
class Column:
    """One column: its heading and how its cells may be laid out.

    ``kind``: ``fixed`` cells keep their width (numbers, dates, codes); ``text`` wraps at
    spaces; ``name`` also breaks after punctuation. ``narrowest``: the least width a
    ``text`` or ``name`` column gets when its content is wider. ``drop``: 0, always shown;
    otherwise shown only if it fits after every column with a smaller ``drop``, the
    largest going first (then, among equals, the rightmost).
    """

    header: str
    justify: Literal["left", "center", "right"] = "left"
    kind: Kind = "fixed"
    narrowest: int = NARROWEST
    drop: int = 0
    style: str | None = None


@dataclass(frozen=True)
class Fit:
    """The columns shown (indices into the columns given) and the width of each."""

    shown: list[int]
    widths: list[int]
    hidden: list[int]


def _lines_width(text: str) -> int:
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _pieces(text: str, kind: Kind) -> Iterable[str]:
    """The parts of ``text`` that a line break cannot split."""
    for word in text.split():
        if kind == "name":
            yield from _PIECE.findall(word)
        else:
            yield word


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _bounds(column: Column, cells: Sequence[str]) -> tuple[int, int]:
    """The least and the natural width of a column's content."""
    natural = max([_lines_width(column.header), *(_lines_width(c) for c in cells)])
    heading = max((cell_len(p) for p in _pieces(column.header, "name")), default=0)
    if column.kind == "fixed":
        least = max([heading, *(_lines_width(c) for c in cells)])
        return least, natural
    words = max((cell_len(p) for c in cells for p in _pieces(c, column.kind)), default=0)
    if column.kind == "text":
        words = min(words, _WORD_CAP)
    least = min(natural, max(column.narrowest, NARROWEST, words, heading))
    return least, natural


def _overhead(count: int, box: Box | None, show_edge: bool, padding: int, pad_edge: bool) -> int:
    """The width a table of ``count`` columns adds to its content: borders and padding."""
    if count == 0:
        return 0
    borders = (2 if box is not None and show_edge else 0) + (count - 1 if box is not None else 0)
    pads = 2 * padding * count - (0 if pad_edge else 2 * padding)
    return borders + pads


def fit(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    width: int,
    *,
    box: Box | None = boxes.HEAVY_HEAD,
    show_edge: bool = True,
    padding: int = 1,
    pad_edge: bool = True,
) -> Fit:
    """Which columns a table of ``width`` characters shows, and how wide each is."""
    texts = [[_plain(row[i]) for row in rows] for i in range(len(columns))]
    bounds = [_bounds(column, cells) for column, cells in zip(columns, texts, strict=True)]
    order = sorted(range(len(columns)), key=lambda i: (columns[i].drop, i))
    chosen: list[int] = []
    for index in order:
        trial = [*chosen, index]
        need = sum(bounds[i][0] for i in trial)
        need += _overhead(len(trial), box, show_edge, padding, pad_edge)
        if columns[index].drop > 0 and need > width:
            break
        chosen.append(index)
    shown = sorted(chosen)
    widths = {i: bounds[i][0] for i in shown}
    spare = width - _overhead(len(shown), box, show_edge, padding, pad_edge) - sum(widths.values())
    # Spare width goes first to the columns that wrap, one character at a time to the one
    # that has least of it for the square root of its natural width (long prose gets more
    # than a short unit, but not all of it); then to fixed columns whose heading it unfolds
    # whole, the cheapest first.
    while spare > 0:
        growing = [i for i in shown if columns[i].kind != "fixed" and widths[i] < bounds[i][1]]
        if not growing:
            break
        neediest = min(growing, key=lambda i: (widths[i] / math.sqrt(bounds[i][1]), i))
        widths[neediest] += 1
        spare -= 1
    for index in sorted(shown, key=lambda i: (bounds[i][1] - widths[i], i)):
        more = bounds[index][1] - widths[index]
        if 0 < more <= spare:
            widths[index] += more
            spare -= more
    hidden = [i for i in range(len(columns)) if i not in chosen]
    return Fit(shown, [widths[i] for i in shown], hidden)


def break_name(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, broken at spaces and, within a
    word too long for a line, after ``.``, ``_``, ``-``, ``/`` and ``,``. A piece still
    too long stays whole (the table folds it)."""
    lines: list[str] = []
    for line in text.split("\n"):
        if cell_len(line) <= width:
            lines.append(line)
            continue
        current = ""
        for word in line.split():
            joined = f"{current} {word}" if current else word
            if cell_len(joined) <= width:
                current = joined
                continue
            if current and cell_len(word) <= width:
                lines.append(current)
                current = word
                continue
            for number, piece in enumerate(_PIECE.findall(word)):
                glue = " " if number == 0 and current else ""
                if not current or cell_len(current + glue + piece) <= width:
                    current += glue + piece
                else:
                    lines.append(current)
                    current = piece
        lines.append(current)
    return "\n".join(lines)


def print_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str | None = None,
    caption: str | None = None,
    box: Box | None = boxes.HEAVY_HEAD,
    show_edge: bool = True,
    padding: int = 1,
    pad_edge: bool = True,
    show_header: bool = True,
    sections: Iterable[int] = (),
    hidden_note: str = "--format csv gives every column",
    console: Console | None = None,
) -> Fit:
    """Print a table that fits the console's width (see the module's description).

    Cells are plain text (a :class:`rich.text.Text` carries a style); ``sections``: the
    indices of the rows that a line separates from the row before. If columns are left
    out, a line after the table names them and ends with ``hidden_note``.
    """
    out = console or stdout
    width = out.width
    fitted = fit(
        columns, rows, width, box=box, show_edge=show_edge, padding=padding, pad_edge=pad_edge
    )
    table = Table(
        title=title,
        caption=caption,
        box=box,
        show_edge=show_edge,
        padding=(0, padding),
        pad_edge=pad_edge,
        show_header=show_header,
        expand=False,
    )
    for index, size in zip(fitted.shown, fitted.widths, strict=True):
        column = columns[index]
        table.add_column(
            break_name(column.header, size),
            justify=column.justify,
            width=size,
            overflow="fold",
            style=column.style,
        )
    breaks = set(sections)
    for number, row in enumerate(rows):
        if number in breaks and number > 0:
            table.add_section()
        cells: list[Cell] = []
        for index, size in zip(fitted.shown, fitted.widths, strict=True):
            cell = row[index]
            if isinstance(cell, str):
                # Plain text: brackets in the data are not markup.
                text = break_name(cell, size) if columns[index].kind == "name" else cell
                cell = Text(text)
            cells.append(cell)
        table.add_row(*cells)
    out.print(table)
    if fitted.hidden:
        names = ", ".join(" ".join(columns[i].header.split()) for i in fitted.hidden)
        paragraph(f"Not shown at {width} columns: {names}; {hidden_note}.", out=out)
    return fitted
