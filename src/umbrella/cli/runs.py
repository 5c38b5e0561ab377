"""``umbrella runs``: list, show, compare, verify and repair the runs kept in a run store."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich import box as boxes
from rich.text import Text

from umbrella.cli.output import (
    Format,
    chosen_format,
    console,
    echo_records,
    format_option,
    json_alias,
    reports_errors,
)
from umbrella.cli.tables import Column, print_table
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
JSON_OPTION = json_alias("the result")

_STATUS_STYLE = {
    "complete": "green",
    "running": "cyan",
    "failed": "red",
    "interrupted": "yellow",
}


@app.command("list")
@reports_errors
def list_command(
    store: Path = STORE_OPTION,
    fmt: Format = format_option("every field of every run"),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the runs in the store, newest first."""
    from umbrella.store import RunStore

    chosen = chosen_format(fmt, as_json)
    frame = RunStore(store).runs()
    records = [_plain_row(row) for row in frame.to_dict(orient="records")]
    if chosen is Format.json:
        _echo_json(records)
        return
    if chosen is Format.csv:
        echo_records(records, [str(c) for c in frame.columns])
        return
    if frame.empty:
        console.print(f"no runs in {store}", markup=False, highlight=False)
        return
    # The run id starts with the UTC start time, so it needs no column of its own; the
    # sampler and the rest are in `umbrella runs show`.
    columns = [
        Column("run"),
        Column("status"),
        Column("scenario", kind="name", drop=1),
        Column("futures", justify="right", drop=2),
        Column("seed", justify="right", drop=3),
    ]
    rows: list[list[str | Text]] = [
        [
            str(row.run_id),
            _status(str(row.status)),
            str(row.scenario_name),
            f"{row.futures_done:,} / {row.n_samples:,}",
            str(row.seed),
        ]
        for row in frame.itertuples(index=False)
    ]
    print_table(columns, rows, title=f"runs in {store} ({len(frame)})")


@app.command("show")
@reports_errors
def show_command(
    run_id: str = RUN_ARGUMENT,
    store: Path = STORE_OPTION,
    fmt: Format = format_option("one row: every field"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show everything the catalog knows about one run."""
    from umbrella.store import RunStore

    chosen = chosen_format(fmt, as_json)
    record = RunStore(store).run(run_id)
    fields = _record_fields(record)
    if chosen is Format.json:
        _echo_json(fields)
        return
    if chosen is Format.csv:
        echo_records([fields])
        return
    rows: list[list[str | Text]] = []
    for name, value in fields.items():
        if name == "status":
            text: str | Text = _status(str(value))
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        rows.append([Text(name, style="bold"), text])
    print_table(
        [Column("field"), Column("value", kind="name", narrowest=20)],
        rows,
        title=f"run {record.run_id}",
        show_header=False,
        box=boxes.SQUARE,
    )


@app.command("diff")
@reports_errors
def diff_command(
    first: str = typer.Argument(..., metavar="ID1", help="The run to compare from."),
    second: str = typer.Argument(..., metavar="ID2", help="The run to compare with."),
    store: Path = STORE_OPTION,
    fmt: Format = format_option("the outcome means: option, outcome, mean_a, mean_b, difference"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Compare two complete runs: metadata that differ, outcome means and differences."""
    from umbrella.store import RunStore

    chosen = chosen_format(fmt, as_json)
    diff = RunStore(store).diff(first, second)
    if chosen is Format.json:
        _echo_json(diff)
        return
    if chosen is Format.csv:
        echo_records(diff["outcomes"])
        return
    if diff["metadata"]:
        print_table(
            [Column(c, kind="name") for c in ("field", "a", "b")],
            [
                [name, _text(field["a"]), _text(field["b"])]
                for name, field in diff["metadata"].items()
            ],
            title=f"metadata that differ (a = {diff['a']}, b = {diff['b']})",
        )
    else:
        console.print("same metadata (scenario, data, seed, samples, sampler, version)")
    print_table(
        [
            Column("option", kind="name"),
            Column("outcome", kind="name"),
            Column("a", justify="right"),
            Column("b", justify="right"),
            Column("b - a", justify="right"),
        ],
        [
            [
                change["option"],
                change["outcome"],
                _number(change["mean_a"]),
                _number(change["mean_b"]),
                _number(change["difference"], signed=True),
            ]
            for change in diff["outcomes"]
        ],
        title=f"outcome means (a = {diff['a']}, b = {diff['b']})",
    )


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


def _status(status: str) -> Text:
    return Text(status, style=_STATUS_STYLE.get(status, ""))


def _text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _number(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.4g}" if signed else f"{value:.4g}"
