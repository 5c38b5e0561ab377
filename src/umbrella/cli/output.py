"""What every command shares: turning umbrella's errors into one line and exit code 2, and
printing data as a table, CSV or JSON (``--format``)."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from umbrella.errors import UmbrellaError, UsageError

__all__ = [
    "EXIT_INVALID",
    "Format",
    "chosen_format",
    "console",
    "csv_cell",
    "echo_csv",
    "echo_records",
    "format_option",
    "json_alias",
    "paragraph",
    "reports_errors",
]

EXIT_INVALID = 2
console = Console(soft_wrap=True)
_stderr = Console(stderr=True, soft_wrap=True, highlight=False)


class Format(StrEnum):
    """How a command prints its data."""

    table = "table"
    csv = "csv"
    json = "json"


def format_option(csv_holds: str = "the rows of the table, every column") -> Any:
    """The ``--format`` option of a command that prints data; ``csv_holds`` says what its
    CSV is, where the table shows several things or only some columns."""
    return typer.Option(
        Format.table,
        "--format",
        help=f"table (fitted to the terminal), csv ({csv_holds}) or json.",
        case_sensitive=False,
    )


def json_alias(what: str = "the result") -> Any:
    """The older ``--json`` flag, kept: the same as ``--format json``."""
    return typer.Option(False, "--json", help=f"Print {what} as JSON (= --format json).")


def chosen_format(fmt: Format | str, as_json: bool = False) -> Format:
    """The format asked for by ``--format`` and the ``--json`` flag together."""
    chosen = Format(fmt)
    if as_json and chosen not in (Format.table, Format.json):
        raise UsageError(f"give --json or --format {chosen.value}, not both")
    return Format.json if as_json else chosen


def csv_cell(value: Any) -> str:
    """A value as one CSV cell, as ``umbrella data export`` writes it: a list of ids or
    codes joined by semicolons, a list of objects (or an object) as JSON, nothing for a
    missing value."""
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or type(value).__name__ == "NaTType"  # pandas' missing time, without loading pandas
    ):
        return ""
    if isinstance(value, list | tuple):
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
            return ";".join(str(v) for v in value)
        return json.dumps(list(value), ensure_ascii=False, default=str)
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "item"):  # NumPy scalars
        return csv_cell(value.item())
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def echo_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a header and rows as CSV on stdout."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    typer.echo(buffer.getvalue(), nl=False)


def echo_records(records: Sequence[Mapping[str, Any]], columns: Sequence[str] = ()) -> None:
    """Print records as CSV: ``columns`` or every key the records have, in order."""
    header = list(columns) or list(dict.fromkeys(k for r in records for k in r))
    echo_csv(header, ([r.get(c) for c in header] for r in records))


def paragraph(
    text: str, *, indent: str = "", hanging: str = "", out: Console | None = None
) -> None:
    """Print prose wrapped at spaces to the console's width (its own terminal's, COLUMNS,
    or 80 when not a terminal), with no trailing spaces; ``hanging`` indents the lines
    after the first. Brackets are text, not markup."""
    import textwrap

    target = out or console
    wrapped = textwrap.fill(
        text,
        width=max(target.width, 20),
        initial_indent=indent,
        subsequent_indent=hanging,
        break_long_words=False,
        break_on_hyphens=False,
    )
    target.print(wrapped, markup=False, highlight=False, soft_wrap=True)


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
