"""Reading back a table as the command line prints it (rich's heavy-headed box)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

_JOINED_AFTER = tuple("._-/,")


@dataclass(frozen=True)
class Rendered:
    """A printed table: each column's inner width, its heading and its rows' cells."""

    widths: list[int]
    headers: list[str]
    rows: list[list[str]]
    lines: list[str]


def _cells(line: str, bar: str) -> list[str]:
    return [cell.strip() for cell in line.strip()[1:-1].split(bar)]


def _join(pieces: list[str]) -> str:
    text = ""
    for piece in (p for p in pieces if p):
        glue = "" if not text or text.endswith(_JOINED_AFTER) else " "
        text += glue + piece
    return text


def parse(output: str, anchor: int = 0) -> Rendered:
    """The first table in ``output``. A row starts on each line whose cell in column
    ``anchor`` is not empty; the lines after it, up to the next, continue its cells."""
    lines = output.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┏"))
    widths = [len(part) - 2 for part in lines[top][1:-1].split("┳")]
    rule = next(i for i in range(top, len(lines)) if lines[i].startswith("┡"))
    heading = [_cells(line, "┃") for line in lines[top + 1 : rule]]
    headers = [_join([h[i] for h in heading]) for i in range(len(widths))]
    rows: list[list[list[str]]] = []
    for line in lines[rule + 1 :]:
        if line.startswith("└"):
            break
        cells = _cells(line, "│")
        if cells[anchor] or not rows:
            rows.append([[] for _ in widths])
        for pieces, cell in zip(rows[-1], cells, strict=True):
            pieces.append(cell)
    return Rendered(
        widths, headers, [[_join(p) for p in row] for row in rows], lines[top : rule + 1]
    )


def umbrella(*args: str, columns: int) -> subprocess.CompletedProcess[str]:
    """``umbrella ARGS`` in a process of its own, its output piped (not a terminal), in a
    terminal ``columns`` wide as far as rich knows."""
    environment = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "FORCE_TERMINAL"):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "umbrella", *args],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        encoding="utf-8",
    )
