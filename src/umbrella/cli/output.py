"""What every command shares: turning umbrella's errors into one line and exit code 2."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from umbrella.errors import UmbrellaError

__all__ = ["EXIT_INVALID", "console", "reports_errors"]

EXIT_INVALID = 2
console = Console(soft_wrap=True)
_stderr = Console(stderr=True, soft_wrap=True, highlight=False)

P = ParamSpec("P")
T = TypeVar("T")


def reports_errors(command: Callable[P, T]) -> Callable[P, T]:
    """Print an :class:`UmbrellaError` as ``error: message`` on stderr and exit 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return command(*args, **kwargs)
        except UmbrellaError as error:
            _stderr.print(f"error: {error}", markup=False)
            raise typer.Exit(code=EXIT_INVALID) from None
        except OSError as error:
            # A read-only folder, a full disk, a path that is a file: the environment, not
            # a fault of umbrella's, so one line saying which file and why.
            where = f"{error.filename}: " if error.filename else ""
            reason = error.strerror or str(error)
            _stderr.print(
                f"error: {where}{reason}; choose another place or free space", markup=False
            )
            raise typer.Exit(code=EXIT_INVALID) from None
        except MemoryError:
            _stderr.print(
                "error: out of memory; use fewer --samples or a smaller --chunk-size",
                markup=False,
            )
            raise typer.Exit(code=EXIT_INVALID) from None

    return wrapper
