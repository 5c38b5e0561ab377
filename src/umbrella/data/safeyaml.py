"""Reading YAML that a user supplies, with limits, so that no file can hang or exhaust the
machine.

A scenario or a data overlay is read in bounded time and memory: at most ``max_bytes``
are read from the file (``/dev/zero`` stops there), a NUL byte or invalid UTF-8 is
refused before parsing, and the composer refuses nesting deeper than ``max_depth``, more
than ``max_aliases`` aliases (an alias bomb multiplies the work of everything that walks
the document) and more than ``max_nodes`` nodes. Each refusal is a :class:`YamlLimitError`
whose message says what to fix; callers turn it into their own one-line error.

The shipped tables are trusted and read with PyYAML's C loader; only user input pays for
the checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "OVERLAY_LIMITS",
    "SCENARIO_LIMITS",
    "Limits",
    "YamlLimitError",
    "check_text",
    "limited_loader",
    "read_limited",
]


@dataclass(frozen=True)
class Limits:
    """How much YAML one file may hold."""

    max_bytes: int
    max_depth: int
    max_aliases: int
    max_nodes: int


SCENARIO_LIMITS = Limits(max_bytes=1_000_000, max_depth=32, max_aliases=64, max_nodes=20_000)
"""A scenario: the flagship is about 20 kB and 1,000 values, a few levels deep, with no
alias."""

OVERLAY_LIMITS = Limits(max_bytes=8_000_000, max_depth=32, max_aliases=256, max_nodes=1_000_000)
"""A table of a data overlay: the largest shipped table (sources) is about 250 kB."""


class YamlLimitError(ValueError):
    """A file that breaks a limit; ``line`` is where (1-based), 0 where no line applies."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def read_limited(path: Path, limits: Limits) -> str:
    """The UTF-8 text of ``path``, refusing files larger than ``limits.max_bytes``, with a
    NUL byte or not valid UTF-8. Reads at most one byte more than the limit, whatever the
    file is (a device, a pipe, a huge file)."""
    with path.open("rb") as handle:
        data = handle.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise YamlLimitError(
            f"is larger than {limits.max_bytes // 1_000_000} MB; a YAML file this large is "
            "not a scenario or a table (split it, or check the path)"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise YamlLimitError(
            "contains a NUL byte; save it as plain UTF-8 text", data.count(b"\n", 0, nul) + 1
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise YamlLimitError("is not valid UTF-8 text; save it as UTF-8", line) from None


def check_text(text: str, limits: Limits) -> None:
    """The checks of :func:`read_limited` on text already in memory."""
    if len(text) > limits.max_bytes or len(text.encode("utf-8")) > limits.max_bytes:
        raise YamlLimitError(
            f"is larger than {limits.max_bytes // 1_000_000} MB; a YAML file this large is "
            "not a scenario or a table (split it, or check the path)"
        )
    nul = text.find("\x00")
    if nul >= 0:
        raise YamlLimitError(
            "contains a NUL byte; save it as plain UTF-8 text", text.count("\n", 0, nul) + 1
        )


def limited_loader(limits: Limits, *, dates_as_text: bool = False) -> type[yaml.SafeLoader]:
    """A safe loader class that refuses documents beyond ``limits`` while composing them.

    With ``dates_as_text``, dates stay text (so that a bad one is reported in place).
    """
    resolvers = yaml.SafeLoader.yaml_implicit_resolvers
    if dates_as_text:
        resolvers = {
            first: [(tag, regexp) for tag, regexp in entries if not tag.endswith(":timestamp")]
            for first, entries in resolvers.items()
        }

    class _Limited(yaml.SafeLoader):
        yaml_implicit_resolvers = resolvers

        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._depth = 0
            self._aliases = 0
            self._nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            parser: Any = self  # PyYAML's parser methods carry no type information
            line = parser.peek_event().start_mark.line + 1
            if parser.check_event(yaml.AliasEvent):
                self._aliases += 1
                if self._aliases > limits.max_aliases:
                    raise YamlLimitError(
                        f"more than {limits.max_aliases} aliases (*name); write the values "
                        "out instead of repeating anchors",
                        line,
                    )
            self._nodes += 1
            if self._nodes > limits.max_nodes:
                raise YamlLimitError(
                    f"more than {limits.max_nodes:,} values; this is too large to be read",
                    line,
                )
            self._depth += 1
            try:
                if self._depth > limits.max_depth:
                    raise YamlLimitError(
                        f"nested more than {limits.max_depth} levels deep; flatten the structure",
                        line,
                    )
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return _Limited
