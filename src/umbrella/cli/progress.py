"""The progress of a long command (``brief``, ``run``, ``explore``), on stderr.

A command announces each phase as it starts (:meth:`Progress.phase`) and, while futures
are evaluated, how many are done (:meth:`Progress.count`). On a terminal one rich display
shows the phase, a bar, the count, the rate and the time; it disappears when the command
ends. When stderr is not a terminal (a log file, a pipe, a CI job) each phase is one
plain line once it is over, with its duration, ``brief: evaluating the futures (12.3 s)``,
and nothing else: a phase that fails prints no line, so that a refused request stays one
line of error. ``--quiet`` prints nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = ["Progress", "progress"]


class Progress:
    """Where a command reports its progress; this one ignores it (``--quiet``)."""

    def phase(self, name: str) -> None:
        """A phase starts (and the one before it ends)."""

    def count(self, done: int, total: int) -> None:
        """``done`` of ``total`` steps (futures) of the current phase are done."""

    def finish(self) -> None:
        """The last phase ended well."""


class _Lines(Progress):
    """One plain line per phase, once it is over."""

    def __init__(self, command: str, console: Console) -> None:
        self._command = command
        self._console = console
        self._current: str | None = None
        self._started = 0.0

    def phase(self, name: str) -> None:
        self._close()
        self._current, self._started = name, time.perf_counter()

    def finish(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._current is None:
            return
        seconds = time.perf_counter() - self._started
        self._console.print(
            f"{self._command}: {self._current} ({seconds:.1f} s)", markup=False, highlight=False
        )
        self._current = None


class _Display(Progress):
    """One rich display: the phase (and its number), a bar, the count, rate and time."""

    def __init__(self, command: str, phases: Sequence[str], bar: RichProgress) -> None:
        self._command = command
        self._phases = phases
        self._bar = bar
        self._started = 0
        self._task: TaskID = bar.add_task(command, total=None, count="", rate="", visible=False)

    def phase(self, name: str) -> None:
        self._started += 1
        number = f" [{self._started}/{len(self._phases)}]" if self._phases else ""
        self._bar.reset(
            self._task,
            total=None,
            description=f"{self._command}{number}: {name}",
            count="",
            rate="",
            visible=True,
        )

    def count(self, done: int, total: int) -> None:
        elapsed = self._bar.tasks[self._task].elapsed or 0.0
        rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 and done else ""
        self._bar.update(
            self._task, completed=done, total=total, count=f"{done:,}/{total:,}", rate=rate
        )


def stderr_console() -> Console:
    """The console of progress and notes: stderr, so that stdout stays the data."""
    return Console(stderr=True, highlight=False)


@contextmanager
def progress(
    command: str,
    phases: Sequence[str] = (),
    *,
    quiet: bool = False,
    console: Console | None = None,
) -> Iterator[Progress]:
    """Report the phases of ``command`` on ``console`` (stderr): a live display on a
    terminal, else one line per phase. ``phases``: the names of the phases expected, to
    number them on the display."""
    if quiet:
        yield Progress()
        return
    out = console or stderr_console()
    if not out.is_terminal:
        lines = _Lines(command, out)
        yield lines
        lines.finish()
        return
    # Here, not at the top: every command line loads this module, few draw a display.
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    # Tables go to stdout while the display runs on stderr: neither is redirected.
    with RichProgress(
        *columns, console=out, transient=True, redirect_stdout=False, redirect_stderr=False
    ) as bar:
        yield _Display(command, phases, bar)
