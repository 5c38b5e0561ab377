"""``umbrella data``: check, show and cite the world dataset."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from umbrella.cli.output import EXIT_INVALID, console, reports_errors
from umbrella.errors import UsageError
from umbrella.settings import CITE_FORMATS, EXPORT_FORMATS

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="Check, show, cite and export the world dataset.", no_args_is_help=True)

DATA_OPTION = typer.Option(
    None, "--data", help="Folder of YAML tables laid over the shipped dataset (docs/data.md)."
)

_COLUMNS = {
    "sources": ["publisher", "title", "published", "kind"],
    "actors": [
        "name",
        "nuclear_status",
        "nato_since",
        "eu_since",
        "population_m",
        "gdp_usd_bn",
        "defence_usd_bn",
        "defence_pct_gdp",
    ],
    "forces": ["stockpile", "inventory", "deployed", "legs", "ssbns", "nuclear_spending_usd_bn"],
    "deployments": ["owner", "hosts", "weapons", "status"],
    "polls": ["series", "guarantor", "country", "fieldwork", "share_pct"],
    "crises": ["dataset", "year", "challenger", "target", "challenge", "level"],
    "commitments": ["kind", "guarantors", "proteges", "binding", "nuclear", "start", "end"],
    "events": ["date", "kind", "actors", "summary"],
    "options": [
        "name",
        "capex_eur_bn",
        "opex_eur_bn_per_year",
        "years_to_first_effect",
        "years_to_full_effect",
    ],
    "quotes": ["date", "speaker", "text"],
    "commitment_edges": ["commitment", "kind", "guarantor", "protege", "start", "end"],
}
_TEXT_COLUMNS = {"summary", "title", "text", "name", "description", "publisher"}
_FILTER = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(!=|>=|<=|=|>|<|~)\s*(.*?)\s*$")


@app.command("check")
@reports_errors
def check_command(data: Path | None = DATA_OPTION) -> None:
    """Validate the dataset: schema, codes, dates, ranges, sources and references.

    Prints each problem as file:record-id:field: message and exits 2, or exits 0.
    """
    from umbrella.data import TABLES, check_world, load_world

    problems = check_world(data)
    if problems:
        for problem in problems:
            typer.echo(str(problem))
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(code=EXIT_INVALID)
    world = load_world(data)
    counts = ", ".join(f"{len(world.records[t])} {t}" for t in TABLES)
    typer.echo(f"ok: {counts}")


@app.command("show")
@reports_errors
def show_command(
    table: str = typer.Argument(..., help=f"One of: {', '.join(_COLUMNS)}."),
    data: Path | None = DATA_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the records as JSON."),
    filters: list[str] = typer.Option(
        [],
        "--filter",
        "-f",
        help="FIELD=VALUE (also != > < >= <= and ~ for 'contains'); repeat to combine.",
    ),
    columns: str | None = typer.Option(
        None, "--columns", help="Comma-separated columns to show (default: a summary set)."
    ),
) -> None:
    """Print a table of the dataset, as a table or as JSON."""
    from umbrella.data import load_world

    world = load_world(data)
    frame = world.table(table)
    for expression in filters:
        frame = frame[_filter_mask(frame, expression)]
    if as_json:
        typer.echo(
            json.dumps(
                _json_rows(world.records.get(table), frame),
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return
    chosen = columns.split(",") if columns else _COLUMNS[table]
    missing = [c for c in chosen if c not in frame.columns]
    if columns and missing:
        raise UsageError(
            f"--columns: unknown column(s) {', '.join(missing)}; "
            f"columns are: {', '.join(frame.columns)}"
        )
    _print_table(table, frame, [c for c in chosen if c in frame.columns])


@app.command("cite")
@reports_errors
def cite_command(
    record_id: str | None = typer.Argument(
        None,
        metavar="RECORD",
        help="A record id, or TABLE:ID when ids clash (default: every source).",
    ),
    fmt: str = typer.Option(
        "text",
        "--format",
        help=f"One of: {', '.join(CITE_FORMATS)}. BibTeX, CSL-JSON and RIS give one entry "
        "per source the record cites.",
    ),
    data: Path | None = DATA_OPTION,
) -> None:
    """Print the full citation of a record (or of a source, or of every source)."""
    from umbrella.data import cite, load_world

    if fmt not in CITE_FORMATS:
        raise UsageError(f"--format '{fmt}': one of {', '.join(CITE_FORMATS)}")
    typer.echo(cite(load_world(data), record_id, fmt).rstrip("\n"))


@app.command("export")
@reports_errors
def export_command(
    fmt: str = typer.Option(
        "datapackage",
        "--format",
        help="datapackage: one CSV per table and datapackage.json (Frictionless Data Package).",
    ),
    out: Path = typer.Option(
        Path("world-datapackage"), "--out", help="The folder to write (made if missing)."
    ),
    data: Path | None = DATA_OPTION,
) -> None:
    """Export the dataset as CSV tables with their schemas, for any Data Package tool."""
    from umbrella.data import load_world
    from umbrella.data.export import export_world

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format '{fmt}': one of {', '.join(EXPORT_FORMATS)}")
    written = export_world(load_world(data), out, fmt)
    typer.echo(f"wrote {written[-1]} and {len(written) - 1} CSV tables in {out}")


def _filter_mask(frame: pd.DataFrame, expression: str) -> pd.Series:
    import pandas as pd

    match = _FILTER.match(expression)
    if match is None:
        raise UsageError(f"--filter '{expression}': write FIELD=VALUE (or != > < >= <= ~)")
    field, operator, wanted = match.groups()
    if field == "id":
        column = pd.Series(frame.index, index=frame.index)
    elif field in frame.columns:
        column = frame[field]
    else:
        raise UsageError(
            f"--filter '{expression}': unknown field '{field}'; "
            f"fields are: id, {', '.join(frame.columns)}"
        )
    try:
        return column.map(lambda cell: _matches(cell, operator, wanted)).astype(bool)
    except ValueError:
        raise UsageError(f"--filter '{expression}': '{wanted}' is not a number") from None


def _matches(cell: Any, operator: str, wanted: str) -> bool:
    import pandas as pd

    if isinstance(cell, list):
        texts = [str(v).lower() for v in cell]
        hit = (
            wanted.lower() in texts
            if operator in ("=", "!=")
            else any(wanted.lower() in t for t in texts)
        )
        return not hit if operator == "!=" else hit
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return operator == "!="
    if operator in (">", "<", ">=", "<="):
        left: Any
        right: Any
        if isinstance(cell, int | float):
            left, right = float(cell), float(wanted)
        else:
            left, right = str(cell), wanted
        return bool(
            {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[
                operator
            ]
        )
    text = str(cell).lower()
    if operator == "~":
        return wanted.lower() in text
    equal = text == wanted.lower() or _same_number(cell, wanted)
    return equal if operator == "=" else not equal


def _same_number(cell: Any, wanted: str) -> bool:
    try:
        return isinstance(cell, int | float) and float(cell) == float(wanted)
    except ValueError:
        return False


def _json_rows(records: Any, frame: pd.DataFrame) -> list[dict[str, Any]]:
    if records is not None:
        return [records[rid].model_dump(mode="json", exclude_none=True) for rid in frame.index]
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _print_table(name: str, frame: pd.DataFrame, columns: list[str]) -> None:
    table = Table(title=f"{name} ({len(frame)} records)", show_lines=False, expand=True)
    with_id = frame.index.name == "id"
    if with_id:
        table.add_column("id", overflow="fold", ratio=2, min_width=8)
    for column in columns:
        wide = column in _TEXT_COLUMNS
        table.add_column(
            column, overflow="fold", ratio=4 if wide else None, max_width=None if wide else 24
        )
    for record_id, row in frame.iterrows():
        cells = [_cell(frame, row, column) for column in columns]
        table.add_row(*([str(record_id)] if with_id else []), *cells)
    console.print(table)
    kinds = Counter(frame["kind"]) if "kind" in frame.columns else None
    if kinds:
        console.print(", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())))


def _cell(frame: pd.DataFrame, row: pd.Series, column: str) -> str:
    import pandas as pd

    value = row[column]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if f"{column}_low" in frame.columns:
        low, high = row[f"{column}_low"], row[f"{column}_high"]
        text = f"{value:g}"
        if low != value or high != value:
            text += f" ({low:g}-{high:g})"
        return f"{text} [{row[f'{column}_year']}]"
    return str(value)
