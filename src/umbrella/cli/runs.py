"""``umbrella runs``: list, show and compare the runs kept in a run store."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from umbrella.cli.output import console, reports_errors
from umbrella.store import RunRecord, RunStore

app = typer.Typer(help="List, show and compare stored ensemble runs.", no_args_is_help=True)

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
    run_id: str = typer.Argument(..., help="A run id, as `umbrella runs list` shows it."),
    store: Path = STORE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show everything the catalog knows about one run."""
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


def _record_fields(record: RunRecord) -> dict[str, Any]:
    fields = {name: _plain(value) for name, value in asdict(record).items()}
    fields["n_chunks"] = record.n_chunks
    return fields


def _plain_row(row: dict[Any, Any]) -> dict[str, Any]:
    return {str(name): _plain(value) for name, value in row.items()}


def _plain(value: Any) -> Any:
    """A value as JSON holds it: times in ISO 8601, tuples as lists, NaT and NaN as null."""
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
