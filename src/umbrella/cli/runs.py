"""``umbrella runs``: list, show, compare, verify and repair the runs kept in a run store."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from umbrella.cli.output import console, reports_errors
from umbrella.errors import UsageError

if TYPE_CHECKING:
    from umbrella.store import RunRecord

RUN_ARGUMENT = typer.Argument(..., help="A run id, as `umbrella runs list` shows it.")
app = typer.Typer(
    help="List, show, compare, verify and repair stored ensemble runs.", no_args_is_help=True
)

STORE_OPTION = typer.Option(
    Path("umbrella-runs"), "--store", help="The run store folder (docs/runs.md)."
)
JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")

_STATUS_STYLE = {
    "complete": "green",
    "running": "cyan",
    "failed": "red",
    "interrupted": "yellow",
}


@app.command("list")
@reports_errors
def list_command(store: Path = STORE_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List the runs in the store, newest first."""
    from umbrella.store import RunStore

    frame = RunStore(store).runs()
    if as_json:
        _echo_json([_plain_row(row) for row in frame.to_dict(orient="records")])
        return
    if frame.empty:
        console.print(f"no runs in {store}")
        return
    table = Table(title=f"runs in {store} ({len(frame)})")
    # the run id starts with the UTC start time, so it needs no column of its own; the
    # sampler and the rest are in `umbrella runs show`
    for column in ("run", "status", "scenario", "futures", "seed"):
        table.add_column(column, no_wrap=column != "scenario", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(
            str(row.run_id),
            _status(str(row.status)),
            escape(str(row.scenario_name)),
            f"{row.futures_done:,} / {row.n_samples:,}",
            str(row.seed),
        )
    console.print(table)


@app.command("show")
@reports_errors
def show_command(
    run_id: str = RUN_ARGUMENT,
    store: Path = STORE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show everything the catalog knows about one run."""
    from umbrella.store import RunStore

    record = RunStore(store).run(run_id)
    fields = _record_fields(record)
    if as_json:
        _echo_json(fields)
        return
    table = Table(title=f"run {record.run_id}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in fields.items():
        if name == "status":
            text = _status(str(value))
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        table.add_row(name, text if name == "status" else escape(text))
    console.print(table)


@app.command("diff")
@reports_errors
def diff_command(
    first: str = typer.Argument(..., metavar="ID1", help="The run to compare from."),
    second: str = typer.Argument(..., metavar="ID2", help="The run to compare with."),
    store: Path = STORE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Compare two complete runs: metadata that differ, outcome means and differences."""
    from umbrella.store import RunStore

    diff = RunStore(store).diff(first, second)
    if as_json:
        _echo_json(diff)
        return
    if diff["metadata"]:
        settings = Table(title=f"metadata that differ (a = {diff['a']}, b = {diff['b']})")
        for column in ("field", "a", "b"):
            settings.add_column(column, overflow="fold")
        for name, field in diff["metadata"].items():
            settings.add_row(name, escape(_text(field["a"])), escape(_text(field["b"])))
        console.print(settings)
    else:
        console.print("same metadata (scenario, data, seed, samples, sampler, version)")
    means = Table(title=f"outcome means (a = {diff['a']}, b = {diff['b']})")
    for column in ("option", "outcome", "a", "b", "b - a"):
        means.add_column(column, justify="left" if column in ("option", "outcome") else "right")
    for change in diff["outcomes"]:
        means.add_row(
            escape(change["option"]),
            escape(change["outcome"]),
            _number(change["mean_a"]),
            _number(change["mean_b"]),
            _number(change["difference"], signed=True),
        )
    console.print(means)


@app.command("verify")
@reports_errors
def verify_command(
    run_id: str = RUN_ARGUMENT,
    store: Path = STORE_OPTION,
) -> None:
    """Check every chunk of a run against its manifest: one line per damaged chunk.

    Exit code 0 if every chunk is as written, 2 if any is damaged.
    """
    from umbrella.store import RunStore

    runs_store = RunStore(store)
    problems = runs_store.verify(run_id)
    for problem in problems:
        typer.echo(f"damaged {problem}")
    if problems:
        raise UsageError(
            f"run {run_id}: {len(problems)} damaged chunk(s); `umbrella runs repair {run_id}` "
            f"removes them, then `umbrella run --resume {run_id}` computes them again"
        )
    record = runs_store.run(run_id)
    console.print(
        f"run {run_id}: all {record.chunks_done} recorded chunk(s) match the manifest",
        markup=False,
        highlight=False,
    )


@app.command("repair")
@reports_errors
def repair_command(
    run_id: str = RUN_ARGUMENT,
    store: Path = STORE_OPTION,
) -> None:
    """Remove a run's damaged chunks and mark it interrupted, ready to resume."""
    from umbrella.store import RunStore

    problems = RunStore(store).repair(run_id)
    if not problems:
        console.print(f"run {run_id}: no damaged chunk; nothing to repair", markup=False)
        return
    for problem in problems:
        typer.echo(f"removed {problem}")
    console.print(
        f"run {run_id} is interrupted; `umbrella run --resume {run_id} --store {store}` "
        "computes the removed chunks again",
        markup=False,
        highlight=False,
    )


@app.command("rebuild")
@reports_errors
def rebuild_command(store: Path = STORE_OPTION) -> None:
    """Recreate the catalog (catalog.duckdb) from the run folders."""
    from umbrella.store import RunStore

    count = RunStore(store).rebuild()
    console.print(f"catalog of {store} rebuilt: {count} run(s)", markup=False, highlight=False)


def _record_fields(record: RunRecord) -> dict[str, Any]:
    fields = {name: _plain(value) for name, value in asdict(record).items()}
    fields["n_chunks"] = record.n_chunks
    return fields


def _plain_row(row: dict[Any, Any]) -> dict[str, Any]:
    return {str(name): _plain(value) for name, value in row.items()}


def _plain(value: Any) -> Any:
    """A value as JSON holds it: times in ISO 8601, tuples as lists, NaT and NaN as null."""
    import pandas as pd

    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return value


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=_plain))


def _status(status: str) -> str:
    style = _STATUS_STYLE.get(status)
    return f"[{style}]{status}[/{style}]" if style else status


def _text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _number(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.4g}" if signed else f"{value:.4g}"
