"""One progress display for the long commands, and Markdown rendered for the terminal."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from rich.console import Console

from umbrella.cli import brief, explore
from umbrella.cli.brief import print_markdown, terminal_text
from umbrella.cli.progress import progress
from umbrella.report.build import PHASES

LINE = re.compile(r"^brief: (.+) \((\d+\.\d) s\)$")

CONCLUSION = (
    "**A new European nuclear force** does most to keep deterrence of Russia credible "
    "across Europe: 62% (55–70%) with it, against 58% under the status quo "
    "[sipri-yearbook-2025]† [run 20261127-222335-3992]. Its lead is *narrow*; see "
    "[the method](https://example.org/method) and `umbrella assumptions`."
)


def _plain() -> Console:
    return Console(file=StringIO(), force_terminal=False, width=100)


def _text(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


def test_without_a_terminal_each_phase_is_one_line() -> None:
    out = _plain()
    with progress("brief", PHASES, console=out) as shown:
        for name in PHASES:
            shown.phase(name)
            shown.count(500, 1000)  # counts are for the live display only
            shown.count(1000, 1000)
    lines = _text(out).splitlines()
    assert [LINE.match(line).group(1) for line in lines] == list(PHASES)  # type: ignore[union-attr]


def test_a_phase_that_fails_prints_no_line() -> None:
    out = _plain()

    def stopped() -> None:
        with progress("brief", PHASES, console=out) as shown:
            shown.phase(PHASES[0])
            shown.phase(PHASES[1])
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        stopped()
    assert [line.split(" (")[0] for line in _text(out).splitlines()] == [f"brief: {PHASES[0]}"]


def test_quiet_prints_nothing() -> None:
    out = _plain()
    with progress("brief", PHASES, quiet=True, console=out) as shown:
        shown.phase(PHASES[0])
        shown.count(1, 2)
    assert _text(out) == ""


def test_on_a_terminal_one_display_names_each_phase() -> None:
    out = Console(file=StringIO(), force_terminal=True, width=100)
    with progress("brief", PHASES, console=out) as shown:
        shown.phase(PHASES[0])
        shown.count(500, 1000)
        shown.phase(PHASES[1])
    text = _text(out)
    assert "brief [2/6]: robustness and scenario discovery" in text
    assert not LINE.search(text)  # no plain lines on a terminal


def test_one_progress_implementation() -> None:
    assert not hasattr(explore, "progress_bar")
    assert vars(brief)["progress"] is vars(explore)["progress"] is progress


def test_markdown_is_rendered_not_printed_raw() -> None:
    out = _plain()
    print_markdown(CONCLUSION, out)
    text = _text(out)
    assert "**" not in text
    for markup in ("[run", "](", "`"):
        assert markup not in text
    flat = " ".join(text.split())
    assert flat.startswith("A new European nuclear force does most")
    assert "[sipri-yearbook-2025]†." in flat  # a source mark stays, to be looked up
    assert "see the method and umbrella assumptions." in flat
    assert all(len(line) <= 100 for line in text.splitlines())


def test_markdown_on_a_terminal_is_bold_not_asterisks() -> None:
    rendered = terminal_text(CONCLUSION)
    assert "*" not in rendered.plain
    bold = [rendered.plain[s.start : s.end] for s in rendered.spans if "bold" in str(s.style)]
    assert bold == ["A new European nuclear force"]
    out = Console(file=StringIO(), force_terminal=True, width=100)
    print_markdown(CONCLUSION, out)
    assert "\x1b[1mA new European nuclear force" in _text(out)
