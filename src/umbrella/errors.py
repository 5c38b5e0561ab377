"""Errors raised by umbrella.

Every error umbrella raises on purpose derives from :class:`UmbrellaError`, so a caller
can catch them all in one place; the command line prints the message on one line and
exits with code 2::

    UmbrellaError
    ├── DataError          the world dataset (shipped or a user overlay) is invalid
    ├── ScenarioError      a scenario file is invalid (``FILE:LINE: FIELD: message``)
    ├── ModelError         the model produced a number that is not finite
    └── UsageError         a request names something that does not exist (table, id, filter)

Messages name the file, the record, the field and, where one exists, the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DataError", "ModelError", "Problem", "ScenarioError", "UmbrellaError", "UsageError"]


class UmbrellaError(Exception):
    """Base class of every error umbrella raises on purpose."""


class ModelError(UmbrellaError):
    """The model produced a value that is not finite: never stored, always reported with
    the assumptions of the future that produced it."""


class UsageError(UmbrellaError):
    """A request names a table, record, field or option that does not exist."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the dataset, located as ``file:record:field``."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.record}:{self.field}: {self.message}"


class DataError(UmbrellaError):
    """The dataset failed validation; ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = str(self.problems[0]) if self.problems else "invalid data"
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''}; run `umbrella data check`)"
        super().__init__(first + (suffix if more else ""))


class ScenarioError(UmbrellaError):
    """A scenario file is invalid; the message is one line, ``FILE:LINE: FIELD: message``.

    ``line`` (1-based) and ``field`` (a dotted path such as ``options[2].levers.depth_fra``)
    are ``None`` where the problem concerns the file as a whole (``FILE: file not found``).
    """

    def __init__(
        self, file: str, message: str, line: int | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = message
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")
