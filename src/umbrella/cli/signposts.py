"""``umbrella signposts``: where each option fails, as triggers on what the record shows, and
which of them the current evidence has fired or nears (docs/signposts.md)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich import box

from umbrella.cli.output import (
    Format,
    chosen_format,
    console,
    echo_records,
    format_option,
    json_alias,
    paragraph,
    reports_errors,
)
from umbrella.cli.tables import Column, print_table
from umbrella.errors import UsageError
from umbrella.settings import SATISFICING

if TYPE_CHECKING:
    from umbrella.explore.signposts import SignpostReport

STORE_OPTION = typer.Option(
    Path("umbrella-runs"), "--store", help="The run store's folder (docs/runs.md)."
)
EVENTS_SHOWN = 5
"""Events printed under a fired or near trigger (the JSON and CSV carry them all)."""


@reports_errors
def signposts_command(
    run_id: str | None = typer.Argument(
        None,
        metavar="[RUN]",
        help="A stored run (default: the newest complete run of the flagship in the store).",
    ),
    store: Path = STORE_OPTION,
    data: Path | None = typer.Option(
        None,
        "--data",
        help="Folder of YAML tables laid over the shipped dataset (docs/data.md): the "
        "evidence to read (default: the data the run was made with).",
    ),
    options: list[str] | None = typer.Option(
        None, "--option", help="An option to read; repeat for several (default: all)."
    ),
    fail_below: float = typer.Option(
        SATISFICING,
        "--fail-below",
        help="An option fails where deterrence holds through the horizon with probability "
        "below this.",
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        help="Count events after this date, YYYY-MM-DD (default: two years before the "
        "latest evidence).",
    ),
    fmt: Format = format_option("one row per signpost, every column, its events as JSON"),
    as_json: bool = json_alias("the signposts"),
) -> None:
    """Signposts: the conditions under which each option fails, as triggers on quantities
    the evidence shows, and which the current evidence has fired or nears."""
    chosen = chosen_format(fmt, as_json)
    start = _date(since, "--since") if since is not None else None
    if not (math.isfinite(fail_below) and 0.0 < fail_below < 1.0):
        raise UsageError(f"--fail-below {fail_below}: give a probability between 0 and 1")
    if not store.is_dir():
        raise UsageError(f"{store}: no run store there; make a run with `umbrella run`")
    from umbrella.data import load_world
    from umbrella.explore.run import open_run
    from umbrella.explore.signposts import signposts

    run = open_run(run_id if run_id is not None else _newest_flagship_run(store), store)
    world = load_world(data) if data is not None else None
    report = signposts(run, world, options, fail_below=fail_below, since=start)
    if chosen is Format.json:
        typer.echo(json.dumps(_payload(report), indent=2))
    elif chosen is Format.csv:
        echo_records(_records(report.table))
    else:
        _print(report)


def _date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{name} '{text}': expected a date as YYYY-MM-DD") from None


def _newest_flagship_run(store: Path) -> str:
    """The newest complete run of the flagship scenario in ``store``."""
    import yaml

    from umbrella.model.scenario import flagship_path
    from umbrella.store import RunStore

    name = str(yaml.safe_load(flagship_path().read_text(encoding="utf-8"))["name"])
    runs = RunStore(store).runs()  # newest first
    mine = runs[(runs["status"] == "complete") & (runs["scenario_name"] == name)]
    if mine.empty:
        raise UsageError(
            f"no complete run of the flagship ({name}) in {store}: make one with "
            "`umbrella run`, or name a run"
        )
    return str(mine["run_id"].iloc[0])


def _finite(value: object) -> object:
    """JSON has no infinity: an open face of a box is null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _records(table: Any) -> list[dict[str, object]]:
    return [{str(k): _finite(v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def _payload(report: SignpostReport) -> dict[str, object]:
    return {
        "run_id": report.run_id,
        "outcome": "holds_europe",
        "fail_below": report.fail_below,
        "near_margin": report.margin,
        "signposts": _records(report.table),
        "pathway_signposts": _records(report.pathways),
        "unobserved": _records(report.unobserved),
        "boxes": report.boxes,
        "observables": {
            name: {
                "observable": seen.observable,
                "unit": seen.unit,
                "definition": seen.definition,
                "reading": seen.reading,
                "window": seen.window,
                "value": _finite(seen.value),
            }
            for name, seen in report.observations.items()
        },
    }


def _number(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _print(report: SignpostReport) -> None:
    table = report.table
    title = f"Run {report.run_id}: signposts of failure (holds_europe below {report.fail_below:g})"
    if table.empty:
        console.print(f"{title}: none", markup=False, highlight=False)
    else:
        values: list[float] = table["value"].astype(float).tolist()
        gaps: list[float] = table["gap"].astype(float).tolist()
        rows = [
            [
                str(row.status),
                str(row.option),
                str(row.trigger),
                _number(value),
                "-" if gap == 0 else _number(gap),
                str(row.read_by),
                str(row.reading),
            ]
            for row, value, gap in zip(table.itertuples(index=False), values, gaps, strict=True)
        ]
        print_table(
            [
                Column("status"),
                Column("option", kind="name", narrowest=12),
                Column("trigger", kind="name", narrowest=16),
                Column("now", justify="right"),
                Column("gap", justify="right", drop=1),
                Column("read\nby", justify="right"),
                Column("reading", kind="text", drop=2),
            ],
            rows,
            title=title,
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        paragraph(
            "now: the observable's current value (below); fired: it lies inside the box of "
            "failure on this assumption; near: outside it by at most "
            f"{report.margin:.0%} of the assumption's range (gap: by how much); read by: the "
            "year the option first acts, or earlier where the box restricts a year; a lower "
            "bound can fire a trigger on 'at least' only. A box is a conjunction: the option "
            "fails where all its restrictions hold together (docs/signposts.md)."
        )
        _print_evidence(table)
    _print_pathways(report)
    _print_observables(report)
    _print_unobserved(report)
    failed = {o: f for o, f in report.boxes.items() if "error" in f}
    for option, facts in failed.items():
        paragraph(f"{option}: no box ({facts['error']}).")


def _print_evidence(table: Any) -> None:
    urgent = table[table["status"].isin(["fired", "near"])]
    shown: set[tuple[str, str]] = set()
    for row in urgent.itertuples(index=False):
        key = (str(row.assumption), str(row.direction))
        if key in shown or not row.events:
            continue
        shown.add(key)
        toward = [e for e in row.events if e["toward"]]
        against = len(row.events) - len(toward)
        console.print()
        paragraph(
            f"{row.assumption} ({row.trigger.split(' ', 1)[1]}, {row.status}): {row.observable} "
            f"= {_number(row.value)} {row.unit}, {row.window}. Events that moved it toward "
            "the trigger:"
        )
        for event in toward[:EVENTS_SHOWN]:
            paragraph(
                f"{event['date']}  {event['id']}  {event['amount']:+.2f}: {event['title']}",
                indent="  ",
                hanging="    ",
            )
        rest = len(toward) - EVENTS_SHOWN
        more = [f"{rest} more"] if rest > 0 else []
        if against:
            more.append(f"{against} against")
        if more:
            paragraph(f"({', '.join(more)}: --format json lists them all)", indent="  ")
        if row.note:
            paragraph(f"Note: {row.note}.", indent="  ", hanging="  ")


def _print_pathways(report: SignpostReport) -> None:
    """The signposts the scenario's pathways wait for: fired ones would start their step."""
    table = report.pathways
    if table.empty:
        return
    console.print()
    values: list[float] = table["value"].astype(float).tolist()
    rows = [
        [
            str(row.status),
            str(row.option),
            str(row.step),
            str(row.trigger).replace(">=", ">").replace("<=", "<"),
            _number(value),
            str(row.read_by),
        ]
        for row, value in zip(table.itertuples(index=False), values, strict=True)
    ]
    print_table(
        [
            Column("status"),
            Column("pathway", kind="name", narrowest=12),
            Column("adds", kind="name", narrowest=10),
            Column("signpost", kind="name", narrowest=16),
            Column("now", justify="right"),
            Column("read\nby", justify="right"),
        ],
        rows,
        title=f"Run {report.run_id}: the signposts the pathways wait for",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    paragraph(
        "fired: on today's evidence the pathway would take its step (it starts in the year "
        "the signpost is read, where it has fired then); near: within "
        f"{report.margin:.0%} of the assumption's range (docs/options.md, 'Pathways')."
    )
    _print_evidence(table)


def _print_observables(report: SignpostReport) -> None:
    tables = [t for t in (report.table, report.pathways) if not t.empty]
    used = list(dict.fromkeys(a for t in tables for a in t["assumption"]))
    if not used:
        return
    console.print()
    paragraph("Observables:")
    for name in used:
        seen = report.observations[name]
        paragraph(
            f"{name}: {seen.observable} ({seen.reading}), {_number(seen.value)} {seen.unit}: "
            f"{seen.definition}.",
            indent="  ",
            hanging="    ",
        )


def _print_unobserved(report: SignpostReport) -> None:
    missing = report.unobserved
    if missing.empty:
        return
    console.print()
    paragraph("Box restrictions without an observable:")
    for (name, reason), group in missing.groupby(["assumption", "reason"], sort=True):
        options = ", ".join(dict.fromkeys(str(o) for o in group["option"]))
        paragraph(f"{name} ({options}): {reason}.", indent="  ", hanging="    ")
